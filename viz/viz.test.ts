/**
 * `mems viz` in-process: the pictures are the chains MeMS prints (every scenario's stats, against the
 * reference's expected output), the points and samples are the ones asked for, the layout scales every
 * segment alike, a dense map's pixels hold the HOLE shares, and the PNG inside it decodes.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { Mems } from "../core/index.ts";
import { parseScenario, readScenario } from "../trace/format.ts";
import { generateChurnTrace } from "../trace/generate.ts";
import { replay } from "../trace/runner.ts";
import { DETAIL_PIECES, denseData, heapMap } from "./draw.ts";
import { PAGE_WIDTH, panelLayout, recordFiles, vizOutput, vizSvg } from "./page.ts";
import { encodePng } from "./png.ts";
import { gapFor, layoutSegments } from "./rows.ts";
import {
  choosePoints,
  DEFAULT_STATS_POINTS,
  endOp,
  type HeapSnapshot,
  operationText,
  PEAK,
  peakLiveOp,
  recordHeap,
  type SegmentPicture,
} from "./snapshots.ts";

const SCENARIOS = join(import.meta.dir, "..", "scenarios");
const EXAMPLE = join(SCENARIOS, "example.mtrace");

/** The MAIN lines of each stats block of an expected output. */
function statsBlocks(text: string): string[][] {
  const blocks: string[][] = [];
  let current: string[] | undefined;
  for (const line of text.split("\n")) {
    if (line === "----- MeMS SYSTEM STATS -----") current = [];
    else if (line.startsWith("MAIN[")) current?.push(line);
    else if (line.startsWith("Pages used:") && current !== undefined) {
      blocks.push(current);
      current = undefined;
    }
  }
  return blocks;
}

/** A snapshot's segments written as the stats print them. */
function mainLines(snapshot: HeapSnapshot): string[] {
  return snapshot.segments.map((segment) => {
    const pieces = Array.from(segment.sizes, (size, p) => {
      const v = segment.virtual[p] ?? Number.NaN;
      return `${segment.hole[p] === 1 ? "H" : "P"}[${v}:${v + size - 1}] <-> `;
    });
    return `MAIN[${segment.start}:${segment.start + segment.size - 1}]-> ${pieces.join("")}NULL`;
  });
}

function segment(start: number, pieces: [type: "P" | "H", size: number][]): SegmentPicture {
  const n = pieces.length;
  const picture: SegmentPicture = {
    start,
    size: pieces.reduce((sum, [, size]) => sum + size, 0),
    physical: 7_000_000 + start,
    hole: new Uint8Array(n),
    virtual: new Float64Array(n),
    sizes: new Float64Array(n),
    physicals: new Float64Array(n),
  };
  let v = start;
  pieces.forEach(([type, size], i) => {
    picture.hole[i] = type === "H" ? 1 : 0;
    picture.virtual[i] = v;
    picture.sizes[i] = size;
    picture.physicals[i] = 7_000_000 + v;
    v += size;
  });
  return picture;
}

function snapshotOf(segments: SegmentPicture[]): HeapSnapshot {
  const pieces = segments.reduce((sum, s) => sum + s.sizes.length, 0);
  const holes = segments.reduce((sum, s) => sum + s.hole.reduce((n, h) => n + h, 0), 0);
  const mapped = segments.reduce((sum, s) => sum + s.size, 0);
  return { op: 1, why: "test", segments, mappedBytes: mapped, liveBytes: 0, pieces, holes };
}

