/**
 * Grading from a checkout that lives under /tmp (a user who cloned into /tmp/x, or `npx mems grade` in a
 * project there): the sandbox mounts a private tmpfs on /tmp, which must not hide the Bun that runs a
 * module's driver, the module's own folder and what it imports, or our driver. The test copies this
 * checkout into a folder of /tmp, with a Bun of its own there, and grades our seed as a module from it.
 */
import { afterAll, expect, test } from "bun:test";
import {
  chmodSync,
  copyFileSync,
  cpSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { moduleReadOnly } from "./module.ts";
import { RUN_LIMITS, Sandbox, sandboxProblem } from "./sandbox.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** What a clone holds that the copy need not: git's folder, node_modules (linked), run outputs. */
const LEFT_OUT = new Set([".git", "node_modules", "mems-grade-scenarios", "coverage", "dist", "bench/out"]);

// "/tmp" itself, not tmpdir(): the folder the sandbox shadows, whatever TMPDIR says.
const checkout = mkdtempSync("/tmp/mems-grade-checkout-");
// Readable by all, as a clone is (mkdtemp makes it 0700): the sandbox's uid is not ours when we are root.
chmodSync(checkout, 0o755);
afterAll(() => rmSync(checkout, { recursive: true, force: true }));

test("a module is graded from a checkout under /tmp, with Bun there too", async () => {
  expect(await sandboxProblem()).toBeUndefined();
  cpSync(ROOT, checkout, { recursive: true, filter: (from) => !LEFT_OUT.has(relative(ROOT, from)) });
  symlinkSync(join(ROOT, "node_modules"), join(checkout, "node_modules"));
  // A Bun of the checkout's own (as npm installs one into node_modules/bun/bin/bun.exe), under /tmp.
  const bun = join(checkout, "test-bun", "bun.exe");
  mkdirSync(join(checkout, "test-bun"));
  try {
    linkSync(process.execPath, bun);
  } catch {
    copyFileSync(process.execPath, bun);
  }
  const grading = Bun.spawn([bun, "cli/main.ts", "grade", "core/seed.ts", "--json", "grades.json", "--skip", "differential"], {
    cwd: checkout,
    stdout: "ignore",
    stderr: "pipe",
  });
  const [stderr, status] = await Promise.all([new Response(grading.stderr).text(), grading.exited]);
  const report = JSON.parse(readFileSync(join(checkout, "grades.json"), "utf8")) as {
    submissions: { build: string; score: number; checks: { name: string; verdict: string; detail: string }[] }[];
  };
  const seed = report.submissions[0];
  expect(seed?.checks.filter((c) => c.verdict !== "pass" && c.verdict !== "skipped")).toEqual([]);
  expect(seed?.build).toBe("ok");
  expect(seed?.score).toBe(100);
  expect({ status, stderr }).toEqual({ status: 0, stderr: "" });
}, 60_000);

test("a module file right in /tmp is bound alone: the rest of /tmp stays hidden from the sandbox", async () => {
  const file = join("/tmp", `mems-grade-module-${process.pid}.ts`);
  writeFileSync(file, "export const x = 1;\n");
  const sandbox = new Sandbox(true, 11);
  const work = sandbox.makeWorkDir();
  try {
    const readOnly = moduleReadOnly(file);
    expect(readOnly[0]).toBe(file);
    const seen = await sandbox.run(["ls", "-A", "/tmp"], work, RUN_LIMITS, readOnly);
    const expected = [file, work, ...readOnly.slice(1)].filter((path) => path.startsWith("/tmp/")).map((path) => path.split("/")[2] ?? "");
    expect(seen.stdout.split("\n").filter((name) => name !== "")).toEqual([...new Set(expected)].sort());
  } finally {
    sandbox.removeWorkDir(work);
    rmSync(file, { force: true });
  }
});
