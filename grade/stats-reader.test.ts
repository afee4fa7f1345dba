/**
 * The stats reader reads every layout students print to one meaning, says what it cannot read once with
 * its line, and compareStats tells agreeing readings from disagreeing ones in sentences a student can act
 * on. Every fixture here is written for this test (the layouts are those of issue 24's survey; no
 * student's output is copied).
 */
import { describe, expect, test } from "bun:test";
import {
  compareStats,
  formatStats,
  hasRawPointers,
  isContiguous,
  missingSummaryFields,
  type ReadStats,
  readStatsBlocks,
  readStatsBlocksDetailed,
  type StatsReading,
  statsInconsistencies,
} from "./stats-reader.ts";

/** The meaning every layout below prints: two segments, four and two pieces. */
const MEANING: ReadStats = {
  segments: [
    {
      start: 1000,
      end: 5095,
      pieces: [
        { kind: "PROCESS", start: 1000, end: 1999 },
        { kind: "HOLE", start: 2000, end: 2999 },
        { kind: "PROCESS", start: 3000, end: 4999 },
        { kind: "HOLE", start: 5000, end: 5095 },
      ],
    },
    {
      start: 5096,
      end: 9191,
      pieces: [
        { kind: "PROCESS", start: 5096, end: 6095 },
        { kind: "HOLE", start: 6096, end: 9191 },
      ],
    },
  ],
  pagesUsed: 2,
  spaceUnused: 4192,
  mainChainLength: 2,
  subChainLengths: [4, 2],
};

const COURSE = `----- MeMS SYSTEM STATS -----
MAIN[1000:5095]-> P[1000:1999] <-> H[2000:2999] <-> P[3000:4999] <-> H[5000:5095] <-> NULL
MAIN[5096:9191]-> P[5096:6095] <-> H[6096:9191] <-> NULL
Pages used:\t2
Space unsued:\t4192
Main Chain Length:\t2
Sub-chain Length array: [4, 2, ]
-----------------------------
`;

