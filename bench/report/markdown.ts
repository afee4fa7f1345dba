/**
 * RESULTS.md of a results folder: the run, the summary, the cost curve, the ratios, and per workload its
 * table and chart (SVG files beside it, under charts/).
 */
import type { BenchReport, WorkloadReport } from "../run.ts";
import { type ChartFile, chartFileOf } from "./chart-plan.ts";
import { formatCount, formatDuration, formatNs } from "./numbers.ts";
import { STANDING_HEAD, STRATEGY_HEAD, standingRows, strategiesLead, strategyRows, strategyTable } from "./strategies.ts";
import { BASELINE, bookkeepingTable, type CostCurve, costCurves, workloadTitle } from "./summary.ts";
import { summaryTable, TABLE_HEAD, tableRows } from "./text.ts";

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

function markdownTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

function image(chart: ChartFile): string {
  return `![${chart.alt}](${chart.path})`;
}

function summarySection(report: BenchReport): string[] {
  const summary = summaryTable(report);
  if (summary === undefined) return [];
  return [
    "## Summary",
    "",
    `ns/op of ${BASELINE} divided by another allocator's: below 1, ${BASELINE} is faster.`,
    "",
    markdownTable(summary.head, summary.rows),
    "",
  ];
}

/** A cost curve's chart and its figures: allocators down, sizes across, where each stopped and why. */
function curveSection(curve: CostCurve, charts: readonly ChartFile[]): string[] {
  const chart = chartFileOf(charts, "curve", curve.family);
  const sizes = curve.workloads.map((w) => w.family?.liveBlocks ?? 0);
  const rows = curve.series.map((series) => [
    series.allocator,
    ...sizes.map((size) => {
      const point = series.points.find((p) => p.liveBlocks === size);
      if (point !== undefined) return formatNs(point.nsPerOp);
      return series.stop?.liveBlocks === size ? `stopped: ${series.stop.reason}` : "";
    }),
  ]);
  return [
    `## The cost curve (${curve.family})`,
    "",
    ...(chart === undefined ? [] : [image(chart), ""]),
    markdownTable(["allocator", ...sizes.map((size) => `${formatCount(size)} live`)], rows),
    "",
    ...bookkeepingSection(curve),
  ];
}

/** MeMS's own tables per live block along the curve (stats().bookkeepingBytes at the peak / live blocks). */
function bookkeepingSection(curve: CostCurve): string[] {
  const table = bookkeepingTable(curve);
  if (table === undefined) return [];
  return [
    `Bookkeeping of MeMS (records, address map, page table and index: \`stats().bookkeepingBytes\` before the finish), bytes per live block:`,
    "",
    markdownTable(table.head, table.rows),
    "",
  ];
}

/** The strategies section: what it is, its chart, the standing of every lookup and every figure. */
function strategiesSection(report: BenchReport, charts: readonly ChartFile[]): string[] {
  const table = strategyTable(report);
  if (table === undefined) return [];
  const chart = chartFileOf(charts, "strategies", "");
  const rows = strategyRows(table).map((row) => (row.length === 3 ? [...row, ...STRATEGY_HEAD.slice(3).map(() => "")] : row));
  return [
    "## Strategies",
    "",
    ...strategiesLead(table).flatMap((line) => [line, ""]),
    ...(chart === undefined ? [] : [image(chart), ""]),
    markdownTable(STANDING_HEAD, standingRows(table)),
    "",
    markdownTable(STRATEGY_HEAD, rows),
    "",
  ];
}

/** A workload's chart and table, or a line that points to the workload whose trace it shares. */
function workloadSection(report: BenchReport, workload: WorkloadReport, charts: readonly ChartFile[]): string[] {
  if (workload.sameTraceAs !== undefined) {
    return [
      `### ${workload.name}`,
      "",
      `${workload.describe}: the trace of [${workload.sameTraceAs}](#${workload.sameTraceAs}), measured once.`,
      "",
    ];
  }
  const chart = chartFileOf(charts, "workload", workload.name);
  const body = tableRows(workload, report).map((row) =>
    row.length === 2 ? [row[0] ?? "", row[1] ?? "", ...TABLE_HEAD.slice(2).map(() => "")] : row,
  );
  return [
    `### ${workload.name}`,
    "",
    workloadTitle(workload),
    "",
    ...(chart === undefined ? [] : [image(chart), ""]),
    markdownTable(TABLE_HEAD, body),
    "",
  ];
}

export function resultsMarkdown(report: BenchReport, charts: readonly ChartFile[]): string {
  const ratios = chartFileOf(charts, "ratios", "");
  return [
    "# Benchmark results",
    "",
    `\`${report.command}\` on ${report.machine.cpu} (${report.machine.cores} cores, ${report.machine.platform}), Bun ${report.bun}, ${report.date}, ${formatDuration(report.elapsedMs)} in all.`,
    "Written by the bench with `report.html` (the same, in one page) and `bench.json` (every figure); regenerate with `npm run bench:results` (a plain `bun bench` writes to bench/out/).",
    "",
    ...summarySection(report),
    ...costCurves(report).flatMap((curve) => curveSection(curve, charts)),
    ...(ratios === undefined ? [] : ["## Every workload against the baseline", "", image(ratios), ""]),
    ...strategiesSection(report, charts),
    "## Workloads",
    "",
    ...report.workloads.flatMap((workload) => workloadSection(report, workload, charts)),
    "## Notes",
    "",
    ...report.notes.map((note) => `- ${note}`),
    "",
  ].join("\n");
}
