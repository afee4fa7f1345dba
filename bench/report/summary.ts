/**
 * What the report says, derived from a BenchReport once for every output (terminal, RESULTS.md,
 * report.html, charts): the allocators in the order they ran, the ratios to the baseline, the summary
 * rows, and the cost curves of the workload families. Nothing here names an allocator or a workload
 * except the baseline and the peer of the summary: both lists come from the report itself.
 */
import { BASELINE } from "../allocators.ts";
import { type Cell, isSkipped, type Skipped } from "../family.ts";
import type { Measurement } from "../measure.ts";
import type { BenchReport, WorkloadReport } from "../run.ts";
import { formatCount } from "./numbers.ts";

/** The allocator the summary compares the baseline with, besides the other MeMS lookups. */
export const PEER = "libc-ffi";

export { BASELINE };

export function isMeasured(cell: Cell): cell is Measurement {
  return !isSkipped(cell);
}

/** Every allocator of the report, in the order the run measured them. */
export function allocatorsOf(report: BenchReport): string[] {
  const names: string[] = [];
  for (const workload of report.workloads) {
    for (const cell of workload.cells) if (!names.includes(cell.allocator)) names.push(cell.allocator);
  }
  return names;
}

export function measurementOf(workload: WorkloadReport, allocator: string): Measurement | undefined {
  return workload.cells.find((cell): cell is Measurement => isMeasured(cell) && cell.allocator === allocator);
}

/** ns/op of `allocator` / ns/op of the baseline, in this workload; undefined when either did not run. */
export function ratioToBaseline(workload: WorkloadReport, allocator: string): number | undefined {
  const baseline = measurementOf(workload, BASELINE);
  const cell = measurementOf(workload, allocator);
  return baseline === undefined || cell === undefined ? undefined : cell.nsPerOp / baseline.nsPerOp;
}

/** The operations of a workload's trace (every allocator replays the same). */
export function opsOf(workload: WorkloadReport): number | undefined {
  return workload.cells.find(isMeasured)?.ops;
}

export interface SummaryRow {
  workload: string;
  fastest: Measurement | undefined;
  /** Baseline ns/op / PEER ns/op. */
  vsPeer: number | undefined;
  /** Baseline ns/op / each other MeMS lookup's ns/op. */
  vsMems: { allocator: string; ratio: number | undefined }[];
}

/** The other MeMS lookups of the report (every `mems-*` but the baseline). */
export function otherMems(report: BenchReport): string[] {
  return allocatorsOf(report).filter((name) => name.startsWith("mems-") && name !== BASELINE);
}

/** One row per workload that is no size of a family (those are the cost curve). */
export function summaryRows(report: BenchReport): SummaryRow[] {
  const others = otherMems(report);
  return report.workloads
    .filter((workload) => workload.family === undefined)
    .map((workload) => {
      const measured = workload.cells.filter(isMeasured);
      const fastest = measured.reduce<Measurement | undefined>(
        (best, cell) => (best === undefined || cell.nsPerOp < best.nsPerOp ? cell : best),
        undefined,
      );
      const inverse = (name: string): number | undefined => {
        const ratio = ratioToBaseline(workload, name);
        return ratio === undefined ? undefined : 1 / ratio;
      };
      return {
        workload: workload.name,
        fastest,
        vsPeer: inverse(PEER),
        vsMems: others.map((allocator) => ({ allocator, ratio: inverse(allocator) })),
      };
    });
}

export interface CurvePoint {
  workload: string;
  liveBlocks: number;
  nsPerOp: number;
  p99NsPerOp: number;
  /** MeMS: bytes of its own tables per live block at the peak. */
  bookkeepingPerBlock?: number;
}

/** Where an allocator's curve ends: the first size it did not measure, and why. */
export interface CurveStop {
  workload: string;
  liveBlocks: number;
  reason: string;
  /** Set when it was stopped at the deadline: then ns/op was at least `deadlineMs` / ops. */
  deadlineMs?: number;
  atLeastNsPerOp?: number;
}

export interface CurveSeries {
  allocator: string;
  points: CurvePoint[];
  stop?: CurveStop;
}

export interface CostCurve {
  family: string;
  /** The family's workloads, smallest first. */
  workloads: WorkloadReport[];
  series: CurveSeries[];
}

function stopOf(workload: WorkloadReport, cell: Skipped, liveBlocks: number): CurveStop {
  const stop: CurveStop = { workload: workload.name, liveBlocks, reason: cell.skipped };
  const ops = opsOf(workload);
  if (cell.deadlineMs !== undefined) {
    stop.deadlineMs = cell.deadlineMs;
    if (ops !== undefined) stop.atLeastNsPerOp = (cell.deadlineMs * 1e6) / ops;
  }
  return stop;
}

