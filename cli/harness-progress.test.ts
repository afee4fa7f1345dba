/**
 * The conformance harness's progress callback, which `mems conformance` prints on stderr and uses to
 * stop on SIGINT/SIGTERM: each suite reports 0 of its inputs, then each input done; a callback that
 * throws stops the run, and the differential suite's scenario folder goes with it.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runConformance, runDifferential, type SuiteProgress } from "../conformance/harness.ts";
import { buildReference } from "../conformance/reference.ts";

beforeAll(() => buildReference());

describe("progress", () => {
  test("a suite reports 0 of its inputs first, then one report per input", async () => {
    const seen: SuiteProgress[] = [];
    const results = await runConformance({
      suites: ["differential"],
      cases: 3,
      ops: 50,
      firstSeed: 1,
      progress: (progress) => seen.push(progress),
    });
    expect(results.map((r) => [r.suite, r.failed])).toEqual([["differential", 0]]);
    expect(seen).toEqual([0, 1, 2, 3].map((done) => ({ suite: "differential", done, total: 3 })));
  });

  test("a callback that throws stops the run, and the differential folder is removed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mems-progress-test-"));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = dir; // where runDifferential makes its folder
    try {
      const stop = new Error("stop");
      const error = await runDifferential({ cases: 50, ops: 50, firstSeed: 1 }, (progress) => {
        if (progress.done === 2) throw stop;
      }).catch((e: unknown) => e);
      expect(error).toBe(stop);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
