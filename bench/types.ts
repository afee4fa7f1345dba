/**
 * The shapes bun bench's modules share: the interface every allocator it compares is behind (allocators.ts
 * and the peers in peers/ implement it, replay.ts and measure.ts drive it) and what a workload is
 * (workloads.ts lists them, real.ts adds the recorded programs, run.ts and family.ts run them).
 * Types only, importing nothing: the modules that use them import one another in one direction only.
 */

/** MeMS: the system calls of one whole replay, finish included. */
export interface OsFigures {
  mmapCalls: number;
  munmapCalls: number;
  /** Nanoseconds inside those calls. */
  ns: number;
}

/** What an allocator can say about its memory; absent fields print as '-'. */
export interface AllocatorStats {
  peakMappedBytes?: number;
  mmapCalls?: number;
  /** Blocks the allocator itself counts as live (the latest value, not a peak). */
  liveBlocks?: number;
  /** MeMS: bytes of its own records, address map, page table and index (its tables only grow until finish). */
  bookkeepingBytes?: number;
}

/** What the trace needs to size an allocator that cannot grow (MemPool). */
export interface Workload {
  peakLiveBytes: number;
  peakLiveBlocks: number;
}

export interface BenchAllocator {
  /** A handle for `size` >= 1 bytes; throws when the allocator is out of memory. */
  malloc(size: number): number;
  free(handle: number): void;
  /** C's realloc on a live block: the first min(oldSize, size) bytes move to the returned handle. */
  realloc(handle: number, oldSize: number, size: number): number;
  /** The address of byte `offset` of the block, or undefined when the allocator has no addresses. */
  readonly translate: ((handle: number, offset: number) => number) | undefined;
  /** True when `finish` gives back live blocks itself; otherwise the replay frees them first. */
  readonly finishFreesAll: boolean;
  /** Ends a run (as mems_finish); the allocator is ready for the next run afterwards. */
  finish(): void;
  /** Peaks since the last `finish` (read before it), or {} where not meaningful. */
  stats(): AllocatorStats;
}

/**
 * A workload that is one point of a family: the same generator at growing sizes, drawn as one curve.
 * An allocator that does not finish a point within `deadlineMs` (or sits it out) stops there.
 */
export interface Family {
  name: string;
  /** Where the point sits on the curve's x axis. */
  liveBlocks: number;
  deadlineMs: number;
}

export type WorkloadSpec =
  | {
      name: string;
      kind: "trace";
      file: string;
      describe: string;
      /** A trace of the strategies table: a malloc-lab trace or a recorded program, replayed by every lookup. */
      strategy?: boolean;
    }
  | {
      name: string;
      kind: "churn";
      live: number;
      replacements: number;
      minSize: number;
      maxSize: number;
      describe: string;
      family?: Family;
    }
  | { name: string; kind: "get"; blocks: number; gets: number; describe: string };
