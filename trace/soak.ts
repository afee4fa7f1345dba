/**
 * The soak: a long seeded run of random operations on one MeMS instance, checking as it goes.
 *
 * Operations: malloc of mixed sizes (each new block is filled with a pattern from its own seed; its
 * physical address must be a multiple of `align`, its size the request rounded up to one), free
 * (the block's bytes are checked first), get (of a random byte, against the block's first byte), writes
 * (a block is refilled with a new pattern) and reads (one byte against its pattern) through views, a free
 * of an address inside a block (which must be refused), and stats (against the soak's own counts).
 * Every `checkEvery` operations the whole heap is walked (checkInvariants) and every live block's bytes
 * are checked. The live set is bounded by `maxLive`; its target drifts so the heap grows and shrinks.
 *
 * The first failure is a SoakError naming the seed, the lookup and the operation number, so the run can
 * be repeated exactly.
 */

import { type Alignment, Mems } from "../core/index.ts";
import { Prng } from "../lib/prng.ts";
import { type LookupChoice, lookupName } from "./lookup-choice.ts";
import { fillPattern, firstPatternDifference, patternByte } from "./pattern.ts";

/* Options and results */

export interface SoakOptions {
  /** Operations to run. */
  ops: number;
  seed: number;
  /** One of the core's lookups by name, or a lookup written outside the project. */
  lookup: LookupChoice;
  /** Heap walk and check of every live block every this many operations (and at the end). */
  checkEvery: number;
  /** Most blocks live at once. Default 20,000. */
  maxLive?: number;
  pageSize?: number;
  startAddress?: number;
  /** Every block rounded up to a multiple of it (default 1, or MEMS_ALIGN). */
  align?: Alignment;
  /** Called with the progress about every `progressMs` milliseconds (default 1000). */
  progress?: (progress: SoakProgress) => void;
  progressMs?: number;
  /** Test hook: just after operation `corruptAt`, flip one byte of a live block, as a stray write would. */
  corruptAt?: number;
}

export interface SoakProgress {
  op: number;
  ops: number;
  liveBlocks: number;
  mappedBytes: number;
  seconds: number;
}

export interface SoakResult {
  seed: number;
  /** The lookup's name. */
  lookup: string;
  align: Alignment;
  ops: number;
  mallocs: number;
  frees: number;
  gets: number;
  writes: number;
  reads: number;
  badFrees: number;
  statsCalls: number;
  peakLiveBlocks: number;
  peakMappedBytes: number;
  mmapCalls: number;
  munmapCalls: number;
  /** Bytes still mapped after the final finish (0 unless something leaked). */
  bytesLeftMapped: number;
  invariantChecks: number;
  /** Blocks whose every byte was checked (on free and at each full check). */
  blockChecks: number;
  seconds: number;
  opsPerSecond: number;
}

/** The first thing the soak found wrong, with what it takes to repeat the run. */
export class SoakError extends Error {
  constructor(
    readonly seed: number,
    /** The lookup's name. */
    readonly lookup: string,
    readonly op: number,
    reason: string,
  ) {
    super(`soak failed at operation ${op} (seed ${seed}, lookup ${lookup}): ${reason}`);
    this.name = "SoakError";
  }
}

/* Sizes */

/** Mostly small, some up to two pages, a few up to eight. */
function randomSize(rng: Prng, pageSize: number): number {
  const roll = rng.next();
  if (roll < 0.6) return rng.int(1, 64);
  if (roll < 0.85) return rng.int(65, 1024);
  if (roll < 0.97) return rng.int(1025, 2 * pageSize);
  return rng.int(2 * pageSize + 1, 8 * pageSize);
}

/* The soak */

export const DEFAULT_MAX_LIVE = 20_000;

export function soak(options: SoakOptions): SoakResult {
  const memsOptions: ConstructorParameters<typeof Mems>[0] = { lookup: options.lookup };
  if (options.pageSize !== undefined) memsOptions.pageSize = options.pageSize;
  if (options.startAddress !== undefined) memsOptions.startAddress = options.startAddress;
  if (options.align !== undefined) memsOptions.align = options.align;
  return new Soak(options, new Mems(memsOptions)).run();
}

function emptyResult(seed: number, lookup: string, align: Alignment): SoakResult {
  return {
    seed,
    lookup,
    align,
    ops: 0,
    mallocs: 0,
    frees: 0,
    gets: 0,
    writes: 0,
    reads: 0,
    badFrees: 0,
    statsCalls: 0,
    peakLiveBlocks: 0,
    peakMappedBytes: 0,
    mmapCalls: 0,
    munmapCalls: 0,
    bytesLeftMapped: 0,
    invariantChecks: 0,
    blockChecks: 0,
    seconds: 0,
    opsPerSecond: 0,
  };
}

