/**
 * The parts of `mems grade` that need no compiler: reading a driver's output, comparing runs by meaning,
 * shrinking, the random scenarios and their .mtrace, finding submissions, the mutants' edits, scores and
 * reports. (The checks on built submissions: grade.test.ts; the sandbox: sandbox.test.ts.)
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Stopped } from "../lib/stopped.ts";
import { ROOT, trackedFiles } from "../test-support/repository.ts";
import { definesPageSize, findSubmissions, firstErrors, REFERENCE_HEADER, SubmissionError } from "./build.ts";
import { type CheckResult, finishCheck, getCheck, osCallsCheck, startAddressCheck } from "./checks.ts";
import { firstDifference } from "./compare.ts";
import { expectedOutput, shrink } from "./differential.ts";
import { gradeSubmission, type SubmissionResult, scoreOf, unlessStopped } from "./grade.ts";
import { htmlReport } from "./html.ts";
import { judge, MUTANTS, mutate, referenceHeader, writeReferenceSubmission } from "./mutants.ts";
import { allPassed, jsonReport, terminalReport } from "./report.ts";
import { howStopped, readTrace } from "./run.ts";
import { type RunResult, Sandbox, SandboxError } from "./sandbox.ts";
import { randomScenario, toMtrace, withoutOp } from "./scenarios.ts";
import type { Subject } from "./subject.ts";

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
    expect(howStopped({ ...trace, run: run("", { signal: "SIGKILL", status: null }) }).verdict).toBe("timeout");
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
    const lowerCase = readTrace(run(output(1000, "Error: address not found", STATS("1100:5095"))));
    expect(firstDifference(reference, lowerCase, all)).toBeUndefined();
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

  test("our C reference is one file: the grader's is conformance/reference/mems.h, and no other file repeats it", () => {
    expect(REFERENCE_HEADER).toBe(join(ROOT, "conformance/reference/mems.h"));
    const header = readFileSync(REFERENCE_HEADER, "utf8");
    const copies = trackedFiles()
      .filter((path) => path !== "conformance/reference/mems.h" && existsSync(join(ROOT, path)))
      .filter((path) => statSync(join(ROOT, path)).size === header.length && readFileSync(join(ROOT, path), "utf8") === header);
    expect(copies).toEqual([]);
  });

  test("judging a test submission: a mutant must be caught by its check, a correct one score 100", () => {
    const graded = (score: number, checks: CheckResult[]): SubmissionResult => ({ path: "x", build: "ok", checks, score });
    const fail: CheckResult = { name: "merge", verdict: "fail", detail: "HOLEs apart" };
    const passed: CheckResult = { name: "merge", verdict: "pass", detail: "fine" };
    expect(judge({ name: "m", dir: "", caughtBy: "merge" }, graded(50, [fail]))).toBeUndefined();
    expect(judge({ name: "m", dir: "", caughtBy: "merge" }, graded(100, [passed]))).toBe("merge says pass: fine");
    expect(judge({ name: "m", dir: "", caughtBy: "split" }, graded(100, [passed]))).toBe("no split check ran");
    expect(judge({ name: "c", dir: "", caughtBy: undefined }, graded(100, [passed]))).toBeUndefined();
    expect(judge({ name: "c", dir: "", caughtBy: undefined }, graded(50, [fail, passed]))).toBe(
      "scores 50, 100 expected: merge fail: HOLEs apart",
    );
    // A grader's error judges nothing: not a catch for a mutant, not a pass for a correct one.
    const error: CheckResult = { name: "merge", verdict: "error", detail: "the grader could not run this check: bwrap: x" };
    const blame = "the grader could not run merge: the grader could not run this check: bwrap: x";
    expect(judge({ name: "m", dir: "", caughtBy: "merge" }, graded(0, [error]))).toBe(blame);
    expect(judge({ name: "c", dir: "", caughtBy: undefined }, graded(100, [passed, error]))).toBe(blame);
  });

  test("a grader's fault is a fallback; a stop goes through", async () => {
    expect(await unlessStopped(Promise.resolve(1), () => 2)).toBe(1);
    expect(await unlessStopped(Promise.reject(new Error("no fork")), (why) => why)).toBe("no fork");
    await expect(unlessStopped(Promise.reject(new Stopped("SIGINT")), () => 2)).rejects.toBeInstanceOf(Stopped);
  });

  test("every mutant's edits apply to the reference exactly once; an edit that does not is refused", () => {
    const header = referenceHeader();
    for (const mutant of MUTANTS) expect(mutate(header, mutant)).not.toBe(header);
    expect(() => mutate(header, { name: "bad", edits: [["no such text", ""]] })).toThrow("exactly once");
  });
});

/** A subject whose runs print `stdout` (what a driver would have), for the checks' own logic. */
function fakeSubject(stdout: (ops: readonly string[]) => string, over: Partial<RunResult> = {}): Subject {
  return {
    kind: "c",
    sandbox: new Sandbox(false),
    workDir: "",
    build: async () => ({ ok: true, binary: "" }),
    run: async (ops) => readTrace(run(stdout(ops), over)),
    speed: async () => "no speed",
    close: () => undefined,
  };
}

