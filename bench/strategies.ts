/**
 * The strategies table's figures that do not depend on the clock: one observed replay of a trace on a
 * fresh MeMS instance, by the replay rules (trace/rules.ts) that the bench loop and the runner follow.
 * They are a property of the lookup and the trace alone, so they are computed once, not timed; ns/op
 * comes from the timed replays of the same cell (measure.ts).
 *
 * - peak live bytes: the most bytes the trace has live at once, after any operation (as it asked for
 *   them: with an alignment, the rounding counts as waste, as in the bench's utilization);
 * - peak mapped bytes: the most segment bytes MeMS has mapped at once (bookkeeping excluded);
 * - utilization: peak live / peak mapped (Johnstone and Wilson's "fragmentation #4" is 1 / this - 1);
 * - HOLE bytes at the peak: the bytes in HOLEs right after the operation that first took the mapped
 *   bytes to their peak (peak mapped - live bytes then): the free memory the heap held, yet grew;
 * - mmap calls: segments and bookkeeping, the final finish's munmaps not counted.
 *
 * Mapped bytes are followed without walking the chains: MeMS's segments take consecutive virtual ranges
 * from the start address, so a block that starts at or past the end of virtual space is the first piece
 * of a new segment of `size` (rounded up to the alignment) rounded up to PAGE_SIZE. At every finish the figure is held against the
 * instance's own stats (a walk), so a rule that changed would fail loudly rather than skew the table.
 */
import { Mems, MemsError, type MemsOptions } from "../core/index.ts";
import { Op, type Scenario } from "../trace/format.ts";
import { BlockTable, NULL_HANDLE, type ReplayHeap } from "../trace/rules.ts";
import type { Measurement } from "./measure.ts";

export interface StrategyFigures {
  peakLiveBytes: number;
  peakMappedBytes: number;
  /** peakLiveBytes / peakMappedBytes (0 when nothing was mapped). */
  utilization: number;
  holeBytesAtPeak: number;
  /** Segments mapped at that moment. */
  segmentsAtPeak: number;
  mmapCalls: number;
}

/**
 * MeMS as the replay rules call it, counting live and mapped bytes as it goes. A refused size gives
 * NULL (as mems_malloc's); frees are not checked (a double free is skipped, as in the bench loop).
 */
export class ObservedHeap implements ReplayHeap {
  readonly finishFreesAll = true;
  /** Live bytes as MeMS counts them: each block's size rounded up to the instance's alignment. */
  liveBytes = 0;
  /** Live bytes as the trace asked for them (the peak of these is the trace's, as the bench reports it). */
  askedBytes = 0;
  /** The end of virtual space: start address + mapped segment bytes. */
  virtualEnd: number;
  segments = 0;

  constructor(
    readonly mems: Mems,
    private readonly blocks: BlockTable,
  ) {
    this.virtualEnd = mems.startAddress;
  }

  get mappedBytes(): number {
    return this.virtualEnd - this.mems.startAddress;
  }

  malloc(size: number): number {
    let v: number;
    try {
      v = this.mems.malloc(size);
    } catch (error) {
      if (error instanceof MemsError && error.code === "INVALID_SIZE") return NULL_HANDLE;
      throw error;
    }
    const rounded = this.rounded(size);
    if (v >= this.virtualEnd) {
      this.virtualEnd = v + Math.ceil(rounded / this.mems.pageSize) * this.mems.pageSize;
      this.segments++;
    }
    this.liveBytes += rounded;
    this.askedBytes += size;
    return v;
  }

  /** `size` rounded up to a multiple of the alignment, as malloc takes it. */
  private rounded(size: number): number {
    return Math.ceil(size / this.mems.align) * this.mems.align;
  }

  free(handle: number, slot: number): void {
    this.mems.free(handle);
    const size = this.blocks.size[slot] ?? 0;
    this.liveBytes -= this.rounded(size);
    this.askedBytes -= size;
  }

  /** As the bench's MemsAllocator: a new block, then the old one freed (the bytes are not copied: only places matter here). */
  realloc(handle: number, oldSize: number, size: number): number {
    const fresh = this.malloc(size);
    if (fresh === NULL_HANDLE) return NULL_HANDLE;
    this.mems.free(handle);
    this.liveBytes -= this.rounded(oldSize);
    this.askedBytes -= oldSize;
    return fresh;
  }

  /** Holds the followed figures against the instance's stats, then finishes. */
  finish(): void {
    const stats = this.mems.stats();
    if (stats.mappedBytes !== this.mappedBytes || stats.liveBytes !== this.liveBytes) {
      throw new Error(
        `strategies: followed ${this.mappedBytes} mapped and ${this.liveBytes} live bytes, MeMS has ${stats.mappedBytes} and ${stats.liveBytes}`,
      );
    }
    this.mems.finish();
    this.virtualEnd = this.mems.startAddress;
    this.segments = 0;
    this.liveBytes = 0;
    this.askedBytes = 0;
  }
}

/** Replays `scenario` once on a new instance made with `options` and returns its figures. */
export function observeStrategy(scenario: Scenario, options: MemsOptions = {}): StrategyFigures {
  const mems = new Mems(options);
  const blocks = new BlockTable(scenario.slotCount);
  const heap = new ObservedHeap(mems, blocks);
  const { count, ops, a, b } = scenario;
  let peakLiveBytes = 0;
  let peakMappedBytes = 0;
  let holeBytesAtPeak = 0;
  let segmentsAtPeak = 0;
  try {
    for (let i = 0; i < count; i++) {
      blocks.step(heap, ops[i], a[i] ?? -1, b[i] ?? 0);
      // After the operation, as traceWorkload counts peak live bytes (bench/replay.ts); the bytes asked for.
      if (heap.askedBytes > peakLiveBytes) peakLiveBytes = heap.askedBytes;
      if (heap.mappedBytes > peakMappedBytes) {
        peakMappedBytes = heap.mappedBytes;
        holeBytesAtPeak = peakMappedBytes - heap.liveBytes;
        segmentsAtPeak = heap.segments;
      }
    }
    if (count === 0 || ops[count - 1] !== Op.Finish) blocks.finish(heap);
    const utilization = peakMappedBytes > 0 ? peakLiveBytes / peakMappedBytes : 0;
    return { peakLiveBytes, peakMappedBytes, utilization, holeBytesAtPeak, segmentsAtPeak, mmapCalls: mems.stats().mmapCalls };
  } finally {
    mems.finish();
  }
}

/**
 * A timed cell's measurement with the observed figures added. The figures it has already (from the bench
 * loop's observed replay) must be the same: they are the lookup's and the trace's, whatever replays them.
 */
export function withStrategyFigures(measurement: Measurement, figures: StrategyFigures): Measurement {
  const same: [string, number | undefined, number][] = [
    ["peak mapped bytes", measurement.peakMappedBytes, figures.peakMappedBytes],
    ["peak live bytes", measurement.peakLiveBytes, figures.peakLiveBytes],
    ["mmap calls", measurement.mmapCalls, figures.mmapCalls],
  ];
  for (const [what, timed, observed] of same) {
    if (timed !== observed)
      throw new Error(`${measurement.allocator} on ${measurement.workload}: ${what} ${timed} in the timed replay, ${observed} observed`);
  }
  return { ...measurement, holeBytesAtPeak: figures.holeBytesAtPeak, segmentsAtPeak: figures.segmentsAtPeak };
}
