/**
 * One measurement: one in-process allocator on one workload, timed by tinybench.
 *
 * A tinybench task is one whole replay of the trace (or one whole batch of `get` translations), so the
 * timer (tens of ns a read) is read twice per task, never per operation; ns/op is task time / ops.
 * The trace is parsed into typed arrays before anything is timed. The first replay also reads the
 * allocator's peaks (mapped bytes, mmap calls) before its finish and checks the run was balanced.
 */

import type { LookupFactory } from "../core/index.ts";
import { Prng } from "../lib/prng.ts";
import type { Scenario } from "../trace/format.ts";
import { type AllocatorName, createAllocator, MemsAllocator } from "./allocators.ts";
import { BATCH_OPS, type BatchLatency, BatchRecorder } from "./latency.ts";
import { minorFaults } from "./peers/faults.ts";
import { type ReplayOutcome, replayOnce, replayState, traceWorkload } from "./replay.ts";
import { type Budget, samplingPlan, timeTask } from "./sampling.ts";
import type { AllocatorStats, BenchAllocator, Workload } from "./types.ts";
import { SEED } from "./workloads.ts";

/** Every figure of one allocator on one workload. Times are per operation, in ns. */
export interface Measurement {
  allocator: AllocatorName;
  workload: string;
  ops: number;
  /** Median of the timed samples / ops. */
  nsPerOp: number;
  p99NsPerOp: number;
  meanNsPerOp: number;
  samples: number;
  peakMappedBytes?: number;
  mmapCalls?: number;
  peakLiveBytes?: number;
  /** Peak live bytes / peak mapped bytes, where the allocator maps memory. */
  utilization?: number;
  /** MeMS: bytes of its own tables before the finish (stats().bookkeepingBytes; they only grow until then). */
  bookkeepingBytes?: number;
  /** MeMS: bookkeepingBytes / the trace's peak live blocks. */
  bookkeepingPerBlock?: number;
  /** Bytes in HOLEs when MeMS's mapped bytes first reached their peak (strategies.ts); MeMS on a strategy trace only. */
  holeBytesAtPeak?: number;
  /** Segments mapped at that moment. */
  segmentsAtPeak?: number;
  /** Blocks still live when the trace ended (0: every block was freed); not known for the C binary. */
  liveAtEnd?: number;
  /** Blocks the allocator itself counted as live at the end, where it counts them. */
  allocatorLiveAtEnd?: number;
  /** The first replay in a fresh process (nothing allocated before it), / ops; where measured. */
  coldNsPerOp?: number;
  /** Minor page faults of that first replay. */
  coldFaults?: number;
  /** Minor page faults of a warm replay (the mean over the timed and warmup replays after the first). */
  warmFaults?: number;
  /** Where the allocator ran: in a `bun bench/worker.ts` child, or the C binary's own process. */
  process: "bun-child" | "c-binary" | "in-process";
  /** Time of batches of 1,000 operations in the timed replays (latency.ts); absent for the C binary. */
  latency?: BatchLatency;
  /**
   * MeMS: its system calls in the last timed replay, finish included (mmap and munmap, and the ns spent
   * inside them per operation of the trace), so the OS layer's share of nsPerOp shows.
   */
  os?: { mmapCalls: number; munmapCalls: number; nsPerOp: number };
  /** Wall time of the whole measurement, child process included (set by run.ts), ms. */
  wallMs?: number;
}

function utilization(peakLiveBytes: number, stats: AllocatorStats): number | undefined {
  return stats.peakMappedBytes !== undefined && stats.peakMappedBytes > 0 ? peakLiveBytes / stats.peakMappedBytes : undefined;
}

function withStats(measurement: Measurement, stats: AllocatorStats, shape: Workload): Measurement {
  const { peakLiveBytes, peakLiveBlocks } = shape;
  measurement.peakLiveBytes = peakLiveBytes;
  if (stats.bookkeepingBytes !== undefined) {
    measurement.bookkeepingBytes = stats.bookkeepingBytes;
    if (peakLiveBlocks > 0) measurement.bookkeepingPerBlock = stats.bookkeepingBytes / peakLiveBlocks;
  }
  if (stats.peakMappedBytes !== undefined) measurement.peakMappedBytes = stats.peakMappedBytes;
  if (stats.mmapCalls !== undefined) measurement.mmapCalls = stats.mmapCalls;
  if (stats.liveBlocks !== undefined) measurement.allocatorLiveAtEnd = stats.liveBlocks;
  const ratio = utilization(peakLiveBytes, stats);
  if (ratio !== undefined) measurement.utilization = ratio;
  return measurement;
}

function mustCreate(name: AllocatorName, workload: Workload, custom?: LookupFactory): BenchAllocator {
  const allocator = createAllocator(name, workload, custom);
  if (allocator === undefined) throw new Error(`${name} does not run in a Bun process`);
  return allocator;
}

/**
 * The first replay is a tinybench task of a single sample with no warmup. When it took at most a second,
 * the replay is timed again with the full budget, warmup included. When it took longer, it counts as the
 * warmup and a few more replays are the samples (sampling.ts) (so a long trace is not measured with a cold JIT
 * while a faster allocator gets warm samples); only a first replay over COLD_ONLY_MS stands alone, keeping
 * `bun bench` short. The first replay is also the observed one: it reads the allocator's stats before its
 * finish (outside the operation loop, so every replay runs the same loop; every allocator keeps its own
 * peaks, none is sampled per operation).
 */
