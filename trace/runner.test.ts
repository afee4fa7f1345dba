/** The scenario runner: exact output of every operation, directives vs options, results, verify. */

import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOOKUPS, Mems, MemsError } from "../core/index.ts";
import { injectMmapFailures, OS_PAGE_SIZE } from "../core/testing.ts";
import { thrown } from "../test-support/thrown.ts";
import { flipByte, run, runWithResult } from "../test-support/trace.ts";
import { MALLOCLAB_DIR, mallocLabTraces } from "./corpus.ts";
import { parseScenario, readScenario } from "./format.ts";
import { maskPhysical as mask } from "./output.ts";
import { patternByte } from "./pattern.ts";
import { replay, reportLine, StaleWriteError, VerifyError } from "./runner.ts";

const ROOT = join(import.meta.dir, "..");
const EXPECTED_EXAMPLE = join(ROOT, "scenarios/example.expected");
const NOT_FOUND = "ADDRESS NOT FOUND!!\n";

afterEach(() => injectMmapFailures(0));

describe("the course's example", () => {
  const output = (() => {
    const chunks: string[] = [];
    replay(readScenario(join(ROOT, "scenarios/example.mtrace")), { out: (s) => chunks.push(s) });
    return chunks.join("");
  })();

  test("prints example.expected once physical addresses are masked", () => {
    expect(mask(output)).toBe(readFileSync(EXPECTED_EXAMPLE, "utf8"));
  });

  test("the physical address printed is the start of an OS page", () => {
    const physical = Number(/Physical Address: (\d+)/.exec(output)?.[1]);
    expect(physical).toBeGreaterThan(0);
    expect(physical % OS_PAGE_SIZE).toBe(0);
  });
});

describe("operations print exactly what the seed API prints", () => {
  test("v prints addresses; a of size 0 holds NULL", () => {
    expect(run("a 0 10\na 1 0\nv 0\nv 1\na 2 4096\nv 2\n")).toBe("Virtual address: 1000\nVirtual address: NULL\nVirtual address: 5096\n");
  });

  test("f: double free and a freed ID's stale address are not found; f -1 and NULL do nothing", () => {
    expect(run("a 0 10\na 1 0\nf 0\nf 0\nf -1\nf 1\n")).toBe(NOT_FOUND);
  });

  test("w then g round-trips int32 values, with default and given text", () => {
    expect(run("a 0 16\nw 0 0 -2147483648\nw 0 12 2147483647\ng 0 0\ng 0 12  The   max: \n")).toBe(
      "Value: -2147483648\nThe max: 2147483647\n",
    );
  });

  test("w and g through a freed ID (now in a HOLE) and a NULL ID are not found", () => {
    expect(run("a 0 16\nf 0\nw 0 0 5\ng 0 0\na 1 281474976710657\nv 1\nw 1 0 1\ng 1 4 x\n")).toBe(
      `${NOT_FOUND}${NOT_FOUND}Virtual address: NULL\n${NOT_FOUND}${NOT_FOUND}`,
    );
  });

  test("p prints virtual + offset and the physical address of that byte; not bounds-checked", () => {
    const out = run("a 0 100\na 1 50\np 0\np 0 99\np 0 120\np 0 4000\n");
    const lines = out.split("\n");
    const physical = (line: string) => Number(line.split("Physical Address: ")[1]);
    expect(lines[0]).toMatch(/^Virtual address: 1000\tPhysical Address: \d+$/);
    expect(lines[1]).toMatch(/^Virtual address: 1099\tPhysical Address: \d+$/);
    expect(physical(lines[1] ?? "") - physical(lines[0] ?? "")).toBe(99);
    expect(lines[2]).toMatch(/^Virtual address: 1120\tPhysical Address: \d+$/); // inside ID 1
    expect(lines[3]).toBe("ADDRESS NOT FOUND!!"); // inside the HOLE
    expect(lines.length).toBe(5);
  });

  test("p on a NULL or freed ID is not found", () => {
    expect(run("a 0 0\np 0\na 1 8\nf 1\np 1\n")).toBe(`${NOT_FOUND}${NOT_FOUND}`);
  });

  test("F and P take raw virtual addresses", () => {
    const out = run("a 0 8\na 1 8\nP 1008\nP 1016\nF 1004\nF 1008\nF 1008\nP 1008\n");
    expect(mask(out)).toBe(`Virtual address: 1008\tPhysical Address: PHYS\n${NOT_FOUND}${NOT_FOUND}${NOT_FOUND}${NOT_FOUND}`);
  });

  test("s prints the stats; e echoes; x finishes and the next malloc starts over", () => {
    const out = run("a 0 10\ns\ne  hi\t there \ne\nx\ns\na 1 20\nv 1\n");
    expect(out).toBe(
      [
        "----- MeMS SYSTEM STATS -----",
        "MAIN[1000:5095]-> P[1000:1009] <-> H[1010:5095] <-> NULL",
        "Pages used:\t1",
        "Space unsued:\t4086",
        "Main Chain Length:\t1",
        "Sub-chain Length array: [2, ]",
        "-----------------------------",
        " hi\t there ",
        "",
        "----- MeMS SYSTEM STATS -----",
        "Pages used:\t0",
        "Space unsued:\t0",
        "Main Chain Length:\t0",
        "Sub-chain Length array: []",
        "-----------------------------",
        "Virtual address: 1000",
        "",
      ].join("\n"),
    );
  });

  test("a freed ID still names its address after x, so f after x frees whatever is there now", () => {
    expect(run("a 0 10\nx\na 1 10\nf 0\nf 1\n")).toBe(NOT_FOUND);
  });
});

