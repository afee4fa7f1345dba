/**
 * bun bench --quick end to end (npm run test:e2e): the run lists every allocator with figures or a
 * reason, and its report opens in Chromium with one bar per measured cell.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Chromium, screenshot } from "../test-support/browser.ts";
import { ALLOCATORS } from "./allocators.ts";
import { isSkipped } from "./family.ts";
import { ensureTlsfWasm } from "./peers/wasm.ts";
import type { BenchReport } from "./run.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

beforeAll(async () => {
  await ensureTlsfWasm();
});

describe("bun bench --quick", () => {
  // Every allocator on two of the quick run's three workloads: churn-100, and scaling-100, the same trace
  // measured once, which puts the cost curve in the report. scaling-1k would only double the run, one
  // worker per allocator again; the whole --quick run is CI's own step (.ci/run), and its list of
  // workloads is tested in workloads.test.ts.
  test("lists every allocator, each with figures or a skip reason, and writes a report that opens in Chromium", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mems-bench-test-"));
    try {
      const out = join(dir, "out.json");
      const results = join(dir, "results");
      const args = ["bench", "--quick", "--filter", "churn-100,scaling-100", "--json", out, "--out", results];
      const child = Bun.spawn([process.execPath, "cli/main.ts", ...args], {
        cwd: ROOT,
        stdout: "pipe",
        stderr: "pipe",
      });
      const [stdout, stderr, status] = await Promise.all([
        new Response(child.stdout).text(),
        new Response(child.stderr).text(),
        child.exited,
      ]);
      expect(status).toBe(0);
      const n = ALLOCATORS.length;
      expect(stderr).toContain(`[1/${2 * n}] churn-100 mems-size-indexed`);
      expect(stderr).toContain(`[${n + 1}-${2 * n}/${2 * n}] scaling-100: the trace of churn-100, measured once`);
      expect(stdout).toContain("churn-100");
      expect(stdout.indexOf("Summary")).toBe(stdout.indexOf("\n\n") + 2); // right under the run line

      const report = JSON.parse(readFileSync(out, "utf8")) as BenchReport;
      expect(report.bun).toBe(Bun.version);
      expect(report.machine.cores).toBeGreaterThan(0);
      expect(report.workloads.map((w) => w.name)).toEqual(["churn-100", "scaling-100"]);
      expect(report.workloads[1]?.sameTraceAs).toBe("churn-100");
      expect(report.workloads[1]?.family).toEqual({ name: "scaling", liveBlocks: 100, deadlineMs: 30_000 });
      expect(JSON.parse(readFileSync(join(results, "bench.json"), "utf8"))).toEqual(report);
      await checkReportPage(join(results, "report.html"), report);
      const cells = report.workloads[0]?.cells ?? [];
      expect(cells.map((cell) => cell.allocator).sort()).toEqual([...ALLOCATORS].sort());
      for (const cell of cells) {
        if ("skipped" in cell) {
          expect(cell.skipped.length).toBeGreaterThan(0);
          continue;
        }
        expect(cell.nsPerOp).toBeGreaterThan(0);
        expect(cell.p99NsPerOp).toBeGreaterThanOrEqual(cell.nsPerOp);
        expect(cell.ops).toBe(40_200);
        // churn-100: MeMS's tables per live block, from its stats; no other allocator has the figure.
        if (cell.allocator.startsWith("mems-")) expect(cell.bookkeepingPerBlock).toBeGreaterThan(0);
        else expect(cell.bookkeepingPerBlock).toBeUndefined();
        if (cell.process !== "c-binary") {
          expect(cell.liveAtEnd).toBe(0);
          // 40 batches of 1,000 operations per timed replay.
          expect(cell.latency?.batches).toBeGreaterThanOrEqual(40);
          expect(cell.latency?.maxNs).toBeGreaterThanOrEqual(cell.latency?.p50Ns ?? Number.POSITIVE_INFINITY);
        }
      }
      // The baseline and libc must actually run for the ratios to mean anything.
      for (const name of ["mems-size-indexed", "libc-ffi"]) {
        expect(cells.find((cell) => cell.allocator === name && !("skipped" in cell))).toBeDefined();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000); // a worker per allocator, then Chromium: 20 s in a loaded full run, over 40 s under twice that load
});

/** The report of a real run in headless Chromium: no console error, no request, one bar per measured cell. */
async function checkReportPage(file: string, report: BenchReport): Promise<void> {
  const chromium = await Chromium.launch();
  try {
    const { page, errors, requests } = await chromium.open(file);
    for (const workload of report.workloads.filter((w) => w.sameTraceAs === undefined)) {
      const bars = await page.$$eval(`figure[data-workload="${workload.name}"] g.nsop_marks path`, (paths) => paths.length);
      expect(bars).toBe(workload.cells.filter((cell) => !isSkipped(cell)).length);
    }
    expect(await page.$$eval('figure[data-chart="curve"] g.curve_points_marks path', (paths) => paths.length)).toBe(
      report.workloads.filter((w) => w.family !== undefined).reduce((sum, w) => sum + w.cells.filter((cell) => !isSkipped(cell)).length, 0),
    );
    await screenshot(page, "bench-quick-report");
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
  } finally {
    await chromium.close();
  }
}
