/**
 * The page of `mems viz`: for each file, its bytes over the operations (a vega-lite chart) and, at each
 * chosen point, the heap map of every lookup side by side; hovering a piece shows its type, virtual
 * address, size and physical address (a dense map: the segment, the bytes under the pointer and their
 * share of HOLE). One file, no network. `vizSvg` is the maps alone as one SVG, for documents.
 */

import type { Alignment } from "../core/index.ts";
import { embedJson, escapeHtml, inlineSvg, page } from "../lib/html.ts";
import { renderSvg } from "../lib/vega.ts";
import type { Scenario } from "../trace/format.ts";
import type { LookupChoice } from "../trace/lookup-choice.ts";
import { bytesChart, type DenseData, heapMap, legendSvg } from "./draw.ts";
import {
  choosePoints,
  END,
  type HeapRecording,
  type HeapSnapshot,
  operationText,
  PEAK,
  peakLiveOp,
  type RecordOptions,
  recordHeap,
} from "./snapshots.ts";

/** The recordings of one file: one per lookup, the same points in each. */
export interface FileRecordings {
  file: string;
  ops: number;
  recordings: HeapRecording[];
  /** The text of the operation before each point, by op count ("s", "a 3 1000"). */
  opText: Map<number, string>;
  /** The source line of the operation before each point. */
  opLine: Map<number, number>;
}

/** "12,40" -> [12, 40], or a usage error. */
export function parseAt(text: string): number[] {
  return text.split(",").map((part) => {
    const trimmed = part.trim();
    if (!/^[0-9]+$/.test(trimmed) || !Number.isSafeInteger(Number(trimmed)))
      throw new Error(`--at: ${trimmed || "(empty)"} is not an operation count`);
    return Number(trimmed);
  });
}

/** The page's room across in a 1400 px window (the page's margins taken off). */
export const PAGE_WIDTH = 1336;
/** Pixels between two panels, and a panel's border and padding around its map. */
const PANEL_GAP = 18;
const PANEL_FRAME = 22;

/**
 * How the lookups of a page sit: in rows of `columns` (up to three side by side: five lookups make a row
 * of three and one of two), each panel `panelWidth` wide around a map `mapWidth` wide, so that a row
 * fits PAGE_WIDTH.
 */
export function panelLayout(lookups: number): { columns: number; panelWidth: number; mapWidth: number } {
  const columns = lookups <= 3 ? Math.max(1, lookups) : lookups === 4 ? 2 : 3;
  const panelWidth = Math.min(1000 + PANEL_FRAME, Math.floor((PAGE_WIDTH - (columns - 1) * PANEL_GAP) / columns));
  return { columns, panelWidth, mapWidth: panelWidth - PANEL_FRAME };
}

/** A snapshot in words: its shape ("3 segments, 13 pieces (4 HOLEs)") and its bytes ("12,288 B mapped, 10,000 B live"). */
function snapshotWords(snapshot: HeapSnapshot): [shape: string, bytes: string] {
  const segments = snapshot.segments.length;
  return [
    `${segments.toLocaleString("en")} segment${segments === 1 ? "" : "s"}, ${snapshot.pieces.toLocaleString("en")} pieces (${snapshot.holes.toLocaleString("en")} HOLE${snapshot.holes === 1 ? "" : "s"})`,
    `${snapshot.mappedBytes.toLocaleString("en")} B mapped, ${snapshot.liveBytes.toLocaleString("en")} B live`,
  ];
}

function describeSnapshot(snapshot: HeapSnapshot): string {
  return snapshotWords(snapshot).join(", ");
}

function pointTitle(file: FileRecordings, op: number, why: string): string {
  if (op === 0) return "Before the first operation";
  const text = file.opText.get(op) ?? "";
  const line = file.opLine.get(op);
  const reasons = why.split(", ");
  const notes = [
    ...(reasons.includes(PEAK) ? [", the peak of live bytes"] : []),
    ...(reasons.includes(END) ? [", the end (before the final finish)"] : []),
  ];
  return `After operation ${op.toLocaleString("en")}: <code>${escapeHtml(text)}</code>${line === undefined ? "" : ` (line ${line})`}${notes.join("")}`;
}

