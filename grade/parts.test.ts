/**
 * The parts of `mems grade` that need no compiler: reading a driver's output, comparing runs by meaning,
 * shrinking, the random scenarios and their .mtrace, finding submissions, the mutants' edits, scores and
 * reports. (The checks on built submissions: grade.test.ts; the sandbox: sandbox.test.ts.)
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findSubmissions, REFERENCE, SubmissionError } from "./build.ts";
import type { CheckResult } from "./checks.ts";
import { firstDifference } from "./compare.ts";
import { expectedOutput, shrink } from "./differential.ts";
import { type SubmissionResult, scoreOf } from "./grade.ts";
import { MUTANTS, mutate, referenceHeader } from "./mutants.ts";
import { allPassed, jsonReport, terminalReport } from "./report.ts";
import { howStopped, readTrace } from "./run.ts";
import type { RunResult } from "./sandbox.ts";
import { randomScenario, toMtrace, withoutOp } from "./scenarios.ts";

const run = (stdout: string, over: Partial<RunResult> = {}): RunResult => ({
  status: 0,
  signal: null,
  timedOut: false,
  stdout,
  stderr: "",
  ...over,
});

const STATS = (hole: string): string => `----- MeMS SYSTEM STATS -----
MAIN[1000:5095]-> P[1000:1099] <-> H[${hole}] <-> NULL
Pages used:\t1
Space unsued:\t3996
Main Chain Length:\t1
Sub-chain Length array: [2, ]
-----------------------------`;

/** A driver's output for `a 0 100`, `F 5`, `s`, with what the submission printed in each. */
function output(address: number, notFound: string, stats: string, end = "\n@@ 3 end\n\n@@end\n"): string {
  return `init says hi\n@@ 0 a 0 100\n\n@@= ${address}\n\n@@ 1 F 5\n${notFound}\n@@ 2 s\n${stats}\n${end}`;
}

const reference = readTrace(run(output(1000, "ADDRESS NOT FOUND!!", STATS("1100:5095"))));

describe("reading a driver's output", () => {
  test("each operation's text, address and the preamble; completed only with the end marker and status 0", () => {
    expect(reference.preamble).toBe("init says hi");
    expect(reference.ops.map((op) => [op.op, op.address, op.text.split("\n")[0]])).toEqual([
      ["a 0 100", 1000, ""],
      ["F 5", undefined, "ADDRESS NOT FOUND!!"],
      ["s", undefined, "----- MeMS SYSTEM STATS -----"],
      ["end", undefined, ""],
    ]);
    expect(reference.completed).toBe(true);
    expect(readTrace(run(output(1000, "", "", ""))).completed).toBe(false);
    expect(readTrace(run(output(1000, "", ""), { status: 1 })).completed).toBe(false);
  });

  test("driver findings and NULL are kept; how a run stopped names the operation it was in", () => {
    const trace = readTrace(
      run("\n@@ 0 a 0 5\n\n@@= null\n\n@@get null 0 3\n\n@@os mmap-length 10 4096\n\n@@ 1 s\nMAIN[", { signal: "SIGSEGV", status: null }),
    );
    expect(trace.ops[0]?.address).toBeNull();
    expect(trace.ops[0]?.get).toEqual(["null 0 3"]);
    expect(trace.ops[0]?.os).toEqual(["mmap-length 10 4096"]);
    expect(howStopped(trace)).toEqual({ verdict: "crash", reason: "SIGSEGV in mems_print_stats()" });
    expect(howStopped({ ...trace, run: run("", { timedOut: true }) }).verdict).toBe("timeout");
    expect(howStopped({ ...trace, run: run("", { signal: "SIGXCPU", status: null }) }).verdict).toBe("timeout");
    expect(howStopped({ ...trace, run: run("", { status: 1 }) })).toEqual({
      verdict: "fail",
      reason: "the program exited (status 1) in mems_print_stats()",
    });
  });
});

