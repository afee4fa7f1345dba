/**
 * Charts as SVG without a browser: a Vega-Lite spec compiled to Vega, rendered by vega's headless
 * `View.toSVG()`. Both libraries are loaded on first use, so commands that draw nothing never load them.
 * The bench report (bench/report/) and `mems viz` (viz/) draw with it. It ships with the package for
 * viz, but vega and vega-lite (some 25 MB with d3 and their commands) do not: they are optional peer
 * dependencies, which a user adds for `mems viz` (devDependencies in a checkout, for the bench).
 */
import type { TopLevelSpec } from "vega-lite";

/** The packages the charts are drawn with. */
export const CHART_PACKAGES = ["vega", "vega-lite"] as const;

/** What to run to add them. */
export const ADD_CHART_PACKAGES = `bun add ${CHART_PACKAGES.join(" ")}`;

/** The chart packages are not installed where this file can find them. */
export class ChartPackagesMissing extends Error {
  constructor(readonly missing: readonly string[]) {
    super(
      `the charts are drawn with ${CHART_PACKAGES.join(" and ")}, which are not installed (${missing.join(", ")} missing): ${ADD_CHART_PACKAGES}`,
    );
    this.name = "ChartPackagesMissing";
  }
}

/** The chart packages that cannot be found from `from` (this folder: where the package's code looks), without loading them. */
export function missingChartPackages(from = import.meta.dir): string[] {
  return CHART_PACKAGES.filter((name) => {
    try {
      Bun.resolveSync(name, from);
      return false;
    } catch {
      return true;
    }
  });
}

/** What every chart shares: fonts, colours and sizes of the text. */
export const CHART_CONFIG = {
  font: "DejaVu Sans, Liberation Sans, Helvetica, Arial, sans-serif",
  background: "white",
  view: { stroke: null },
  title: { fontSize: 14, subtitleFontSize: 11, subtitleColor: "#555", anchor: "start" as const, offset: 10 },
  axis: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: "normal" as const, gridColor: "#eee" },
  legend: { labelFontSize: 11, titleFontSize: 11 },
  concat: { spacing: 28 },
};

/** Renders a Vega-Lite spec to an SVG document (a string starting with `<svg`). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const missing = missingChartPackages();
  if (missing.length > 0) throw new ChartPackagesMissing(missing);
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  const compiled = vegaLite.compile({ ...spec, config: { ...CHART_CONFIG, ...spec.config } }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
