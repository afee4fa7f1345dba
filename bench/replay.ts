/**
 * The benchmark's replay loop: one pass over a parsed scenario's typed arrays against a BenchAllocator,
 * printing nothing. `a`, `f` and `r` are the work; `w`, `g` and `p` become one address translation
 * (`translate(handle, offset)`) where the allocator has addresses; `v`, `s` and `e` only print and are
 * skipped; `x` ends the run as mems_finish does. A request of 0 bytes gives NULL, as in the runner.
 *
 * The loop is the same for every allocator, and each allocator runs in its own process (run.ts), so
 * every call site here sees one class and the JIT can inline it.
 */
import { Op, type Scenario } from "../trace/format.ts";
import type { AllocatorStats, BenchAllocator, Workload } from "./allocators.ts";
import { BATCH_OPS } from "./latency.ts";

/** What a slot holds when its block is not live (never allocated, freed or NULL). */
const NO_BLOCK = -1;
/** Where a replay without a clock would write its readings: never, as its first reading is at `count`. */
const NO_CLOCK = new Float64Array(0);

/** Per-slot state, made once per scenario and reused by every replay. */
export interface ReplayState {
  handle: Float64Array;
  size: Float64Array;
  live: Uint8Array;
}

export function replayState(scenario: Scenario): ReplayState {
  return {
    handle: new Float64Array(scenario.slotCount).fill(NO_BLOCK),
    size: new Float64Array(scenario.slotCount),
    live: new Uint8Array(scenario.slotCount),
  };
}

/** The result of one replay: blocks still live at the end (0 for a balanced trace) and the peaks seen. */
export interface ReplayOutcome {
  liveAtEnd: number;
  stats: AllocatorStats;
  /** Sum of translated addresses, so the JIT cannot drop the translations. */
  sink: number;
}

/**
 * Replays `scenario` once and finishes. With `observe`, reads the allocator's stats before every finish
 * (not for timed runs: stats may walk the heap). With `clock`, reads the clock into it at the start of
 * every batch of BATCH_OPS operations and after the last whole one (latency.ts): one compare an operation.
 */
export function replayOnce(
  allocator: BenchAllocator,
  scenario: Scenario,
  state: ReplayState,
  observe = false,
  clock?: Float64Array,
): ReplayOutcome {
  const { count, ops, a, b } = scenario;
  const { handle, size, live } = state;
  const translate = allocator.translate;
  let sink = 0;
  let stats: AllocatorStats = {};
  let liveAtEnd = 0;
  const finish = (): void => {
    if (observe) stats = mergeStats(stats, allocator.stats());
    for (let slot = 0; slot < live.length; slot++) {
      if (live[slot] === 0) continue;
      liveAtEnd++;
      if (!allocator.finishFreesAll) allocator.free(handle[slot] as number);
      live[slot] = 0;
    }
    allocator.finish();
  };

  const readings = clock ?? NO_CLOCK;
  let nextReading = clock === undefined ? count : 0;
  let reading = 0;
  for (let i = 0; i < count; i++) {
    if (i === nextReading) {
      readings[reading++] = Bun.nanoseconds();
      nextReading += BATCH_OPS;
    }
    const slot = a[i] as number;
    switch (ops[i]) {
      case Op.Malloc: {
        const bytes = b[i] as number;
        if (live[slot] === 1) allocator.free(handle[slot] as number); // an ID reused without a free: C leaks, we do not
        if (bytes === 0) {
          handle[slot] = NO_BLOCK;
          live[slot] = 0;
        } else {
          handle[slot] = allocator.malloc(bytes);
          size[slot] = bytes;
          live[slot] = 1;
        }
        break;
      }
      case Op.Free:
        if (slot >= 0 && live[slot] === 1) {
          allocator.free(handle[slot] as number);
          live[slot] = 0;
        }
        break;
      case Op.Realloc: {
        const bytes = b[i] as number;
        if (live[slot] === 0) {
          if (bytes > 0) {
            handle[slot] = allocator.malloc(bytes);
            size[slot] = bytes;
            live[slot] = 1;
          }
        } else if (bytes === 0) {
          allocator.free(handle[slot] as number);
          live[slot] = 0;
        } else {
          handle[slot] = allocator.realloc(handle[slot] as number, size[slot] as number, bytes);
          size[slot] = bytes;
        }
        break;
      }
      case Op.Write:
      case Op.Get:
      case Op.Physical:
        if (translate !== undefined && live[slot] === 1) sink += translate(handle[slot] as number, b[i] as number);
        break;
      case Op.Finish:
        finish();
        liveAtEnd = 0; // a finish inside the scenario frees on purpose
        break;
    }
  }
  if (clock !== undefined && nextReading === count && count > 0) readings[reading] = Bun.nanoseconds();
  if (count === 0 || ops[count - 1] !== Op.Finish) finish();
  return { liveAtEnd, stats, sink };
}

function mergeStats(x: AllocatorStats, y: AllocatorStats): AllocatorStats {
  const merged: AllocatorStats = {};
  const peak = Math.max(x.peakMappedBytes ?? -1, y.peakMappedBytes ?? -1);
  const mmaps = Math.max(x.mmapCalls ?? -1, y.mmapCalls ?? -1);
  if (peak >= 0) merged.peakMappedBytes = peak;
  if (mmaps >= 0) merged.mmapCalls = mmaps;
  if (y.liveBlocks !== undefined) merged.liveBlocks = y.liveBlocks;
  return merged;
}

/** Peak live bytes and blocks of a scenario (a, f, r and x only), computed from the trace itself. */
export function traceWorkload(scenario: Scenario): Workload {
  const { count, ops, a, b } = scenario;
  const size = new Float64Array(scenario.slotCount);
  let liveBytes = 0;
  let liveBlocks = 0;
  let peakLiveBytes = 0;
  let peakLiveBlocks = 0;
  for (let i = 0; i < count; i++) {
    const slot = a[i] as number;
    const op = ops[i];
    if (op === Op.Malloc || op === Op.Realloc || op === Op.Free) {
      if (slot < 0) continue;
      const old = size[slot] as number;
      const bytes = op === Op.Free ? 0 : (b[i] as number);
      liveBytes += bytes - old;
      liveBlocks += (bytes > 0 ? 1 : 0) - (old > 0 ? 1 : 0);
      size[slot] = bytes;
      // After the operation: a realloc that moves holds both blocks for a moment, but one that grows in
      // place does not, so the moment is left out (utilization would pass 100% for the latter).
      peakLiveBytes = Math.max(peakLiveBytes, liveBytes);
      peakLiveBlocks = Math.max(peakLiveBlocks, liveBlocks);
    } else if (op === Op.Finish) {
      size.fill(0);
      liveBytes = 0;
      liveBlocks = 0;
    }
  }
  return { peakLiveBytes, peakLiveBlocks };
}
