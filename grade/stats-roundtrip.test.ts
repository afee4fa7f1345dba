/**
 * Round trip: random MeMS states, each printed in one of many layouts of the kinds students use, with
 * debug lines between the lines and program lines between the blocks, read back to the same states.
 * Seeded; a failure names its seed and layout, and prints the output it could not read back.
 */
import { describe, expect, test } from "bun:test";
import { compareStats, type ReadPiece, type ReadSegment, type ReadStats, readStatsBlocks } from "./stats-reader.ts";

function shifted(g: ReadSegment, by: number): ReadSegment {
  return { start: g.start + by, end: g.end + by, pieces: g.pieces.map((p) => ({ ...p, start: p.start + by, end: p.end + by })) };
}

/** mulberry32: a small seeded generator, so a failure can be replayed from its seed. */
function generator(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** A MeMS state in virtual addresses from `start`: segments of whole pages tiled by pieces, never two HOLEs side by side. */
function randomState(random: (n: number) => number, start: number): ReadStats {
  const segments: ReadSegment[] = [];
  let at = start;
  for (let s = 0, count = 1 + random(4); s < count; s++) {
    const size = 4096 * (1 + random(3));
    const pieces: ReadPiece[] = [];
    let p = at;
    let previous: ReadPiece["kind"] | undefined;
    while (p < at + size) {
      const left = at + size - p;
      const length = random(3) === 0 ? left : Math.min(left, 1 + random(2500));
      const kind = previous === "HOLE" || random(2) === 0 ? "PROCESS" : "HOLE";
      pieces.push({ kind, start: p, end: p + length - 1 });
      previous = kind;
      p += length;
    }
    segments.push({ start: at, end: at + size - 1, pieces });
    at += size;
  }
  const holes = segments.flatMap((s) => s.pieces).filter((p) => p.kind === "HOLE");
  return {
    segments,
    pagesUsed: segments.reduce((n, s) => n + (s.end - s.start + 1) / 4096, 0),
    spaceUnused: holes.reduce((n, p) => n + p.end - p.start + 1, 0),
    mainChainLength: segments.length,
    subChainLengths: segments.map((s) => s.pieces.length),
  };
}

/** The same state with raw pointers: each segment anywhere, or (as mmap often does) right below the one before. */
function withRawPointers(random: (n: number) => number, state: ReadStats): ReadStats {
  const below = random(2) === 0;
  const segments: ReadSegment[] = [];
  for (const g of state.segments) {
    const last = segments.at(-1);
    const base = below && last !== undefined ? last.start - (g.end - g.start + 1) : 0x7f0000000000 + random(1 << 20) * 4096;
    segments.push(shifted(g, base - g.start));
  }
  return { ...state, segments };
}

const short = (k: ReadPiece["kind"]) => k[0] ?? "";
const hex = (n: number) => `0x${n.toString(16)}`;

type Layout = (s: ReadStats) => string[];

function courseSummary(s: ReadStats): string[] {
  return [
    `Pages used:\t${s.pagesUsed}`,
    `Space unsued:\t${s.spaceUnused}`,
    `Main Chain Length:\t${s.mainChainLength}`,
    `Sub-chain Length array: [${(s.subChainLengths ?? []).map((n) => `${n}, `).join("")}]`,
  ];
}

/** The layouts, each printing every field of a state (so reading back must give the state itself). */
const LAYOUTS: Readonly<Record<string, Layout>> = {
  course: (s) => [
    "----- MeMS SYSTEM STATS -----",
    ...s.segments.map(
      (g) => `MAIN[${g.start}:${g.end}]-> ${g.pieces.map((p) => `${short(p.kind)}[${p.start}:${p.end}] <-> `).join("")}NULL`,
    ),
    ...courseSummary(s),
    "-----------------------------",
  ],
  commas: (s) => [
    "== MeMS Stats ==",
    ...s.segments.map(
      (g) => `Main[${g.start}, ${g.end}] --> ${g.pieces.map((p) => `${p.kind}[${p.start}, ${p.end}]`).join(" <--> ")} <--> NULL`,
    ),
    `Used Pages: ${s.pagesUsed}`,
    `Unused space: ${s.spaceUnused} bytes`,
    `Length of main chain: ${s.mainChainLength}`,
    `Sub chain lengths: ${(s.subChainLengths ?? []).join(" ")}`,
  ],
  dashes: (s) => [
    ...s.segments.map(
      (g) => `MAIN[${g.start}-${g.end}]->${g.pieces.map((p) => `${short(p.kind)}_[${p.start}-${p.end}]`).join("<->")}<->NULL`,
    ),
    `Number of pages is:${s.pagesUsed}`,
    `Space unused => ${s.spaceUnused}`,
    `Main Chain Length:${s.mainChainLength}`,
    `Sub-chain Length array:[${(s.subChainLengths ?? []).join(",")},]`,
  ],
  mainNodeLines: (s) => [
    "MeMS SYSTEM STATS",
    ...s.segments.flatMap((g, i) => [
      `MainNode-${i + 1} [${g.start} : ${g.end}]`,
      ...g.pieces.map((p) => `\t${p.kind} [${p.start} : ${p.end}]`),
    ]),
    "Pages used:",
    String(s.pagesUsed),
    "Space unused:",
    String(s.spaceUnused),
    "Main Chain Length:",
    String(s.mainChainLength),
    "Sub-chain Length array:",
    `[ ${(s.subChainLengths ?? []).join("  ")} ]`,
  ],
  table: (s) => [
    "MEMS SYSTEM STATS",
    "| Segment | Type | Start | End | Size |",
    ...s.segments.flatMap((g, i) =>
      g.pieces.map((p) => `| ${i + 1} | ${p.kind.padEnd(7)} | ${p.start} | ${p.end} | ${p.end - p.start + 1} |`),
    ),
    `Pages used: ${s.pagesUsed} | Space unused: ${s.spaceUnused} | Main Chain Length: ${s.mainChainLength} | Sub-chain Length array: [${(s.subChainLengths ?? []).join(", ")}]`,
    "-------------------------------------",
  ],
  exclusive: (s) => [
    "----- MeMS SYSTEM STATS -----",
    ...s.segments.map(
      (g) => `MAIN[${g.start}:${g.end + 1}]-> ${g.pieces.map((p) => `${short(p.kind)}[${p.start}:${p.end + 1}] <-> `).join("")}NULL`,
    ),
    ...courseSummary(s),
  ],
  startSize: (s) => [
    "----- MeMS SYSTEM STATS -----",
    ...s.segments.map(
      (g) => `MAIN[${g.start}:${g.end}]-> ${g.pieces.map((p) => `${short(p.kind)}[${p.start}, ${p.end - p.start + 1}] <-> `).join("")}NULL`,
    ),
    ...courseSummary(s),
  ],
  hex: (s) => [
    "----- MeMS SYSTEM STATS -----",
    ...s.segments.map(
      (g) =>
        `MAIN[${hex(g.start)}:${hex(g.end)}]-> ${g.pieces.map((p) => `${short(p.kind)}[${hex(p.start)}:${hex(p.end)}] <-> `).join("")}NULL`,
    ),
    ...courseSummary(s),
    "-----------------------------",
  ],
  summaryFirst: (s) => [
    "MeMS SYSTEM STATS",
    ...courseSummary(s).reverse(),
    ...s.segments.map((g, i) => `Segment ${i + 1}: ${g.pieces.map((p) => `[${p.kind} ${p.start}-${p.end}]`).join(" -> ")} -> NULL`),
    "-----------------------------",
  ],
};

const DEBUG = [
  "[debug] walking the main chain",
  "mems_malloc: request of 250 bytes",
  "Virtual address: 1000",
  "searching for a free hole...",
  "p1 = 1000",
  "ptr[3] = 2000",
  "Total: 5",
  "h2 -> 4096",
];
const PROGRAM = [
  "",
  "--------- Freeing up the memory [mems_free] --------",
  "Value written: 200",
  "Virtual address: 5096\tPhysical Address: 140002",
];

/** One program's output: its blocks, each in the program's one layout, with debug and program lines. */
function output(random: (n: number) => number, layout: Layout, states: readonly ReadStats[]): string {
  const lines: string[] = [];
  for (const state of states) {
    lines.push(PROGRAM[random(PROGRAM.length)] ?? "");
    const block = layout(state);
    for (const [i, line] of block.entries()) {
      lines.push(line);
      // Debug lines inside a block, never between a label and its value on the next line.
      if (i > 0 && i < block.length - 1 && random(6) === 0 && !/:$/.test(line)) lines.push(DEBUG[random(DEBUG.length)] ?? "");
    }
  }
  return random(2) === 0 ? lines.join("\n") : `${lines.join("\n")}\n`;
}

describe("random states in every layout read back to themselves", () => {
  for (const [name, layout] of Object.entries(LAYOUTS)) {
    test(name, () => {
      for (let seed = 1; seed <= 60; seed++) {
        const random = generator(seed * 7919 + name.length);
        const start = [0, 1000, 1150, 4000][random(4)] ?? 1000;
        const course = Array.from({ length: 1 + random(3) }, () => randomState(random, start));
        const states = name === "hex" ? course.map((s) => withRawPointers(random, s)) : course;
        // One-past-the-end and [start, size] can be told from the course's way only where pieces tile.
        if ((name === "exclusive" || name === "startSize") && states.every((s) => s.segments.every((g) => g.pieces.length < 2))) continue;
        const text = output(random, layout, states);
        const readings = readStatsBlocks(text);
        const context = `seed ${seed}, layout ${name}:\n${text}`;
        expect(readings.length, context).toBe(states.length);
        for (const [i, reading] of readings.entries()) {
          if (!reading.ok) throw new Error(`${context}\n${reading.problem}`);
          expect(reading.stats, context).toEqual(states[i] as ReadStats);
          expect(compareStats(states[i] as ReadStats, reading.stats), context).toEqual([]);
          // Against the state in virtual addresses from elsewhere, as a run of the reference would print it.
          const by = 4096 * (1 + random(9));
          const reference = course[i] as ReadStats;
          const moved = { ...reference, segments: reference.segments.map((g) => shifted(g, by)) };
          expect(compareStats(moved, reading.stats, { relative: true }), context).toEqual([]);
        }
      }
    });
  }
});