describe("comparing runs by meaning", () => {
  const all = { addresses: true, stats: true, notFound: true };

  test("the same run, and one with another start address, agree", () => {
    expect(firstDifference(reference, reference, all)).toBeUndefined();
    const shifted = readTrace(
      run(
        output(
          0,
          "ADDRESS NOT FOUND!!",
          STATS("1100:5095")
            .replaceAll("1000", "0")
            .replace("1100", "100")
            .replace("1099", "99")
            .replace("5095", "4095")
            .replace("5095", "4095"),
        ),
      ),
    );
    expect(firstDifference(reference, shifted, all)).toBeUndefined();
  });

  test("a missing ADDRESS NOT FOUND!!, a wrong piece and a crash are each said with the operation", () => {
    const silent = readTrace(run(output(1000, "", STATS("1100:5095"))));
    expect(firstDifference(reference, silent, all)?.reason).toBe(
      "after mems_free(start + 5) (operation 2): nothing printed ADDRESS NOT FOUND!!",
    );
    expect(firstDifference(reference, silent, { stats: true })).toBeUndefined();
    const wrong = readTrace(run(output(1000, "ADDRESS NOT FOUND!!", STATS("1100:5000").replace("<-> NULL", "<-> P[5001:5095] <-> NULL"))));
    expect(firstDifference(reference, wrong, all)?.reason).toStartWith("after mems_print_stats() (operation 3): ");
    const crashed = readTrace(run(output(1000, "ADDRESS NOT FOUND!!", "", ""), { signal: "SIGSEGV", status: null }));
    expect(firstDifference(reference, crashed, all)).toEqual({ verdict: "crash", reason: "SIGSEGV in mems_print_stats()", index: 2 });
  });

  test("stats that cannot be read are marked so; summary numbers left out fail only the stats check", () => {
    const unreadable = readTrace(run(output(1000, "ADDRESS NOT FOUND!!", "nothing to see")));
    expect(firstDifference(reference, unreadable, all)?.unreadable).toBe(true);
    const short = readTrace(run(output(1000, "ADDRESS NOT FOUND!!", STATS("1100:5095").split("\n").slice(0, 3).join("\n"))));
    expect(firstDifference(reference, short, all)).toBeUndefined();
    expect(firstDifference(reference, short, { stats: true, summary: true })?.reason).toContain("does not print Space unused");
  });
});

describe("the differential's scenarios", () => {
  test("random scenarios are seeded, and every free names a block allocated before it", () => {
    expect(randomScenario(7)).toEqual(randomScenario(7));
    expect(randomScenario(7)).not.toEqual(randomScenario(8));
    const allocated = new Set<string>();
    for (const op of randomScenario(7, 200)) {
      const [code, id] = op.split(" ");
      if (code === "a") allocated.add(id ?? "");
      if (code === "f") expect(allocated.has(id ?? "")).toBe(true);
    }
  });

  test("dropping a malloc drops the later uses of its ID", () => {
    expect(withoutOp(["a 0 10", "a 1 20", "f 0", "f 1", "s"], 0)).toEqual(["a 1 20", "f 1", "s"]);
    expect(withoutOp(["a 0 10", "f 0", "s"], 2)).toEqual(["a 0 10", "f 0"]);
  });

  test("shrinking finds the fewest operations that still diverge the same way", async () => {
    const ops = randomScenario(3, 40);
    const culprit = ops.find((op) => op.startsWith("F ")) ?? "s";
    const diverges = async (o: readonly string[]) => (o.includes(culprit) ? { verdict: "fail" as const, reason: "x" } : undefined);
    const minimal = await shrink(ops, { verdict: "fail", reason: "x" }, diverges, 1000);
    expect(minimal.ops).toEqual([culprit]);
    const crashOnly = async (o: readonly string[]) => (o.length > 3 ? { verdict: "crash" as const, reason: "y" } : undefined);
    expect((await shrink(ops, { verdict: "fail", reason: "x" }, crashOnly, 1000)).ops).toEqual(ops);
  });

  test("a scenario becomes a .mtrace that our replay runs, frees of start + N at 1000 + N", () => {
    const mtrace = toMtrace(["a 0 100", "F 50", "s"], ["note"]);
    expect(mtrace).toBe("# note\n@start 1000\n@page_size 4096\na 0 100\nF 1050\ns\n");
    expect(expectedOutput(mtrace)).toStartWith("ADDRESS NOT FOUND!!\n----- MeMS SYSTEM STATS -----\nMAIN[1000:5095]-> P[1000:1099]");
  });
});