/** Each layout prints MEANING exactly (same addresses, every summary field). */
const SAME_MEANING: Readonly<Record<string, string>> = {
  course: COURSE,
  "commas, long arrows, spaced": `===== MeMS SYSTEM STATS =====
MAIN[1000, 5095] --> P[1000, 1999] <--> H[2000, 2999] <--> P[3000, 4999] <--> H[5000, 5095] <--> NULL
MAIN[5096, 9191] --> P[5096, 6095] <--> H[6096, 9191] <--> NULL
Pages used: 2
Space unused: 4192
Main chain length: 2
Sub-chain length array: [4, 2, ]
==============================
`,
  "dashes, no spaces, P_ and H_": `MEMS STATS
MAIN[1000-5095]->P_[1000-1999]<->H_[2000-2999]<->P_[3000-4999]<->H_[5000-5095]<->NULL
MAIN[5096-9191]->P_[5096-6095]<->H_[6096-9191]<->NULL
Used Pages:2
Unused Space:4192
Main Chain Length:2
Sub Chain Lengths:[4,2,]
`,
  "PROCESS and HOLE words, Main[, one arrow": `Main[1000:5095] -> PROCESS[1000:1999] -> HOLE[2000:2999] -> PROCESS[3000:4999] -> HOLE[5000:5095] -> NULL
Main[5096:9191] -> PROCESS[5096:6095] -> HOLE[6096:9191] -> NULL
Number of pages is:2
Space unused: 4192 bytes
Length of main chain: 2
Sub-chain sizes: [ 4  2 ]
`,
  "labels with => and values on the next line": `--- MeMS System Stats ---
MAIN[1000:5095]-> P[1000:1999] <-> H[2000:2999] <-> P[3000:4999] <-> H[5000:5095] <-> NULL
MAIN[5096:9191]-> P[5096:6095] <-> H[6096:9191] <-> NULL
Pages used => 2
Space unused:
4192
Main Chain Length:

2
Sub-chain Length array:
4 2
`,
  "summary first, any order, bare array": `MeMS SYSTEM STATS
Sub-chain Length array: 4 2
Main Chain Length\t2
Space unused = 4192
Total pages used: 2
MAIN[1000:5095]-> P[1000:1999] <-> H[2000:2999] <-> P[3000:4999] <-> H[5000:5095] <-> NULL
MAIN[5096:9191]-> P[5096:6095] <-> H[6096:9191] <-> NULL
-----------------------------
`,
  "MainNode heading, one piece per line": `---------- MeMS SYSTEM STATS ----------
MainNode-1 [1000 : 5095]
    PROCESS [1000 : 1999]
    HOLE [2000 : 2999]
    PROCESS [3000 : 4999]
    HOLE [5000 : 5095]
MainNode-2 [5096 : 9191]
    PROCESS [5096 : 6095]
    HOLE [6096 : 9191]
Pages used: 2
Space unused: 4192
Main Chain Length: 2
Sub-chain Length array: [4, 2]
`,
  "a table row per piece, segment index first": `MeMS SYSTEM STATS
| Segment | Type    | Start | End  |
|---------|---------|-------|------|
| 1       | PROCESS | 1000  | 1999 |
| 1       | HOLE    | 2000  | 2999 |
| 1       | PROCESS | 3000  | 4999 |
| 1       | HOLE    | 5000  | 5095 |
| 2       | PROCESS | 5096  | 6095 |
| 2       | HOLE    | 6096  | 9191 |
Pages used: 2
Space unused: 4192
Main Chain Length: 2
Sub-chain Length array: [4, 2]
`,
  "a table row per piece, segment bounds first, sizes after": `main  1000 5095  P 1000 1999 1000
main  1000 5095  H 2000 2999 1000
main  1000 5095  P 3000 4999 2000
main  1000 5095  H 5000 5095 96
main  5096 9191  P 5096 6095 1000
main  5096 9191  H 6096 9191 3096
Pages used: 2
Space unused: 4192
Main Chain Length: 2
Sub-chain Length array: [4, 2]
`,
  "debug lines mixed in, no final newline": `----- MeMS SYSTEM STATS -----
[debug] walking the free list
MAIN[1000:5095]-> P[1000:1999] <-> H[2000:2999] <-> P[3000:4999] <-> H[5000:5095] <-> NULL
mems: segment 1 done, 4 nodes
MAIN[5096:9191]-> P[5096:6095] <-> H[6096:9191] <-> NULL
mems_print_stats: counting pages
Pages used:\t2
Space unsued:\t4192
Main Chain Length:\t2
Sub-chain Length array: [4, 2, ]
-----------------------------`,
  "ends printed one past the last byte": `----- MeMS SYSTEM STATS -----
MAIN[1000:5096]-> P[1000:2000] <-> H[2000:3000] <-> P[3000:5000] <-> H[5000:5096] <-> NULL
MAIN[5096:9192]-> P[5096:6096] <-> H[6096:9192] <-> NULL
Pages used: 2
Space unused: 4192
Main Chain Length: 2
Sub-chain Length array: [4, 2, ]
`,
  "pieces as [start, size]": `----- MeMS SYSTEM STATS -----
MAIN[1000:5095]-> P[1000, 1000] <-> H[2000, 1000] <-> P[3000, 2000] <-> H[5000, 96] <-> NULL
MAIN[5096:9191]-> P[5096, 1000] <-> H[6096, 3096] <-> NULL
Pages used: 2
Space unused: 4192
Main Chain Length: 2
Sub-chain Length array: [4, 2, ]
`,
  "ANSI colours": `\x1b[1;34m----- MeMS SYSTEM STATS -----\x1b[0m
\x1b[32mMAIN[1000:5095]\x1b[0m-> \x1b[31mP[1000:1999]\x1b[0m <-> \x1b[32mH[2000:2999]\x1b[0m <-> \x1b[31mP[3000:4999]\x1b[0m <-> \x1b[32mH[5000:5095]\x1b[0m <-> NULL
\x1b[32mMAIN[5096:9191]\x1b[0m-> \x1b[31mP[5096:6095]\x1b[0m <-> \x1b[32mH[6096:9191]\x1b[0m <-> NULL
Pages used:\t\x1b[33m2\x1b[0m
Space unsued:\t\x1b[33m4192\x1b[0m
Main Chain Length:\t\x1b[33m2\x1b[0m
Sub-chain Length array: \x1b[33m[4, 2, ]\x1b[0m
\x1b[1;34m-----------------------------\x1b[0m
`,
  "a rule between the chain and the summary": `----- MeMS SYSTEM STATS -----
MAIN[1000:5095]-> P[1000:1999] <-> H[2000:2999] <-> P[3000:4999] <-> H[5000:5095] <-> NULL
-----------------------------
MAIN[5096:9191]-> P[5096:6095] <-> H[6096:9191] <-> NULL
-----------------------------
Pages used:\t2
Space unsued:\t4192
Main Chain Length:\t2
Sub-chain Length array: [4, 2, ]
-----------------------------
`,
  "summary first, a rule before the chain": `MeMS SYSTEM STATS
Main Chain Length: 2
Pages used: 2
Space unused: 4192
Sub-chain Length array: [4, 2]
=============================
MAIN[1000:5095]-> P[1000:1999] <-> H[2000:2999] <-> P[3000:4999] <-> H[5000:5095] <-> NULL
MAIN[5096:9191]-> P[5096:6095] <-> H[6096:9191] <-> NULL
=============================
`,
  "CRLF line ends, hash rules": `##### MeMS STATS #####\r
MAIN[1000:5095]-> P[1000:1999] <-> H[2000:2999] <-> P[3000:4999] <-> H[5000:5095] <-> NULL\r
MAIN[5096:9191]-> P[5096:6095] <-> H[6096:9191] <-> NULL\r
Pages used: 2\r
Space unused: 4192\r
Main Chain Length: 2\r
Sub-chain Length array: [4, 2, ]\r
######################\r
`,
};

