/**
 * Seeded scenario generators: random MeMS scenarios (.mtrace) for the differential conformance run and
 * the soak, and churn traces (malloc-lab .rep) for benchmarks. The same seed gives the same text.
 */
import { ALIGNMENTS } from "../core/index.ts";
import { Prng } from "../lib/prng.ts";

export interface RandomScenarioOptions {
  /** Operations to generate (directives, comments and the header not counted). */
  ops: number;
  /** PAGE_SIZE directive; by default one of 1024, 4096 and 8192, chosen by the seed. */
  pageSize?: number;
  /** Start-address directive; by default 0 or 1000, chosen by the seed. */
  startAddress?: number;
  /** An `@align` directive when given (the rest of the text is the same for every alignment). */
  align?: number;
  /**
   * Also operate through IDs whose block is gone, as the seed API allows: a free of a freed ID (refused,
   * or freeing whatever block now starts at its old address), a raw `F` of an address that may be a live
   * block's, and then `f`/`w`/`g`/`v`/`p` through the IDs that lost their block that way. The
   * differential conformance run wants MeMS's answers to these. `--verify` cannot check such a scenario
   * (a write through a stale ID lands in another ID's block), so by default every `f`, `r`, `w`, `g`,
   * `v` and `p` names a live ID and a raw `F` an address no block can start at.
   */
  staleIds?: boolean;
}

/** The largest alignment MeMS rounds a block's size to (`--align` may apply one the text does not name). */
const MAX_ALIGN = Math.max(...ALIGNMENTS);

/** One of `values`, chosen by the generator. */
function pick<T>(rng: Prng, values: readonly [T, ...T[]]): T {
  return values[rng.int(0, values.length - 1)] ?? values[0];
}

/**
 * A random MeMS scenario: mallocs of mixed sizes, frees in random order, reallocs, raw frees and
 * translations of addresses that are no block, writes and reads, stats at checkpoints, and now and then
 * a finish. Every line is valid for the parser (offsets of w/g stay inside the ID's last size), and,
 * unless `staleIds`, every operation on an ID names one that holds its block (see RandomScenarioOptions).
 */
export function generateRandomScenario(seed: number, options: RandomScenarioOptions): string {
  const rng = new Prng(seed);
  const pageSize = options.pageSize ?? pick(rng, [1024, 4096, 8192]);
  const startAddress = options.startAddress ?? pick(rng, [0, 1000]);
  const scenario = new RandomScenario(rng, pageSize, startAddress, options.align, options.staleIds === true);
  for (let op = 0; op < options.ops; op++) scenario.operation(op);
  return scenario.text();
}

/** The lines of a random scenario so far, and what the generator knows of its IDs: a method per operation. */
class RandomScenario {
  private readonly lines: string[];
  /** Size of each ID's most recent a/r line (what the parser checks offsets against). */
  private readonly sizes: number[] = [];
  private readonly live = new Set<number>();
  /** Roughly how far virtual space reaches, for raw addresses near and beyond it. */
  private reach = 0;
  /**
   * At least how far virtual space reaches since the last finish, whatever the lookup and alignment: each
   * a/r may map a new segment after the last, of its size rounded up to MAX_ALIGN, then to pages.
   */
  private extent = 0;

  constructor(
    private readonly rng: Prng,
    private readonly pageSize: number,
    private readonly startAddress: number,
    align: number | undefined,
    private readonly staleIds: boolean,
  ) {
    this.lines = [`# random scenario, seed ${rng.seed}`, `@page_size ${pageSize}`, `@start ${startAddress}`];
    if (align !== undefined) this.lines.push(`@align ${align}`);
  }

  text(): string {
    return `${[...this.lines, "s"].join("\n")}\n`;
  }

  /** One operation, chosen by a roll: a third mallocs, a fifth frees, and so on down to a rare finish. */
  operation(op: number): void {
    const roll = this.rng.next();
    if (this.sizes.length === 0 || (!this.staleIds && this.live.size === 0) || roll < 0.3) this.malloc();
    else if (roll < 0.5) this.free();
    else if (roll < 0.56) this.realloc();
    else if (roll < 0.7) this.write();
    else if (roll < 0.82) this.get();
    else if (roll < 0.86) this.lines.push(`v ${this.staleIds ? this.anyId() : this.liveId()}`);
    else if (roll < 0.9) this.physical();
    else if (roll < 0.94) this.lines.push(`F ${this.staleIds ? this.rawAddress() : this.noBlockAddress()}`);
    else if (roll < 0.97) this.lines.push(`P ${this.rawAddress()}`);
    else if (roll < 0.995) this.lines.push("s");
    else if (this.rng.chance(0.3)) this.finish();
    else this.lines.push(`e checkpoint ${op}`);
  }

  /* Operations */

