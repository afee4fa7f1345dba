/**
 * Seeded scenario generators: random MeMS scenarios (.mtrace) for the differential conformance run and
 * the soak, and churn traces (malloc-lab .rep) for benchmarks. The same seed gives the same text.
 */
import { Prng } from "../lib/prng.ts";

export interface RandomScenarioOptions {
  /** Operations to generate (directives, comments and the header not counted). */
  ops: number;
  /** PAGE_SIZE directive; by default one of 1024, 4096 and 8192, chosen by the seed. */
  pageSize?: number;
  /** Start-address directive; by default 0 or 1000, chosen by the seed. */
  startAddress?: number;
}

/** A request size from 1 byte to several pages, small sizes most often. */
function randomSize(rng: Prng, pageSize: number): number {
  const roll = rng.next();
  if (roll < 0.5) return rng.int(1, 64);
  if (roll < 0.85) return rng.int(65, 1024);
  if (roll < 0.97) return rng.int(1025, 2 * pageSize);
  return rng.int(2 * pageSize, 5 * pageSize);
}

/**
 * A random MeMS scenario: mallocs of mixed sizes, frees in random order (some twice), reallocs, raw frees
 * and translations of addresses that may be no block, writes and reads, stats at checkpoints, and now
 * and then a finish. Every line is valid for the parser (offsets of w/g stay inside the ID's last size).
 */
export function generateRandomScenario(seed: number, options: RandomScenarioOptions): string {
  const rng = new Prng(seed);
  const pageSize = options.pageSize ?? [1024, 4096, 8192][rng.int(0, 2)];
  const startAddress = options.startAddress ?? [0, 1000][rng.int(0, 1)];
  const lines = [`# random scenario, seed ${seed}`, `@page_size ${pageSize}`, `@start ${startAddress}`];
  /** Size of each ID's most recent a/r line (what the parser checks offsets against). */
  const sizes: number[] = [];
  const live = new Set<number>();
  /** Roughly how far virtual space reaches, for raw addresses near and beyond it. */
  let reach = 0;
  const anyId = () => rng.int(0, sizes.length - 1);
  const liveId = () => {
    const ids = [...live];
    return ids.length > 0 ? ids[rng.int(0, ids.length - 1)] : anyId();
  };
  const rawAddress = () => Math.max(0, startAddress + rng.int(-8, reach + 64));
  for (let op = 0; op < options.ops; op++) {
    const roll = rng.next();
    if (sizes.length === 0 || roll < 0.3) {
      const id = live.size < 48 || rng.chance(0.1) ? sizes.length : liveId();
      const size = rng.chance(0.02) ? 0 : randomSize(rng, pageSize);
      sizes[id] = size;
      if (size > 0) live.add(id);
      reach += size;
      lines.push(`a ${id} ${size}`);
    } else if (roll < 0.5) {
      const id = rng.chance(0.1) ? anyId() : liveId();
      live.delete(id);
      lines.push(rng.chance(0.01) ? "f -1" : `f ${id}`);
    } else if (roll < 0.56) {
      const id = liveId();
      const size = rng.chance(0.05) ? 0 : randomSize(rng, pageSize);
      sizes[id] = size; // the parser checks offsets against the size of the ID's last a/r line, 0 included
      if (size === 0) live.delete(id);
      else {
        live.add(id);
        reach += size;
      }
      lines.push(`r ${id} ${size}`);
    } else if (roll < 0.7) {
      const id = liveId();
      if (sizes[id] >= 4) lines.push(`w ${id} ${rng.int(0, sizes[id] - 4)} ${rng.int(-2147483648, 2147483647)}`);
    } else if (roll < 0.82) {
      const id = liveId();
      if (sizes[id] >= 4) lines.push(`g ${id} ${rng.int(0, sizes[id] - 4)}${rng.chance(0.3) ? " Read at:" : ""}`);
    } else if (roll < 0.86) {
      lines.push(`v ${anyId()}`);
    } else if (roll < 0.9) {
      const id = anyId();
      lines.push(`p ${id} ${rng.int(0, Math.max(0, sizes[id] + 8))}`);
    } else if (roll < 0.94) {
      lines.push(`F ${rawAddress()}`);
    } else if (roll < 0.97) {
      lines.push(`P ${rawAddress()}`);
    } else if (roll < 0.995) {
      lines.push("s");
    } else if (rng.chance(0.3)) {
      lines.push("x");
      live.clear();
      reach = 0;
    } else {
      lines.push(`e checkpoint ${op}`);
    }
  }
  lines.push("s");
  return `${lines.join("\n")}\n`;
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
