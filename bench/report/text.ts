/**
 * The terminal report of `bun bench`: a short summary first (per workload the fastest allocator and the
 * baseline's ratios), the cost curve as one table, then one compact table per workload and the notes.
 */
import Table from "cli-table3";
import { type Cell, isSkipped } from "../family.ts";
import type { BenchReport, WorkloadReport } from "../run.ts";
import { formatBytes, formatCount, formatDuration, formatMicros, formatNs, formatPercent, formatRate, formatRatio } from "./numbers.ts";
import { formatStanding } from "./standing.ts";
import { STANDING_HEAD, STRATEGY_HEAD, standingRows, strategiesLead, strategyRows, strategyTable } from "./strategies.ts";
import { BASELINE, cellNote, costCurves, PEER, ratioToBaseline, stopVerb, summaryRows, workloadTitle } from "./summary.ts";

const COMPACT = { head: [], border: [], compact: true };

function table(head: string[]): Table.Table {
  return new Table({ head, style: COMPACT });
}

/** The latency column: batch time of 1,000 operations at p50 / p99 / p99.9 / max, in µs. */
export function formatLatency(cell: Cell): string {
  if (isSkipped(cell) || cell.latency === undefined) return "-";
  const { p50Ns, p99Ns, p999Ns, maxNs } = cell.latency;
  return [p50Ns, p99Ns, p999Ns, maxNs].map(formatMicros).join(" / ");
}

export const TABLE_HEAD = [
  "allocator",
  "ns/op",
  "p99",
  "ops/s",
  `vs\n${BASELINE}`,
  "peak\nmapped",
  "mmap\ncalls",
  "utilization",
  "µs per 1,000 ops\np50 / p99 / p99.9 / max",
];

/** One row per allocator: the figures, or the reason it did not run (`report` tells an old report's stops from sit-outs). */
export function tableRows(workload: WorkloadReport, report?: BenchReport): string[][] {
  return workload.cells.map((cell) => {
    if (isSkipped(cell)) return [cell.allocator, cellNote(cell, report).full];
    const ratio = ratioToBaseline(workload, cell.allocator);
    return [
      cell.allocator,
      formatNs(cell.nsPerOp),
      formatNs(cell.p99NsPerOp),
      formatRate(1e9 / cell.nsPerOp),
      ratio === undefined ? "-" : formatRatio(ratio),
      formatBytes(cell.peakMappedBytes),
      cell.mmapCalls === undefined ? "-" : formatCount(cell.mmapCalls),
      formatPercent(cell.utilization),
      formatLatency(cell),
    ];
  });
}

/** One workload's table; skipped allocators keep their row, with the reason. */
export function formatTable(workload: WorkloadReport, report?: BenchReport): string {
  if (workload.sameTraceAs !== undefined) return `${workload.name}: the trace of ${workload.sameTraceAs}, measured once (its table)\n`;
  const out = table(TABLE_HEAD);
  for (const row of tableRows(workload, report)) {
    if (row.length === 2) out.push([row[0] ?? "", { colSpan: TABLE_HEAD.length - 1, content: row[1] ?? "" }]);
    else out.push(row);
  }
  return `${workloadTitle(workload)}\n${out.toString()}\n`;
}

/**
 * The summary as text cells, for the terminal, RESULTS.md and report.html: per workload, the fastest
 * allocator and the baseline's ns/op over the others'; undefined when no workload is outside a family.
 */
export function summaryTable(report: BenchReport): { head: string[]; rows: string[][] } | undefined {
  const rows = summaryRows(report);
  if (rows.length === 0) return undefined;
  const others = rows[0]?.vsMems.map((m) => m.allocator) ?? [];
  return {
    head: ["workload", "fastest (ns/op)", `÷ ${PEER}`, ...others.map((name) => `÷ ${name}`)],
    rows: rows.map((row) => [
      row.workload,
      row.fastest === undefined ? "-" : `${row.fastest.allocator} ${formatNs(row.fastest.nsPerOp)}`,
      row.vsPeer === undefined ? "-" : formatRatio(row.vsPeer),
      ...row.vsMems.map((m) => (m.ratio === undefined ? "-" : formatRatio(m.ratio))),
    ]),
  };
}

/** The summary: per workload, the fastest allocator and the baseline's ns/op over the others'. */
export function formatSummary(report: BenchReport): string {
  const summary = summaryTable(report);
  if (summary === undefined) return "";
  const out = table(summary.head);
  for (const row of summary.rows) out.push(row);
  return `Summary: ns/op of ${BASELINE} divided by another allocator's (below 1: ${BASELINE} is faster)\n${out.toString()}\n`;
}

/** Each cost curve as a table: allocators down, sizes across, where each stopped and why. */
export function formatCurves(report: BenchReport): string {
  return costCurves(report)
    .map((curve) => {
      const sizes = curve.workloads.map((w) => w.family?.liveBlocks ?? 0);
      const out = table(["allocator", ...sizes.map((size) => formatCount(size))]);
      const notes: string[] = [];
      for (const series of curve.series) {
        const row = sizes.map((size) => {
          const point = series.points.find((p) => p.liveBlocks === size);
          if (point !== undefined) return formatNs(point.nsPerOp);
          return series.stop?.liveBlocks === size ? stopVerb(series.stop) : "";
        });
        out.push([series.allocator, ...row]);
        if (series.stop !== undefined)
          notes.push(
            `  ${series.allocator} ${stopVerb(series.stop)} at ${formatCount(series.stop.liveBlocks)} live blocks: ${series.stop.reason}`,
          );
      }
      const title = `Cost curve (${curve.family}): ns/op by live blocks, churn of 16-512 byte blocks`;
      return `${title}\n${out.toString()}\n${notes.map((line) => `${line}\n`).join("")}`;
    })
    .join("\n");
}

/** The strategies section: the standing of every lookup, then every figure; "" when the report has no such cell. */
export function formatStrategies(report: BenchReport): string {
  const strategies = strategyTable(report);
  if (strategies === undefined) return "";
  const standing = table(STANDING_HEAD);
  for (const row of standingRows(strategies)) standing.push(row);
  const figures = table(STRATEGY_HEAD);
  for (const row of strategyRows(strategies)) {
    if (row.length === 3) figures.push([row[0] ?? "", row[1] ?? "", { colSpan: STRATEGY_HEAD.length - 2, content: row[2] ?? "" }]);
    else figures.push(row);
  }
  const lead = strategiesLead(strategies).join("\n");
  return `Strategies\n${lead}\n${standing.toString()}\n${figures.toString()}\n`;
}

export function formatHeader(report: BenchReport): string {
  return `${report.command} on ${report.machine.cpu} (${report.machine.cores} cores), Bun ${report.bun}, ${report.date}`;
}

export function formatReport(report: BenchReport): string {
  const parts = [
    formatHeader(report),
    "",
    formatSummary(report),
    formatCurves(report),
    formatStanding(report),
    formatStrategies(report),
    ...report.workloads.map((workload) => formatTable(workload, report)),
  ];
  const lines = [...parts.filter((part, i) => i < 2 || part !== ""), ...report.notes.map((note) => `- ${note}`)];
  lines.push(`- Took ${formatDuration(report.elapsedMs)}.`);
  return `${lines.join("\n")}\n`;
}