describe("submissions", () => {
  test("a folder, a mems.h, a module and a class folder; anything else is refused", () => {
    const root = mkdtempSync(join(tmpdir(), "mems-grade-find-"));
    try {
      for (const name of ["b", "a"]) {
        mkdirSync(join(root, "class", name), { recursive: true });
        writeFileSync(join(root, "class", name, "mems.h"), "");
      }
      mkdirSync(join(root, "class", "notes"));
      writeFileSync(join(root, "seed.ts"), "");
      const found = findSubmissions([
        join(root, "class", "a"),
        join(root, "class", "b", "mems.h"),
        join(root, "seed.ts"),
        join(root, "class"),
      ]);
      expect(found.map((s) => [s.kind, s.path.replace(root, "")])).toEqual([
        ["c", "/class/a"],
        ["c", "/class/b/mems.h"],
        ["module", "/seed.ts"],
        ["c", "/class/a"],
        ["c", "/class/b"],
      ]);
      expect(() => findSubmissions([join(root, "nothing")])).toThrow(SubmissionError);
      expect(() => findSubmissions([join(root, "class", "notes")])).toThrow("holds no mems.h");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test("the package's copy of our reference is conformance/reference/mems.h, byte for byte", () => {
    expect(readFileSync(join(REFERENCE, "mems.h"), "utf8")).toBe(
      readFileSync(join(import.meta.dir, "../conformance/reference/mems.h"), "utf8"),
    );
  });

  test("every mutant's edits apply to the reference exactly once; an edit that does not is refused", () => {
    const header = referenceHeader();
    for (const mutant of MUTANTS) expect(mutate(header, mutant)).not.toBe(header);
    expect(() => mutate(header, { name: "bad", edits: [["no such text", ""]] })).toThrow("exactly once");
  });
});

describe("scores and reports", () => {
  const check = (name: CheckResult["name"], verdict: CheckResult["verdict"]): CheckResult => ({
    name,
    verdict,
    detail: `${name} ${verdict}`,
  });
  const good: SubmissionResult = {
    path: "good",
    build: "ok",
    checks: [check("builds", "pass"), check("memcheck", "skipped"), check("speed", "pass")],
    score: 100,
  };
  const bad: SubmissionResult = {
    path: "bad",
    build: "ok",
    checks: [check("builds", "pass"), check("merge", "fail"), check("get", "crash"), check("speed", "skipped")],
    score: 33,
  };

  test("the score counts judged checks only: skipped and speed do not count", () => {
    expect(scoreOf(good.checks)).toBe(100);
    expect(scoreOf(bad.checks)).toBe(33);
    expect(scoreOf([check("speed", "pass")])).toBe(0);
  });

  test("one submission is a table of its checks; a class a row each with the problems beneath", () => {
    expect(terminalReport([bad])).toContain("merge fail");
    const table = terminalReport([good, bad]);
    expect(table.split("\n")[1]).toContain("builds");
    expect(table).toContain("bad: get crash: get crash");
    expect(table).not.toContain("good: memcheck");
    expect(allPassed([good])).toBe(true);
    expect(allPassed([good, bad])).toBe(false);
  });

  test("--json has the issue's shape", () => {
    expect(JSON.parse(jsonReport([bad]))).toEqual({
      submissions: [{ path: "bad", build: "ok", checks: bad.checks.map((c) => ({ ...c })), score: 33 }],
    });
  });
});