/** One soak: a method per kind of operation, each drawing what it needs from the seeded generator. */
class Soak {
  private readonly rng: Prng;
  private readonly result: SoakResult;
  private readonly maxLive: number;
  private readonly pageSize: number;
  // The live blocks, dense: a free moves the last one into the freed slot.
  private readonly address: Float64Array;
  private readonly size: Float64Array;
  private readonly key: Uint8Array;
  private live = 0;
  private liveBytes = 0;
  /** The operation running (ops once they have all run). */
  private op = 0;
  private readonly started = performance.now();
  private nextProgress: number;

  constructor(
    private readonly options: SoakOptions,
    private readonly mems: Mems,
  ) {
    this.rng = new Prng(options.seed);
    this.result = emptyResult(options.seed, lookupName(options.lookup), mems.align);
    this.maxLive = options.maxLive ?? DEFAULT_MAX_LIVE;
    this.pageSize = mems.pageSize;
    this.address = new Float64Array(this.maxLive);
    this.size = new Float64Array(this.maxLive);
    this.key = new Uint8Array(this.maxLive);
    this.nextProgress = this.started + this.progressMs();
  }

  run(): SoakResult {
    const { ops } = this.options;
    try {
      this.operations();
      this.op = ops;
      this.end();
    } catch (error) {
      this.mems.finish();
      if (error instanceof SoakError) throw error;
      this.fail(error instanceof Error ? error.message : String(error));
    }
    const result = this.result;
    result.ops = ops;
    result.seconds = (performance.now() - this.started) / 1000;
    result.opsPerSecond = result.seconds > 0 ? ops / result.seconds : 0;
    return result;
  }

  private operations(): void {
    const { ops, checkEvery, corruptAt } = this.options;
    // The live-set target drifts: the heap grows towards it and shrinks back, over and over.
    let target = Math.min(this.maxLive, 64);
    for (this.op = 0; this.op < ops; this.op++) {
      if ((this.op & 0xffff) === 0) target = this.rng.int(0, this.maxLive);
      this.operation(this.rng.next(), target);
      if (this.op === corruptAt && this.live > 0) this.corrupt();
      if ((this.op + 1) % checkEvery === 0) this.fullCheck();
      if ((this.op & 0xfff) === 0) this.progress();
    }
  }

  /** The operation a roll of the generator chooses. */
  private operation(roll: number, target: number): void {
    const { live, maxLive } = this;
    if (live === 0 || (roll < (live < target ? 0.4 : 0.2) && live < maxLive)) this.malloc();
    else if (roll < 0.45) this.free();
    else if (roll < 0.6) this.get();
    else if (roll < 0.7) this.write();
    else if (roll < 0.9) this.read();
    else if (roll < 0.99) this.badFree();
    else this.stats();
  }

  /** The final check, and the finish that must give back every mapping. */
  private end(): void {
    const { mems, result } = this;
    this.fullCheck();
    result.peakMappedBytes = mems.stats().peakMappedBytes;
    mems.finish();
    const after = mems.stats();
    result.mmapCalls = after.mmapCalls;
    result.munmapCalls = after.munmapCalls;
    result.bytesLeftMapped = after.heldBytes;
    if (after.heldBytes !== 0) this.fail(`finish left ${after.heldBytes} bytes mapped`);
  }

  /* Operations */

  /** A block of a random size (rounded up to a multiple of align), filled with a pattern of its own. */
  private malloc(): void {
    const asked = randomSize(this.rng, this.pageSize);
    const v = this.mems.malloc(asked);
    const block = this.mems.view(v);
    const bytes = block.length;
    const align = this.mems.align;
    if (bytes !== Math.ceil(asked / align) * align) this.fail(`malloc(${asked}) at align ${align} gave a block of ${bytes} bytes`);
    if (this.mems.get(v) % align !== 0) this.fail(`block at ${v} has physical address ${this.mems.get(v)}, not a multiple of ${align}`);
    const k = this.rng.int(0, 255);
    fillPattern(block, k);
    const i = this.live++;
    this.address[i] = v;
    this.size[i] = bytes;
    this.key[i] = k;
    this.liveBytes += bytes;
    this.result.mallocs++;
    if (this.live > this.result.peakLiveBlocks) this.result.peakLiveBlocks = this.live;
  }

