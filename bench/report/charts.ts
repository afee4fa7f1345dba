/**
 * The bench report's charts as Vega-Lite specs (lib/vega.ts renders them to SVG):
 *
 * - one per workload: ns/op per allocator on a log axis with the p99 marked, the time of batches of
 *   1,000 operations (p50 to max), peak mapped bytes and utilization;
 * - the cost curve of each family: ns/op against live blocks on log-log axes, one line per allocator,
 *   a triangle where an allocator stopped (at the least ns/op the deadline implies) with the reason;
 * - the ratios: every allocator's ns/op over the baseline's, on every workload.
 *
 * Marks that tests count are named (their SVG group has class NAME_marks): `nsop` (one bar per allocator
 * that ran), `latency`, `mapped`,
 * `utilization`, `curve_points`, `curve_stops`, `ratio_cells`.
 */
import type { TopLevelSpec } from "vega-lite";
import { type Cell, isSkipped } from "../family.ts";
import type { BenchReport, WorkloadReport } from "../run.ts";
import { formatBytes, formatMicros, formatNs, formatRatio } from "./numbers.ts";
import { allocatorsOf, BASELINE, type CostCurve, cellNote, NOT_RUN, ratioToBaseline, shortReason, workloadTitle } from "./summary.ts";

const BAR_HEIGHT = 22;
const PANEL_WIDTH = 300;

/**
 * MeMS and its variants in shades of blue (and dashes on a line), every peer a hue of its own, glibc's
 * two ways in (from Bun through FFI, from C) shades of one green: fifteen lines a reader tells apart.
 */
const MEMS_STYLES = ["#0b3d91", "#4f8fe6", "#17a2c4", "#7b9cc9", "#2857c9", "#5cc3e8"];
const PEER_COLORS: Readonly<Record<string, string>> = {
  "c-reference": "#8c564b",
  "libc-ffi": "#1a8a3a",
  "glibc-c": "#86c86a",
  "thi.ng-malloc": "#9467bd",
  uint8array: "#7f7f7f",
  "mimalloc-ffi": "#ff7f0e",
  "tcmalloc-ffi": "#d62728",
  "jemalloc-ffi": "#e377c2",
  "as-tlsf-wasm": "#b5a300",
};
/** Colours for allocators none of the above names (a peer added later): distinct from those. */
const SPARE_COLORS = ["#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d"];
/** Dashes of the MeMS variants after the first (solid), then of a second allocator of one colour family. */
const DASHES = [[], [8, 3], [2, 2], [8, 3, 2, 3], [12, 4], [4, 4], [1, 3]];

export interface SeriesStyle {
  color: string;
  dash: number[];
}

/** The colour and dash of every allocator of a report, the same in all its charts, each colour distinct. */
export function allocatorStyles(allocators: readonly string[]): Map<string, SeriesStyle> {
  const styles = new Map<string, SeriesStyle>();
  let mems = 0;
  let spare = 0;
  for (const name of allocators) {
    if (name.startsWith("mems-")) {
      const index = mems++;
      const color = MEMS_STYLES[index] ?? SPARE_COLORS[spare++ % SPARE_COLORS.length] ?? "#000";
      styles.set(name, { color, dash: DASHES[index % DASHES.length] ?? [] });
      continue;
    }
    const color = PEER_COLORS[name] ?? SPARE_COLORS[spare++ % SPARE_COLORS.length] ?? "#000";
    styles.set(name, { color, dash: name === "glibc-c" ? [8, 3] : [] });
  }
  return styles;
}

/** A colour scale over `shown` (the legend lists these only), coloured as the whole report colours them. */
function colorScale(report: BenchReport, shown: readonly string[]) {
  const styles = allocatorStyles(allocatorsOf(report));
  return { domain: [...shown], range: shown.map((name) => styles.get(name)?.color ?? "#000") };
}

/** The dash of each of `shown`, as a scale (lines only: bars keep their colour alone). */
function dashScale(report: BenchReport, shown: readonly string[]) {
  const styles = allocatorStyles(allocatorsOf(report));
  return { domain: [...shown], range: shown.map((name) => styles.get(name)?.dash ?? []) };
}

/** A log domain from the power of ten below `low` to the one above `high` (labels need the room). */
export function logDomain(low: number, high: number): [number, number] {
  const lo = 10 ** Math.floor(Math.log10(Math.max(low, 1e-3)));
  let hi = 10 ** Math.ceil(Math.log10(Math.max(high, lo * 10)));
  if (hi / high < 2.5) hi *= 10;
  return [lo, hi];
}

