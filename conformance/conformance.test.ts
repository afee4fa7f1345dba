/**
 * The conformance harness catches what it is there to catch: a wrong expected line is reported at its
 * line with both sides, a bad scenario fails on both implementations, and small real runs pass.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { goldenCases, MALLOCLAB_DIR, SCENARIOS_DIR } from "../trace/corpus.ts";
import { maskPhysical } from "../trace/output.ts";
import { compareOutputs, firstDifference } from "./compare.ts";
import {
  anyFailed,
  differentialScenario,
  formatFailures,
  formatTable,
  runConformance,
  runDifferential,
  runGolden,
  runMallocLab,
} from "./harness.ts";
import { buildReference, describeExit, HarnessError, REPLAY_BINARY, replayBinary, runReference } from "./reference.ts";
import { steadyScenario } from "./steady.ts";

let dir = "";
beforeAll(() => {
  buildReference();
  dir = mkdtempSync(join(tmpdir(), "mems-conformance-test-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh directory under the test's temp dir holding copies of the named golden scenarios. */
function goldenCopy(name: string, scenarios: readonly string[]): string {
  const target = mkdtempSync(join(dir, `${name}-`));
  for (const scenario of scenarios) {
    copyFileSync(join(SCENARIOS_DIR, `${scenario}.mtrace`), join(target, `${scenario}.mtrace`));
    copyFileSync(join(SCENARIOS_DIR, `${scenario}.expected`), join(target, `${scenario}.expected`));
  }
  return target;
}

/** Replaces line `line` (1-based) of a file. */
function alterLine(file: string, line: number, text: string): void {
  const lines = readFileSync(file, "utf8").split("\n");
  lines[line - 1] = text;
  writeFileSync(file, lines.join("\n"));
}

describe("mask and first difference", () => {
  test("physical addresses are masked, nothing else", () => {
    expect(maskPhysical("Virtual address: 1000\tPhysical Address: 140737\nPhysical Address: 7 x\n")).toBe(
      "Virtual address: 1000\tPhysical Address: PHYS\nPhysical Address: PHYS x\n",
    );
    expect(maskPhysical("Virtual address: 1000\n")).toBe("Virtual address: 1000\n");
  });

  test("the first differing line, 1-based, with both sides", () => {
    expect(firstDifference("a\nb\nc\n", "a\nb\nc\n")).toBeUndefined();
    expect(firstDifference("a\nb\nc\n", "a\nB\nc\n")).toEqual({ line: 2, left: "b", right: "B" });
    expect(firstDifference("a\n", "a\nb\n")).toEqual({ line: 2, left: "", right: "b" });
    expect(firstDifference("a\nb", "a")).toEqual({ line: 2, left: "b", right: undefined });
  });

  test("outputs that differ only in physical addresses are equal", () => {
    expect(compareOutputs("C", "Physical Address: 1\n", "TS", "Physical Address: 2\n")).toBeUndefined();
    expect(compareOutputs("expected file", "x\nValue: 7\n", "TS first-fit", "x\nValue: 8\n")).toBe(
      'line 2 differs\n  expected file: "Value: 7"\n  TS first-fit:  "Value: 8"',
    );
    expect(compareOutputs("A", "x\n", "B", "")).toContain('line 1 differs\n  A: "x"\n  B: ""');
    expect(compareOutputs("A", "x", "B", "x\ny")).toContain('B: "y"');
    expect(compareOutputs("A", "x\ny", "B", "x")).toContain("B: (end of output)");
  });
});