const VIZ_CSS = `
.panels { display: flex; flex-wrap: wrap; gap: ${PANEL_GAP}px; align-items: flex-start; }
.panel { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px 10px; background: #fff; }
.panel-head { font-size: 13px; margin-bottom: 6px; }
.panel-head b { font-size: 14px; }
.panel-head span { color: var(--muted); }
pre.stats { font-size: 11px; background: var(--soft); padding: 6px 8px; margin: 8px 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }
details summary { cursor: pointer; color: var(--muted); font-size: 12px; margin-top: 6px; }
svg.heap-map rect.piece:hover { stroke: #111; stroke-width: 2; }
#tip { position: fixed; display: none; pointer-events: none; background: #1d2327; color: #fff; font-size: 12px; line-height: 1.45; padding: 6px 9px; border-radius: 4px; z-index: 10; white-space: nowrap; }
.error { color: #a11; }
`;

/** The hover: a piece's data attributes, or a dense map's column under the pointer. */
const VIZ_SCRIPT = `
const dense = JSON.parse(document.getElementById("dense-data").textContent);
const tip = document.getElementById("tip");
const fmt = (n) => Number(n).toLocaleString("en");
function decode(text, Type) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Type(bytes.buffer);
}
for (const data of Object.values(dense)) {
  data.shareOf = decode(data.shares, Uint8Array);
  data.startOf = decode(data.starts, Float64Array);
  data.offsetOf = decode(data.offsets, Float64Array);
}
function show(event, html) {
  tip.innerHTML = html;
  tip.style.display = "block";
  tip.style.left = event.clientX + 14 + "px";
  tip.style.top = event.clientY + 14 + "px";
}
function denseTip(svg, event) {
  const data = dense[svg.id];
  if (!data) return undefined;
  const box = svg.getBoundingClientRect();
  const x = Math.floor(event.clientX - box.left);
  const row = Math.floor((event.clientY - box.top) / data.rowPitch);
  const pixel = row * data.width + x;
  if (x < 0 || x >= data.width || pixel < 0 || pixel >= data.shareOf.length) return undefined;
  const from = pixel * data.bytesPerPixel;
  const to = Math.min(data.totalBytes, from + data.bytesPerPixel);
  let lo = 0;
  let hi = data.offsetOf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (data.offsetOf[mid] <= from) lo = mid;
    else hi = mid - 1;
  }
  const v = data.startOf[lo] + Math.floor(from - data.offsetOf[lo]);
  return "<b>segment " + fmt(lo + 1) + "</b> of " + fmt(data.offsetOf.length) + ", from virtual " + fmt(v) +
    "<br>" + fmt(Math.round(to - from)) + " bytes under this pixel: " + Math.round((data.shareOf[pixel] / 255) * 100) + "% HOLE";
}
document.addEventListener("mousemove", (event) => {
  const target = event.target;
  if (target instanceof SVGRectElement && target.classList.contains("piece")) {
    const d = target.dataset;
    const end = Number(d.v) + Number(d.size) - 1;
    show(event, "<b>" + d.type + "</b><br>virtual " + d.v + "–" + end + "<br>size " + fmt(d.size) + " B<br>physical " + fmt(d.phys));
    return;
  }
  const svg = target instanceof Element ? target.closest("svg.heap-map.dense") : null;
  const html = svg ? denseTip(svg, event) : undefined;
  if (html) show(event, html);
  else tip.style.display = "none";
});
`;