describe("the pictures are the chains MeMS prints", () => {
  const files = readdirSync(SCENARIOS).filter((file) => file.endsWith(".mtrace"));

  for (const file of files) {
    test(`${file}: first-fit's snapshots at its s lines are its expected stats`, () => {
      const scenario = readScenario(join(SCENARIOS, file));
      const expected = statsBlocks(readFileSync(join(SCENARIOS, file.replace(/\.mtrace$/, ".expected")), "utf8"));
      const points = choosePoints(scenario, undefined).filter((point) => point.why.startsWith("s at"));
      expect(points).toHaveLength(Math.min(expected.length, DEFAULT_STATS_POINTS));
      const recording = recordHeap(scenario, { lookup: "first-fit", points, pageSize: 4096, startAddress: 1000 });
      expect(recording.error).toBeUndefined();
      expect(recording.snapshots.map(mainLines)).toEqual(expected.slice(0, points.length));
      for (const snapshot of recording.snapshots) {
        // The stats text kept with a small snapshot is MeMS's own.
        expect(snapshot.statsText?.split("\n").filter((line) => line.startsWith("MAIN["))).toEqual(mainLines(snapshot));
        expect(snapshot.pieces).toBe(snapshot.segments.reduce((sum, s) => sum + s.sizes.length, 0));
      }
    });
  }

  test("the align option rounds the pieces pictured where a scenario has no @align", () => {
    const scenario = parseScenario("a 0 3\na 1 5\ns\n", "t.mtrace");
    const sizes = (align?: 8) => {
      const [file] = recordFiles([scenario], { lookups: ["first-fit"], ...(align !== undefined && { align }) });
      return Array.from(file?.recordings[0]?.snapshots[0]?.segments[0]?.sizes ?? []);
    };
    expect(sizes()).toEqual([3, 5, 4088]);
    expect(sizes(8)).toEqual([8, 8, 4080]);
  });

  test("the example: three stats points, no separate end (nothing changes after the last), the peak at the 9th malloc", () => {
    const scenario = readScenario(EXAMPLE);
    const points = choosePoints(scenario, undefined);
    expect(points.map((point) => point.op)).toEqual([30, 34, 36]);
    expect(endOp(scenario)).toBe(39);
    const [files] = [recordFiles([scenario], { lookups: ["first-fit", "size-indexed"] })];
    const recordings = files[0]?.recordings ?? [];
    expect(recordings.map((r) => r.lookup)).toEqual(["first-fit", "size-indexed"]);
    for (const recording of recordings) {
      expect(recording.snapshots.map((s) => s.segments.map((seg) => seg.sizes.length))).toEqual([
        [5, 5, 3],
        [4, 5, 3],
        [5, 5, 3],
      ]);
      expect(recording.peak).toEqual({ op: 19, mappedBytes: 12_288 });
      // Every operation is sampled on a trace this short; the finish empties the heap.
      expect(recording.series.op).toEqual(Array.from({ length: 41 }, (_, i) => i));
      expect(recording.series.mapped[40]).toBe(0);
      expect(Math.max(...recording.series.live)).toBe(10_000);
    }
    expect(files[0]?.opText.get(34)).toBe("s");
    expect(files[0]?.opLine.get(30)).toBe(38);
  });
});

