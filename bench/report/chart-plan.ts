/**
 * The charts of a bench report, planned before any is drawn: each chart's kind, key, file under
 * charts/, alt text and vega-lite spec, in the order the page shows them. outputs.ts draws and writes
 * them; html.ts and markdown.ts find a chart's file here to embed it. Apart from outputs.ts, which
 * imports those two, so that they need not import it back.
 */
import type { TopLevelSpec } from "vega-lite";
import type { BenchReport } from "../run.ts";
import { costCurveChart, ratioChart, workloadChart } from "./charts.ts";
import { strategyChart, strategyTable } from "./strategies.ts";
import { costCurves } from "./summary.ts";

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
