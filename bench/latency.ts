/**
 * Latency, not only throughput: the time of batches of BATCH_OPS operations. A replay reads the clock
 * once per batch (replay.ts), never per operation, so the reads cost about 0.03 ns an operation; the
 * distribution of batch times shows what a median hides: a garbage collector's pause, a segment mapped
 * in the middle of a batch, a long walk of the free list.
 */

/** Operations per timed batch. */
export const BATCH_OPS = 1000;

/** The distribution of batch times, in ns per batch of `batchOps` operations. */
export interface BatchLatency {
  batchOps: number;
  /** Batches timed (from the timed replays only, not the warmup). */
  batches: number;
  p50Ns: number;
  p99Ns: number;
  p999Ns: number;
  maxNs: number;
}

/** Nearest-rank percentile of an ascending array (p from 0 to 1). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** The median of `values` (any order; the mean of the middle two when their count is even), NaN when empty. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  if (sorted.length % 2 === 1) return sorted[middle] ?? Number.NaN;
  return ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

/**
 * Collects the batch times of replays. Each replay writes clock readings into `clock` (the start, then
 * one after each whole batch); `add` keeps their differences. Only the last `keep` replays are kept, so
 * that the summary can leave out the warmup replays that came first.
 */
export class BatchRecorder {
  /** Clock readings of one replay, in ns: [start, end of batch 1, end of batch 2, ...]. */
  readonly clock: Float64Array;
  private readonly replays: Float64Array[] = [];

  constructor(
    ops: number,
    private readonly keep = 1000,
  ) {
    this.clock = new Float64Array(Math.floor(ops / BATCH_OPS) + 1);
  }

  /** Whether the replays are long enough to have a whole batch. */
  get timesBatches(): boolean {
    return this.clock.length > 1;
  }

  /** Keeps the batch times of the replay that just wrote `clock`. */
  add(): void {
    if (!this.timesBatches) return;
    const clock = this.clock;
    const times = new Float64Array(clock.length - 1);
    for (let i = 1; i < clock.length; i++) times[i - 1] = (clock[i] ?? 0) - (clock[i - 1] ?? 0);
    this.replays.push(times);
    if (this.replays.length > this.keep) this.replays.shift();
  }

  /** The distribution over the last `replays` replays kept, or undefined when no batch was timed. */
  summary(replays: number): BatchLatency | undefined {
    const chosen = this.replays.slice(Math.max(0, this.replays.length - Math.max(1, replays)));
    const total = chosen.reduce((sum, times) => sum + times.length, 0);
    if (total === 0) return undefined;
    const all = new Float64Array(total);
    let at = 0;
    for (const times of chosen) {
      all.set(times, at);
      at += times.length;
    }
    all.sort();
    return {
      batchOps: BATCH_OPS,
      batches: total,
      p50Ns: percentile(all, 0.5),
      p99Ns: percentile(all, 0.99),
      p999Ns: percentile(all, 0.999),
      maxNs: all[total - 1] ?? Number.NaN,
    };
  }
}