describe("points, operations and samples", () => {
  const scenario = parseScenario(["a 0 100", "a 1 200", "s", "f 0", "x", "a 2 50", "x", "x"].join("\n"), "t.mtrace");

  test("--at points, the end after them when the heap changed, each once and in order", () => {
    expect(endOp(scenario)).toBe(6);
    expect(choosePoints(scenario, [2, 2, 0]).map((p) => [p.op, p.why])).toEqual([
      [0, "--at 0"],
      [2, "--at 2"],
      [6, "end"],
    ]);
    expect(choosePoints(scenario, [6]).map((p) => p.op)).toEqual([6]);
    expect(choosePoints(scenario, undefined).map((p) => p.why)).toEqual(["s at line 3", "end"]);
    expect(endOp(parseScenario("x\nx", "t.mtrace"))).toBe(0);
  });

  test("by default the peak of live bytes too: a point of its own, or the reason of the next point that shows it unchanged", () => {
    // Live: 100, 300 (the peak, after op 2), 300 at the s line (op 3), then 200.
    const peak = peakLiveOp(scenario, { lookup: "first-fit" });
    expect(peak).toEqual({ op: 2, liveBytes: 300 });
    expect(choosePoints(scenario, undefined, peak?.op).map((p) => [p.op, p.why])).toEqual([
      [3, `s at line 3, ${PEAK}`],
      [6, "end"],
    ]);
    // No s line: the peak and the end; --at replaces both the s lines and the peak.
    const rep = parseScenario(["a 0 100", "a 1 200", "f 1", "a 2 50", "f 0", "f 2"].join("\n"), "no-stats.mtrace");
    const repPeak = peakLiveOp(rep, { lookup: "first-fit" });
    expect(choosePoints(rep, undefined, repPeak?.op).map((p) => [p.op, p.why])).toEqual([
      [2, PEAK],
      [6, "end"],
    ]);
    expect(choosePoints(rep, [4], repPeak?.op).map((p) => p.why)).toEqual(["--at 4", "end"]);
    // Counted as malloc rounds: with align 16, 3 and 5 bytes are 32 live.
    expect(peakLiveOp(parseScenario("a 0 3\na 1 5\nf 0\n", "t.mtrace"), { lookup: "size-indexed", align: 16 })).toEqual({
      op: 2,
      liveBytes: 32,
    });
    expect(peakLiveOp(parseScenario("s\n", "t.mtrace"), { lookup: "first-fit" })).toBeUndefined();
  });

  test("a malloc-lab trace's peak is where the stats, read after every operation, first show the most live bytes", () => {
    const trace = readScenario(join(SCENARIOS, "malloclab", "short2-bal.rep"));
    let most = { op: 0, liveBytes: 0 };
    const mems = new Mems({ lookup: "best-fit" });
    replay(trace, {
      mems,
      afterOp: (index) => {
        const live = mems.stats().liveBytes;
        if (live > most.liveBytes) most = { op: index + 1, liveBytes: live };
      },
    });
    expect(most.liveBytes).toBeGreaterThan(0);
    expect(peakLiveOp(trace, { lookup: "first-fit" })).toEqual(most);
    const [file] = recordFiles([trace], { lookups: ["first-fit", "size-indexed"] });
    for (const recording of file?.recordings ?? []) {
      expect(recording.snapshots.map((snapshot) => [snapshot.op, snapshot.why, snapshot.liveBytes])).toEqual([
        [most.op, PEAK, most.liveBytes],
        [endOp(trace), "end", 0],
      ]);
    }
  });

  test("a finish in the middle: the heap at each point is what it was then", () => {
    const recording = recordHeap(scenario, {
      lookup: "size-indexed",
      points: choosePoints(scenario, [0, 2, 5]),
      pageSize: 4096,
      startAddress: 0,
    });
    expect(recording.snapshots.map((s) => [s.op, s.liveBytes, s.segments.length])).toEqual([
      [0, 0, 0],
      [2, 300, 1],
      [5, 0, 0],
      [6, 50, 1],
    ]);
    expect(recording.peak.mappedBytes).toBe(4096);
  });

  test("every operation written back as its line", () => {
    const all = parseScenario(
      ["a 7 10", "w 7 0 5", "g 7 0 Read:", "v 7", "p 7 2", "r 7 20", "F 5000", "P 5000", "f 7", "f -1", "s", "e hi", "x"].join("\n"),
      "t.mtrace",
    );
    expect(Array.from({ length: all.count }, (_, i) => operationText(all, i))).toEqual([
      "a 7 10",
      "w 7 0 5",
      "g 7 0",
      "v 7",
      "p 7 2",
      "r 7 20",
      "F 5000",
      "P 5000",
      "f 7",
      "f -1",
      "s",
      "e",
      "x",
    ]);
    expect(operationText(all, 99)).toBe("");
  });

  test("a big trace is sampled, not read after every operation", () => {
    const churn = parseScenario(generateChurnTrace(9, { live: 2000, replacements: 2000 }), "churn.rep");
    const recording = recordHeap(churn, { lookup: "first-fit", points: choosePoints(churn, [3000]) });
    expect(recording.series.op.length).toBeGreaterThan(100);
    expect(recording.series.op.length).toBeLessThan(1000);
    expect(recording.snapshots.map((s) => s.why)).toEqual(["--at 3000", "end"]);
    expect(recording.snapshots[0]?.statsText).toBeUndefined(); // 2,000 blocks: too many pieces to print
    expect(recording.snapshots[1]?.liveBytes).toBe(0); // the end of a balanced trace: everything freed, nothing unmapped yet
  });
});