/** One curve per family in the report: each allocator's points up to where it stopped. */
export function costCurves(report: BenchReport): CostCurve[] {
  const families = new Map<string, WorkloadReport[]>();
  for (const workload of report.workloads) {
    if (workload.family === undefined) continue;
    const list = families.get(workload.family.name) ?? [];
    list.push(workload);
    families.set(workload.family.name, list);
  }
  const allocators = allocatorsOf(report);
  return [...families].map(([family, unsorted]) => {
    const workloads = [...unsorted].sort((x, y) => (x.family?.liveBlocks ?? 0) - (y.family?.liveBlocks ?? 0));
    const series = allocators.map((allocator): CurveSeries => {
      const points: CurvePoint[] = [];
      for (const workload of workloads) {
        const liveBlocks = workload.family?.liveBlocks ?? 0;
        const cell = workload.cells.find((c) => c.allocator === allocator);
        if (cell === undefined) continue;
        if (isSkipped(cell)) return { allocator, points, stop: stopOf(workload, cell, liveBlocks) };
        const point: CurvePoint = { workload: workload.name, liveBlocks, nsPerOp: cell.nsPerOp, p99NsPerOp: cell.p99NsPerOp };
        if (cell.bookkeepingPerBlock !== undefined) point.bookkeepingPerBlock = cell.bookkeepingPerBlock;
        points.push(point);
      }
      return { allocator, points };
    });
    // An allocator that sat out the whole family (no point, and a skip rather than a deadline or a failure) draws nothing.
    const drawn = series.filter((s) => s.points.length > 0 || (s.stop !== undefined && shortReason(s.stop) !== NOT_RUN_SHORT));
    return { family, workloads, series: drawn };
  });
}

/**
 * The bookkeeping table of a cost curve: for each allocator that reports it (MeMS), its bytes of records,
 * address map and index per live block at each size, one decimal; undefined when none reports it.
 */
export function bookkeepingTable(curve: CostCurve): { head: string[]; rows: string[][] } | undefined {
  const sizes = curve.workloads.map((w) => w.family?.liveBlocks ?? 0);
  const rows = curve.series
    .filter((series) => series.points.some((point) => point.bookkeepingPerBlock !== undefined))
    .map((series) => [
      series.allocator,
      ...sizes.map((size) => {
        const per = series.points.find((point) => point.liveBlocks === size)?.bookkeepingPerBlock;
        return per === undefined ? "" : per.toFixed(1);
      }),
    ]);
  if (rows.length === 0) return undefined;
  return { head: ["allocator", ...sizes.map((size) => `${size.toLocaleString("en")} live`)], rows };
}

/** What a cell without figures says, in full (tables) and short (charts). */
export interface CellNote {
  full: string;
  short: string;
}

/**
 * Why `cell` has no figures: stopped at the family's deadline, failed, stopped at an earlier size (for
 * either of those), or not run on this workload at all (the allocator sits it out, as the lookups of the
 * strategies table sit out the big workloads). Older reports said "stopped at scaling-100" where the
 * allocator only sat scaling-100 out: with `report` given, such a cell says that it was not run.
 */
export function cellNote(cell: Skipped, report?: BenchReport): CellNote {
  if (cell.deadlineMs !== undefined) return { full: `stopped: ${cell.skipped}`, short: `stopped: over ${cell.deadlineMs / 1000} s` };
  if (cell.skipped.startsWith("failed")) return { full: cell.skipped, short: "failed" };
  if (cell.stoppedAt !== undefined) {
    const origin = report?.workloads
      .find((workload) => workload.name === cell.stoppedAt)
      ?.cells.find((c): c is Skipped => c.allocator === cell.allocator && isSkipped(c));
    if (origin === undefined || origin.deadlineMs !== undefined || origin.skipped.startsWith("failed")) {
      return { full: cell.skipped, short: cell.skipped };
    }
    return cellNote(origin);
  }
  return { full: `${NOT_RUN}: ${cell.skipped}`, short: NOT_RUN };
}

/** What a table and a chart say of an allocator that sits a workload out. */
export const NOT_RUN = "not run on this workload";

/** "did not finish within 30 s" -> the reason as short as a chart label can hold. */
export function shortReason(stop: CurveStop): string {
  if (stop.deadlineMs !== undefined) return `over ${stop.deadlineMs / 1000} s`;
  if (stop.reason.startsWith("failed")) return "failed";
  return NOT_RUN_SHORT;
}

/** A curve's end where the allocator sat the size out: "not run", where a deadline or a failure "stopped" it. */
const NOT_RUN_SHORT = "not run";

/** The verb of a curve's end in the tables' notes: "stopped" (a deadline, a failure) or "not run" (sat out). */
export function stopVerb(stop: CurveStop): string {
  return shortReason(stop) === NOT_RUN_SHORT ? "not run" : "stopped";
}

/** A workload's heading in the tables and the charts: its name, what it runs and how many operations. */
export function workloadTitle(workload: WorkloadReport): string {
  const ops = opsOf(workload);
  return `${workload.name}: ${workload.describe}${ops === undefined ? "" : ` (${formatCount(ops)} ops)`}`;
}