describe("realloc", () => {
  test("r on an ID not live allocates; SIZE 0 frees; the ID is then not live", () => {
    expect(run("r 0 10\nv 0\nr 0 0\nf 0\nr 0 20\nv 0\nr 1 0\nv 1\n")).toBe(
      `Virtual address: 1000\n${NOT_FOUND}Virtual address: 1000\nVirtual address: NULL\n`,
    );
  });

  test("growing copies the bytes and frees the old block; the ID names the new one", () => {
    const out = run("a 0 8\nw 0 4 77\nr 0 100\nv 0\ng 0 4\ns\n");
    expect(out).toContain("Virtual address: 1008\nValue: 77\n");
    expect(out).toContain("MAIN[1000:5095]-> H[1000:1007] <-> P[1008:1107] <-> H[1108:5095] <-> NULL");
  });

  test("shrinking keeps the first SIZE bytes", () => {
    expect(run("a 0 16\nw 0 0 5\nw 0 12 6\nr 0 4\ng 0 0\nv 0\n")).toBe("Value: 5\nVirtual address: 1016\n");
  });

  test("r on a freed ID allocates afresh (no copy, no free)", () => {
    expect(run("a 0 8\nf 0\nr 0 8\nv 0\nf 0\n")).toBe("Virtual address: 1000\n");
  });
});

describe("directives and options", () => {
  test("directives win over options", () => {
    const out = run("@page_size 100\n@start 0\na 0 150\nv 0\ns\n", { pageSize: 4096, startAddress: 1000 });
    expect(out).toContain("Virtual address: 0\n");
    expect(out).toContain("MAIN[0:199]-> P[0:149] <-> H[150:199] <-> NULL\nPages used:\t2\n");
  });

  test("options fill what the scenario leaves unsaid", () => {
    expect(run("@start 7\na 0 150\na 1 1\nv 1\n", { pageSize: 150 })).toBe("Virtual address: 157\n");
  });

  test("a given Mems is used, and must agree with the directives", () => {
    const mems = new Mems({ pageSize: 64, startAddress: 5, lookup: "size-indexed" });
    const chunks: string[] = [];
    replay(parseScenario("a 0 10\nv 0\n", "t.mtrace"), { mems, out: (s) => chunks.push(s) });
    expect(chunks.join("")).toBe("Virtual address: 5\n");
    expect(mems.stats().mainChainLength).toBe(0); // finished at the end
    expect(() => replay(parseScenario("@start 0\n", "t.mtrace"), { mems })).toThrow("startAddress");
    expect(() => replay(parseScenario("@align 8\n", "t.mtrace"), { mems })).toThrow("the scenario wants align 8, the given Mems has 1");
  });

  test("@align, or the align option where the scenario has none, rounds every block; offsets stay those asked for", () => {
    const text = "a 0 3\na 1 13\nw 1 9 -7\ng 1 9\nr 1 20\ng 1 9\nv 0\nv 1\ns\n";
    const aligned = run(`@align 8\n${text}`, { align: 16 });
    expect(aligned).toBe(run(text, { align: 8 }));
    expect(aligned).toContain("Value: -7\nValue: -7\nVirtual address: 1000\nVirtual address: 1024\n");
    expect(aligned).toContain("MAIN[1000:5095]-> P[1000:1007] <-> H[1008:1023] <-> P[1024:1047] <-> H[1048:5095] <-> NULL");
    expect(run(text)).toContain("MAIN[1000:5095]-> P[1000:1002] <-> H[1003:1015] <-> P[1016:1035]"); // the course's sizes by default
  });

  test.each(LOOKUPS)("%s: with verify, aligned blocks keep their bytes through reallocs and frees", (lookup) => {
    const text = Array.from(
      { length: 40 },
      (_, i) => `a ${i} ${1 + ((i * 37) % 90)}\n${i % 3 === 0 ? `r ${i} ${i + 5}\n` : ""}${i % 4 === 1 ? `f ${i}\n` : ""}`,
    ).join("");
    for (const align of [2, 4, 8, 16] as const) {
      const physical = new Set<number>();
      run(text, {
        lookup,
        align,
        verify: true,
        afterOp: (_i, mems, blocks) => {
          for (let slot = 0; slot < blocks.live.length; slot++)
            if (blocks.live[slot] === 1) physical.add(mems.get(blocks.handle[slot] ?? -1) % align);
          mems.checkInvariants();
        },
      });
      expect([...physical]).toEqual([0]);
    }
  });
});

