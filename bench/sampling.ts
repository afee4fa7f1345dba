/**
 * How a measurement samples: tinybench's budget, and the rule for replays too long to repeat freely.
 * Kept apart from measure.ts so that it can be tested without loading the benchmark harness.
 */

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