/** A driver's output for `ops`: each marker, `@@= ADDRESS` for mallocs from `start` on, the end marker. */
function driverOutput(ops: readonly string[], start: number | null, extra: Record<number, string> = {}): string {
  let next = start;
  const lines = ops.map((op, i) => {
    const address = op.startsWith("a ") ? `\n@@= ${next ?? "null"}` : "";
    if (next !== null && op.startsWith("a ")) next += Number(op.split(" ")[2]);
    return `\n@@ ${i} ${op}${address}${extra[i] ?? ""}`;
  });
  return `${lines.join("\n")}\n\n@@ ${ops.length} end\n\n@@end\n`;
}

describe("the checks' own logic, on made-up runs", () => {
  test("start-address: 1000 passes; NULL, a raw pointer in hex and a crash are said", async () => {
    expect((await startAddressCheck(fakeSubject((ops) => driverOutput(ops, 1000)))).verdict).toBe("pass");
    expect((await startAddressCheck(fakeSubject((ops) => driverOutput(ops, null)))).detail).toContain("returned NULL");
    expect((await startAddressCheck(fakeSubject((ops) => driverOutput(ops, 0x7f0000001000)))).detail).toContain(
      "0x7f0000001000 (a raw pointer)",
    );
    const crashed = await startAddressCheck(fakeSubject(() => "\n@@ 0 a 0 100\n", { signal: "SIGSEGV", status: null }));
    expect(crashed).toEqual({ name: "start-address", verdict: "crash", detail: "SIGSEGV in mems_malloc(100) of block 0" });
  });

  test("get: a NULL inside a live block, a changed byte and a crash are each said", async () => {
    const nulls = await getCheck(fakeSubject((ops) => driverOutput(ops, 1000, { 1: "\n@@get null 1 4096" })));
    expect(nulls.detail).toBe("after operation 2 (a 1 5000): mems_get(block 1 + 4096) returned NULL inside a live block");
    const crashed = await getCheck(fakeSubject(() => "\n@@ 0 a 0 100\n@@= 1000\n", { signal: "SIGSEGV", status: null }));
    expect(crashed.verdict).toBe("crash");
    expect(crashed.detail).toContain("(or in mems_get of the live blocks after it)");
    expect((await getCheck(fakeSubject((ops) => driverOutput(ops, 1000)))).verdict).toBe("pass");
  });

  test("os-calls: each finding in a student's words; a hang is a timeout", async () => {
    const said = async (finding: string) =>
      (await osCallsCheck(fakeSubject((ops) => driverOutput(ops, 1000, { 0: `\n@@os ${finding}` })))).detail;
    expect(await said("mmap-length 100 4096")).toBe("mmap of 100 bytes in a 0 100: not a multiple of PAGE_SIZE (4096)");
    expect(await said("munmap-length 100 4096")).toBe("munmap of 100 bytes in a 0 100: not a multiple of PAGE_SIZE (4096)");
    expect(await said("munmap-part 4096 0")).toContain("is not one whole mapping: unmap whole segments only");
    expect(await said("still-mapped 2 8192")).toContain("2 mapping(s) (8192 bytes) are still mapped");
    const hung = await osCallsCheck(fakeSubject(() => "\n@@ 0 a 0 100\n", { timedOut: true, status: null, signal: "SIGKILL" }));
    expect(hung).toEqual({ name: "os-calls", verdict: "timeout", detail: "hung in mems_malloc(100) of block 0" });
    expect((await osCallsCheck(fakeSubject((ops) => driverOutput(ops, 1000)))).verdict).toBe("pass");
  });

  test("finish: a system that goes on counting after mems_finish and mems_init fails", async () => {
    /** The finish scenario's output with the mallocs after the restart at `restart` on. */
    const finishRun = (restart: number) => (ops: readonly string[]) =>
      `${ops.map((op, i) => `\n@@ ${i} ${op}${op.startsWith("a ") ? `\n@@= ${[1000, 1100, 0, restart, 0, restart + 100][i]}` : ""}`).join("\n")}\n@@ ${ops.length} end\n@@end\n`;
    const reference = fakeSubject(finishRun(1000));
    expect((await finishCheck(fakeSubject(finishRun(1000)), reference, false)).verdict).toBe("pass");
    const counting = await finishCheck(fakeSubject(finishRun(9192)), reference, false);
    expect(counting).toEqual({
      name: "finish",
      verdict: "fail",
      detail: "after mems_finish and mems_init the first block is at 9192, not at the start 1000",
    });
  });
});