/** The powers of ten of a log domain: the only labels of a log axis (2, 3, 20, 30... crowd it). */
export function powersOfTen([lo, hi]: [number, number]): number[] {
  const values: number[] = [];
  for (let value = lo; value <= hi * 1.0001; value *= 10) values.push(Number(value.toPrecision(6)));
  return values;
}

/** A byte unit that suits `bytes` (the largest of a chart). */
function byteUnit(bytes: number): { name: string; size: number } {
  if (bytes >= 1 << 30) return { name: "GiB", size: 1 << 30 };
  if (bytes >= 1 << 20) return { name: "MiB", size: 1 << 20 };
  if (bytes >= 1 << 10) return { name: "KiB", size: 1 << 10 };
  return { name: "B", size: 1 };
}

/** A note ("stopped at scaling-100k") shortened to fit a panel. */
function shortSkip(text: string): string {
  return text.length > 44 ? `${text.slice(0, 42)}…` : text;
}

/** The workload chart's data: one row per allocator, its figures or the note that says why it has none. */
function workloadRows(report: BenchReport, workload: WorkloadReport, unit: { size: number }) {
  return workload.cells.map((cell) => {
    if (isSkipped(cell)) {
      return { allocator: cell.allocator, note: shortSkip(cellNote(cell, report).short) };
    }
    const latency = cell.latency;
    return {
      allocator: cell.allocator,
      ns: cell.nsPerOp,
      p99: cell.p99NsPerOp,
      nsLabel: `${formatNs(cell.nsPerOp)} (p99 ${formatNs(cell.p99NsPerOp)})`,
      labelAt: Math.max(cell.nsPerOp, cell.p99NsPerOp),
      ...(latency !== undefined && {
        p50us: latency.p50Ns / 1000,
        p99us: latency.p99Ns / 1000,
        p999us: latency.p999Ns / 1000,
        maxus: latency.maxNs / 1000,
        latencyLabel: `${formatMicros(latency.p50Ns)} … ${formatMicros(latency.maxNs)}`,
      }),
      ...(latency === undefined && { latencyNote: "no batch timed" }),
      ...(cell.peakMappedBytes !== undefined && {
        mapped: cell.peakMappedBytes / unit.size,
        mappedLabel: formatBytes(cell.peakMappedBytes),
      }),
      ...(cell.peakMappedBytes === undefined && { mappedNote: "maps no memory of its own" }),
      ...(cell.utilization !== undefined && {
        utilization: cell.utilization * 100,
        utilizationLabel: `${(cell.utilization * 100).toFixed(1)}%`,
      }),
    };
  });
}

/** A panel of the workload chart (one of the four in its grid), as vega-lite types it. */
type Panel = Extract<TopLevelSpec, { hconcat: unknown }>["hconcat"][number];

/** What the four panels of a workload chart share: a row per allocator, its colour, a note where a figure is missing. */
function panelEncodings(report: BenchReport, workload: WorkloadReport) {
  const y = {
    field: "allocator",
    type: "nominal" as const,
    sort: workload.cells.map((cell) => cell.allocator),
    title: null,
    axis: { labelLimit: 200 },
  };
  const color = {
    field: "allocator",
    type: "nominal" as const,
    scale: colorScale(
      report,
      workload.cells.map((cell) => cell.allocator),
    ),
    legend: null,
  };
  /** The text of `field` (why a figure is missing), at `x` on the row's axis. */
  const note = (field: string, x: number) => ({
    transform: [{ filter: `isValid(datum.${field})` }],
    mark: { type: "text" as const, align: "left" as const, dx: 4, color: "#777", fontStyle: "italic" },
    encoding: { y, x: { datum: x }, text: { field } },
  });
  /** A panel of the grid: its title over its layers, one row per allocator. */
  const panel = (text: string, layer: PanelLayers): Panel => ({
    width: PANEL_WIDTH,
    height: { step: BAR_HEIGHT },
    title: { text, fontSize: 12 },
    layer,
  });
  return { y, color, note, panel };
}

type PanelLayers = Extract<Panel, { layer: unknown }>["layer"];
type Encodings = ReturnType<typeof panelEncodings>;

