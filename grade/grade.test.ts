/**
 * `mems grade` on submissions we write, built and run in the sandbox (issue 24, item 7), kept lean for
 * `bun test`: each built once, graded at once. Our C reference gets every check but page-size, memcheck
 * and speed (three more builds, or slow) and scores 100; a handful of mutants get only the check named for their
 * fault, which must catch it; a stats layout passes the checks that read stats; a header with a `main` builds (the command line test).
 * The whole matrix (every mutant, every layout, every check, and our seed module) is grade/matrix.ts,
 * which CI runs as a step of its own. Also here: the command line, and the class page in Chromium.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { browserPerFile } from "../test-support/browser.ts";
import { processesOf } from "../test-support/processes.ts";
import { REFERENCE, type Submission } from "./build.ts";
import type { CheckName } from "./checks.ts";
import { expectedOutput } from "./differential.ts";
import { gradeAll, gradeSubmission, type SubmissionResult } from "./grade.ts";
import { htmlReport } from "./html.ts";
import { judge, type TestSubmission, writeReferenceSubmission, writeTestSubmissions } from "./mutants.ts";
import { Sandbox, slotUid } from "./sandbox.ts";
import { ReferenceSubject } from "./subject.ts";

const ROOT = join(import.meta.dir, "..");
const root = mkdtempSync(join(tmpdir(), "mems-grade-test-"));
const browser = browserPerFile("mems-grade-page-");

/** The mutants graded here, each with only the check that must catch it. */
const QUICK: Record<string, readonly CheckName[]> = {
  "best-fit": ["first-fit", "differential"],
  "page-size-ignored": ["page-size", "memcheck", "speed"],
  "start-at-4000": ["start-address"],
  "uninitialised-space-unused": ["memcheck"],
  "finish-keeps-counting": ["finish"],
  "split-sources": ["example"],
  "merge-next-only": ["merge"],
  "get-ignores-offset": ["get"],
  "segfault-in-free": ["bad-free"],
  "no-munmap-in-finish": ["os-calls"],
  "layout-07-exclusive-ends": ["example", "stats", "merge"],
};

let submissions: TestSubmission[] = [];
const results = new Map<string, SubmissionResult>();

