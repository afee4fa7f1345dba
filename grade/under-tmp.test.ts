/**
 * Grading from a checkout that lives under /tmp (a user who cloned into /tmp/x, or `npx mems grade` in a
 * project there): the sandbox mounts a private tmpfs on /tmp, which must not hide the Bun that runs a
 * module's driver, the module's own folder and what it imports, or our driver. The test copies this
 * checkout into a folder of /tmp, with a Bun of its own there, and grades our seed as a module from it.
 * As root, the same from inside a folder only root may enter (as /root is): the sandbox's uid cannot
 * reach it, so the reaper stages what the run must see (grade/reaper.c, --stage).
 */
import { afterAll, expect, test } from "bun:test";
import {
  chmodSync,
  copyFileSync,
  cpSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { moduleReadOnly } from "./module.ts";
import { closedAncestor, RUN_LIMITS, Sandbox, SandboxError, sandboxProblem } from "./sandbox.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** What a clone holds that the copy need not: git's folder, node_modules (linked), run outputs. */
const LEFT_OUT = new Set([".git", "node_modules", "mems-grade-scenarios", "coverage", "dist", "bench/out"]);

// "/tmp" itself, not tmpdir(): the folder the sandbox shadows, whatever TMPDIR says.
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A copy of this checkout (readable by all, as a clone is) in folder `parent`, with a Bun of its own; our seed graded as a module from it. */
async function gradeSeedFrom(parent: string): Promise<void> {
  expect(await sandboxProblem()).toBeUndefined();
  const checkout = join(parent, "mems");
  mkdirSync(checkout, { mode: 0o755 });
  chmodSync(checkout, 0o755);
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
}

test("a module is graded from a checkout under /tmp, with Bun there too", async () => {
  const parent = mkdtempSync("/tmp/mems-grade-checkout-");
  made.push(parent);
  chmodSync(parent, 0o755);
  await gradeSeedFrom(parent);
}, 60_000);

test.if(process.getuid?.() === 0)(
  "as root, a module is graded from a checkout inside a folder only root may enter, with Bun there too",
  async () => {
    const parent = mkdtempSync("/tmp/mems-grade-closed-");
    made.push(parent);
    chmodSync(parent, 0o700);
    expect(closedAncestor(join(parent, "mems", "core", "seed.ts"))).toBe(parent);
    await gradeSeedFrom(parent);
  },
  60_000,
);

test.if(process.getuid?.() === 0)("as root, a module folder others may not enter is refused with what to do", async () => {
  const folder = mkdtempSync("/tmp/mems-grade-private-");
  made.push(folder);
  const sandbox = new Sandbox(true, 12);
  const work = sandbox.makeWorkDir();
  try {
    await expect(sandbox.run(["true"], work, RUN_LIMITS, [folder])).rejects.toThrow(
      new SandboxError(
        `the sandbox's unprivileged uid cannot enter ${folder} (mode 700): let others enter and read it (chmod o+rx), or grade as another user than root`,
      ),
    );
  } finally {
    sandbox.removeWorkDir(work);
  }
});

test.if(process.getuid?.() === 0)("as root, a run sees a file inside a folder only root may enter, staged for that run alone", async () => {
  const closed = mkdtempSync("/tmp/mems-grade-closed-");
  made.push(closed);
  const file = join(closed, "inside.txt");
  writeFileSync(file, "inside\n");
  chmodSync(file, 0o644);
  const stages = (): string[] => readdirSync(tmpdir()).filter((name) => name.startsWith("mems-stage-"));
  const before = stages();
  const sandbox = new Sandbox(true, 12);
  const work = sandbox.makeWorkDir();
  try {
    const seen = await sandbox.run(["sh", "-c", `cat ${file}; ls -A ${closed}`], work, RUN_LIMITS, [file]);
    expect({ status: seen.status, stdout: seen.stdout }).toEqual({ status: 0, stdout: "inside\ninside.txt\n" });
    expect(stages()).toEqual(before);
  } finally {
    sandbox.removeWorkDir(work);
  }
});

test("closedAncestor names the first folder above a path that others may not enter", () => {
  const modes: Record<string, number> = { "/a": 0o40755, "/a/b": 0o40700, "/a/b/c": 0o40711 };
  const modeOf = (folder: string): number => modes[folder] ?? 0o40755;
  expect(closedAncestor("/a/b/c/file", modeOf)).toBe("/a/b");
  expect(closedAncestor("/a/file", modeOf)).toBeUndefined();
  expect(closedAncestor("/a/b", modeOf)).toBeUndefined();
});

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
