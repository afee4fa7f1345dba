/**
 * Batch latency: a replay reads the clock once per batch of 1,000 operations and after the last whole
 * batch; the recorder keeps the batch times of the last replays and summarizes them by nearest rank.
 */
import { describe, expect, test } from "bun:test";
import { parseScenario } from "../trace/format.ts";
import { generateChurnTrace } from "../trace/generate.ts";
import { createAllocator } from "./allocators.ts";
import { BATCH_OPS, BatchRecorder, median, percentile } from "./latency.ts";
import { replayOnce, replayState, traceWorkload } from "./replay.ts";

describe("clock readings in a replay", () => {
  // 2 * live + 2 * replacements operations: 2,500 and exactly 2,000.
  for (const [live, replacements, ops, readings] of [
    [250, 1000, 2500, 3],
    [500, 500, 2000, 3],
    [100, 100, 400, 1],
  ] as const) {
    test(`${ops} operations: ${readings} readings, one per batch start and one after the last whole batch`, () => {
      const scenario = parseScenario(generateChurnTrace(3, { live, replacements }), "churn.rep");
      expect(scenario.count).toBe(ops);
      const recorder = new BatchRecorder(scenario.count);
      expect(recorder.clock.length).toBe(readings);
      expect(recorder.timesBatches).toBe(readings > 1);
      recorder.clock.fill(-1);
      const allocator = createAllocator("mems-size-indexed", traceWorkload(scenario));
      if (allocator === undefined) throw new Error("no allocator");
      const outcome = replayOnce(allocator, scenario, replayState(scenario), false, recorder.clock);
      expect(outcome.liveAtEnd).toBe(0);
      for (let i = 0; i < readings; i++) expect(recorder.clock[i]).toBeGreaterThan(0);
      for (let i = 1; i < readings; i++) expect(recorder.clock[i]).toBeGreaterThanOrEqual(recorder.clock[i - 1] ?? Number.NaN);
      recorder.add();
      const summary = recorder.summary(1);
      if (readings === 1) expect(summary).toBeUndefined();
      else expect(summary?.batches).toBe(Math.floor(ops / BATCH_OPS));
    });
  }

  test("a replay without a clock reads none and replays the same", () => {
    const scenario = parseScenario(generateChurnTrace(4, { live: 50, replacements: 600 }), "churn.rep");
    const allocator = createAllocator("libc-ffi", traceWorkload(scenario));
    if (allocator === undefined) throw new Error("no allocator");
    expect(replayOnce(allocator, scenario, replayState(scenario)).liveAtEnd).toBe(0);
  });
});

describe("BatchRecorder", () => {
  test("differences of readings, the last replays only, nearest-rank percentiles", () => {
    const recorder = new BatchRecorder(4 * BATCH_OPS + 10);
    expect(recorder.clock.length).toBe(5);
    // A warmup replay with one slow batch, then two timed replays.
    recorder.clock.set([0, 1000, 900_000, 901_000, 902_000]);
    recorder.add();
    recorder.clock.set([0, 100, 300, 600, 1000]); // batches 100, 200, 300, 400
    recorder.add();
    recorder.clock.set([5000, 5500, 6100, 6800, 7600]); // batches 500, 600, 700, 800
    recorder.add();
    const timed = recorder.summary(2);
    expect(timed).toEqual({ batchOps: BATCH_OPS, batches: 8, p50Ns: 400, p99Ns: 800, p999Ns: 800, maxNs: 800 });
    expect(recorder.summary(3)?.maxNs).toBe(899_000);
    expect(recorder.summary(0)?.batches).toBe(4); // at least the last replay
  });

  test("keeps only the last `keep` replays", () => {
    const recorder = new BatchRecorder(BATCH_OPS, 2);
    for (const time of [10, 20, 30]) {
      recorder.clock.set([0, time]);
      recorder.add();
    }
    expect(recorder.summary(10)).toMatchObject({ batches: 2, p50Ns: 20, maxNs: 30 });
  });

  test("nothing to summarize when no replay was long enough for a batch", () => {
    const recorder = new BatchRecorder(999);
    recorder.add();
    expect(recorder.summary(5)).toBeUndefined();
  });

  test("percentile by nearest rank", () => {
    const sorted = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(percentile(sorted, 0.5)).toBe(500);
    expect(percentile(sorted, 0.99)).toBe(990);
    expect(percentile(sorted, 0.999)).toBe(999);
    expect(percentile(sorted, 1)).toBe(1000);
    expect(percentile([7], 0.999)).toBe(7);
  });

  test("median of values in any order: the middle one, or the mean of the middle two; NaN of none", () => {
    expect(median([9, 1, 5])).toBe(5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]); // its argument is left in its order
  });
});
