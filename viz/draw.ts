/**
 * Our own SVG of a heap (the map), and the library's chart of its bytes over time.
 *
 * A map is detailed when it has few pieces: one rectangle per piece (class `piece`, PROCESS or HOLE,
 * its type, addresses and size in data attributes and a <title>), a frame and a MAIN[start:end] label
 * per segment. With more pieces it is dense: the segments' bytes in main-chain order run along rows of
 * pixels, each pixel coloured by the share of HOLE bytes among the bytes it covers, drawn as one PNG
 * inside the SVG; the shares and the segments' addresses are kept as data for the page's hover. A
 * million blocks make one picture of some 50,000 pixels in well under a second.
 */
import type { TopLevelSpec } from "vega-lite";
import { escapeHtml } from "../lib/html.ts";
import { encodePng } from "./png.ts";
import { type Layout, layoutSegments } from "./rows.ts";
import type { HeapRecording, HeapSnapshot } from "./snapshots.ts";

export const PROCESS_COLOR = "#2f6bb3";
export const HOLE_COLOR = "#f2c66d";
/** Maps with more pieces than this are dense. */
export const DETAIL_PIECES = 3000;
/** Steps of the legend's gradient from PROCESS to HOLE (a dense map has 256). */
const SHADES = 8;

const DETAIL = { rowPitch: 44, barTop: 16, barHeight: 22, maxRows: 24 };
const DENSE = { rowPitch: 10, barTop: 1, barHeight: 8, maxRows: 72 };

const PROCESS_RGB = [0x2f, 0x6b, 0xb3];
const HOLE_RGB = [0xf2, 0xc6, 0x6d];

/** The colour of a pixel whose bytes are `share` HOLE: from PROCESS blue to HOLE amber. */
function mixRgb(share: number): number[] {
  return PROCESS_RGB.map((c, i) => Math.round(c + ((HOLE_RGB[i] ?? c) - c) * share));
}

function mix(share: number): string {
  return `#${mixRgb(share)
    .map((c) => c.toString(16).padStart(2, "0"))
    .join("")}`;
}

function formatAddress(value: number): string {
  return value.toLocaleString("en");
}

export interface DenseData {
  width: number;
  rows: number;
  rowPitch: number;
  barTop: number;
  bytesPerPixel: number;
  /** Bytes of all segments. */
  totalBytes: number;
  /** HOLE share of each pixel (row by row), 0 to 255, base64. */
  shares: string;
  /** Start virtual address of each segment (Float64Array, base64). */
  starts: string;
  /** Where each segment starts in the run of bytes (Float64Array, base64). */
  offsets: string;
}

export interface MapPicture {
  svg: string;
  mode: "detail" | "dense";
  /** For a dense map: what the page's hover reads. */
  dense?: DenseData;
}

/**
 * The heap map of one snapshot, `width` pixels wide. `titles` gives each piece a <title> (a tooltip
 * where the SVG stands alone; a page shows its own).
 */
export function heapMap(snapshot: HeapSnapshot, width: number, attributes = "", titles = true): MapPicture {
  const mode = snapshot.pieces <= DETAIL_PIECES ? "detail" : "dense";
  const layout =
    mode === "detail"
      ? layoutSegments(
          snapshot.segments.map((segment) => segment.size),
          width,
          DETAIL.maxRows,
        )
      : undefined;
  const dense = mode === "dense" ? denseData(snapshot, width) : undefined;
  const rows = layout?.rows ?? dense?.rows ?? 0;
  const height = Math.max(rows * (layout !== undefined ? DETAIL.rowPitch : DENSE.rowPitch), 24);
  const open = `<svg xmlns="http://www.w3.org/2000/svg" class="heap-map ${mode}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" data-op="${snapshot.op}" data-segments="${snapshot.segments.length}" data-pieces="${snapshot.pieces}"${attributes}>`;
  if (snapshot.segments.length === 0) {
    return { mode, svg: `${open}<text class="empty" x="4" y="16" font-size="12" fill="#777">no segments: nothing is mapped</text></svg>` };
  }
  if (layout !== undefined) return { mode, svg: `${open}${detailBody(snapshot, layout, titles)}</svg>` };
  if (dense === undefined) throw new Error("unreachable: a map is detailed or dense");
  return { mode, svg: `${open}${denseBody(snapshot, dense, height)}</svg>`, dense };
}