/** ns/op per allocator on a log axis, a tick at its p99. */
function nsPanel({ y, color, note, panel }: Encodings, domain: [number, number]): Panel {
  return panel("ns per operation (log scale; tick: p99)", [
    {
      name: "nsop",
      mark: { type: "bar", cornerRadiusEnd: 2 },
      encoding: {
        y,
        x: logX("ns", domain),
        x2: { datum: domain[0] },
        color,
      },
    },
    {
      name: "p99",
      mark: { type: "tick", color: "#222", thickness: 2 },
      encoding: { y, x: { field: "p99", type: "quantitative" } },
    },
    {
      mark: { type: "text", align: "left", dx: 5, fontSize: 10 },
      encoding: { y, x: { field: "labelAt", type: "quantitative" }, text: { field: "nsLabel" } },
    },
    note("note", domain[0]),
  ]);
}

/** A quantitative x on a log scale over `domain`, labelled at its powers of ten, with no title of its own. */
function logX(field: string, domain: [number, number]) {
  return {
    field,
    type: "quantitative",
    scale: { type: "log", domain },
    axis: { values: powersOfTen(domain), format: "~s" },
    title: null,
  } as const;
}

/** The time of batches of 1,000 operations: a rule from p50 to max, ticks at p50, p99 and p99.9. */
function latencyPanel({ y, color, note, panel }: Encodings, domain: [number, number]): Panel {
  return panel("µs per batch of 1,000 operations (log; p50 ▮ p99 | p99.9 | max ●)", [
    {
      mark: { type: "rule", strokeWidth: 2 },
      encoding: {
        y,
        x: logX("p50us", domain),
        x2: { field: "maxus" },
        color,
      },
    },
    {
      name: "latency",
      mark: { type: "tick", thickness: 4, color: "#222" },
      encoding: { y, x: { field: "p50us", type: "quantitative" } },
    },
    { mark: { type: "tick", thickness: 1.5, color: "#222" }, encoding: { y, x: { field: "p99us", type: "quantitative" } } },
    {
      mark: { type: "tick", thickness: 1.5, color: "#222", size: 10 },
      encoding: { y, x: { field: "p999us", type: "quantitative" } },
    },
    { mark: { type: "point", filled: true, size: 40 }, encoding: { y, x: { field: "maxus", type: "quantitative" }, color } },
    {
      mark: { type: "text", align: "left", dx: 7, fontSize: 10 },
      encoding: { y, x: { field: "maxus", type: "quantitative" }, text: { field: "latencyLabel" } },
    },
    note("latencyNote", domain[0]),
    note("note", domain[0]),
  ]);
}

/** Peak mapped bytes per allocator, in `unit`. */
function mappedPanel({ y, color, note, panel }: Encodings, unit: { name: string }): Panel {
  return panel(`peak mapped (${unit.name})`, [
    {
      name: "mapped",
      mark: { type: "bar", cornerRadiusEnd: 2 },
      encoding: { y, x: { field: "mapped", type: "quantitative", title: null, scale: { nice: true } }, color },
    },
    {
      mark: { type: "text", align: "left", dx: 4, fontSize: 10 },
      encoding: { y, x: { field: "mapped", type: "quantitative" }, text: { field: "mappedLabel" } },
    },
    note("mappedNote", 0),
  ]);
}

/** Peak live bytes over peak mapped bytes, in percent. */
function utilizationPanel({ y, color, note, panel }: Encodings): Panel {
  return panel("utilization: peak live / peak mapped (%)", [
    {
      name: "utilization",
      mark: { type: "bar", cornerRadiusEnd: 2 },
      encoding: { y, x: { field: "utilization", type: "quantitative", title: null, scale: { domain: [0, 100] } }, color },
    },
    {
      mark: { type: "text", align: "right", dx: -4, fontSize: 10, color: "white" },
      encoding: { y, x: { field: "utilization", type: "quantitative" }, text: { field: "utilizationLabel" } },
    },
    note("mappedNote", 0),
  ]);
}

/** One workload: ns/op with p99 and batch latency above, peak mapped and utilization below. */
export function workloadChart(report: BenchReport, workload: WorkloadReport): TopLevelSpec {
  const measured = workload.cells.filter((cell) => !isSkipped(cell));
  const nsValues = measured.flatMap((cell) => (isSkipped(cell) ? [] : [cell.nsPerOp, cell.p99NsPerOp]));
  const latencyValues = measured.flatMap((cell) =>
    isSkipped(cell) || cell.latency === undefined ? [] : [cell.latency.p50Ns / 1000, cell.latency.maxNs / 1000],
  );
  const unit = byteUnit(Math.max(0, ...measured.map((cell) => (isSkipped(cell) ? 0 : (cell.peakMappedBytes ?? 0)))));
  const encodings = panelEncodings(report, workload);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: workload.name, subtitle: workloadTitle(workload).slice(workload.name.length + 2) },
    data: { values: workloadRows(report, workload, unit) },
    vconcat: [
      {
        hconcat: [
          nsPanel(encodings, logDomain(Math.min(...nsValues, 1), Math.max(...nsValues, 10))),
          latencyPanel(encodings, logDomain(Math.min(...latencyValues, 1), Math.max(...latencyValues, 10))),
        ],
      },
      { hconcat: [mappedPanel(encodings, unit), utilizationPanel(encodings)] },
    ],
  } satisfies TopLevelSpec;
}