function only(output: string): ReadStats {
  const blocks = readStatsBlocks(output);
  expect(blocks).toHaveLength(1);
  const [block] = blocks;
  if (block === undefined || !block.ok) throw new Error(`not read: ${block === undefined ? "no block" : block.problem}`);
  return block.stats;
}

function problemOf(reading: StatsReading | undefined): string {
  if (reading === undefined || reading.ok) throw new Error("expected an unreadable block");
  return reading.problem;
}

describe("readStatsBlocks reads each layout to the same meaning", () => {
  for (const [name, output] of Object.entries(SAME_MEANING)) {
    test(name, () => {
      expect(only(output)).toEqual(MEANING);
    });
  }
});

describe("more layouts of the same kinds", () => {
  test("the whole summary on one line, notes and units after values", () => {
    const stats = only(`MeMS SYSTEM STATS
MAIN[1000:5095]-> P[1000:1999] <-> H[2000:2999] <-> P[3000:4999] <-> H[5000:5095] <-> NULL
MAIN[5096:9191]-> P[5096:6095] <-> H[6096:9191] <-> NULL
Pages used: 2 (8192 bytes), Space unused: 4192 bytes | Main Chain Length: 2 nodes | Sub-chain Length array: [4, 2]
`);
    expect(stats).toEqual(MEANING);
  });

  test("the type inside the brackets, segments named by number only, M[ for MAIN", () => {
    expect(
      only(`MeMS SYSTEM STATS
Segment 1: [P 1000-1999] -> [H 2000-2999] -> [P 3000-4999] -> [H 5000-5095] -> NULL
Segment 2: [P 5096-6095] -> [H 6096-9191] -> NULL
Pages used: 2
Space unused: 4192
Main Chain Length: 2
Sub-chain Length array: [4, 2]
`),
    ).toEqual(MEANING);
    expect(
      only(`M[1000:5095] P[1000:1999] H[2000:2999] P[3000:4999] H[5000:5095]
M[5096:9191] P[5096:6095] H[6096:9191]
Pages used: 2
Space unused: 4192
Main Chain Length: 2
Sub-chain Length array: [4, 2]
`),
    ).toEqual(MEANING);
  });

  test("no brackets at all: a label, a separator between the bounds", () => {
    const summary = "Number of pages used: 2\nUnused memory: 4192\nNo. of main nodes: 2\nSub chain node counts: {4, 2}\n";
    expect(
      only(`MeMS SYSTEM STATS
MAIN:1000-5095 -> P:1000-1999 -> H:2000-2999 -> P:3000-4999 -> H:5000-5095 -> NULL
MAIN:5096-9191 -> P:5096-6095 -> H:6096-9191 -> NULL
${summary}`),
    ).toEqual(MEANING);
    expect(
      only(`MeMS SYSTEM STATS
MainNode-1: 1000 - 5095
  P 1000 - 1999 | H 2000 - 2999 | P 3000 - 4999 | H 5000 - 5095
MainNode-2: 5096 to 9191
  P 5096 to 6095 | H 6096 to 9191
${summary}`),
    ).toEqual(MEANING);
  });

  test("raw pointers in decimal and in hex without 0x (%lx, 1000 read as hex on such a line)", () => {
    const decimal =
      only(`MAIN[140234567680000:140234567684095]-> P[140234567680000:140234567680999] <-> H[140234567681000:140234567681999] <-> P[140234567682000:140234567683999] <-> H[140234567684000:140234567684095] <-> NULL
MAIN[140234567000000:140234567004095]-> P[140234567000000:140234567000999] <-> H[140234567001000:140234567004095] <-> NULL
Pages used: 2
Space unused: 4192
Main Chain Length: 2
Sub-chain Length array: [4, 2]
`);
    expect(compareStats(MEANING, decimal, { relative: true })).toEqual([]);
    const [block] =
      readStatsBlocksDetailed(`MAIN[7f3a2c000000:7f3a2c000fff]-> P[7f3a2c000000:7f3a2c0003e7] <-> H[7f3a2c0003e8:7f3a2c0007cf] <-> P[7f3a2c0007d0:7f3a2c000f9f] <-> H[7f3a2c000fa0:7f3a2c000fff] <-> NULL
MAIN[7f3a2b400000:7f3a2b400fff]-> P[7f3a2b400000:7f3a2b400fff] <-> NULL
Pages used: 2
`);
    if (block === undefined || !block.reading.ok) throw new Error("not read");
    expect(block.hexAddresses).toBe(true);
    expect(block.reading.stats.segments[1]).toEqual({
      start: 0x7f3a2b400000,
      end: 0x7f3a2b400fff,
      pieces: [{ kind: "PROCESS", start: 0x7f3a2b400000, end: 0x7f3a2b400fff }],
    });
  });

  test("a summary-like debug line after complete stats does not spoil them", () => {
    const blocks = readStatsBlocks(`${COURSE.replace(/-+\n$/, "")}Pages used: recomputing\n`);
    expect(blocks).toEqual([{ ok: true, stats: MEANING }]);
  });

  test("a short hex-looking word does not make a line's numbers hex", () => {
    const stats = only("MAIN[1000:5095]-> P[1000:1999] <-> H[2000:5095] <-> NULL (node 1a)\nPages used: 1\n");
    expect(stats.segments[0]?.pieces[1]).toEqual({ kind: "HOLE", start: 2000, end: 5095 });
  });

  test("debug lines outside stats that name a piece or a summary label are not stats", () => {
    const output = `allocated P[1000:1999] for request 1
Pages used: computing...
${COURSE}P 0 1000
Virtual address: 1000
`;
    const blocks = readStatsBlocksDetailed(output);
    expect(blocks.map((b) => [b.firstLine, b.lastLine])).toEqual([[3, 10]]);
    expect(blocks[0]?.reading).toEqual({ ok: true, stats: MEANING });
  });

  test("a complete block without a closing rule ends at the next line that is not stats", () => {
    const output = `${COURSE.replace(/-+\n$/, "")}P[0] = 1000\nMeMS SYSTEM STATS\nPages used: 0\n`;
    const blocks = readStatsBlocksDetailed(output);
    expect(blocks.map((b) => [b.firstLine, b.lastLine])).toEqual([
      [1, 7],
      [9, 10],
    ]);
    expect(blocks[0]?.reading).toEqual({ ok: true, stats: MEANING });
  });
});