/** The whole page. */
export async function vizPage(files: readonly FileRecordings[]): Promise<string> {
  const lookups = files[0]?.recordings.map((r) => r.lookup) ?? [];
  const layout = panelLayout(lookups.length);
  const width = layout.mapWidth;
  const dense: Record<string, DenseData> = {};
  const sections: string[] = [];
  let mapId = 0;
  for (const [fileIndex, file] of files.entries()) {
    const chart = await renderSvg(bytesChart(file.recordings, layout.columns, layout.panelWidth));
    const points = file.recordings[0]?.snapshots.map((s) => ({ op: s.op, why: s.why })) ?? [];
    const errors = file.recordings.filter((r) => r.error !== undefined);
    const parts = [
      `<section class="file" data-file="${escapeHtml(file.file)}">`,
      `<h2>${escapeHtml(file.file)}</h2>`,
      `<p class="lead">${file.ops.toLocaleString("en")} operations, replayed once per lookup (${file.recordings.map((r) => escapeHtml(r.lookup)).join(", ")}).</p>`,
      ...errors.map((r) => `<p class="error">${escapeHtml(r.lookup)} stopped early: ${escapeHtml(r.error ?? "")}</p>`),
      `<figure class="chart" data-chart="bytes">${inlineSvg(chart, `bytes-${fileIndex}`)}</figure>`,
      `<h3>The heap map</h3><p class="note">Each segment a bar as long as its size (one scale per map), in main-chain order; hover a piece for its addresses.</p>`,
      legendSvg(),
    ];
    for (const point of points) {
      parts.push(`<section class="point" data-op="${point.op}"><h3>${pointTitle(file, point.op, point.why)}</h3><div class="panels">`);
      for (const recording of file.recordings) {
        const snapshot = recording.snapshots.find((s) => s.op === point.op);
        if (snapshot === undefined) {
          parts.push(
            `<div class="panel" data-lookup="${escapeHtml(recording.lookup)}"><div class="panel-head"><b>${escapeHtml(recording.lookup)}</b> <span>did not get here</span></div></div>`,
          );
          continue;
        }
        const id = `map-${mapId++}`;
        const picture = heapMap(snapshot, width, ` id="${id}" data-lookup="${escapeHtml(recording.lookup)}"`, false);
        if (picture.dense !== undefined) dense[id] = picture.dense;
        const lines = snapshot.statsText?.split("\n").length ?? 0;
        const stats =
          snapshot.statsText === undefined
            ? ""
            : `<details${lines <= 16 ? " open" : ""}><summary>the stats as MeMS prints them</summary><pre class="stats">${escapeHtml(snapshot.statsText)}</pre></details>`;
        parts.push(
          `<div class="panel" style="width: ${layout.panelWidth}px" data-lookup="${escapeHtml(recording.lookup)}"><div class="panel-head"><b>${escapeHtml(recording.lookup)}</b> <span>${describeSnapshot(snapshot)}${picture.mode === "dense" ? ", drawn as the share of HOLE bytes per pixel" : ""}</span></div>${picture.svg}${stats}</div>`,
        );
      }
      parts.push("</div></section>");
    }
    parts.push("</section>");
    sections.push(parts.join("\n"));
  }
  const names = files.map((f) => f.file.split("/").pop() ?? f.file).join(", ");
  const head = `<header class="top"><h1>MeMS heap: ${escapeHtml(names)}</h1><p>${escapeHtml(lookups.join(" and "))} side by side on the same operations. PROCESS pieces are blocks in use, HOLEs are free.</p></header>`;
  const body = `${head}\n<main>\n${sections.join("\n")}\n</main>\n<div id="tip"></div>\n<script type="application/json" id="dense-data">${embedJson(dense)}</script>\n<script>${VIZ_SCRIPT}</script>`;
  return page(`MeMS heap: ${names}`, body, VIZ_CSS);
}