  /** A new ID while fewer than 48 are live (and now and then after), else a live one: `a` leaks its block. */
  private malloc(): void {
    const id = this.live.size < 48 || this.rng.chance(0.1) ? this.sizes.length : this.liveId();
    const size = this.rng.chance(0.02) ? 0 : this.randomSize();
    this.sizes[id] = size;
    if (size > 0) this.live.add(id);
    else this.live.delete(id); // `a ID 0` on a live ID: it holds NULL now
    this.grow(size);
    this.lines.push(`a ${id} ${size}`);
  }

  /** A live ID; with `staleIds`, now and then any ID (a double free, or a free through a stale address). */
  private free(): void {
    const id = this.staleIds && this.rng.chance(0.1) ? this.anyId() : this.liveId();
    this.live.delete(id);
    this.lines.push(this.rng.chance(0.01) ? "f -1" : `f ${id}`);
  }

  private realloc(): void {
    const id = this.liveId();
    const size = this.rng.chance(0.05) ? 0 : this.randomSize();
    this.sizes[id] = size; // the parser checks offsets against the size of the ID's last a/r line, 0 included
    if (size === 0) this.live.delete(id);
    else {
      this.live.add(id);
      this.grow(size);
    }
    this.lines.push(`r ${id} ${size}`);
  }

  private write(): void {
    const id = this.liveId();
    const size = this.sizeOf(id);
    if (size >= 4) this.lines.push(`w ${id} ${this.rng.int(0, size - 4)} ${this.rng.int(-2147483648, 2147483647)}`);
  }

  private get(): void {
    const id = this.liveId();
    const size = this.sizeOf(id);
    if (size >= 4) this.lines.push(`g ${id} ${this.rng.int(0, size - 4)}${this.rng.chance(0.3) ? " Read at:" : ""}`);
  }

  private physical(): void {
    const id = this.staleIds ? this.anyId() : this.liveId();
    this.lines.push(`p ${id} ${this.rng.int(0, Math.max(0, this.sizeOf(id) + 8))}`);
  }

  private finish(): void {
    this.lines.push("x");
    this.live.clear();
    this.reach = 0;
    this.extent = 0;
  }

  /** After an a/r of `size` bytes: how far virtual space may now reach. */
  private grow(size: number): void {
    this.reach += size;
    if (size > 0) this.extent += Math.ceil((Math.ceil(size / MAX_ALIGN) * MAX_ALIGN) / this.pageSize) * this.pageSize;
  }

  /* Choices */

  /** A request size from 1 byte to several pages, small sizes most often. */
  private randomSize(): number {
    const { rng, pageSize } = this;
    const roll = rng.next();
    if (roll < 0.5) return rng.int(1, 64);
    if (roll < 0.85) return rng.int(65, 1024);
    if (roll < 0.97) return rng.int(1025, 2 * pageSize);
    return rng.int(2 * pageSize, 5 * pageSize);
  }

  private anyId(): number {
    return this.rng.int(0, this.sizes.length - 1);
  }

  private liveId(): number {
    const ids = [...this.live];
    return ids.length > 0 ? (ids[this.rng.int(0, ids.length - 1)] ?? 0) : this.anyId();
  }

  private sizeOf(id: number): number {
    return this.sizes[id] ?? 0;
  }

  /** An address near or inside the blocks: it may be a live block's first address. */
  private rawAddress(): number {
    return Math.max(0, this.startAddress + this.rng.int(-8, this.reach + 64));
  }

  /** An address no block can start at, whatever the lookup: just before the start address, or past every segment. */
  private noBlockAddress(): number {
    if (this.startAddress >= 8 && this.rng.chance(0.5)) return this.startAddress - this.rng.int(1, 8);
    return this.startAddress + this.extent + this.rng.int(0, 64);
  }
}

export interface ChurnOptions {
  /** Live blocks held throughout (N). */
  live: number;
  /** Replace operations after the N mallocs: each frees a random live block and mallocs a new one. */
  replacements: number;
  /** Smallest and largest request (defaults 16 and 512). */
  minSize?: number;
  maxSize?: number;
}

/**
 * The churn workload as a malloc-lab trace: N mallocs, then replacements (free a random live block,
 * malloc a new random size under the same ID), then frees of everything, so the trace is balanced.
 */
export function generateChurnTrace(seed: number, options: ChurnOptions): string {
  const rng = new Prng(seed);
  const minSize = options.minSize ?? 16;
  const maxSize = options.maxSize ?? 512;
  const { live, replacements } = options;
  const ops = live + 2 * replacements + live;
  const out: string[] = [`${live * maxSize}`, `${live}`, `${ops}`, "1"];
  for (let id = 0; id < live; id++) out.push(`a ${id} ${rng.int(minSize, maxSize)}`);
  for (let i = 0; i < replacements; i++) {
    const id = rng.int(0, live - 1);
    out.push(`f ${id}`, `a ${id} ${rng.int(minSize, maxSize)}`);
  }
  for (let id = 0; id < live; id++) out.push(`f ${id}`);
  return `${out.join("\n")}\n`;
}