describe("long lines", () => {
  test("long runs of spaces, digits and pieces are read without backtracking blow-ups", () => {
    const pad = " ".repeat(20_000);
    const digits = Array.from({ length: 5_000 }, (_, i) => String(i % 10)).join("  ");
    const pieces = Array.from({ length: 2_000 }, (_, i) => `P[${1000 + i * 2}:${1001 + i * 2}]`).join(" <-> ");
    const output = `MAIN${pad}x\nP${pad}[x\n[P${pad}x\nPages used:${pad}3${pad}x\n${digits} x\n${pad}MeMS${pad}\nMAIN[1000:4999]-> ${pieces} <-> NULL\nPages used: 1\n`;
    const blocks = readStatsBlocks(output);
    expect(blocks).toHaveLength(1);
    const [block] = blocks;
    if (block === undefined || !block.ok) throw new Error("not read");
    expect(block.stats.segments[0]?.pieces).toHaveLength(2_000);
    expect(block.stats.pagesUsed).toBe(1);
  });
});

describe("layouts with other addresses or less printed", () => {
  test("start address 0, MainNode headings with spaced colons, compared relative", () => {
    const stats = only(`MainNode-1 [0 : 4095]
  P_ [0 : 999] <-> H_ [1000 : 1999] <-> P_ [2000 : 3999] <-> H_ [4000 : 4095]
MainNode-2 [4096 : 8191]
  P_ [4096 : 5095] <-> H_ [5096 : 8191]
Pages used: 2
Space unused: 4192
Main Chain Length: 2
Sub-chain Length array: [4, 2]
`);
    expect(stats.segments[0]?.start).toBe(0);
    expect(compareStats(MEANING, stats, { relative: true })).toEqual([]);
    expect(compareStats(MEANING, stats)[0]).toBe("segment 1 starts at 0 here, at 1000 expected");
  });

  test("start addresses 1150 and 4000 compare relative", () => {
    for (const start of [1150, 4000]) {
      const at = (n: number) => n - 1000 + start;
      const stats = only(
        `MAIN[${at(1000)}:${at(5095)}]-> P[${at(1000)}:${at(1999)}] <-> H[${at(2000)}:${at(2999)}] <-> P[${at(3000)}:${at(4999)}] <-> H[${at(5000)}:${at(5095)}] <-> NULL
MAIN[${at(5096)}:${at(9191)}]-> P[${at(5096)}:${at(6095)}] <-> H[${at(6096)}:${at(9191)}] <-> NULL
Pages used: 2\nSpace unused: 4192\nMain Chain Length: 2\nSub-chain Length array: [4, 2, ]\n`,
      );
      expect(stats.segments[1]?.pieces[1]).toEqual({ kind: "HOLE", start: at(6096), end: at(9191) });
      expect(compareStats(MEANING, stats, { relative: true })).toEqual([]);
    }
  });

  test("raw hex pointers: each segment compared from its own start", () => {
    const blocks = readStatsBlocksDetailed(`----- MeMS SYSTEM STATS -----
MAIN[0x7f3a2c000000:0x7f3a2c000fff]-> P[0x7f3a2c000000:0x7f3a2c0003e7] <-> H[0x7f3a2c0003e8:0x7f3a2c0007cf] <-> P[0x7f3a2c0007d0:0x7f3a2c000f9f] <-> H[0x7f3a2c000fa0:0x7f3a2c000fff] <-> NULL
MAIN[0x7f3a2b400000:0x7f3a2b400fff]-> P[0x7f3a2b400000:0x7f3a2b4003e7] <-> H[0x7f3a2b4003e8:0x7f3a2b400fff] <-> NULL
Pages used: 2
Space unused: 4192
Main Chain Length: 2
Sub-chain Length array: [4, 2, ]
`);
    expect(blocks).toHaveLength(1);
    const [block] = blocks;
    if (block === undefined || !block.reading.ok) throw new Error("not read");
    expect(block.hexAddresses).toBe(true);
    const stats = block.reading.stats;
    expect(stats.segments[0]?.start).toBe(0x7f3a2c000000);
    expect(isContiguous(stats)).toBe(false);
    expect(hasRawPointers(stats)).toBe(true);
    expect(compareStats(MEANING, stats, { relative: true })).toEqual([]);
    // A wrong piece in the second segment is still found, in the student's own (hex) addresses.
    const wrong = {
      ...stats,
      segments: [stats.segments[0], { ...stats.segments[1], pieces: stats.segments[1]?.pieces.slice(0, 1) }],
    } as ReadStats;
    expect(compareStats(MEANING, wrong, { relative: true })).toEqual([
      "segment 2: the sub-chain ends after 1 piece here, piece 2 HOLE[0x7f3a2b4003e8:0x7f3a2b400fff] expected (1 piece here, 2 expected)",
    ]);
  });

  test("missing summary lines are undefined and listed for the check's details", () => {
    const stats = only(`----- MeMS SYSTEM STATS -----
MAIN[1000:5095]-> P[1000:1999] <-> H[2000:2999] <-> P[3000:4999] <-> H[5000:5095] <-> NULL
MAIN[5096:9191]-> P[5096:6095] <-> H[6096:9191] <-> NULL
Pages used: 2
-----------------------------
`);
    expect(stats.segments).toEqual(MEANING.segments);
    expect(stats.spaceUnused).toBeUndefined();
    expect(missingSummaryFields(stats)).toEqual(["spaceUnused", "mainChainLength", "subChainLengths"]);
    expect(compareStats(MEANING, stats)).toEqual([
      "Space unused is not printed (4192 expected)",
      "Main Chain Length is not printed (2 expected)",
      "Sub-chain Length array is not printed ([4, 2] expected)",
    ]);
  });

  test("an empty system: no segments, zeros, []", () => {
    const stats = only(
      "----- MeMS SYSTEM STATS -----\nPages used:\t0\nSpace unsued:\t0\nMain Chain Length:\t0\nSub-chain Length array: []\n-----------------------------\n",
    );
    expect(stats).toEqual({ segments: [], pagesUsed: 0, spaceUnused: 0, mainChainLength: 0, subChainLengths: [] });
  });
});

