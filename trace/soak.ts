/**
 * The soak: a long seeded run of random operations on one MeMS instance, checking as it goes.
 *
 * Operations: malloc of mixed sizes (each new block is filled with a pattern from its own seed), free
 * (the block's bytes are checked first), get (of a random byte, against the block's first byte), writes
 * (a block is refilled with a new pattern) and reads (one byte against its pattern) through views, a free
 * of an address inside a block (which must be refused), and stats (against the soak's own counts).
 * Every `checkEvery` operations the whole heap is walked (checkInvariants) and every live block's bytes
 * are checked. The live set is bounded by `maxLive`; its target drifts so the heap grows and shrinks.
 *
 * The first failure is a SoakError naming the seed, the lookup and the operation number, so the run can
 * be repeated exactly.
 */

import { type Lookup, Mems } from "../core/index.ts";
import { Prng } from "../lib/prng.ts";
import { fillPattern, firstPatternDifference, patternByte } from "./pattern.ts";

/* Options and results */

export interface SoakOptions {
  /** Operations to run. */
  ops: number;
  seed: number;
  lookup: Lookup;
  /** Heap walk and check of every live block every this many operations (and at the end). */
  checkEvery: number;
  /** Most blocks live at once. Default 20,000. */
  maxLive?: number;
  pageSize?: number;
  startAddress?: number;
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
  lookup: Lookup;
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
    readonly lookup: Lookup,
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
  const { ops, seed, lookup, checkEvery } = options;
  const maxLive = options.maxLive ?? DEFAULT_MAX_LIVE;
  const memsOptions: ConstructorParameters<typeof Mems>[0] = { lookup };
  if (options.pageSize !== undefined) memsOptions.pageSize = options.pageSize;
  if (options.startAddress !== undefined) memsOptions.startAddress = options.startAddress;
  const mems = new Mems(memsOptions);
  const pageSize = mems.pageSize;
  const rng = new Prng(seed);

  // The live blocks, dense: a free moves the last one into the freed slot.
  const address = new Float64Array(maxLive);
  const size = new Float64Array(maxLive);
  const key = new Uint8Array(maxLive);
  let live = 0;
  let liveBytes = 0;

  const result: SoakResult = {
    seed,
    lookup,
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

  let op = 0;
  const fail = (reason: string): never => {
    throw new SoakError(seed, lookup, op, reason);
  };
  const checkBlock = (index: number, when: string): void => {
    result.blockChecks++;
    const at = firstPatternDifference(mems.view(address[index] as number), key[index] as number);
    if (at >= 0) {
      const found = mems.view((address[index] as number) + at, 1)[0];
      fail(
        `block at ${address[index]} (${size[index]} bytes) byte ${at}: expected ${patternByte(key[index] as number, at)}, found ${found} (${when})`,
      );
    }
  };
  const fullCheck = (): void => {
    result.invariantChecks++;
    mems.checkInvariants();
    for (let i = 0; i < live; i++) checkBlock(i, "full check");
  };

  // The live-set target drifts: the heap grows towards it and shrinks back, over and over.
  let target = Math.min(maxLive, 64);
  const progressMs = options.progressMs ?? 1000;
  const started = performance.now();
  let nextProgress = started + progressMs;

  try {
    for (op = 0; op < ops; op++) {
      if ((op & 0xffff) === 0) target = rng.int(0, maxLive);
      const roll = rng.next();
      if (live === 0 || (roll < (live < target ? 0.4 : 0.2) && live < maxLive)) {
        // malloc
        const bytes = randomSize(rng, pageSize);
        const v = mems.malloc(bytes);
        const k = rng.int(0, 255);
        fillPattern(mems.view(v), k);
        address[live] = v;
        size[live] = bytes;
        key[live] = k;
        live++;
        liveBytes += bytes;
        result.mallocs++;
        if (live > result.peakLiveBlocks) result.peakLiveBlocks = live;
      } else if (roll < 0.45) {
        // free, after checking the block's bytes
        const i = rng.int(0, live - 1);
        checkBlock(i, "before free");
        mems.free(address[i] as number);
        liveBytes -= size[i] as number;
        live--;
        address[i] = address[live] as number;
        size[i] = size[live] as number;
        key[i] = key[live] as number;
        result.frees++;
      } else if (roll < 0.6) {
        // get: a byte's physical address is the block's plus its offset
        const i = rng.int(0, live - 1);
        const v = address[i] as number;
        const offset = rng.int(0, (size[i] as number) - 1);
        if (mems.get(v + offset) !== mems.get(v) + offset) fail(`get(${v} + ${offset}) is not get(${v}) + ${offset}`);
        result.gets++;
      } else if (roll < 0.7) {
        // write: check the old pattern, refill the whole block with a new one through a view
        const i = rng.int(0, live - 1);
        checkBlock(i, "before rewrite");
        const k = rng.int(0, 255);
        fillPattern(mems.view(address[i] as number), k);
        key[i] = k;
        result.writes++;
      } else if (roll < 0.9) {
        // read one byte through a view
        const i = rng.int(0, live - 1);
        const offset = rng.int(0, (size[i] as number) - 1);
        const found = mems.view((address[i] as number) + offset, 1)[0];
        const expected = patternByte(key[i] as number, offset);
        if (found !== expected) fail(`block at ${address[i]} byte ${offset}: expected ${expected}, found ${found} (read)`);
        result.reads++;
      } else if (roll < 0.99) {
        // a free of an address inside a block is refused and changes nothing
        const i = rng.int(0, live - 1);
        if ((size[i] as number) > 1) {
          const inside = (address[i] as number) + rng.int(1, (size[i] as number) - 1);
          if (mems.tryFree(inside)) fail(`free of ${inside}, inside the block at ${address[i]}, succeeded`);
          result.badFrees++;
        }
      } else {
        const stats = mems.stats();
        if (stats.liveBlocks !== live || stats.liveBytes !== liveBytes) {
          fail(`stats say ${stats.liveBlocks} blocks of ${stats.liveBytes} bytes, the soak holds ${live} of ${liveBytes}`);
        }
        result.statsCalls++;
      }

      if (op === options.corruptAt && live > 0) {
        const i = rng.int(0, live - 1);
        mems.view((address[i] as number) + rng.int(0, (size[i] as number) - 1), 1)[0] ^= 0x5a;
      }
      if ((op + 1) % checkEvery === 0) fullCheck();
      if ((op & 0xfff) === 0 && options.progress !== undefined) {
        const now = performance.now();
        if (now >= nextProgress) {
          nextProgress = now + progressMs;
          options.progress({ op, ops, liveBlocks: live, mappedBytes: mems.stats().mappedBytes, seconds: (now - started) / 1000 });
        }
      }
    }
    op = ops;
    fullCheck();
    const stats = mems.stats();
    result.peakMappedBytes = stats.peakMappedBytes;
    mems.finish();
    const after = mems.stats();
    result.mmapCalls = after.mmapCalls;
    result.munmapCalls = after.munmapCalls;
    result.bytesLeftMapped = after.heldBytes;
    if (after.heldBytes !== 0) fail(`finish left ${after.heldBytes} bytes mapped`);
  } catch (error) {
    mems.finish();
    if (error instanceof SoakError) throw error;
    throw new SoakError(seed, lookup, op, error instanceof Error ? error.message : String(error));
  }
  result.ops = ops;
  result.seconds = (performance.now() - started) / 1000;
  result.opsPerSecond = result.seconds > 0 ? ops / result.seconds : 0;
  return result;
}