beforeAll(async () => {
  submissions = writeTestSubmissions(root, Object.keys(QUICK));
  writeReferenceSubmission(join(root, "reference"));
  const reference = new ReferenceSubject(new Sandbox(true, 3), REFERENCE);
  try {
    const everything = gradeAll([{ kind: "c", path: "reference", dir: join(root, "reference") }], {
      contained: true,
      scenariosDir: join(root, "scenarios"),
      seed: 1,
      skip: ["page-size", "memcheck", "speed"],
    });
    const quick = submissions.map((s, i) =>
      gradeSubmission({ kind: "c", path: s.name, dir: s.dir } as Submission, new Sandbox(true, 4 + i), reference, {
        contained: true,
        scenariosDir: join(root, "scenarios"),
        seed: 1,
        only: QUICK[s.name] ?? [],
        shrinkBudget: 12,
      }),
    );
    // A header that is not C: the build's verdict, every other check skipped.
    mkdirSync(join(root, "broken"));
    writeFileSync(join(root, "broken", "mems.h"), "this is not C\n");
    const broken = gradeSubmission({ kind: "c", path: "broken", dir: join(root, "broken") }, new Sandbox(true, 14), reference, {
      contained: true,
      scenariosDir: join(root, "scenarios"),
      seed: 1,
      skip: ["memcheck", "speed"],
    });
    // Our seed as a module: the checks that cannot apply to a module say so without running anything.
    const module = gradeSubmission(
      { kind: "module", path: "seed-module", file: join(ROOT, "core/seed.ts") },
      new Sandbox(true, 15),
      reference,
      {
        contained: true,
        scenariosDir: join(root, "scenarios"),
        seed: 1,
        only: ["start-address", "forbidden-calls", "os-calls", "page-size", "memcheck", "speed"],
      },
    );
    const [graded, seedModule, brokenResult, ...rest] = await Promise.all([everything, module, broken, ...quick]);
    results.set("seed-module", seedModule as SubmissionResult);
    results.set("broken", brokenResult as SubmissionResult);
    results.set("reference", graded?.[0] as SubmissionResult);
    rest.forEach((result, i) => {
      results.set(submissions[i]?.name ?? "", result as SubmissionResult);
    });
  } finally {
    reference.close();
  }
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("grading submissions we wrote", () => {
  test("our C reference passes every check and scores 100", () => {
    const result = results.get("reference");
    expect(result?.checks.filter((c) => c.verdict !== "pass")).toEqual([]);
    expect(result?.checks.map((c) => c.name)).toContain("differential");
    expect(result?.score).toBe(100);
  });

  test("each mutant is caught by the check named for its fault, with a reason", () => {
    const caught = submissions.map((s) => [s.name, judge(s, results.get(s.name) as SubmissionResult) ?? "ok"]);
    expect(caught).toEqual(submissions.map((s) => [s.name, "ok"]));
    const verdict = (name: string, check: CheckName) => results.get(name)?.checks.find((c) => c.name === check);
    expect(verdict("best-fit", "first-fit")?.detail).toBe(
      "after mems_malloc(150) of block 5 (operation 8): the block is at start + 500, start + 100 expected",
    );
    expect(verdict("segfault-in-free", "bad-free")?.detail).toContain("in mems_free(start + 50)");
    expect(verdict("get-ignores-offset", "get")?.detail).toContain("mems_get's offset is wrong");
    expect(verdict("no-munmap-in-finish", "os-calls")?.detail).toContain("still mapped");
    expect(verdict("page-size-ignored", "page-size")?.detail).toStartWith("with PAGE_SIZE 1024, after mems_malloc(1000) of block 1");
    expect(verdict("page-size-ignored", "memcheck")?.verdict).toBe("pass");
    expect(verdict("page-size-ignored", "speed")?.detail).toMatch(/^\d+ ns per operation on a churn trace, [0-9.]+x our C reference/);
    expect(verdict("start-at-4000", "start-address")?.detail).toStartWith("the first block starts at 4000;");
    expect(verdict("split-sources", "example")?.verdict).toBe("pass");
    expect(verdict("uninitialised-space-unused", "memcheck")?.detail).toStartWith("valgrind: ");
  });

  test("a differential divergence is shrunk and written as a .mtrace our replay runs, our output beside it", () => {
    const check = results.get("best-fit")?.checks.find((c) => c.name === "differential");
    expect(check?.verdict).toBe("fail");
    const file = /\(([^()]+\.mtrace)\)/.exec(check?.detail ?? "")?.[1] ?? "";
    const mtrace = readFileSync(file, "utf8");
    const ops = mtrace.split("\n").filter((line) => /^[a-zA-Z] /.test(line));
    expect(ops.length).toBeLessThan(12);
    expect(readFileSync(file.replace(/\.mtrace$/, ".expected"), "utf8")).toBe(expectedOutput(mtrace));
  });

  test("a build that fails is the builds check's verdict with the compiler's first error; the rest is skipped", () => {
    const result = results.get("broken");
    expect(result?.build).toBe("failed");
    expect(result?.score).toBe(0);
    expect(result?.checks[0]?.detail).toContain("error:");
    expect(result?.checks.slice(1).map((c) => c.verdict)).toEqual(result?.checks.slice(1).map(() => "skipped"));
    expect(result?.checks.length).toBe(16);
  });

  test("a module: graded through the same driver language, the checks that cannot apply say why", () => {
    const checks = results.get("seed-module")?.checks ?? [];
    expect(checks.map((c) => `${c.name} ${c.verdict}`)).toEqual([
      "builds pass",
      "forbidden-calls skipped",
      "os-calls skipped",
      "start-address pass",
      "page-size skipped",
      "memcheck skipped",
      "speed skipped",
    ]);
    expect(results.get("seed-module")?.score).toBe(100);
  });

  test("no work folder is left behind", () => {
    const left = [...new Bun.Glob("mems-grade-*").scanSync({ cwd: tmpdir(), onlyFiles: false })].filter((name) => !root.endsWith(name));
    for (const name of left) expect(existsSync(join(tmpdir(), name, "driver-default"))).toBe(false);
  });
});

describe("the command line", () => {
  const mems = (...args: string[]) => Bun.spawnSync([process.execPath, join(ROOT, "cli/main.ts"), "grade", ...args], { cwd: root });

  test("a path that is no submission, or an unknown check, is a usage error (exit 2), nothing on stdout", () => {
    for (const args of [
      [join(root, "nothing")],
      [join(root, "reference"), "--skip", "speling"],
      [join(root, "reference"), "--json", root],
    ]) {
      const run = mems(...args);
      expect(run.exitCode).toBe(2);
      expect(run.stdout.toString()).toBe("");
      expect(run.stderr.toString()).not.toBe("");
    }
  }, 30_000);

  test("a class: a row per submission, --json in the issue's shape, exit 1 when a check fails", () => {
    const only = [
      "--skip",
      "os-calls,example,start-address,first-fit,split,reuse,multi-page,bad-free,stats,finish,get,page-size,differential,memcheck,speed,forbidden-calls",
    ];
    writeTestSubmissions(root, ["main-in-header"]);
    const run = mems(join(root, "merge-next-only"), join(root, "main-in-header"), "--json", join(root, "class.json"), ...only);
    expect(run.exitCode).toBe(1);
    const lines = run.stdout.toString().split("\n");
    expect(lines.filter((line) => line.includes("merge-next-only") || line.includes("main-in-header")).length).toBeGreaterThanOrEqual(2);
    const json = JSON.parse(readFileSync(join(root, "class.json"), "utf8")) as {
      submissions: { path: string; score: number; checks: { name: string; verdict: string }[] }[];
    };
    expect(json.submissions.map((s) => [s.path.split("/").pop(), s.checks.map((c) => `${c.name} ${c.verdict}`)])).toEqual([
      ["merge-next-only", ["builds pass", "merge fail"]],
      ["main-in-header", ["builds pass", "merge pass"]],
    ]);
    expect(json.submissions.map((s) => s.score)).toEqual([50, 100]);
  }, 60_000);
});

describe("stopping", () => {
  /** mems-grade-* folders in the temporary folder. */
  const workFolders = (): string[] =>
    [...new Bun.Glob("mems-grade-*").scanSync({ cwd: tmpdir(), onlyFiles: false })].filter((name) => !root.endsWith(name));

  test("SIGINT while a submission hangs: the grader dies of it, no work folder and no sandboxed process left", async () => {
    const dir = join(root, "sleeper");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "mems.h"),
      `#include <unistd.h>
#define PAGE_SIZE 4096
static void mems_init(void) {}
static void mems_finish(void) {}
static void *mems_malloc(unsigned long size) { (void)size; for (;;) sleep(1000); }
static void mems_free(void *p) { (void)p; }
static void mems_print_stats(void) {}
static void *mems_get(void *v) { return v; }
`,
    );
    const before = new Set(workFolders());
    const child = Bun.spawn([process.execPath, join(ROOT, "cli/main.ts"), "grade", dir, "--skip", "memcheck,speed"], {
      cwd: root,
      stdout: "pipe",
      stderr: "pipe",
    });
    // Stopped once its driver is built: a new work folder holds it, and a run hangs in mems_malloc.
    const built = (): boolean => workFolders().some((name) => !before.has(name) && existsSync(join(tmpdir(), name, "driver-default")));
    for (let tries = 0; tries < 600 && !built(); tries++) await Bun.sleep(50);
    expect(built()).toBe(true);
    await Bun.sleep(300);
    child.kill("SIGINT");
    await child.exited;
    expect(child.signalCode).toBe("SIGINT");
    expect(workFolders().filter((name) => !before.has(name))).toEqual([]);
    const uids = [slotUid(child.pid, 0), slotUid(child.pid, 1)];
    for (let tries = 0; tries < 50 && processesOf(uids).length > 0; tries++) await Bun.sleep(100);
    expect(processesOf(uids)).toEqual([]);
  }, 60_000);
});