describe("table rows for segments", () => {
  test("a segment row's numbers: bounds; index and bounds; bounds and size", () => {
    const pieces = "  P 1000 1999\n  H 2000 2999\n  P 3000 4999\n  H 5000 5095\n";
    const rest = "  P 5096 6095\n  H 6096 9191\nPages used: 2\nSpace unused: 4192\nMain Chain Length: 2\nSub-chain Length array: [4, 2]\n";
    expect(only(`MeMS SYSTEM STATS\nMAIN 1000 5095\n${pieces}MAIN 5096 9191\n${rest}`)).toEqual(MEANING);
    expect(only(`MeMS SYSTEM STATS\nMain 1 1000 5095\n${pieces}Main 2 5096 9191\n${rest}`)).toEqual(MEANING);
    expect(only(`MeMS SYSTEM STATS\nmain 1000 5095 4096\n${pieces}main 5096 9191 4096\n${rest}`)).toEqual(MEANING);
  });

  test("rows that cannot be told apart, one number after a kind word, and a segment with nothing in it", () => {
    expect(problemOf(readStatsBlocks("MeMS SYSTEM STATS\nMAIN 1 1000 5095 4096\n")[0])).toBe(
      'stats not readable: line 2: a main-chain row whose bounds cannot be told apart: "MAIN 1 1000 5095 4096"',
    );
    // One number after a kind word is no piece: a debug line's count, say.
    expect(readStatsBlocks("MeMS SYSTEM STATS\nMAIN 1000 5095\n  H: 5\n  H 1000 5095\n")).toEqual([
      { ok: true, stats: { segments: [{ start: 1000, end: 5095, pieces: [{ kind: "HOLE", start: 1000, end: 5095 }] }] } },
    ]);
    expect(problemOf(readStatsBlocks("MeMS SYSTEM STATS\nMain 1\nMain 2\n  P 0 4095\n")[0])).toBe(
      "stats not readable: lines 1-4: segment 1 has neither bounds nor pieces",
    );
  });
});