  /** A random block freed, after checking its bytes. */
  private free(): void {
    const i = this.randomBlock();
    this.checkBlock(i, "before free");
    this.mems.free(this.addressOf(i));
    this.liveBytes -= this.sizeOf(i);
    const last = --this.live;
    this.address[i] = this.addressOf(last);
    this.size[i] = this.sizeOf(last);
    this.key[i] = this.keyOf(last);
    this.result.frees++;
  }

  /** A random byte's physical address is the block's plus its offset. */
  private get(): void {
    const i = this.randomBlock();
    const v = this.addressOf(i);
    const offset = this.rng.int(0, this.sizeOf(i) - 1);
    if (this.mems.get(v + offset) !== this.mems.get(v) + offset) this.fail(`get(${v} + ${offset}) is not get(${v}) + ${offset}`);
    this.result.gets++;
  }

  /** A random block's old pattern checked, then the whole block refilled with a new one through a view. */
  private write(): void {
    const i = this.randomBlock();
    this.checkBlock(i, "before rewrite");
    const k = this.rng.int(0, 255);
    fillPattern(this.mems.view(this.addressOf(i)), k);
    this.key[i] = k;
    this.result.writes++;
  }

  /** One random byte read through a view. */
  private read(): void {
    const i = this.randomBlock();
    const offset = this.rng.int(0, this.sizeOf(i) - 1);
    const found = this.mems.view(this.addressOf(i) + offset, 1)[0];
    const expected = patternByte(this.keyOf(i), offset);
    if (found !== expected) this.fail(`block at ${this.addressOf(i)} byte ${offset}: expected ${expected}, found ${found} (read)`);
    this.result.reads++;
  }

  /** A free of an address inside a block is refused and changes nothing. */
  private badFree(): void {
    const i = this.randomBlock();
    if (this.sizeOf(i) <= 1) return;
    const inside = this.addressOf(i) + this.rng.int(1, this.sizeOf(i) - 1);
    if (this.mems.tryFree(inside)) this.fail(`free of ${inside}, inside the block at ${this.addressOf(i)}, succeeded`);
    this.result.badFrees++;
  }

  /** The stats agree with the soak's own counts. */
  private stats(): void {
    const stats = this.mems.stats();
    if (stats.liveBlocks !== this.live || stats.liveBytes !== this.liveBytes) {
      this.fail(`stats say ${stats.liveBlocks} blocks of ${stats.liveBytes} bytes, the soak holds ${this.live} of ${this.liveBytes}`);
    }
    this.result.statsCalls++;
  }

  /* Checks */

  private fail(reason: string): never {
    throw new SoakError(this.options.seed, lookupName(this.options.lookup), this.op, reason);
  }

  private checkBlock(i: number, when: string): void {
    this.result.blockChecks++;
    const v = this.addressOf(i);
    const at = firstPatternDifference(this.mems.view(v), this.keyOf(i));
    if (at < 0) return;
    const found = this.mems.view(v + at, 1)[0];
    const expected = patternByte(this.keyOf(i), at);
    this.fail(`block at ${v} (${this.sizeOf(i)} bytes) byte ${at}: expected ${expected}, found ${found} (${when})`);
  }

  /** The heap walk, and every live block's bytes. */
  private fullCheck(): void {
    this.result.invariantChecks++;
    this.mems.checkInvariants();
    for (let i = 0; i < this.live; i++) this.checkBlock(i, "full check");
  }

  /** The test hook: one byte of a random live block flipped, as a stray write would. */
  private corrupt(): void {
    const i = this.randomBlock();
    const view = this.mems.view(this.addressOf(i) + this.rng.int(0, this.sizeOf(i) - 1), 1);
    view[0] = (view[0] ?? 0) ^ 0x5a;
  }

  private progress(): void {
    const report = this.options.progress;
    if (report === undefined) return;
    const now = performance.now();
    if (now < this.nextProgress) return;
    this.nextProgress = now + this.progressMs();
    const { op, live, mems } = this;
    report({ op, ops: this.options.ops, liveBlocks: live, mappedBytes: mems.stats().mappedBytes, seconds: (now - this.started) / 1000 });
  }

  private progressMs(): number {
    return this.options.progressMs ?? 1000;
  }

  /* The live blocks */

  private randomBlock(): number {
    return this.rng.int(0, this.live - 1);
  }

  private addressOf(i: number): number {
    return this.address[i] ?? 0;
  }

  private sizeOf(i: number): number {
    return this.size[i] ?? 0;
  }

  private keyOf(i: number): number {
    return this.key[i] ?? 0;
  }
}
