/**
 * The results folder of a bench run:
 *
 *   RESULTS.md      the tables, embedding the charts
 *   report.html     everything in one page that opens with no network (the SVGs inline)
 *   bench.json      every figure, the machine and the date (what the rest is made from)
 *   charts/*.svg    cost-curve-FAMILY.svg, ratios.svg, strategies.svg, and one per workload
 *
 * `writeResults` draws the charts once and writes them all; charts/ is emptied of older SVGs first, so
 * that the folder is one run's.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TopLevelSpec } from "vega-lite";
import { renderSvg } from "../../lib/vega.ts";
import type { BenchReport } from "../run.ts";
import { costCurveChart, ratioChart, workloadChart } from "./charts.ts";
import { reportHtml } from "./html.ts";
import { resultsMarkdown } from "./markdown.ts";
import { strategyChart, strategyTable } from "./strategies.ts";
import { costCurves } from "./summary.ts";

/** Where a run's results go unless --out says otherwise (bench/out/): ignored by git, so no run changes
 * the committed figures (docs/results/) by accident. */
export const OUT_DIR = fileURLToPath(new URL("../out", import.meta.url));

export interface ChartFile {
  kind: "curve" | "ratios" | "strategies" | "workload";
  /** The family of a curve, the workload of a workload chart, "" for the ratios. */
  key: string;
  /** Relative to the results folder. */
  path: string;
  alt: string;
  spec: TopLevelSpec;
  svg?: string;
}

/** A file name from a workload name: letters, digits, dot, dash and underscore. */
export function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, "_");
}

/** Every chart of a report, in the order the page shows them (curves, ratios, strategies, workloads). */
export function chartPlan(report: BenchReport): ChartFile[] {
  const charts: ChartFile[] = costCurves(report).map((curve) => ({
    kind: "curve",
    key: curve.family,
    path: `charts/cost-curve-${fileSafe(curve.family)}.svg`,
    alt: `The cost curve (${curve.family}): ns per operation against live blocks, one line per allocator`,
    spec: costCurveChart(report, curve),
  }));
  charts.push({
    kind: "ratios",
    key: "",
    path: "charts/ratios.svg",
    alt: "Each allocator's ns/op over the baseline's, per workload",
    spec: ratioChart(report),
  });
  const strategies = strategyTable(report);
  if (strategies !== undefined) {
    charts.push({
      kind: "strategies",
      key: "",
      path: "charts/strategies.svg",
      alt: "Utilization and ns/op of every MeMS lookup on every malloc-lab trace and recorded program",
      spec: strategyChart(report, strategies),
    });
  }
  for (const workload of report.workloads) {
    if (workload.sameTraceAs !== undefined) continue;
    charts.push({
      kind: "workload",
      key: workload.name,
      path: `charts/workload-${fileSafe(workload.name)}.svg`,
      alt: `${workload.name}: ns/op with p99, batch latency, peak mapped and utilization per allocator`,
      spec: workloadChart(report, workload),
    });
  }
  return charts;
}

export function chartFileOf(charts: readonly ChartFile[], kind: ChartFile["kind"], key: string): ChartFile | undefined {
  return charts.find((chart) => chart.kind === kind && chart.key === key);
}

/** Draws every chart and writes the folder; returns the paths written, relative to `dir`. */
export async function writeResults(report: BenchReport, dir: string): Promise<string[]> {
  const charts = chartPlan(report);
  for (const chart of charts) chart.svg = await renderSvg(chart.spec);
  const chartDir = join(dir, "charts");
  mkdirSync(chartDir, { recursive: true });
  for (const old of readdirSync(chartDir)) if (old.endsWith(".svg")) rmSync(join(chartDir, old));
  const files: [string, string][] = [
    ["bench.json", `${JSON.stringify(report, null, 2)}\n`],
    ["RESULTS.md", resultsMarkdown(report, charts)],
    ["report.html", reportHtml(report, charts)],
    ...charts.map((chart): [string, string] => [chart.path, chart.svg ?? ""]),
  ];
  for (const [path, text] of files) writeFileSync(join(dir, path), text);
  return files.map(([path]) => path);
}