describe("layout", () => {
  test("the example's three pages fill three rows; small segments share a row", () => {
    const three = layoutSegments([4096, 4096, 4096], 600, 200);
    expect(three.rows).toBe(3);
    expect(three.slices.map((s) => [s.row, s.x, s.width])).toEqual([
      [0, 0, 600],
      [1, 0, 600],
      [2, 0, 600],
    ]);
    const mixed = layoutSegments([8192, 2048, 2048, 4096], 400, 200);
    expect(mixed.bytesPerPixel).toBe(8192 / 400);
    expect(mixed.slices.map((s) => s.row)).toEqual([0, 1, 1, 2]);
    expect(mixed.slices[2]?.x).toBeCloseTo(100 + gapFor(4), 9);
  });

  test("a heap too large for the rows gets a coarser scale; no segment is longer than a row", () => {
    const many = layoutSegments(
      Array.from({ length: 500 }, () => 4096),
      100,
      10,
    );
    expect(many.rows).toBeLessThanOrEqual(11);
    expect(many.gap).toBe(1); // 500 gaps of 4 pixels would take 2,000 of the 1,000 pixels
    const mixed = layoutSegments([1000, 10_000, 300], 100, 1);
    expect(mixed.slices.map((s) => s.width <= 100)).toEqual([true, true, true]);
    expect(mixed.slices.map((s) => s.byteEnd)).toEqual([1000, 10_000, 300]);
    expect(layoutSegments([], 100, 5).rows).toBe(0);
    expect([gapFor(10), gapFor(5000), gapFor(50_000)]).toEqual([4, 1, 0]);
  });
});