describe("end of the replay, output and results", () => {
  test("finalStats prints the stats before the final finish, or of the empty system after x", () => {
    expect(run("a 0 10\n", { finalStats: true })).toContain("P[1000:1009] <-> H[1010:5095]");
    expect(run("a 0 10\nx\n", { finalStats: true })).toContain("Sub-chain Length array: []\n");
    expect(run("a 0 10\n")).toBe("");
  });

  test("quiet replays call nothing", () => {
    const s = parseScenario("a 0 10\nv 0\ns\ne hi\np 0\ng 0 0\nf 0\nf 0\n", "t.mtrace");
    const result = replay(s, { pageSize: 4096 });
    expect(result.ops).toBe(8);
  });

  test("results count operations and read MeMS's counters", () => {
    const { result } = runWithResult("a 0 100\na 1 5000\nr 0 200\nf 1\nx\na 2 10\n");
    expect(result).toMatchObject({
      file: "t.mtrace",
      ops: 6,
      mallocs: 3,
      frees: 1,
      reallocs: 1,
      pagesUsed: 3,
      peakMappedBytes: 3 * 4096,
      peakLiveBytes: 5300,
    });
    expect(result.mmapCalls).toBeGreaterThanOrEqual(2); // a region before the finish and one after (the tables may be spares)
    expect(result.bytesLeftMapped).toBe(0); // everything is unmapped by the finishes
    expect(result.munmapCalls).toBeGreaterThan(0);
    expect(result.munmapCalls).toBeLessThanOrEqual(result.mmapCalls);
    expect(result.replayMs).toBeGreaterThanOrEqual(0);
    const report = JSON.parse(reportLine(result));
    expect(report.utilization).toBeCloseTo(5300 / (3 * 4096), 10);
    expect(Object.keys(report)).toContain("bookkeepingBytes");
  });

  test("running out of memory propagates, after handing over what was printed before", () => {
    const chunks: string[] = [];
    injectMmapFailures(1);
    const s = parseScenario("e before\na 0 10\ne after\n", "t.mtrace");
    expect(() => replay(s, { out: (t) => chunks.push(t) })).toThrow(MemsError);
    expect(chunks.join("")).toBe("before\n");
  });
});

