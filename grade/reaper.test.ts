/**
 * The sandbox's reaper (grade/reaper.c) on its own: it returns only once an orphan left behind by its
 * command has ended, passes on the command's exit status and the signal it died of, and says what is
 * wrong when the command cannot start or none is given.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { reaperPath } from "./sandbox.ts";

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
  expect(await reap()).toEqual({ status: 2, signal: null, stderr: "usage: mems-reaper COMMAND [ARG...]\n" });
});
