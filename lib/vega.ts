/**
 * Charts as SVG without a browser: a Vega-Lite spec compiled to Vega, rendered by vega's headless
 * `View.toSVG()`. Both libraries are loaded on first use, so commands that draw nothing never load them.
 * The bench report (bench/report/) and `mems viz` (viz/) draw with it; it ships with the package for viz,
 * and vega and vega-lite are runtime dependencies for it.
 */
import type { TopLevelSpec } from "vega-lite";

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
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  const compiled = vegaLite.compile({ ...spec, config: { ...CHART_CONFIG, ...spec.config } }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