describe("formatStats", () => {
  test("prints a reading as the course does: every layout's reading gives the course's block", async () => {
    for (const output of Object.values(SAME_MEANING)) expect(formatStats(only(output))).toBe(COURSE);
    const example = await Bun.file(new URL("../scenarios/example.expected", import.meta.url)).text();
    const blocks = example.match(/----- MeMS SYSTEM STATS -----\n[\s\S]*?-{29}\n/g) ?? [];
    expect(blocks).toHaveLength(3);
    expect(readStatsBlocks(example).map((r) => (r.ok ? formatStats(r.stats) : r.problem))).toEqual(blocks);
  });

  test("only the summary fields read are printed", () => {
    expect(formatStats({ segments: [], pagesUsed: 0 })).toBe(
      "----- MeMS SYSTEM STATS -----\nPages used:\t0\n-----------------------------\n",
    );
  });
});

describe("statsInconsistencies", () => {
  test("each summary field against the chain shown, and pieces that do not tile", () => {
    const wrong = only(
      COURSE.replace("Space unsued:\t4192", "Space unsued:\t4000")
        .replace("Main Chain Length:\t2", "Main Chain Length:\t3")
        .replace("[4, 2, ]", "[4, 3, ]")
        .replace("P[3000:4999]", "P[3001:4999]")
        .replace("H[6096:9191]", "H[6096:9000]"),
    );
    expect(statsInconsistencies(wrong)).toEqual([
      "Space unused is 4000, but the HOLEs shown add up to 4001",
      "Main Chain Length is 3, but the main chain shown has 2",
      "Sub-chain Length array is [4, 3], but the sub-chains shown have [4, 2]",
      "segment 1: piece 3 PROCESS[3001:4999] does not start at 3000, right after what comes before it",
      "segment 2: its pieces end at 9000, but MAIN[5096:9191] ends at 9191",
    ]);
    expect(statsInconsistencies(MEANING)).toEqual([]);
  });
});

describe("an empty system printed by a loop", () => {
  test("an array label with nothing after it is an empty array, at the end of the output too", () => {
    const printed = "MeMS SYSTEM STATS\nPages used: 0\nSpace unused: 0\nMain Chain Length: 0\nSub-chain Length array: \n";
    expect(only(`${printed}----\n`)).toEqual({ segments: [], pagesUsed: 0, spaceUnused: 0, mainChainLength: 0, subChainLengths: [] });
    expect(only(printed).subChainLengths).toEqual([]);
  });
});

describe("several blocks among other lines", () => {
  test("the course's example output: three blocks, program lines ignored", async () => {
    const output = await Bun.file(new URL("../scenarios/example.expected", import.meta.url)).text();
    const blocks = readStatsBlocksDetailed(output);
    expect(blocks.map((b) => [b.firstLine, b.lastLine, b.header])).toEqual([
      [19, 27, true],
      [30, 38, true],
      [39, 47, true],
    ]);
    const [first, second] = blocks.map((b) => (b.reading.ok ? b.reading.stats : undefined));
    expect(first?.subChainLengths).toEqual([5, 5, 3]);
    expect(second?.spaceUnused).toBe(3288);
    if (first === undefined || second === undefined) throw new Error("not read");
    expect(statsInconsistencies(first)).toEqual([]);
  });

  test("headerless blocks one after another split where a field repeats or the chain starts again", () => {
    const output = `Virtual address: 1000
MAIN[1000:5095]-> P[1000:1999] <-> H[2000:5095] <-> NULL
Pages used: 1
Space unused: 3096
Virtual address: 2000
MAIN[1000:5095]-> P[1000:1999] <-> P[2000:2999] <-> H[3000:5095] <-> NULL
Pages used: 1
Space unused: 2096
Pages used: 1
Space unused: 2096
`;
    const blocks = readStatsBlocksDetailed(output);
    expect(blocks.map((b) => [b.firstLine, b.lastLine, b.header])).toEqual([
      [2, 4, false],
      [6, 8, false],
      [9, 10, false],
    ]);
    const readings = blocks.map((b) => (b.reading.ok ? b.reading.stats : undefined));
    expect(readings[1]?.segments[0]?.pieces).toHaveLength(3);
    expect(readings[2]?.segments).toEqual([]);
  });

  test("output without stats gives no blocks", () => {
    expect(readStatsBlocks("Virtual address: 1000\nValue written: 200\n--------- Printing Stats [mems_print_stats] --------\n")).toEqual(
      [],
    );
  });
});

