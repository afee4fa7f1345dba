/**
 * The sandbox's reaper (grade/reaper.c) on its own: it returns only once an orphan left behind by its
 * command has ended (with --group, once what is left in the command's group is killed), passes on the command's exit status and the signal it died of, and says what is
 * wrong when the command cannot start or none is given; as root, --stage binds a path read-only where
 * only the command sees it.
 */
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processFiles } from "../lib/processes.ts";
import { buildReaper, reaperPath, SandboxError } from "./sandbox.ts";

const dir = mkdtempSync(join(tmpdir(), "mems-reaper-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the reaper over `command`; its status, signal and stderr. */
async function reap(...command: string[]): Promise<{ status: number | null; signal: string | null; stderr: string }> {
  const child = Bun.spawn([reaperPath(), ...command], { cwd: dir, stdout: "ignore", stderr: "pipe" });
  const stderr = await new Response(child.stderr).text();
  await child.exited;
  return { status: child.exitCode, signal: child.signalCode === null ? null : String(child.signalCode), stderr };
}

test("the reaper returns only after the orphan its command left, with the command's status", async () => {
  const file = join(dir, "orphan");
  // The command exits at once; its orphan writes the file a moment later (after the command's exit).
  const result = await reap("sh", "-c", `(sleep 0.2; echo ended > ${file}) & exit 7`);
  expect(result).toEqual({ status: 7, signal: null, stderr: "" });
  expect(readFileSync(file, "utf8")).toBe("ended\n");
});

test("with --group, what the command left in its process group is killed once the command ends", async () => {
  const file = join(dir, "group-orphan");
  // Without the group's end, the reaper would wait for the orphan, which writes the file before it ends.
  const result = await reap("--group", "--", "setsid", "sh", "-c", `(sleep 1; echo ended > ${file}) & exit 5`);
  expect(result).toEqual({ status: 5, signal: null, stderr: "" });
  expect(existsSync(file)).toBe(false);
});

test("when the grader dies, the reaper kills its command and every orphan handed to it, then goes", async () => {
  const marker = join(dir, "orphan-of-a-dead-grader");
  // A grader (sh) running the reaper over a command that leaves an orphan (handed to the reaper) and
  // sleeps; the grader then dies of SIGKILL. The marker names both processes on their command lines.
  const grader = Bun.spawn(
    ["sh", "-c", `${reaperPath()} sh -c '(sleep 30; : ${marker}) & sleep 30; : ${marker}' & sleep 0.5; kill -KILL $$`],
    { stdout: "ignore", stderr: "ignore" },
  );
  await grader.exited;
  const left = (): number[] =>
    processFiles("cmdline")
      .filter(({ text }) => text.includes(marker))
      .map(({ pid }) => pid);
  for (let tries = 0; tries < 50 && left().length > 0; tries++) await Bun.sleep(100);
  expect(left()).toEqual([]);
}, 20_000);

test("the reaper dies of the signal its command died of", async () => {
  expect(await reap("sh", "-c", "kill -SEGV $$")).toEqual({ status: null, signal: "SIGSEGV", stderr: "" });
  expect(await reap("sh", "-c", "kill -KILL $$")).toEqual({ status: null, signal: "SIGKILL", stderr: "" });
});

test("the reaper says why a command cannot start (127), and how it is used (2)", async () => {
  expect(await reap(join(dir, "missing"))).toEqual({
    status: 127,
    signal: null,
    stderr: `mems-reaper: ${join(dir, "missing")}: No such file or directory\n`,
  });
  const usage = "usage: mems-reaper [--group] [--stage SOURCE TARGET]... [--] COMMAND [ARG...]\n";
  expect(await reap()).toEqual({ status: 2, signal: null, stderr: usage });
  expect(await reap("--stage", dir)).toEqual({ status: 2, signal: null, stderr: usage });
  expect(await reap("--stage", dir, join(dir, "target"))).toEqual({ status: 2, signal: null, stderr: usage });
});

test.if(process.getuid?.() === 0)("as root, --stage binds a path read-only on its target for the command alone", async () => {
  const source = join(dir, "staged-source");
  const target = join(dir, "staged-target");
  writeFileSync(source, "seen\n");
  writeFileSync(target, "");
  const seen = join(dir, "seen-through-target");
  const result = await reap("--stage", source, target, "--", "sh", "-c", `cat ${target} > ${seen}; echo x >> ${target} || exit 3`);
  expect(result.status).toBe(3); // read-only: the write fails
  expect(result.stderr).toContain("Read-only file system");
  expect(readFileSync(seen, "utf8")).toBe("seen\n");
  // Outside the command, the target is the empty file it was.
  expect(readFileSync(target, "utf8")).toBe("");
  expect(await reap("--stage", join(dir, "missing"), target, "--", "true")).toEqual({
    status: 125,
    signal: null,
    stderr: `mems-reaper: cannot stage ${join(dir, "missing")} on ${target}: No such file or directory\n`,
  });
});

test("the reaper is built once per source, and a source that does not build is the sandbox's error", () => {
  const source = join(dir, "reaper.c");
  writeFileSync(source, readFileSync(join(import.meta.dir, "reaper.c")));
  const binary = buildReaper(source, dir);
  const built = statSync(binary).mtimeMs;
  expect(buildReaper(source, dir)).toBe(binary);
  expect(statSync(binary).mtimeMs).toBe(built);
  writeFileSync(source, "int main(void) { return x; }\n");
  expect(() => buildReaper(source, dir)).toThrow(SandboxError);
  expect(() => buildReaper(source, dir)).toThrow(/^the sandbox's reaper \(.*reaper\.c\) does not build: .*error/);
  // Nothing half-written is left.
  expect(readdirSync(dir).filter((name) => name.endsWith(".partial"))).toEqual([]);
});