export async function measureScenario(
  name: AllocatorName,
  workload: string,
  scenario: Scenario,
  budget: Budget,
  custom?: LookupFactory,
): Promise<Measurement> {
  const shape = traceWorkload(scenario);
  const allocator = mustCreate(name, shape, custom);
  const state = replayState(scenario);
  const batches = new BatchRecorder(scenario.count);
  const clock = batches.timesBatches ? batches.clock : undefined;
  let sink = 0;
  let checked: ReplayOutcome | undefined;
  // Page faults are read around each replay (a microsecond, against a whole replay).
  let coldFaults = 0;
  let warmFaults = 0;
  let warmReplays = 0;
  const observed = (): void => {
    const before = minorFaults();
    checked = replayOnce(allocator, scenario, state, true, clock);
    coldFaults = minorFaults() - before;
    sink += checked.sink;
    batches.add();
  };
  const task = (): void => {
    const before = minorFaults();
    sink += replayOnce(allocator, scenario, state, false, clock).sink;
    warmFaults += minorFaults() - before;
    warmReplays++;
    batches.add();
  };
  const single = { timeMs: 0, iterations: 1, warmupMs: 0, warmupIterations: 0 };
  let timing = await timeTask(`${workload} ${name}`, observed, single);
  const cold = timing.p50;
  const plan = samplingPlan(timing.p50, budget);
  if (plan !== undefined) timing = await timeTask(`${workload} ${name}`, task, plan);
  if (Number.isNaN(sink)) throw new Error("unreachable: keeps the translations alive");
  if (checked === undefined) throw new Error("unreachable: the first replay is the observed one");

  const ops = scenario.count;
  const measurement = withStats(
    {
      allocator: name,
      workload,
      ops,
      nsPerOp: (timing.p50 * 1e6) / ops,
      p99NsPerOp: (timing.p99 * 1e6) / ops,
      meanNsPerOp: (timing.mean * 1e6) / ops,
      samples: timing.samples,
      liveAtEnd: checked.liveAtEnd,
      coldNsPerOp: (cold * 1e6) / ops,
      coldFaults,
      process: "in-process",
    },
    checked.stats,
    shape,
  );
  if (warmReplays > 0) measurement.warmFaults = warmFaults / warmReplays;
  const os = allocator instanceof MemsAllocator ? allocator.lastReplayOs : undefined;
  if (os !== undefined) measurement.os = { mmapCalls: os.mmapCalls, munmapCalls: os.munmapCalls, nsPerOp: os.ns / ops };
  // The timed replays are the last `samples` ones (the observed replay alone when it was the only one).
  const latency = batches.summary(timing.samples);
  if (latency !== undefined) measurement.latency = latency;
  return measurement;
}

/**
 * The `get` workload: `blocks` blocks of 16-512 bytes are allocated untimed, then each task makes
 * `gets` translations at precomputed random (block, offset) pairs: MeMS's get, or pointer + offset.
 */
export async function measureGet(name: AllocatorName, blocks: number, gets: number, budget: Budget): Promise<Measurement> {
  const rng = new Prng(SEED);
  const sizes = new Float64Array(blocks);
  let liveBytes = 0;
  for (let i = 0; i < blocks; i++) {
    const size = rng.int(16, 512);
    sizes[i] = size;
    liveBytes += size;
  }
  const allocator = mustCreate(name, { peakLiveBytes: liveBytes, peakLiveBlocks: blocks });
  const translate = allocator.translate;
  if (translate === undefined) throw new Error(`${name} has no addresses to translate`);
  const handles = new Float64Array(blocks);
  for (let i = 0; i < blocks; i++) {
    handles[i] = allocator.malloc(sizes[i] ?? 0);
  }
  const target = new Int32Array(gets);
  const offset = new Float64Array(gets);
  for (let i = 0; i < gets; i++) {
    const block = rng.int(0, blocks - 1);
    target[i] = block;
    offset[i] = rng.int(0, (sizes[block] ?? 0) - 1);
  }
  let sink = 0;
  const batches = new BatchRecorder(gets);
  const clock = batches.clock;
  const timing = await timeTask(
    `get ${name}`,
    () => {
      // One clock reading per batch of BATCH_OPS translations, as in a replay (replay.ts).
      let reading = 0;
      for (let start = 0; start + BATCH_OPS <= gets; start += BATCH_OPS) {
        clock[reading++] = Bun.nanoseconds();
        for (let i = start; i < start + BATCH_OPS; i++) sink += translate(handles[target[i] ?? 0] ?? 0, offset[i] ?? 0);
      }
      clock[reading] = Bun.nanoseconds();
      for (let i = (clock.length - 1) * BATCH_OPS; i < gets; i++) sink += translate(handles[target[i] ?? 0] ?? 0, offset[i] ?? 0);
      batches.add();
    },
    budget,
  );
  if (Number.isNaN(sink) || sink < 0) throw new Error(`${name}: a translation failed (sink ${sink})`);

  const stats = allocator.stats();
  for (let i = 0; i < blocks; i++) allocator.free(handles[i] ?? 0);
  const after = allocator.stats();
  allocator.finish();
  const measurement = withStats(
    {
      allocator: name,
      workload: "get",
      ops: gets,
      nsPerOp: (timing.p50 * 1e6) / gets,
      p99NsPerOp: (timing.p99 * 1e6) / gets,
      meanNsPerOp: (timing.mean * 1e6) / gets,
      samples: timing.samples,
      liveAtEnd: 0,
      process: "in-process",
    },
    stats,
    { peakLiveBytes: liveBytes, peakLiveBlocks: blocks },
  );
  if (after.liveBlocks !== undefined) measurement.allocatorLiveAtEnd = after.liveBlocks;
  const latency = batches.summary(timing.samples);
  if (latency !== undefined) measurement.latency = latency;
  return measurement;
}