describe("builds, without the compiler", () => {
  test("the compiler's first errors, or what ended it", () => {
    const result = (stderr: string, over: Partial<RunResult> = {}): RunResult => ({ ...run(""), status: 1, stderr, ...over });
    expect(firstErrors(result("a.c:1: warning: w\na.c:2: error: e1\na.c:3: error: e2\na.c:4: error: e3\na.c:5: error: e4"))).toBe(
      "a.c:2: error: e1\na.c:3: error: e2\na.c:4: error: e3",
    );
    expect(firstErrors(result("collect2: something\n"))).toBe("collect2: something");
    expect(firstErrors(result(""))).toBe("the compiler exited with 1");
    expect(firstErrors(result("", { timedOut: true }))).toBe("the compiler ran out of time");
  });

  test("PAGE_SIZE as a macro is found; a file that is neither mems.h nor a module is refused", () => {
    const root = mkdtempSync(join(tmpdir(), "mems-grade-build-"));
    try {
      writeFileSync(join(root, "mems.h"), "  #  define   PAGE_SIZE 4096\n");
      expect(definesPageSize(root)).toBe(true);
      writeFileSync(join(root, "mems.h"), "static const int PAGE_SIZE = 4096;\n");
      expect(definesPageSize(root)).toBe(false);
      writeFileSync(join(root, "notes.txt"), "");
      expect(() => findSubmissions([join(root, "notes.txt")])).toThrow("neither a mems.h nor a TypeScript/JavaScript module");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
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

  test("the score counts judged checks only: skipped, the grader's errors and speed do not count", () => {
    expect(scoreOf(good.checks)).toBe(100);
    expect(scoreOf(bad.checks)).toBe(33);
    expect(scoreOf([check("speed", "pass")])).toBe(0);
    expect(scoreOf([...bad.checks, check("stats", "error")])).toBe(33);
  });

  test("a check the grader cannot run is an error, not the submission's fail; so is a build it cannot run", async () => {
    const root = mkdtempSync(join(tmpdir(), "mems-grade-errors-"));
    try {
      writeReferenceSubmission(join(root, "reference"));
      const submission = { kind: "c" as const, path: "reference", dir: join(root, "reference") };
      const options = { contained: true, scenariosDir: join(root, "scenarios"), seed: 1, only: ["example" as const] };
      // Our reference, whose runs cannot start: every check comparing with it is the grader's error.
      const sandbox = new Sandbox(true, 13);
      const broken: Subject = {
        kind: "c",
        sandbox,
        workDir: root,
        build: async () => ({ ok: true, binary: "" }),
        run: async () => {
          throw new SandboxError("the sandbox failed: bwrap: Can't fork for pid 1: Resource temporarily unavailable");
        },
        speed: async () => "no speed",
        close: () => undefined,
      };
      const graded = await gradeSubmission(submission, sandbox, broken, options);
      expect(graded.checks.map((c) => [c.name, c.verdict])).toEqual([
        ["builds", "pass"],
        ["example", "error"],
      ]);
      expect(graded.checks[1]?.detail).toBe(
        "the grader could not run this check: the sandbox failed: bwrap: Can't fork for pid 1: Resource temporarily unavailable",
      );
      expect(graded.score).toBe(100);
      expect(allPassed([graded])).toBe(false);
      // A sandbox that cannot start the build at all: the build is the grader's error, the rest skipped.
      const failing = new Sandbox(true, 13, () => {
        throw new Error("no sandbox today");
      });
      const unbuilt = await gradeSubmission(submission, failing, broken, options);
      expect({ build: unbuilt.build, checks: unbuilt.checks }).toEqual({
        build: "error",
        checks: [
          { name: "builds", verdict: "error", detail: "the grader could not build it: no sandbox today" },
          { name: "example", verdict: "skipped", detail: "the grader could not build it" },
        ],
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 30_000);

  test("a grader's error is listed with the problems, makes the grading not pass, and is coloured of its own", () => {
    const errored: SubmissionResult = { ...good, path: "errored", checks: [...good.checks, check("stats", "error")] };
    expect(allPassed([errored])).toBe(false);
    expect(terminalReport([good, errored])).toContain("errored: stats error: stats error");
    expect(terminalReport([good, errored])).toContain("ERROR");
    expect(htmlReport([errored])).toContain('<td class="verdict error"');
    expect(htmlReport([errored])).toMatch(/\.error\{background:#[0-9a-f]{6}\}/);
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