describe("verify", () => {
  test("a clean trace passes, writes and realloc copies included", () => {
    const out = run("a 0 64\nw 0 60 -1\nw 0 2 258\nr 0 200\ng 0 60\ng 0 2\nr 0 62\na 1 5000\nf 0\nx\na 2 3\n", {
      verify: true,
    });
    expect(out).toBe("Value: -1\nValue: 258\n");
  });

  test("the malloc-lab short traces pass", () => {
    for (const name of ["short1-bal.rep", "short2-bal.rep"]) {
      expect(replay(readScenario(join(MALLOCLAB_DIR, name)), { verify: true }).ops).toBe(12);
    }
  });

  // realloc-bal.rep takes longer than the other twelve together (its reallocs copy up to 600 KB each):
  // here it runs in first-fit alone; .ci/run replays every malloc-lab trace with --verify in every lookup.
  test.each(LOOKUPS)(
    "every malloc-lab trace passes in %s (realloc-bal.rep: first-fit only), every block checked before its free or realloc",
    (lookup) => {
      const traces = mallocLabTraces();
      expect(traces.length).toBe(13);
      const longest = traces.filter((trace) => trace.endsWith("/realloc-bal.rep"));
      expect(longest.length).toBe(1);
      for (const trace of lookup === "first-fit" ? traces : traces.filter((trace) => !longest.includes(trace))) {
        const scenario = readScenario(trace);
        const result = replay(scenario, { verify: true, lookup });
        expect(result.ops).toBe(scenario.header?.opCount ?? -1);
        expect(result.mallocs + result.reallocs).toBeGreaterThan(0);
      }
    },
    30_000,
  );

  test("blocks are filled with their ID's pattern", () => {
    const { output } = runWithResult("a 7 8\ng 7 0\n", { verify: true });
    const expected = [0, 1, 2, 3].reduce((word, i) => word | (patternByte(7, i) << (8 * i)), 0);
    expect(output).toBe(`Value: ${expected}\n`);
  });

  test("a write through a freed ID into another ID's block is named at the write's line", () => {
    const text = "a 0 16\nf 0\na 1 16\nw 0 4 42\ng 1 4\n";
    expect(run(text)).toBe("Value: 42\n"); // unverified, the stray write goes unnoticed
    const error = thrown(() => run(text, { verify: true }), StaleWriteError);
    expect(error).toMatchObject({ file: "t.mtrace", line: 4, id: 0, into: 1, offset: 4 });
    expect(error.message).toBe(
      "t.mtrace:4: verify: write through stale ID 0 (its block was freed) into block ID 1 at byte 4: the scenario is at fault",
    );
  });

  test("a write through an ID whose block a free through another ID took is named too; one into no block is not", () => {
    // f 0 twice: the second frees ID 1's block (at ID 0's old address); ID 2 gets it; w 1 writes into it.
    const stale = thrown(() => run("a 0 16\nf 0\na 1 16\nf 0\na 2 16\nw 1 8 7\n", { verify: true }), StaleWriteError);
    expect(stale.message).toStartWith(
      "t.mtrace:6: verify: write through stale ID 1 (its block was freed through another ID or a raw F) into block ID 2 at byte 8",
    );
    // The freed block is a HOLE: the write finds no block and writes nothing, as the seed API does.
    expect(run("a 0 16\na 1 16\nf 0\nw 0 4 42\n", { verify: true })).toBe(NOT_FOUND);
  });

  test("a byte corrupted between operations is caught before the free, at the free's line", () => {
    const text = "a 0 10\na 1 300\ne x\nf 1\n";
    const corrupt = (index: number, mems: Mems) => {
      if (index === 2) flipByte(mems, 1010 + 299);
    };
    expect(() => run(text, { verify: true, afterOp: corrupt })).toThrow(
      new VerifyError("t.mtrace", 4, 1, 299, patternByte(1, 299), patternByte(1, 299) ^ 0xff, "before free"),
    );
  });

  test("in a block with written bytes, the first corrupted byte is reported, written or not", () => {
    const text = "a 0 300\nw 0 8 -1\ne x\nf 0\n"; // bytes 8..11 hold 0xff
    const corrupting = (offsets: number[]) => (index: number, mems: Mems) => {
      if (index === 2) for (const offset of offsets) flipByte(mems, 1000 + offset);
    };
    const caught = (offsets: number[]) => {
      try {
        run(text, { verify: true, afterOp: corrupting(offsets) });
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(caught([])).toBeUndefined();
    expect(caught([9, 200])).toMatchObject({ offset: 9, expected: 0xff, actual: 0 });
    expect(caught([5, 9])).toMatchObject({ offset: 5, expected: patternByte(0, 5), actual: patternByte(0, 5) ^ 0xff });
    expect(caught([12, 299])).toMatchObject({ offset: 12, expected: patternByte(0, 12) });
    expect(caught([299])).toMatchObject({ offset: 299, expected: patternByte(0, 299) });
  });

  test("a raw F of a live ID's block stops its checks instead of raising a false alarm", () => {
    expect(run("a 0 16\nF 1000\na 1 16\nx\n", { verify: true })).toBe("");
  });
});

describe("the CLI (one process each: kept to a few)", () => {
  const cli = (...args: string[]) => {
    const run = Bun.spawnSync([process.execPath, join(ROOT, "cli/main.ts"), ...args], { cwd: ROOT });
    return { status: run.exitCode, stdout: run.stdout.toString(), stderr: run.stderr.toString() };
  };

  test("example prints the expected output", () => {
    const { status, stdout } = cli("example");
    expect(status).toBe(0);
    expect(mask(stdout)).toBe(readFileSync(EXPECTED_EXAMPLE, "utf8"));
  });

  test("a bad scenario among good ones: FILE:LINE on stderr, status 2, nothing run", () => {
    const dir = mkdtempSync(join(tmpdir(), "mems-cli-"));
    const bad = join(dir, "bad.mtrace");
    writeFileSync(bad, "e hello\na 0 8\nw 0 6 1\n");
    try {
      const { status, stdout, stderr } = cli("replay", join(ROOT, "scenarios/example.mtrace"), bad);
      expect([status, stdout, stderr]).toEqual([2, "", `${bad}:3: offset 6 + 4 is past the end of ID 0's 8-byte block\n`]);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  test("--report json prints one line per file; unknown options give status 2", () => {
    const rep = join(MALLOCLAB_DIR, "short1-bal.rep");
    const { status, stdout } = cli("replay", rep, rep, "--report", "json", "--lookup", "size-indexed", "--verify");
    expect(status).toBe(0);
    const lines = stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.length).toBe(2);
    expect(lines[0]).toMatchObject({ file: rep, ops: 12, mallocs: 6, frees: 6, reallocs: 0, bytesLeftMapped: 0 });
    expect(cli("replay", rep, "--nope").status).toBe(2);
  });
});