describe("what cannot be read is said once, with its line", () => {
  test("a piece whose bound is not a number", () => {
    const blocks = readStatsBlocks(`hello
----- MeMS SYSTEM STATS -----
MAIN[1000:5095]-> P[1000:?] <-> H[2000:5095] <-> NULL
Pages used: lots
-----------------------------
`);
    expect(blocks).toHaveLength(1);
    expect(problemOf(blocks[0])).toBe(
      'stats not readable: line 3: item 2 of a main-chain line cannot be read: "MAIN[1000:5095]-> P[1000:?] <-> H[2000:5095] <-> NULL"',
    );
  });

  test("a label whose value is not a number", () => {
    const [block] = readStatsBlocks("MeMS SYSTEM STATS\nMAIN[1000:5095]-> H[1000:5095] <-> NULL\nPages used: lots\n");
    expect(problemOf(block)).toBe('stats not readable: line 3: Pages used has no value that can be read: "Pages used: lots"');
  });

  test("a label with nothing on its line or the next", () => {
    const [block] = readStatsBlocks("MeMS SYSTEM STATS\nMAIN[1000:5095]-> H[1000:5095] <-> NULL\nSpace unused:\nMain Chain Length: 1\n");
    expect(problemOf(block)).toBe('stats not readable: line 3: Space unused has no value on its line or the next: "Space unused:"');
  });

  test("a main-chain line with no bounds, and a piece before any segment", () => {
    expect(problemOf(readStatsBlocks("MeMS SYSTEM STATS\nMAIN[start:end]-> NULL\n")[0])).toBe(
      'stats not readable: line 2: a main-chain line whose bounds cannot be read: "MAIN[start:end]-> NULL"',
    );
    expect(problemOf(readStatsBlocks("MeMS SYSTEM STATS\nP[1000:1999] <-> NULL\n")[0])).toBe(
      'stats not readable: line 2: a piece before any main-chain segment: "P[1000:1999] <-> NULL"',
    );
  });

  test("an unreadable block leaves the others readable", () => {
    const readings = readStatsBlocks(`${COURSE}MeMS SYSTEM STATS\nPages used: ?\n${COURSE}`);
    expect(readings.map((r) => r.ok)).toEqual([true, false, true]);
  });
});