/**
 * Where the allocators of a cost curve stopped: a triangle each, at the least ns/op its deadline implies
 * (stacked upwards where several stop at the same place), and a dashed line to it from its last point.
 */
function stopMarks(curve: CostCurve) {
  const stops: { allocator: string; live: number; ns: number; label: string }[] = [];
  const dashes: { allocator: string; live: number; ns: number; segment: string }[] = [];
  for (const series of curve.series) {
    const stop = series.stop;
    if (stop === undefined) continue;
    const last = series.points[series.points.length - 1];
    const base = stop.atLeastNsPerOp ?? last?.nsPerOp ?? 1;
    // Stops at the same place are stacked upwards: a deadline's figure is a lower bound anyway.
    const same = stops.filter((s) => s.live === stop.liveBlocks && Math.abs(Math.log(s.ns / base)) < 0.6).length;
    const ns = base * 1.7 ** same;
    stops.push({ allocator: series.allocator, live: stop.liveBlocks, ns, label: `${series.allocator}: ${shortReason(stop)}` });
    if (last !== undefined) {
      dashes.push({ allocator: series.allocator, live: last.liveBlocks, ns: last.nsPerOp, segment: series.allocator });
      dashes.push({ allocator: series.allocator, live: stop.liveBlocks, ns, segment: series.allocator });
    }
  }
  return { stops, dashes };
}

/** The cost curve of one family: ns/op against live blocks, log-log, with where each allocator stopped. */
export function costCurveChart(report: BenchReport, curve: CostCurve): TopLevelSpec {
  const points = curve.series.flatMap((series) =>
    series.points.map((point) => ({
      allocator: series.allocator,
      live: point.liveBlocks,
      ns: point.nsPerOp,
      label: formatNs(point.nsPerOp),
    })),
  );
  const { stops, dashes } = stopMarks(curve);
  const sizes = curve.workloads.map((w) => w.family?.liveBlocks ?? 0);
  const all = [...points.map((p) => p.ns), ...stops.map((s) => s.ns)];
  const yDomain = logDomain(Math.min(...all, 10), Math.max(...all, 100));
  const x = {
    field: "live",
    type: "quantitative" as const,
    scale: { type: "log" as const, domain: [Math.min(...sizes) / 1.5, Math.max(...sizes) * 1.5] },
    axis: { values: sizes, format: ",", title: "live blocks (log scale)", grid: true },
  };
  const y = {
    field: "ns",
    type: "quantitative" as const,
    scale: { type: "log" as const, domain: yDomain },
    axis: { title: "ns per operation (log scale)", values: powersOfTen(yDomain), format: "," },
  };
  const shown = curve.series.map((series) => series.allocator);
  // One legend (every layer's colour says the same): each allocator drawn, its colour and dash, its name in full.
  const color = {
    field: "allocator",
    type: "nominal" as const,
    scale: colorScale(report, shown),
    legend: { title: null, orient: "right" as const, labelLimit: 0, symbolType: "stroke", symbolSize: 500, symbolStrokeWidth: 2.5 },
  };
  const dash = { field: "allocator", type: "nominal" as const, scale: dashScale(report, shown), legend: color.legend };
  const deadline = curve.workloads[0]?.family?.deadlineMs;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: "The cost curve: ns per operation against live blocks",
      subtitle: [
        `churn of 16-512 byte blocks (${curve.family}); ▲ where an allocator stopped${deadline === undefined ? "" : ` (over ${deadline / 1000} s: at the least ns/op that means)`}`,
        `${report.command}, ${report.date.slice(0, 16).replace("T", " ")} UTC, ${report.machine.cpu} (${report.machine.cores} cores), Bun ${report.bun}`,
      ],
    },
    width: 620,
    height: 380,
    layer: [
      {
        name: "curve_lines",
        data: { values: points },
        mark: { type: "line", strokeWidth: 2 },
        encoding: { x, y, color, strokeDash: dash },
      },
      {
        data: { values: dashes },
        mark: { type: "line", strokeDash: [4, 4], strokeWidth: 1.5 },
        encoding: { x, y, color, detail: { field: "segment", type: "nominal" } },
      },
      {
        name: "curve_points",
        data: { values: points },
        mark: { type: "point", filled: true, size: 50 },
        encoding: { x, y, color, tooltip: { field: "label" } },
      },
      {
        name: "curve_stops",
        data: { values: stops },
        mark: { type: "point", shape: "triangle-up", filled: true, size: 140, stroke: "#222", strokeWidth: 1 },
        encoding: { x, y, color },
      },
      {
        data: { values: stops },
        mark: { type: "text", align: "left", dx: 10, fontSize: 11 },
        encoding: { x, y, text: { field: "label" } },
      },
    ],
  } satisfies TopLevelSpec;
}