describe("golden", () => {
  test("the project's golden scenarios pass on both implementations", async () => {
    const result = await runGolden(goldenCases());
    expect(result.failures).toEqual([]);
    expect(result.cases).toBeGreaterThanOrEqual(2 * goldenCases().length);
  });

  test("a wrong line of an expected file fails TS and C, at that line, with both sides", async () => {
    const target = goldenCopy("altered", ["merge"]);
    alterLine(join(target, "merge.expected"), 5, "Space unsued:\t3697"); // it is 3696
    const result = await runGolden(goldenCases(target));
    expect(result).toMatchObject({ suite: "golden", cases: 2, passed: 0, failed: 2 }); // merge has `s`: no size-indexed
    expect(result.failures.map((f) => f.name)).toEqual(["merge.mtrace [TS first-fit]", "merge.mtrace [C reference]"]);
    expect(result.failures[0]?.detail).toBe(
      'line 5 differs\n  expected file: "Space unsued:\\t3697"\n  TS first-fit:  "Space unsued:\\t3696"',
    );
    expect(result.failures[1]?.detail).toBe(
      'line 5 differs\n  expected file: "Space unsued:\\t3697"\n  C reference:   "Space unsued:\\t3696"',
    );
    expect(anyFailed([result])).toBe(true);
    expect(formatFailures([result])).toContain("FAIL golden: merge.mtrace [C reference]\n  line 5 differs");
  });

  test("a hole-independent scenario is checked in size-indexed too; a missing line is caught", async () => {
    const target = goldenCopy("short", ["realloc", "merge"]);
    const expected = join(target, "realloc.expected");
    writeFileSync(expected, readFileSync(expected, "utf8").replace("kept: 33\n", ""));
    const result = await runGolden(goldenCases(target));
    expect(result).toMatchObject({ cases: 5, passed: 2, failed: 3 });
    expect(result.failures.map((f) => f.name)).toEqual([
      "realloc.mtrace [TS first-fit]",
      "realloc.mtrace [TS size-indexed]",
      "realloc.mtrace [C reference]",
    ]);
    for (const failure of result.failures) {
      expect(failure.detail).toMatch(
        /^line 7 differs\n {2}expected file: +"grow again"\n {2}(TS first-fit|TS size-indexed|C reference): +"kept: 33"$/,
      );
    }
  });

  test("a scenario that does not parse fails on both sides", async () => {
    const target = mkdtempSync(join(dir, "bad-"));
    writeFileSync(join(target, "bad.mtrace"), "a 0 10\nq 1\n");
    writeFileSync(join(target, "bad.expected"), "");
    const result = await runGolden(goldenCases(target));
    expect(result).toMatchObject({ cases: 2, failed: 2 });
    expect(result.failures[0]?.detail).toContain('bad.mtrace:2: unknown operation "q"');
    expect(result.failures[1]?.detail).toStartWith("C reference exited 2 (bad scenario)");
  });

  test("only .mtrace files with an .expected beside them are cases", () => {
    const target = goldenCopy("pairs", ["merge"]);
    writeFileSync(join(target, "lonely.mtrace"), "s\n");
    expect(goldenCases(target).map((c) => c.name)).toEqual(["merge.mtrace"]);
  });
});

describe("differential", () => {
  test("the seed alone fixes the scenario, page size and start address cycling", () => {
    expect(differentialScenario(7, 50)).toBe(differentialScenario(7, 50));
    expect(differentialScenario(0, 10)).toContain("@page_size 1024\n@start 0\n");
    expect(differentialScenario(4, 10)).toContain("@page_size 4096\n@start 1000\n");
    expect(differentialScenario(5, 10)).toContain("@page_size 8192\n@start 1000\n");
  });

  test("an alignment adds its @align line and nothing else; alignment 1 is the course's text", () => {
    const course = differentialScenario(7, 50);
    expect(course).not.toContain("@align");
    expect(differentialScenario(7, 50, 1)).toBe(course);
    expect(differentialScenario(7, 50, 8)).toBe(course.replace(/(@start \d+\n)/, "$1@align 8\n"));
  });

  test("5 seeds of 200 operations pass at alignments 1 and 8, one case each, in two worker processes", async () => {
    const result = await runDifferential({ cases: 5, firstSeed: 101, ops: 200, jobs: 2 });
    expect(result.failures).toEqual([]);
    expect(result).toMatchObject({ suite: "differential", cases: 10, passed: 10, failed: 0 });
  }, 30_000);

  test("5 random scenarios of 200 operations pass on both implementations at alignment 16, in this process", async () => {
    const result = await runDifferential({ cases: 5, firstSeed: 201, ops: 200, aligns: [16], jobs: 1 });
    expect(result.failures).toEqual([]);
    expect(result).toMatchObject({ suite: "differential", cases: 5, passed: 5, failed: 0 });
  });

  test("the hole-independent part drops what depends on the hole chosen", () => {
    const text = [
      "@page_size 1024",
      "a 0 16",
      "w 0 0 5",
      "g 0 0",
      "v 0",
      "p 0",
      "s",
      "F 1000",
      "P 1000",
      "f 0",
      "f 0 # twice: stale",
      "w 0 0 1",
      "g 0 0",
      "r 1 8 # not live: as a",
      "g 1 4",
      "r 1 0",
      "g 1 4",
      "a 2 0",
      "f 2",
      "f -1",
      "a 3 8",
      "x",
      "g 3 0",
      "e done",
    ].join("\n");
    expect(steadyScenario(text)).toBe(
      [
        "@page_size 1024",
        "a 0 16",
        "w 0 0 5",
        "g 0 0",
        "f 0",
        "r 1 8 # not live: as a",
        "g 1 4",
        "r 1 0",
        "a 2 0",
        "f -1",
        "a 3 8",
        "x",
        "e done",
      ].join("\n"),
    );
  });
});