describe("maps", () => {
  test("detailed: one rectangle per piece with its addresses, a frame and a label per segment", () => {
    const snapshot = snapshotOf([
      segment(1000, [
        ["P", 1000],
        ["P", 1000],
        ["H", 2096],
      ]),
      segment(5096, [["H", 4096]]),
    ]);
    const map = heapMap(snapshot, 600);
    expect(map.mode).toBe("detail");
    expect(map.svg.match(/<rect class="piece /g)).toHaveLength(4);
    expect(map.svg).toContain('data-type="HOLE" data-v="3000" data-size="2096" data-phys="7003000"');
    expect(map.svg).toContain("MAIN[5096:9191]");
    expect(map.svg).toContain("<title>PROCESS [1000:1999], 1,000 bytes, physical 7,001,000</title>");
    expect(heapMap(snapshot, 600, "", false).svg).not.toContain("<title>");
    expect(heapMap(snapshotOf([]), 600).svg).toContain("nothing is mapped");
  });

  test("dense past DETAIL_PIECES pieces: one PNG, pixels holding their share of HOLE bytes", () => {
    const pieces: [type: "P" | "H", size: number][] = Array.from({ length: DETAIL_PIECES + 1 }, (_, i) => [i % 2 === 0 ? "P" : "H", 8]);
    const map = heapMap(snapshotOf([segment(0, pieces)]), 100);
    expect(map.mode).toBe("dense");
    expect(map.svg).toContain('<image class="dense-map"');
    expect(map.svg).not.toContain('class="piece');

    // 7,200 bytes at 10 pixels a row and 72 rows: 10 bytes a pixel; the second half is one HOLE.
    const half = denseData(
      snapshotOf([
        segment(1000, [["P", 3600]]),
        segment(4600, [
          ["H", 3595],
          ["P", 5],
        ]),
      ]),
      10,
    );
    expect(half.bytesPerPixel).toBe(10);
    expect(half.rows).toBe(72);
    const shares = Buffer.from(half.shares, "base64");
    expect(shares.length).toBe(720);
    expect([shares[0], shares[359], shares[360], shares[718], shares[719]]).toEqual([0, 0, 255, 255, 128]);
    expect(Array.from(new Float64Array(Buffer.from(half.starts, "base64").buffer.slice(0)))).toHaveLength(2);
  });

  test("the PNG: signature, header, and rows that inflate back to the pixels", () => {
    const rgba = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const png = encodePng(3, 2, rgba);
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = new DataView(png.buffer);
    expect([view.getUint32(16), view.getUint32(20), png[24], png[25]]).toEqual([3, 2, 8, 6]);
    const idatLength = view.getUint32(33);
    expect(String.fromCharCode(...png.subarray(37, 41))).toBe("IDAT");
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    expect(Array.from(raw)).toEqual([0, ...rgba.subarray(0, 12), 0, ...rgba.subarray(12)]);
    expect(() => encodePng(2, 2, rgba)).toThrow("24 bytes for 2x2 RGBA");
  });
});

describe("pages", () => {
  test("maps share the width: up to three side by side, every row within the page", () => {
    const layouts = [1, 2, 3, 4, 5, 6].map(panelLayout);
    expect(layouts.map((layout) => layout.columns)).toEqual([1, 2, 3, 2, 3, 3]);
    expect(layouts.map((layout) => layout.mapWidth)).toEqual([1000, 637, 411, 637, 411, 411]);
    for (const { columns, panelWidth } of layouts) expect(columns * panelWidth + (columns - 1) * 18).toBeLessThanOrEqual(PAGE_WIDTH);
  });

  test("any two lookups side by side, the same points in each", () => {
    const [file] = recordFiles([readScenario(EXAMPLE)], { lookups: ["best-fit", "worst-fit"], at: [12] });
    expect(file?.recordings.map((r) => r.lookup)).toEqual(["best-fit", "worst-fit"]);
    const [best, worst] = file?.recordings ?? [];
    expect(best?.snapshots.map((s) => s.op)).toEqual(worst?.snapshots.map((s) => s.op) ?? []);
    expect(best?.snapshots.map((s) => s.why)).toEqual(["--at 12", "end"]);
  });

  test("the page: every point, every lookup, the chart, the hover's data; the SVG: the maps alone", async () => {
    const files = recordFiles([readScenario(EXAMPLE)], { lookups: ["first-fit", "size-indexed"], at: [12] });
    const html = await vizOutput(files, "heap.html");
    expect(html.match(/<section class="point"/g)).toHaveLength(2); // --at 12 and the end
    expect(html.match(/<div class="panel" /g)).toHaveLength(4);
    expect(html).toContain('data-chart="bytes"');
    expect(html).toContain("After operation 12: <code>v 4</code> (line 18)");
    expect(html).toContain("the end (before the final finish)");
    expect(html).not.toMatch(/(src|href)="https?:/);
    const svg = await vizOutput(files, "heap.SVG");
    expect(svg).toBe(vizSvg(files));
    expect(svg.startsWith("<svg")).toBe(true);
    const pieces = files[0]?.recordings.reduce((sum, r) => sum + r.snapshots.reduce((n, s) => n + s.pieces, 0), 0);
    expect(svg.match(/<rect class="piece /g)?.length).toBe(pieces);
  });

  test("a dense map's data reaches the page, and a start before any operation is drawn empty", async () => {
    const churn = parseScenario(generateChurnTrace(4, { live: 4000, replacements: 500 }), "churn.rep");
    const files = recordFiles([churn], { lookups: ["size-indexed"], at: [0, 4500], pageSize: 4096, startAddress: 0 });
    const html = await vizOutput(files, "heap.html");
    expect(html).toContain('class="heap-map dense"');
    expect(html).toContain('"bytesPerPixel"');
    expect(html).toContain("Before the first operation");
    expect(html).toContain("nothing is mapped");
  });
});
