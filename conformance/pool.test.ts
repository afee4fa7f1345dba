/**
 * The differential suite's pool of worker processes (pool.ts), with a stand-in worker
 * (test-support/fake-conformance-worker.ts): every case runs once and its answer comes back in case
 * order however they finish, a worker that dies fails only its own case, and the harness reports the
 * failures in seed order with their scenarios kept. Real cases in real workers: conformance.test.ts.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runDifferential } from "./harness.ts";
import { runCases } from "./pool.ts";

const FAKE = join(import.meta.dir, "../test-support/fake-conformance-worker.ts");
const dir = mkdtempSync(join(tmpdir(), "mems-pool-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const job = (seed: number) => ({ seed, align: 1, ops: 10, file: join(dir, `seed-${seed}.mtrace`) });

describe("the pool", () => {
  test("each case once, answers in case order; a worker that dies fails its case alone, with how and its stderr", async () => {
    const jobs = [10, 11, 12, 13, 14, 15, 16, 17].map(job);
    let done = 0;
    const results = await runCases(jobs, { jobs: 2, script: FAKE }, () => done++);
    expect(done).toBe(8);
    expect(results.map((problems, i) => (i === 3 ? "died" : problems.join()))).toEqual([
      "",
      "seed 11 at 1: odd",
      "",
      "died",
      "",
      "seed 15 at 1: odd",
      "",
      "seed 17 at 1: odd",
    ]);
    expect(results[3]).toEqual([
      "the worker process running this case died (killed by SIGSEGV); its stderr ended with:\nseed 13: about to crash",
    ]);
  }, 30_000);
});

describe("the differential suite through the pool", () => {
  test("failures in seed order at every alignment, each with its rerun command and its scenario kept", async () => {
    const result = await runDifferential({ cases: 4, firstSeed: 12, ops: 10, aligns: [1, 8], jobs: 2, workerScript: FAKE });
    expect(result).toMatchObject({ suite: "differential", cases: 8, passed: 4, failed: 4 });
    expect(result.failures.map((f) => f.name)).toEqual(["seed 13", "seed 13 align 8", "seed 15", "seed 15 align 8"]);
    expect(result.failures[0]?.detail).toStartWith("the worker process running this case died (killed by SIGSEGV)");
    const last = result.failures[3];
    expect(last?.detail).toBe("seed 15 at 8: odd");
    const kept = /scenario kept in (\S+)\)$/.exec(last?.rerun ?? "")?.[1] ?? "";
    expect(last?.rerun).toStartWith("bun conformance --suite differential --seed 15 --cases 1 --ops 10 --align 8 ");
    expect(kept).toEndWith("seed-15-align8.mtrace");
    expect(existsSync(kept)).toBe(true);
    rmSync(dirname(kept), { recursive: true, force: true });
  }, 30_000);
});