describe("malloclab and the whole run", () => {
  test("a malloc-lab trace's final stats agree", async () => {
    const result = await runMallocLab([join(MALLOCLAB_DIR, "short1-bal.rep")]);
    expect(result).toMatchObject({ suite: "malloclab", cases: 1, passed: 1, failed: 0 });
  });

  test("a trace that does not parse fails", async () => {
    const trace = join(dir, "broken.rep");
    writeFileSync(trace, "0\n2\n5\n1\na 0 8\n"); // the header says 5 operations
    const result = await runMallocLab([trace]);
    expect(result.failed).toBe(1);
    expect(result.failures[0]?.detail).toContain("malloc-lab header says 5 operations, the trace has 1");
  });

  test("suites are filtered and run in order; the table has one row per suite", async () => {
    const golden = goldenCopy("whole", ["empty_stats"]);
    const results = await runConformance({
      suites: ["malloclab", "golden"],
      cases: 1,
      firstSeed: 1,
      ops: 10,
      goldenDir: golden,
      mallocLabDir: MALLOCLAB_DIR,
    });
    expect(results.map((r) => r.suite)).toEqual(["golden", "malloclab"]);
    expect(anyFailed(results)).toBe(false);
    const table = formatTable(results);
    for (const word of ["suite", "cases", "passed", "failed", "seconds", "golden", "malloclab"]) expect(table).toContain(word);
    expect(formatFailures(results)).toBe("");
  }, 30_000); // every malloc-lab trace through the C reference and TypeScript: seconds under load

  test("a reference that does not build stops the run with make's output", () => {
    const broken = mkdtempSync(join(dir, "make-"));
    writeFileSync(join(broken, "Makefile"), "all:\n\t@echo cc: no such compiler >&2; exit 1\n");
    expect(() => buildReference(broken)).toThrow(HarnessError);
    expect(() => buildReference(broken)).toThrow(/failed \(exit 2\):\ncc: no such compiler/);
  });

  test("each alignment has its own build of replay, and a build refuses another alignment", async () => {
    expect(replayBinary(1)).toBe(REPLAY_BINARY);
    expect(replayBinary(8)).toBe(`${REPLAY_BINARY}-align8`);
    expect(() => replayBinary(4)).toThrow("no C reference is built for alignment 4 (make builds 1, 8, 16)");
    const file = join(SCENARIOS_DIR, "align8.mtrace");
    const wrong = await runReference([file], 16);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toBe(`${file}:3: alignment 8 needs replay built with MEMS_ALIGN=8 (this one has 16)\n`);
    const right = await runReference(["--check", file], 8);
    expect(maskPhysical(right.stdout)).toBe(readFileSync(join(SCENARIOS_DIR, "align8.expected"), "utf8"));
  });

  test("a reference run that did not exit 0 is described", () => {
    expect(describeExit({ status: 3, stdout: "", stderr: "line 4: invariant broken: x\n" })).toBe(
      "C reference exited 3 (an invariant broke (--check)): line 4: invariant broken: x",
    );
    expect(describeExit({ status: 1, stdout: "", stderr: "" })).toBe("C reference exited 1 (error): (no message)");
  });
});