function detailBody(snapshot: HeapSnapshot, layout: Layout, titles: boolean): string {
  const { rowPitch, barTop, barHeight } = DETAIL;
  const parts: string[] = [];
  snapshot.segments.forEach((segment, index) => {
    const slices = layout.slices.filter((slice) => slice.segment === index);
    const rects: string[] = [];
    const frames: string[] = [];
    let label = "";
    for (const slice of slices) {
      const y = slice.row * rowPitch + barTop;
      if (slice.width >= 70) {
        label = `<text class="seg-label" x="${slice.x.toFixed(2)}" y="${y - 4}" font-size="10.5" fill="#444">MAIN[${segment.start}:${segment.start + segment.size - 1}]</text>`;
      }
      frames.push(
        `<rect class="seg-frame" x="${slice.x.toFixed(2)}" y="${y}" width="${slice.width.toFixed(2)}" height="${barHeight}" fill="none" stroke="#1d2327" stroke-width="1"/>`,
      );
      for (let p = 0; p < segment.sizes.length; p++) {
        const start = (segment.virtual[p] ?? 0) - segment.start;
        const end = start + (segment.sizes[p] ?? 0);
        if (end <= slice.byteStart || start >= slice.byteEnd) continue;
        const from = Math.max(start, slice.byteStart);
        const to = Math.min(end, slice.byteEnd);
        const x = slice.x + (from - slice.byteStart) / layout.bytesPerPixel;
        const w = (to - from) / layout.bytesPerPixel;
        const type = segment.hole[p] === 1 ? "HOLE" : "PROCESS";
        const v = segment.virtual[p] ?? 0;
        const size = segment.sizes[p] ?? 0;
        const physical = segment.physicals[p] ?? 0;
        const title = `${type} [${v}:${v + size - 1}], ${formatAddress(size)} bytes, physical ${formatAddress(physical)}`;
        rects.push(
          `<rect class="piece ${type.toLowerCase()}" data-piece="${p}" data-type="${type}" data-v="${v}" data-size="${size}" data-phys="${physical}" x="${x.toFixed(2)}" y="${y}" width="${w.toFixed(3)}" height="${barHeight}" fill="${type === "HOLE" ? HOLE_COLOR : PROCESS_COLOR}"${w > 3 ? ' stroke="#fff" stroke-width="1"' : ""}>${titles ? `<title>${escapeHtml(title)}</title>` : ""}</rect>`,
        );
      }
    }
    parts.push(
      `<g class="segment" data-segment="${index}" data-start="${segment.start}" data-size="${segment.size}" data-pieces="${segment.sizes.length}">${label}${rects.join("")}${frames.join("")}</g>`,
    );
  });
  return parts.join("");
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/**
 * The HOLE share of every pixel: the segments' bytes in main-chain order, `bytesPerPixel` to a pixel,
 * `width` pixels to a row. Each HOLE adds its bytes to the pixels it covers: O(pieces + HOLE pixels).
 */
export function denseData(snapshot: HeapSnapshot, width: number): DenseData {
  const total = snapshot.segments.reduce((sum, segment) => sum + segment.size, 0);
  const bytesPerPixel = Math.max(1, total / (width * DENSE.maxRows));
  const pixels = Math.ceil(total / bytesPerPixel);
  const holeBytes = new Float64Array(pixels);
  const starts = new Float64Array(snapshot.segments.length);
  const offsets = new Float64Array(snapshot.segments.length);
  let offset = 0;
  snapshot.segments.forEach((segment, index) => {
    starts[index] = segment.start;
    offsets[index] = offset;
    for (let p = 0; p < segment.sizes.length; p++) {
      if (segment.hole[p] !== 1) continue;
      const from = offset + (segment.virtual[p] ?? 0) - segment.start;
      const to = from + (segment.sizes[p] ?? 0);
      for (let pixel = Math.floor(from / bytesPerPixel); pixel < pixels && pixel * bytesPerPixel < to; pixel++) {
        const lo = Math.max(from, pixel * bytesPerPixel);
        const hi = Math.min(to, (pixel + 1) * bytesPerPixel);
        holeBytes[pixel] = (holeBytes[pixel] ?? 0) + hi - lo;
      }
    }
    offset += segment.size;
  });
  const shares = new Uint8Array(pixels);
  for (let pixel = 0; pixel < pixels; pixel++) {
    const bytes = Math.min(bytesPerPixel, total - pixel * bytesPerPixel);
    shares[pixel] = Math.round(Math.min(1, (holeBytes[pixel] ?? 0) / bytes) * 255);
  }
  return {
    width,
    rows: Math.ceil(pixels / width),
    rowPitch: DENSE.rowPitch,
    barTop: DENSE.barTop,
    bytesPerPixel,
    totalBytes: total,
    shares: base64(shares),
    starts: base64(new Uint8Array(starts.buffer)),
    offsets: base64(new Uint8Array(offsets.buffer)),
  };
}

/** The dense map as one PNG: a bar per row, each pixel coloured by its HOLE share. */
function denseBody(snapshot: HeapSnapshot, data: DenseData, height: number): string {
  const { width, rowPitch, barTop } = data;
  const shares = Buffer.from(data.shares, "base64");
  const rgba = new Uint8Array(width * height * 4);
  const palette = Array.from({ length: 256 }, (_, share) => mixRgb(share / 255));
  for (let pixel = 0; pixel < shares.length; pixel++) {
    const row = Math.floor(pixel / width);
    const x = pixel % width;
    const [r = 0, g = 0, b = 0] = palette[shares[pixel] ?? 0] ?? [];
    for (let y = row * rowPitch + barTop; y < row * rowPitch + barTop + DENSE.barHeight; y++) {
      const at = (y * width + x) * 4;
      rgba[at] = r;
      rgba[at + 1] = g;
      rgba[at + 2] = b;
      rgba[at + 3] = 255;
    }
  }
  const png = base64(encodePng(width, height, rgba));
  const title = `${snapshot.segments.length.toLocaleString("en")} segments, ${Math.round(data.bytesPerPixel).toLocaleString("en")} bytes a pixel`;
  return `<image class="dense-map" x="0" y="0" width="${width}" height="${height}" image-rendering="pixelated" href="data:image/png;base64,${png}"><title>${escapeHtml(title)}</title></image>`;
}

/** The legend of the maps: PROCESS, HOLE and, for dense maps, the shades between. */
export function legendSvg(): string {
  const shades = Array.from(
    { length: SHADES },
    (_, i) => `<rect x="${250 + i * 14}" y="4" width="14" height="12" fill="${mix(i / (SHADES - 1))}"/>`,
  ).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" class="legend" width="640" height="20" viewBox="0 0 640 20"><rect x="0" y="4" width="14" height="12" fill="${PROCESS_COLOR}"/><text x="19" y="14" font-size="12">PROCESS</text><rect x="90" y="4" width="14" height="12" fill="${HOLE_COLOR}"/><text x="109" y="14" font-size="12">HOLE</text><text x="170" y="14" font-size="12" fill="#555">dense:</text>${shades}<text x="${256 + SHADES * 14}" y="14" font-size="12" fill="#555">share of HOLE bytes per pixel</text></svg>`;
}

/** A byte unit that suits the largest value of a chart. */
function unitFor(bytes: number): { name: string; size: number } {
  if (bytes >= 1 << 30) return { name: "GiB", size: 1 << 30 };
  if (bytes >= 1 << 20) return { name: "MiB", size: 1 << 20 };
  if (bytes >= 1 << 10) return { name: "KiB", size: 1 << 10 };
  return { name: "bytes", size: 1 };
}

/**
 * Live, mapped and HOLE bytes over the operations, one panel per lookup, the peak of mapped bytes marked;
 * the panels in rows of `columns`, each about `panelWidth` pixels wide with its axis (the page's maps').
 */
export function bytesChart(recordings: readonly HeapRecording[], columns = recordings.length, panelWidth = 530): TopLevelSpec {
  const largest = Math.max(1, ...recordings.map((r) => r.peak.mappedBytes));
  const unit = unitFor(largest);
  const panels = recordings.map((recording, index) => {
    const rows: { op: number; value: number; series: string }[] = [];
    const { op, live, mapped } = recording.series;
    for (let i = 0; i < op.length; i++) {
      const m = (mapped[i] ?? 0) / unit.size;
      const l = (live[i] ?? 0) / unit.size;
      rows.push(
        { op: op[i] ?? 0, value: m, series: "mapped" },
        { op: op[i] ?? 0, value: l, series: "live" },
        { op: op[i] ?? 0, value: m - l, series: "HOLE" },
      );
    }
    const peak = [
      {
        op: recording.peak.op,
        value: recording.peak.mappedBytes / unit.size,
        label: `peak ${formatPeak(recording.peak.mappedBytes)} at op ${formatAddress(recording.peak.op)}`,
      },
    ];
    const x = { field: "op", type: "quantitative" as const, title: "operations", axis: { format: "~s" } };
    // The label reads away from the nearer edge, so that it stays inside the panel.
    const late = recording.peak.op > recording.ops / 2;
    return {
      width: panelWidth - 90,
      height: 200,
      title: { text: recording.lookup, fontSize: 12 },
      layer: [
        {
          name: `bytes_${index}`,
          data: { values: rows },
          mark: { type: "line" as const, strokeWidth: 1.6, interpolate: "step-after" as const },
          encoding: {
            x,
            y: { field: "value", type: "quantitative" as const, title: unit.name, scale: { domain: [0, (largest / unit.size) * 1.12] } },
            color: {
              field: "series",
              type: "nominal" as const,
              scale: { domain: ["mapped", "live", "HOLE"], range: ["#1d2327", PROCESS_COLOR, "#e3a21a"] },
              legend: { title: null, orient: "top" as const },
            },
          },
        },
        { data: { values: peak }, mark: { type: "rule" as const, strokeDash: [3, 3], color: "#b33" }, encoding: { x } },
        {
          name: `peak_${index}`,
          data: { values: peak },
          mark: { type: "point" as const, shape: "triangle-down", filled: true, size: 70, color: "#b33" },
          encoding: { x, y: { field: "value", type: "quantitative" as const } },
        },
        {
          data: { values: peak },
          mark: {
            type: "text" as const,
            align: late ? ("right" as const) : ("left" as const),
            dx: late ? -6 : 6,
            dy: -8,
            fontSize: 10.5,
            color: "#b33",
          },
          encoding: { x, y: { field: "value", type: "quantitative" as const }, text: { field: "label" } },
        },
      ],
    };
  });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: "Bytes over the operations",
      subtitle: "mapped: segments' bytes; live: blocks' bytes; HOLE: mapped − live (fragmentation)",
    },
    columns: Math.max(1, columns),
    concat: panels,
  } satisfies TopLevelSpec;
}

function formatPeak(bytes: number): string {
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
  if (bytes >= 1 << 10) return `${(bytes / (1 << 10)).toFixed(1)} KiB`;
  return `${bytes} B`;
}