test("the class page: a row per submission, a cell per check coloured by verdict with its reason; no error, no request", async () => {
  const graded = [...results.values()];
  const file = join(browser.dir, "class.html");
  writeFileSync(file, htmlReport(graded));
  const { page, errors, requests } = await browser.chromium.open(file);
  const rows = await page.$$eval("#class tbody tr", (trs) =>
    trs.map((tr) =>
      [...tr.querySelectorAll("td.verdict")].map((td) => [
        td.className.split(" ")[1],
        (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(td).backgroundColor,
        td.getAttribute("title"),
      ]),
    ),
  );
  expect(rows.length).toBe(graded.length);
  const cells = rows.flat();
  expect(cells.length).toBe(graded.reduce((n, r) => n + r.checks.length, 0));
  const colours = new Map<string, string>();
  for (const [verdict, colour, title] of cells) {
    expect(title).not.toBe("");
    if (colours.has(verdict ?? "")) expect(colours.get(verdict ?? "")).toBe(colour ?? "");
    colours.set(verdict ?? "", colour ?? "");
  }
  expect(new Set(colours.values()).size).toBe(colours.size);
  expect(await page.$$eval("h2", (h) => h.length)).toBe(graded.length);
  expect(errors).toEqual([]);
  expect(requests).toEqual([]);
  await page.close();
}, 30_000);
