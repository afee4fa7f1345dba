/**
 * The conformance harness's progress callback, which `mems conformance` prints on stderr and uses to
 * stop on SIGINT/SIGTERM: each suite reports 0 of its inputs, then each input done, with the time since
 * it started; a callback that throws stops the run, its worker processes and the differential suite's
 * scenario folder go with it.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runConformance, runDifferential, type SuiteProgress } from "../conformance/harness.ts";
import { buildReference } from "../conformance/reference.ts";
import { childPids } from "./signals.ts";

beforeAll(() => buildReference());

describe("progress", () => {
  test("a suite reports 0 of its inputs first, then one report per input (a differential case: a seed at an alignment)", async () => {
    const seen: SuiteProgress[] = [];
    const results = await runConformance({
      suites: ["differential"],
      cases: 3,
      ops: 50,
      firstSeed: 1,
      jobs: 1,
      progress: (progress) => seen.push(progress),
    });
    expect(results.map((r) => [r.suite, r.failed])).toEqual([["differential", 0]]);
    expect(seen.map(({ suite, done, total }) => ({ suite, done, total }))).toEqual(
      [0, 1, 2, 3, 4, 5, 6].map((done) => ({ suite: "differential", done, total: 6 })),
    );
    expect(seen[0]?.elapsedMs).toBe(0);
    const elapsed = seen.map((progress) => progress.elapsedMs);
    expect(elapsed).toEqual([...elapsed].sort((a, b) => a - b)); // time since the suite started, never less
  });

  /** Live processes started by this one that run the differential suite's worker. */
  const workers = () =>
    childPids().filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "latin1").includes("conformance/worker.ts");
      } catch {
        return false; // gone since the listing
      }
    });

  test.each([1, 2])(
    "with %d job(s), a callback that throws stops the run: no case after it, no worker left, the folder removed",
    async (jobs) => {
      const dir = mkdtempSync(join(tmpdir(), "mems-progress-test-"));
      const saved = process.env.TMPDIR;
      process.env.TMPDIR = dir; // where runDifferential makes its folder
      try {
        const stop = new Error("stop");
        const reports: number[] = [];
        const error = await runDifferential({ cases: 50, ops: 50, firstSeed: 1, jobs }, (progress) => {
          reports.push(progress.done);
          if (progress.done === 2) throw stop;
        }).catch((e: unknown) => e);
        expect(error).toBe(stop);
        expect(reports).toEqual([0, 1, 2]);
        expect(readdirSync(dir)).toEqual([]);
        const deadline = Date.now() + 3000;
        while (workers().length > 0 && Date.now() < deadline) await Bun.sleep(20);
        expect(workers()).toEqual([]);
      } finally {
        if (saved === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = saved;
        rmSync(dir, { recursive: true, force: true });
      }
    },
    30_000,
  );
});