describe("compareStats", () => {
  test("agreeing readings give no differences, in every layout", () => {
    for (const output of Object.values(SAME_MEANING)) expect(compareStats(MEANING, only(output))).toEqual([]);
  });

  test("a wrong bound is named by segment and piece", () => {
    const actual = only(COURSE.replace("P[3000:4999] <-> H[5000:5095]", "P[3000:4899] <-> H[4900:5095]"));
    expect(compareStats(MEANING, actual)).toEqual(["segment 1: piece 3 is PROCESS[3000:4899] here, PROCESS[3000:4999] expected"]);
  });

  test("a missing merge of neighbouring HOLEs is said as such", () => {
    const actual = only(COURSE.replace("H[6096:9191]", "H[6096:7095] <-> H[7096:9191]").replace("[4, 2, ]", "[4, 3, ]"));
    expect(compareStats(MEANING, actual)).toEqual([
      "segment 2: HOLE[6096:7095] and HOLE[7096:9191] are neighbours here, one HOLE[6096:9191] expected (neighbouring HOLEs should merge) (3 pieces here, 2 expected)",
      "Sub-chain Length array is [4, 3] here, [4, 2] expected",
    ]);
  });

  test("a wrong Pages used, and stats that contradict themselves", () => {
    const actual = only(COURSE.replace("Pages used:\t2", "Pages used:\t3"));
    expect(compareStats(MEANING, actual)).toEqual(["Pages used is 3 here, 2 expected"]);
    expect(statsInconsistencies(actual)).toEqual(["Pages used is 3, but the segments shown map 8192 bytes, 2 pages of 4096"]);
  });

  test("a different start address agrees only with relative: true", () => {
    const actual = only(COURSE.replaceAll(/(?<=[A-Z]\[|:)\d+/g, (n) => String(Number(n) + 3000)));
    expect(actual.segments[0]?.start).toBe(4000);
    expect(compareStats(MEANING, actual, { relative: true })).toEqual([]);
    expect(compareStats(MEANING, actual)).toContain("segment 1 starts at 4000 here, at 1000 expected");
  });

  test("segments listed in another order are said once, then compared segment by segment", () => {
    const lines = COURSE.split("\n");
    const swapped = [lines[0], lines[2], lines[1], ...lines.slice(3)].join("\n").replace("H[6096:9191]", "H[6096:9190]");
    expect(compareStats(MEANING, only(swapped))).toEqual([
      "the main chain lists its segments in another order (starting at 5096, 1000 here, 1000, 5096 expected): a new segment goes at the tail",
      "segment 2: piece 2 is HOLE[6096:9190] here, HOLE[6096:9191] expected",
    ]);
    expect(isContiguous(only(swapped))).toBe(false);
    expect(hasRawPointers(only(swapped))).toBe(false);
    // Relative addresses count from the lowest address, not from the first segment listed.
    const moved = only(swapped.replaceAll(/(?<=[A-Z]\[|:)\d+/g, (n) => String(Number(n) - 1000)));
    expect(compareStats(MEANING, moved, { relative: true })[0]).toBe(
      "the main chain lists its segments in another order (starting at 4096, 0 here, 0, 4096 expected): a new segment goes at the tail",
    );
  });

  test("a HOLE given whole to a smaller request is said to need a split", () => {
    const actual = only(COURSE.replace("P[5096:6095] <-> H[6096:9191]", "P[5096:9191]"));
    expect(compareStats(MEANING, actual)[0]).toBe(
      "segment 2: piece 1 is PROCESS[5096:9191] here, PROCESS[5096:6095] expected, then HOLE[6096:9191] (a HOLE larger than the request should be split) (1 piece here, 2 expected)",
    );
  });

  test("a sub-chain with a piece too many", () => {
    const actual = only(COURSE.replace("H[6096:9191]", "H[6096:9191] <-> P[9192:9200]"));
    expect(compareStats(MEANING, actual)[0]).toBe(
      "segment 2: piece 3 is PROCESS[9192:9200] here, the sub-chain should end after 2 pieces (3 pieces here, 2 expected)",
    );
  });

  test("a missing segment and a wrong segment size", () => {
    const oneSegment = only(COURSE.replace(/MAIN\[5096.*\n/, ""));
    expect(compareStats(MEANING, oneSegment)).toContain("the main chain has 1 segment here, 2 expected");
    const bigger = only(COURSE.replace("MAIN[5096:9191]", "MAIN[5096:13287]"));
    expect(compareStats(MEANING, bigger)).toEqual(["segment 2 is MAIN[5096:13287] here (8192 bytes), 4096 bytes expected"]);
  });

  test("ends one past the last byte that the reader could not decide are said once", () => {
    const single = "MAIN[1000:5096]-> H[1000:5096] <-> NULL\nPages used: 1\n";
    const expected = only("MAIN[1000:5095]-> H[1000:5095] <-> NULL\nPages used: 1\n");
    expect(compareStats(expected, only(single))).toEqual([
      "every end is printed one past the last byte (MAIN[1000:5096] here, MAIN[1000:5095] expected): print the last byte",
    ]);
  });
});

describe("how bounds were read is noted", () => {
  test("bounds that two other ways fit equally well, with different ends, are read as printed and noted", () => {
    // One past the end and [start, size] both tile these pieces from 0, and neither ends the segment.
    const [block] = readStatsBlocksDetailed("MAIN[0:50000]-> P[0:1000] <-> H[1000:3000] <-> NULL\n");
    expect(block?.notes).toEqual(["bounds fit more than one way of printing them, and were read as the course prints them"]);
    expect(block?.reading).toEqual({
      ok: true,
      stats: {
        segments: [
          {
            start: 0,
            end: 50000,
            pieces: [
              { kind: "PROCESS", start: 0, end: 1000 },
              { kind: "HOLE", start: 1000, end: 3000 },
            ],
          },
        ],
      },
    });
  });

  test("boundsFrom decides how bounds are printed from more of the program's output", () => {
    const single = "MAIN[1000:5096]-> H[1000:5096] <-> NULL\nPages used: 1\n";
    const run = SAME_MEANING["ends printed one past the last byte"] ?? "";
    const hole = { kind: "HOLE", start: 1000, end: 5095 } as const;
    expect(only(single).segments[0]?.pieces[0]).toEqual({ ...hole, end: 5096 });
    const [block] = readStatsBlocksDetailed(single, { boundsFrom: run });
    expect(block?.reading).toEqual({ ok: true, stats: { segments: [{ start: 1000, end: 5095, pieces: [hole] }], pagesUsed: 1 } });
    expect(block?.notes).toHaveLength(2);
  });

  test("course bounds give no notes; exclusive ends and sizes are noted", () => {
    expect(readStatsBlocksDetailed(COURSE)[0]?.notes).toEqual([]);
    expect(readStatsBlocksDetailed(SAME_MEANING["ends printed one past the last byte"] ?? "")[0]?.notes).toEqual([
      "pieces read with each end printed one past the last byte",
      "segments read with each end printed one past the last byte",
    ]);
    expect(readStatsBlocksDetailed(SAME_MEANING["pieces as [start, size]"] ?? "")[0]?.notes).toEqual([
      "pieces read with bounds printed as [start, size]",
    ]);
  });
});
