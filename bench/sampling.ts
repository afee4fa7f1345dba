/**
 * How a measurement samples: tinybench's budget, the rule for replays too long to repeat freely, and
 * the one call into tinybench. Kept apart from measure.ts so that it can be tested without loading the
 * benchmark harness.
 */
import { Bench } from "tinybench";

/** How long tinybench samples: both the time budget and the minimum count must be met. */
export interface Budget {
  /** Time budget per task, ms. */
  timeMs: number;
  /** Minimum timed tasks. */
  iterations: number;
  warmupMs: number;
  warmupIterations: number;
}

/** A first replay longer than this (ms) is the only one: the allocator is too slow to repeat in budget. */
export const COLD_ONLY_MS = 5000;
/** Warm samples of a replay that takes from one second to COLD_ONLY_MS. */
const WARM_SAMPLES = 3;

/** How to time a replay whose first, cold run took `firstMs`: a budget, or undefined to keep that run. */
export function samplingPlan(firstMs: number, budget: Budget): Budget | undefined {
  if (firstMs <= 1000) return budget;
  if (firstMs <= COLD_ONLY_MS) return { timeMs: 0, iterations: WARM_SAMPLES, warmupMs: 0, warmupIterations: 0 };
  return undefined;
}

/** Times one task with tinybench; returns the median, p99 and mean in ms and the sample count. */
export async function timeTask(
  name: string,
  task: () => unknown,
  budget: Budget,
): Promise<{ p50: number; p99: number; mean: number; samples: number }> {
  const bench = new Bench({
    name,
    timestampProvider: "bunNanoseconds",
    time: budget.timeMs,
    iterations: budget.iterations,
    warmupTime: budget.warmupMs,
    warmupIterations: budget.warmupIterations,
    warmup: budget.warmupIterations > 0,
    throws: true,
  });
  // Declared synchronous: otherwise tinybench calls the task once more, untimed, to find out whether it
  // returns a promise (a whole extra replay per measurement; 14 s for thi.ng on churn-10k).
  bench.add(name, task, { async: false });
  await bench.run();
  const result = bench.tasks[0]?.result;
  if (result === undefined || (result.state !== "completed" && result.state !== "aborted-with-statistics")) {
    throw new Error(`${name}: tinybench did not complete (${result?.state ?? "no result"})`);
  }
  return { p50: result.latency.p50, p99: result.latency.p99, mean: result.latency.mean, samples: result.latency.samplesCount };
}
