/**
 * Families of workloads (the cost curve, `scaling`): the same generator at growing sizes. Two rules:
 *
 * - An allocator that does not finish a size within the family's deadline (its child is killed then),
 *   or fails, stops there: the larger sizes record where and why, and do not run. One that sits a size
 *   out (workloads.ts says why) is not stopped by it: each size asks again, and says "not run" for itself.
 * - A size whose trace another workload of the same run already replays (scaling-10k is churn-10k's
 *   trace) is measured once: the figures are copied under the family's name, saying whose they are.
 */
import type { AllocatorName } from "./allocators.ts";
import type { Measurement } from "./measure.ts";
import type { Family, WorkloadSpec } from "./types.ts";

/** A child process killed at its deadline. */
export class DeadlineError extends Error {
  constructor(readonly deadlineMs: number) {
    super(`did not finish within ${formatSeconds(deadlineMs)}`);
    this.name = "DeadlineError";
  }
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toLocaleString("en", { maximumFractionDigits: 1 })} s`;
}

/** The cell of an allocator that did not measure a workload, and why. */
export interface Skipped {
  allocator: AllocatorName;
  workload: string;
  skipped: string;
  /** Set when the allocator was stopped at the family's deadline on this workload. */
  deadlineMs?: number;
  /** Set when an earlier size of the family stopped the allocator: that workload's name. */
  stoppedAt?: string;
}

export type Cell = Measurement | Skipped;

export function isSkipped(cell: Cell): cell is Skipped {
  return "skipped" in cell;
}

/** The same operations make the same key: generated traces by their parameters, files by path. */
export function traceKey(spec: WorkloadSpec): string | undefined {
  switch (spec.kind) {
    case "churn":
      return `churn ${spec.live} ${spec.replacements} ${spec.minSize}-${spec.maxSize}`;
    case "trace":
      return `file ${spec.file}`;
    default:
      return undefined;
  }
}

/** The family of a spec, if it has one. */
export function familyOf(spec: WorkloadSpec): Family | undefined {
  return "family" in spec ? spec.family : undefined;
}

/** Where each allocator stopped in each family of one run. */
export class FamilyStops {
  private readonly stops = new Map<string, string>();

  /** The cell of an allocator an earlier size stopped, or undefined when it runs this size. */
  skip(spec: WorkloadSpec, allocator: AllocatorName): Skipped | undefined {
    const family = familyOf(spec);
    if (family === undefined) return undefined;
    const at = this.stops.get(`${family.name} ${allocator}`);
    if (at === undefined) return undefined;
    return { allocator, workload: spec.name, skipped: `stopped at ${at}`, stoppedAt: at };
  }

  /** Notes a cell of this size: an allocator stopped at the deadline or failed stops here. */
  record(spec: WorkloadSpec, cell: Cell): void {
    const family = familyOf(spec);
    if (family === undefined || !isSkipped(cell) || cell.stoppedAt !== undefined) return;
    if (cell.deadlineMs === undefined && !cell.skipped.startsWith("failed")) return; // sat out: the next size asks again
    this.stops.set(`${family.name} ${cell.allocator}`, spec.name);
  }
}

/**
 * The cells of `spec` copied from a workload of the same trace measured earlier in the run. For a family
 * size, a copied measurement whose child took longer than the deadline becomes a stop, as if it had run here.
 */
export function copyCells(spec: WorkloadSpec, cells: readonly Cell[]): Cell[] {
  const family = familyOf(spec);
  return cells.map((cell): Cell => {
    if (family !== undefined && !isSkipped(cell) && cell.wallMs !== undefined && cell.wallMs > family.deadlineMs) {
      return {
        allocator: cell.allocator,
        workload: spec.name,
        skipped: new DeadlineError(family.deadlineMs).message,
        deadlineMs: family.deadlineMs,
      };
    }
    return { ...cell, workload: spec.name };
  });
}