/** A ratio cell without a ratio: "stopped" or "failed" (there, or at a smaller size), "–" where it was not run. */
function ratioNote(report: BenchReport, cell: Cell): string {
  if (!isSkipped(cell)) return "–"; // measured, but the baseline was not
  const note = cellNote(cell, report).short;
  return note.startsWith("stopped") ? "stopped" : note === "failed" ? "failed" : "–";
}

/** The ratio chart's cells: at most this wide, at least this wide (room for "0.000218x"), in at most this in all. */
const RATIO_MAX_STEP = 124;
const RATIO_MIN_STEP = 66;
const RATIO_COLUMNS_WIDTH = 940;

/** Every allocator's ns/op over the baseline's, on every workload measured in this run (copies left out). */
export function ratioChart(report: BenchReport): TopLevelSpec {
  const allocators = allocatorsOf(report).filter((name) => name !== BASELINE);
  const workloads = report.workloads.filter((w) => w.sameTraceAs === undefined);
  const cells = workloads.flatMap((workload) =>
    allocators.map((allocator) => {
      const ratio = ratioToBaseline(workload, allocator);
      const cell = workload.cells.find((c) => c.allocator === allocator);
      return {
        workload: workload.name,
        allocator,
        ...(ratio !== undefined && { ratio, label: formatRatio(ratio), strong: Math.abs(Math.log10(ratio)) > 1.2 }),
        ...(ratio === undefined && { label: cell === undefined ? "" : ratioNote(report, cell) }),
      };
    }),
  );
  // The columns share RATIO_COLUMNS_WIDTH (with the row labels and the legend, report.html's 1400 px
  // window holds it); names too long for a column stand at a slant.
  const step = Math.max(RATIO_MIN_STEP, Math.min(RATIO_MAX_STEP, Math.floor(RATIO_COLUMNS_WIDTH / Math.max(1, allocators.length))));
  const x = {
    field: "allocator",
    type: "nominal" as const,
    sort: allocators,
    axis: { orient: "top" as const, labelAngle: step < RATIO_MAX_STEP ? -30 : 0, title: null, labelLimit: 200 },
  };
  const y = { field: "workload", type: "nominal" as const, sort: workloads.map((w) => w.name), axis: { title: null, labelLimit: 240 } };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: `Each allocator's ns/op over ${BASELINE}'s`,
      subtitle: `above 1 (red): slower than ${BASELINE}; below 1 (blue): faster; –: ${NOT_RUN}`,
    },
    data: { values: cells },
    width: { step },
    height: { step: 22 },
    layer: [
      {
        name: "ratio_cells",
        mark: { type: "rect", stroke: "white", strokeWidth: 1 },
        encoding: {
          x,
          y,
          color: {
            field: "ratio",
            type: "quantitative",
            scale: { type: "log", domain: [0.01, 100], domainMid: 1, scheme: "redblue", reverse: true, clamp: true },
            legend: { title: "ratio", format: "~g", values: [0.01, 0.1, 1, 10, 100] },
          },
        },
      },
      { mark: { type: "rect", color: "#f3f3f3", stroke: "white" }, transform: [{ filter: "datum.ratio == null" }], encoding: { x, y } },
      {
        mark: { type: "text", fontSize: 10.5 },
        encoding: {
          x,
          y,
          text: { field: "label" },
          color: { condition: { test: "datum.strong", value: "white" }, value: "#222" },
        },
      },
    ],
  } satisfies TopLevelSpec;
}
