/**
 * The benchmark's replay loop: one pass over a parsed scenario's typed arrays against a BenchAllocator,
 * printing nothing. `a`, `f` and `r` are the work, done by the replay rules (trace/rules.ts) that the
 * runner follows too, so the benchmark times what conformance checks (an `a` on a live ID leaks the old
 * block, `r` is C's realloc, a free of a NULL ID does nothing); `w`, `g` and `p` become one address
 * translation (`translate(handle, offset)`) where the allocator has addresses; `v`, `s` and `e` only print
 * and are skipped; `x` ends the run as mems_finish does.
 *
 * The loop is the same for every allocator, and each allocator runs in its own process (run.ts), so
 * every call site here sees one class and the JIT can inline it.
 */
import { Op, type Scenario } from "../trace/format.ts";
import { BlockTable, NULL_HANDLE, type ReplayHeap } from "../trace/rules.ts";
import { BATCH_OPS } from "./latency.ts";
import type { AllocatorStats, BenchAllocator, Workload } from "./types.ts";

/** Where a replay without a clock would write its readings: never, as its first reading is at `count`. */
const NO_CLOCK = new Float64Array(0);

/** Per-slot state (the replay rules' table), made once per scenario and reused by every replay. */
export function replayState(scenario: Scenario): BlockTable {
  return new BlockTable(scenario.slotCount);
}

/** The result of one replay: blocks still live at the end (0 for a balanced trace) and the peaks seen. */
export interface ReplayOutcome {
  /** Blocks live when the trace ended, leaked ones (an `a` on a live ID) included. */
  liveAtEnd: number;
  stats: AllocatorStats;
  /** Sum of translated addresses, so the JIT cannot drop the translations. */
  sink: number;
}

/**
 * Replays `scenario` once and finishes. `a`, `f`, `r` and `x` go through the replay rules (trace/rules.ts),
 * as the runner's do. With `observe`, reads the allocator's stats before every finish (not for timed
 * runs: stats may walk the heap). With `clock`, reads the clock into it at the start of every batch of
 * BATCH_OPS operations and after the last whole one (latency.ts): one compare an operation.
 */
export function replayOnce(
  allocator: BenchAllocator,
  scenario: Scenario,
  blocks: BlockTable,
  observe = false,
  clock?: Float64Array,
): ReplayOutcome {
  const { count, ops, a, b } = scenario;
  const { handle, live } = blocks;
  const translate = allocator.translate;
  let sink = 0;
  let stats: AllocatorStats = {};
  let liveAtEnd = 0;
  const readings = clock ?? NO_CLOCK;
  let nextReading = clock === undefined ? count : 0;
  let reading = 0;
  for (let i = 0; i < count; i++) {
    if (i === nextReading) {
      readings[reading++] = Bun.nanoseconds();
      nextReading += BATCH_OPS;
    }
    const slot = a[i] ?? -1;
    switch (ops[i]) {
      // `a` and `f` are blocks.malloc(allocator, ...) and blocks.free(allocator, ...) with the allocator
      // called from here, one inlining level up (see BlockTable). The benchmark's allocators do not check
      // frees: a free of a freed ID is skipped (a double free in C).
      case Op.Malloc: {
        const size = b[i] ?? 0;
        blocks.placed(slot, size, size === 0 ? NULL_HANDLE : allocator.malloc(size));
        break;
      }
      case Op.Free: {
        const freed = blocks.freeing(slot, false);
        if (freed !== NULL_HANDLE) allocator.free(freed);
        break;
      }
      case Op.Realloc:
        blocks.realloc(allocator, slot, b[i] ?? 0);
        break;
      case Op.Write:
      case Op.Get:
      case Op.Physical:
        if (translate !== undefined && live[slot] === 1) sink += translate(handle[slot] ?? 0, b[i] ?? 0);
        break;
      case Op.Finish:
        if (observe) stats = mergeStats(stats, allocator.stats());
        blocks.finish(allocator); // a finish inside the scenario frees on purpose: nothing is live at the end
        break;
    }
  }
  if (clock !== undefined && nextReading === count && count > 0) readings[reading] = Bun.nanoseconds();
  if (count === 0 || ops[count - 1] !== Op.Finish) {
    if (observe) stats = mergeStats(stats, allocator.stats());
    liveAtEnd = blocks.finish(allocator);
  }
  return { liveAtEnd, stats, sink };
}

function mergeStats(x: AllocatorStats, y: AllocatorStats): AllocatorStats {
  const merged: AllocatorStats = {};
  const peak = Math.max(x.peakMappedBytes ?? -1, y.peakMappedBytes ?? -1);
  const mmaps = Math.max(x.mmapCalls ?? -1, y.mmapCalls ?? -1);
  const bookkeeping = Math.max(x.bookkeepingBytes ?? -1, y.bookkeepingBytes ?? -1);
  if (peak >= 0) merged.peakMappedBytes = peak;
  if (mmaps >= 0) merged.mmapCalls = mmaps;
  if (bookkeeping >= 0) merged.bookkeepingBytes = bookkeeping;
  if (y.liveBlocks !== undefined) merged.liveBlocks = y.liveBlocks;
  return merged;
}

/**
 * A heap that only counts what is live, for traceWorkload: a block's handle is its size, all it needs to
 * know to give the bytes back.
 */
class LiveCounter implements ReplayHeap {
  readonly finishFreesAll = true;
  liveBytes = 0;
  liveBlocks = 0;

  malloc(size: number): number {
    this.liveBytes += size;
    this.liveBlocks++;
    return size;
  }

  free(handle: number): void {
    this.liveBytes -= handle;
    this.liveBlocks--;
  }

  realloc(handle: number, _oldSize: number, size: number): number {
    this.free(handle);
    return this.malloc(size);
  }

  finish(): void {
    this.liveBytes = 0;
    this.liveBlocks = 0;
  }
}

/** Peak live bytes and blocks of a scenario (a, f, r and x, by the replay rules), computed from the trace itself. */
export function traceWorkload(scenario: Scenario): Workload {
  const { count, ops, a, b } = scenario;
  const blocks = new BlockTable(scenario.slotCount);
  const heap = new LiveCounter();
  let peakLiveBytes = 0;
  let peakLiveBlocks = 0;
  for (let i = 0; i < count; i++) {
    blocks.step(heap, ops[i], a[i] ?? -1, b[i] ?? 0);
    // After the operation: a realloc that moves holds both blocks for a moment, but one that grows in
    // place does not, so the moment is left out (utilization would pass 100% for the latter).
    peakLiveBytes = Math.max(peakLiveBytes, heap.liveBytes);
    peakLiveBlocks = Math.max(peakLiveBlocks, heap.liveBlocks);
  }
  return { peakLiveBytes, peakLiveBlocks };
}
