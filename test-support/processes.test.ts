/**
 * processesOf (test-support/processes.ts) and childPids (lib/processes.ts) on a /proc of the test's
 * making: running processes of a uid are found, zombies (unless asked for) and other uids are not, an entry gone since the
 * listing is skipped, and a parent's children are read from the field after the command's name.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { childPids } from "../lib/processes.ts";
import { processesOf } from "./processes.ts";

const proc = mkdtempSync(join(tmpdir(), "mems-proc-"));
afterAll(() => rmSync(proc, { recursive: true, force: true }));

/** A process entry: its status (uid and state) and its stat (parent). */
function entry(pid: number, uid: number, state: string, ppid: number, comm = "driver"): void {
  mkdirSync(join(proc, String(pid)));
  writeFileSync(join(proc, String(pid), "status"), `Name:\t${comm}\nState:\t${state}\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\n`);
  writeFileSync(join(proc, String(pid), "stat"), `${pid} (${comm}) ${state[0]} ${ppid} 1 1 0\n`);
}

entry(10, 70001, "S (sleeping)", 1, "bwrap");
entry(11, 70001, "R (running)", 10, "a (b) c");
entry(12, 70001, "Z (zombie)", 1);
entry(13, 70002, "S (sleeping)", 10);
mkdirSync(join(proc, "14")); // gone since the listing: no status, no stat
writeFileSync(join(proc, "self"), "not a process");

test("processesOf finds the running processes of the uids given, not zombies, other uids or vanished entries", () => {
  expect(processesOf([70001], proc).sort()).toEqual([10, 11]);
  expect(processesOf([70001, 70002], proc).sort()).toEqual([10, 11, 13]);
  expect(processesOf([70003], proc)).toEqual([]);
  expect(processesOf([70001], proc, { zombies: true }).sort()).toEqual([10, 11, 12]);
});

test("childPids reads a parent's children after the command's name, skipping vanished entries", () => {
  expect(childPids(10, proc).sort()).toEqual([11, 13]);
  expect(childPids(1, proc).sort()).toEqual([10, 12]);
  expect(childPids(10, join(proc, "none"))).toEqual([]);
});