/** The heap maps alone, one SVG: a caption per point, the lookups under it in rows as the page has them. */
export function vizSvg(files: readonly FileRecordings[]): string {
  const lookups = files[0]?.recordings.length ?? 1;
  const { columns, mapWidth: width } = panelLayout(lookups);
  const gap = 24;
  const parts: string[] = [];
  let y = 0;
  for (const file of files) {
    const points = file.recordings[0]?.snapshots.map((s) => ({ op: s.op, why: s.why })) ?? [];
    for (const point of points) {
      const caption = pointTitle(file, point.op, point.why)
        .replace(/<code>/g, "“")
        .replace(/<\/code>/g, "”");
      parts.push(
        `<text x="0" y="${y + 15}" font-size="13" font-weight="bold">${escapeHtml(file.file.split("/").pop() ?? "")}: ${caption}</text>`,
      );
      y += 24;
      for (let first = 0; first < file.recordings.length; first += columns) {
        y += svgRow(file.recordings.slice(first, first + columns), point.op, width, gap, y, parts) + 16;
      }
    }
  }
  const margin = 10;
  const across = Math.min(lookups, columns);
  const total = across * width + (across - 1) * gap + 2 * margin;
  const legend = legendSvg().replace("<svg ", `<svg x="0" y="${y}" `);
  y += 24 + 2 * margin;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${total}" height="${y}" viewBox="0 0 ${total} ${y}" font-family="DejaVu Sans, Liberation Sans, Helvetica, Arial, sans-serif"><rect width="100%" height="100%" fill="white"/><g transform="translate(${margin},${margin})">${parts.join("")}${legend}</g></svg>\n`;
}

/** One row of maps at `op`, from `y`: each lookup's name, its figures on a line under it, its map. Returns the row's height. */
function svgRow(recordings: readonly HeapRecording[], op: number, width: number, gap: number, y: number, parts: string[]): number {
  let height = 0;
  recordings.forEach((recording, index) => {
    const snapshot = recording.snapshots.find((s) => s.op === op);
    if (snapshot === undefined) return;
    const x = index * (width + gap);
    const picture = heapMap(snapshot, width);
    const [shape, bytes] = snapshotWords(snapshot);
    parts.push(
      `<text x="${x}" y="${y + 12}" font-size="12"><tspan font-weight="bold">${escapeHtml(recording.lookup)}</tspan> <tspan fill="#555">${escapeHtml(shape)}</tspan></text>`,
      `<text x="${x}" y="${y + 27}" font-size="12" fill="#555">${escapeHtml(bytes)}</text>`,
    );
    const mapHeight = Number(/height="(\d+)"/.exec(picture.svg)?.[1] ?? 0);
    parts.push(picture.svg.replace("<svg ", `<svg x="${x}" y="${y + 33}" `));
    height = Math.max(height, mapHeight + 33);
  });
  return height;
}

/** Options of `mems viz`. */
export interface VizOptions {
  /** The core's lookups by name, or lookups written outside the project (trace/lookup-choice.ts reads `--lookup`). */
  lookups: readonly LookupChoice[];
  /** Operation counts to picture besides the end; by default the scenario's `s` lines. */
  at?: readonly number[];
  pageSize?: number;
  startAddress?: number;
  /** Used where a scenario has no `@align` directive. */
  align?: Alignment;
}

/** Replays every scenario once per lookup, picturing the same points in each. */
export function recordFiles(scenarios: readonly Scenario[], options: VizOptions): FileRecordings[] {
  return scenarios.map((scenario) => {
    const settings = (lookup: LookupChoice): Omit<RecordOptions, "points"> => ({
      lookup,
      ...(options.pageSize !== undefined && { pageSize: options.pageSize }),
      ...(options.startAddress !== undefined && { startAddress: options.startAddress }),
      ...(options.align !== undefined && { align: options.align }),
    });
    // The live bytes are the same under every lookup (the same blocks come and go): one replay finds the peak.
    const first = options.lookups[0];
    const peak = options.at === undefined && first !== undefined ? peakLiveOp(scenario, settings(first)) : undefined;
    const points = choosePoints(scenario, options.at, peak?.op);
    const recordings = options.lookups.map((lookup) => recordHeap(scenario, { ...settings(lookup), points }));
    const opText = new Map<number, string>();
    const opLine = new Map<number, number>();
    for (const point of points) {
      if (point.op === 0) continue;
      opText.set(point.op, operationText(scenario, point.op - 1));
      opLine.set(point.op, scenario.lineOf[point.op - 1] ?? 0);
    }
    return { file: scenario.file, ops: scenario.count, recordings, opText, opLine };
  });
}

/** The page (or, for a path ending in .svg, the maps alone) as text. */
export async function vizOutput(files: readonly FileRecordings[], out: string): Promise<string> {
  return out.toLowerCase().endsWith(".svg") ? vizSvg(files) : vizPage(files);
}
