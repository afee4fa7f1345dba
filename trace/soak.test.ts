/** The soak: a short run in each lookup mode passes, and a corrupted byte is caught with seed and operation. */

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { LOOKUPS, MemsError } from "../core/index.ts";
import { SoakError, soak } from "./soak.ts";

const ROOT = join(import.meta.dir, "..");

describe.each(LOOKUPS)("%s", (lookup) => {
  test("20,000 operations pass, with counts that add up", () => {
    const progress: number[] = [];
    const result = soak({
      ops: 20_000,
      seed: 7,
      lookup,
      checkEvery: 2_000,
      maxLive: 500,
      progressMs: 0,
      progress: (p) => progress.push(p.op),
    });
    expect(result.ops).toBe(20_000);
    expect(
      result.mallocs + result.frees + result.gets + result.writes + result.reads + result.badFrees + result.statsCalls,
    ).toBeLessThanOrEqual(20_000);
    expect(result.mallocs).toBeGreaterThan(result.frees);
    expect(result.peakLiveBlocks).toBeLessThanOrEqual(500);
    expect(result.invariantChecks).toBe(11); // every 2,000 operations, and once at the end
    expect(result.bytesLeftMapped).toBe(0);
    expect(result.munmapCalls).toBeLessThanOrEqual(result.mmapCalls);
    expect(result.peakMappedBytes).toBeGreaterThan(0);
    expect(progress.length).toBeGreaterThan(0);
  });

  test("the same seed gives the same run", () => {
    const a = soak({ ops: 3_000, seed: 99, lookup, checkEvery: 1_000, maxLive: 200 });
    const b = soak({ ops: 3_000, seed: 99, lookup, checkEvery: 1_000, maxLive: 200 });
    // munmap calls depend on where the kernel placed the segments (side by side ones go back together).
    const same = (r: typeof a) => ({ ...r, seconds: 0, opsPerSecond: 0, munmapCalls: 0 });
    expect(same(a)).toEqual(same(b));
  });

  test("a corrupted byte is caught by the next check, naming the seed and the operation", () => {
    let caught: unknown;
    try {
      soak({ ops: 5_000, seed: 3, lookup, checkEvery: 100, maxLive: 300, corruptAt: 1_234 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SoakError);
    const error = caught as SoakError;
    expect(error.seed).toBe(3);
    expect(error.lookup).toBe(lookup);
    expect(error.op).toBeGreaterThanOrEqual(1_234);
    expect(error.op).toBeLessThan(1_300); // at the latest the full check after operation 1,299
    expect(error.message).toStartWith(`soak failed at operation ${error.op} (seed 3, lookup ${lookup}): block at `);
  });
});

test("bad options of the instance are INVALID_OPTION, before any operation", () => {
  expect(() => soak({ ops: 10, seed: 1, lookup: "first-fit", checkEvery: 5, pageSize: 0 })).toThrow(MemsError);
});

test.each(LOOKUPS)("%s: aligned blocks, their sizes rounded up in the stats the soak checks", (lookup) => {
  for (const align of [2, 8, 16] as const) {
    const result = soak({ ops: 4_000, seed: 21, lookup, checkEvery: 400, maxLive: 200, pageSize: 1000, align });
    expect(result).toMatchObject({ ops: 4_000, align, bytesLeftMapped: 0 });
    expect(result.statsCalls).toBeGreaterThan(0);
  }
});

test("other page sizes and start addresses", () => {
  const result = soak({ ops: 5_000, seed: 11, lookup: "size-indexed", checkEvery: 500, maxLive: 300, pageSize: 1000, startAddress: 0 });
  expect(result.ops).toBe(5_000);
});

describe("the CLI", () => {
  // Each test is a CLI process running thousands of operations: seconds on a loaded machine, hence 20 s.
  const cli = (...args: string[]) => {
    const run = Bun.spawnSync([process.execPath, join(ROOT, "cli/main.ts"), ...args], { cwd: ROOT });
    return { status: run.exitCode, stdout: run.stdout.toString(), stderr: run.stderr.toString() };
  };

  test("mems soak prints the summary table", () => {
    const { status, stdout } = cli("soak", "--ops", "20000", "--seed", "5", "--lookup", "size-indexed", "--check-every", "5000");
    expect(status).toBe(0);
    for (const row of [
      "ops",
      "mallocs",
      "frees",
      "gets",
      "peak live blocks",
      "peak mapped",
      "mmap calls",
      "bytes left mapped",
      "invariant checks",
      "seconds",
      "ops/s",
    ]) {
      expect(stdout).toContain(`│ ${row} `);
    }
    expect(stdout).toContain("seed 5, size-indexed");
    expect(stdout).toContain("20,000");
  }, 20_000);

  test("a failure exits 1 naming the seed and the operation, with the command that repeats it", () => {
    const { status, stdout, stderr } = cli(
      "soak",
      "--ops",
      "5000",
      "--seed",
      "3",
      "--check-every",
      "100",
      "--max-live",
      "300",
      "--corrupt-at",
      "1234",
    );
    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^soak failed at operation 12\d\d \(seed 3, lookup first-fit\): block at \d+/);
    expect(stderr).toContain("repeat with: mems soak --seed 3 --lookup first-fit --ops 5000 --check-every 100 --max-live 300\n");
  }, 20_000);
});
