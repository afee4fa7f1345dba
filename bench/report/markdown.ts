/**
 * RESULTS.md of a results folder: the run, the summary, the cost curve, the ratios, and per workload its
 * table and chart (SVG files beside it, under charts/).
 */
import type { BenchReport } from "../run.ts";
import { formatCount, formatDuration, formatNs, formatRatio } from "./numbers.ts";
import { type ChartFile, chartFileOf } from "./outputs.ts";
import { BASELINE, costCurves, PEER, summaryRows } from "./summary.ts";
import { TABLE_HEAD, tableRows, workloadTitle } from "./text.ts";

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

export function resultsMarkdown(report: BenchReport, charts: readonly ChartFile[]): string {
  const out: string[] = [
    "# Benchmark results",
    "",
    `\`${report.command}\` on ${report.machine.cpu} (${report.machine.cores} cores, ${report.machine.platform}), Bun ${report.bun}, ${report.date}, ${formatDuration(report.elapsedMs)} in all.`,
    "Written by the bench with `report.html` (the same, in one page) and `bench.json` (every figure); regenerate with `bun bench`.",
    "",
  ];
  const rows = summaryRows(report);
  if (rows.length > 0) {
    const others = rows[0]?.vsMems.map((m) => m.allocator) ?? [];
    out.push(
      "## Summary",
      "",
      `ns/op of ${BASELINE} divided by another allocator's: below 1, ${BASELINE} is faster.`,
      "",
      markdownTable(
        ["workload", "fastest (ns/op)", `÷ ${PEER}`, ...others.map((name) => `÷ ${name}`)],
        rows.map((row) => [
          row.workload,
          row.fastest === undefined ? "-" : `${row.fastest.allocator} ${formatNs(row.fastest.nsPerOp)}`,
          row.vsPeer === undefined ? "-" : formatRatio(row.vsPeer),
          ...row.vsMems.map((m) => (m.ratio === undefined ? "-" : formatRatio(m.ratio))),
        ]),
      ),
      "",
    );
  }
  for (const curve of costCurves(report)) {
    const chart = chartFileOf(charts, "curve", curve.family);
    const sizes = curve.workloads.map((w) => w.family?.liveBlocks ?? 0);
    out.push(`## The cost curve (${curve.family})`, "");
    if (chart !== undefined) out.push(image(chart), "");
    out.push(
      markdownTable(
        ["allocator", ...sizes.map((size) => `${formatCount(size)} live`)],
        curve.series.map((series) => [
          series.allocator,
          ...sizes.map((size) => {
            const point = series.points.find((p) => p.liveBlocks === size);
            if (point !== undefined) return formatNs(point.nsPerOp);
            return series.stop?.liveBlocks === size ? `stopped: ${series.stop.reason}` : "";
          }),
        ]),
      ),
      "",
    );
  }
  const ratios = chartFileOf(charts, "ratios", "");
  if (ratios !== undefined) out.push("## Every workload against the baseline", "", image(ratios), "");
  out.push("## Workloads", "");
  for (const workload of report.workloads) {
    out.push(`### ${workload.name}`, "");
    if (workload.sameTraceAs !== undefined) {
      out.push(`${workload.describe}: the trace of [${workload.sameTraceAs}](#${workload.sameTraceAs}), measured once.`, "");
      continue;
    }
    out.push(workloadTitle(workload), "");
    const chart = chartFileOf(charts, "workload", workload.name);
    if (chart !== undefined) out.push(image(chart), "");
    const body = tableRows(workload).map((row) =>
      row.length === 2 ? [row[0] ?? "", row[1] ?? "", ...TABLE_HEAD.slice(2).map(() => "")] : row,
    );
    out.push(markdownTable(TABLE_HEAD, body), "");
  }
  out.push("## Notes", "", ...report.notes.map((note) => `- ${note}`), "");
  return out.join("\n");
}
