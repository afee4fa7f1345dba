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
import { renderSvg } from "../../lib/vega.ts";
import type { BenchReport } from "../run.ts";
import { chartPlan } from "./chart-plan.ts";
import { reportHtml } from "./html.ts";
import { resultsMarkdown } from "./markdown.ts";

/** Where a run's results go unless --out says otherwise (bench/out/): ignored by git, so no run changes
 * the committed figures (docs/results/) by accident. */
export const OUT_DIR = fileURLToPath(new URL("../out", import.meta.url));

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
