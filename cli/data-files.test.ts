/**
 * A data file or folder a command needs and cannot find (a clone without scenarios/ or
 * scenarios/malloclab/) is one line naming it, exit status 2, nothing on stdout: never a raw ENOENT
 * (issue 22, item 1). Each case runs the CLI of a copy of the code, in a temporary folder, without them.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");
const CODE = ["cli", "core", "lib", "trace", "conformance", "bench", "record", "viz", "grade", "package.json"];
const base = mkdtempSync(join(tmpdir(), "mems-data-files-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A copy of the code with the scenario files that `keep` accepts (paths relative to scenarios/). */
function copyWithout(name: string, keep: (path: string) => boolean): string {
  const copy = join(base, name);
  for (const part of CODE) {
    cpSync(join(ROOT, part), join(copy, part), { recursive: true, filter: (source) => !source.startsWith(join(ROOT, "bench/out")) });
  }
  const scenarios = join(ROOT, "scenarios");
  cpSync(scenarios, join(copy, "scenarios"), {
    recursive: true,
    filter: (source) => source === scenarios || keep(source.slice(scenarios.length + 1)),
  });
  symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"));
  return copy;
}

/** The CLI of `copy`; a run that goes past 20 s (work that should not have started) is killed. */
function cli(copy: string, args: string[]) {
  const run = Bun.spawnSync([process.execPath, join(copy, "cli/main.ts"), ...args], { cwd: copy, timeout: 20_000 });
  return { status: run.exitCode, stdout: run.stdout.toString(), stderr: run.stderr.toString() };
}

const missing = (path: string): string => `${path}: no such file or directory (mems needs it; it comes with the MeMS repository)\n`;

describe("without scenarios/malloclab/", () => {
  let copy = "";
  beforeAll(() => {
    copy = copyWithout("no-malloclab", (path) => !path.startsWith("malloclab"));
  });

  test.each([
    ["conformance --suite malloclab", ["conformance", "--suite", "malloclab"]],
    ["conformance (every suite)", ["conformance"]],
    ["bench --quick --filter churn-100", ["bench", "--quick", "--filter", "churn-100"]],
  ])("%s: one line naming the folder, exit 2", (_name, args) => {
    const run = cli(copy, args);
    expect([run.status, run.stdout, run.stderr]).toEqual([2, "", missing(join(copy, "scenarios/malloclab"))]);
  });

  test("example still runs", () => {
    expect(cli(copy, ["example"]).status).toBe(0);
  });
});

describe("without scenarios/", () => {
  let copy = "";
  beforeAll(() => {
    copy = copyWithout("no-scenarios", () => false);
    rmSync(join(copy, "scenarios"), { recursive: true });
  });

  test.each([
    ["example", ["example"], "scenarios/example.mtrace"],
    ["conformance --suite golden", ["conformance", "--suite", "golden"], "scenarios"],
  ])("%s: one line naming what is missing, exit 2", (_name, args, path) => {
    const run = cli(copy, args);
    expect([run.status, run.stdout, run.stderr]).toEqual([2, "", missing(join(copy, path))]);
  });
});
