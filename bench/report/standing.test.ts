/**
 * Where MeMS stands among the peers (bench/report/standing.ts): the terminal tables, the sentences,
 * docs/peers.md and docs/performance.md's summary say what the figures say, medians over several runs.
 */
import { describe, expect, test } from "bun:test";
import type { AllocatorName } from "../allocators.ts";
import type { Measurement } from "../measure.ts";
import type { BenchReport, Cell } from "../run.ts";
import {
  ffiCosts,
  formatNsPerOp,
  formatStanding,
  medianReport,
  peersDoc,
  performanceSummary,
  SUMMARY_END,
  SUMMARY_START,
  scoreLines,
  standingSentences,
  withSummary,
} from "./standing.ts";

describe("standing", () => {
  const cell = (allocator: AllocatorName, workload: string, nsPerOp: number, coldNsPerOp: number, faults: number): Measurement => ({
    allocator,
    workload,
    ops: 1000,
    nsPerOp,
    p99NsPerOp: nsPerOp,
    meanNsPerOp: nsPerOp,
    samples: 3,
    coldNsPerOp,
    coldFaults: faults * 10,
    warmFaults: faults,
    process: "bun-child",
  });
  const workload = (name: string, cells: Cell[]) => ({ name, describe: `${name} described`, cells });
  const report: BenchReport = {
    date: "2026-11-29T00:00:00.000Z",
    command: "bun bench",
    machine: { cpu: "test cpu", cores: 2, platform: "linux x64" },
    bun: "1.4.4",
    quick: false,
    notes: ["a note"],
    elapsedMs: 1,
    workloads: [
      workload("churn-10k", [
        cell("mems-size-indexed", "churn-10k", 100, 300, 5),
        cell("libc-ffi", "churn-10k", 30, 90, 0),
        cell("glibc-c", "churn-10k", 20, 40, 0),
        cell("thi.ng-malloc", "churn-10k", 5000, 6000, 0),
        cell("as-tlsf-wasm", "churn-10k", 120, 200, 7),
        cell("mems-first-fit", "churn-10k", 200, 400, 7),
      ]),
      workload("real-cc", [
        cell("mems-size-indexed", "real-cc", 50, 60, 1),
        cell("mimalloc-ffi", "real-cc", 60, 70, 0),
        { allocator: "thi.ng-malloc", workload: "real-cc", skipped: "too slow" },
      ]),
      workload("get", [cell("mems-size-indexed", "get", 3, 3, 0)]),
    ],
  };

  test("the terminal tables: warm (cold) ns/op and faults across churn and real workloads only", () => {
    const text = formatStanding(report);
    expect(text).toContain("Where MeMS stands");
    expect(text).toContain("churn-10k");
    expect(text).toContain("real-cc");
    expect(text).not.toContain(" get ");
    expect(text).toContain("100 (300)");
    expect(text).toContain("5 / 50");
    expect(formatStanding({ ...report, workloads: [] })).toBe("");
    expect(formatNsPerOp(1234.4)).toBe("1,234");
    expect(formatNsPerOp(12.34)).toBe("12.3");
  });

  test("the sentences say whom MeMS beats, warm and cold, and by how much it trails the fastest", () => {
    const [churnLine, realLine] = standingSentences(report);
    expect(churnLine).toContain("takes 100 ns/op warm and beats as-tlsf-wasm (120), thi.ng-malloc (5,000)");
    expect(churnLine).toContain("trails the fastest, glibc-c (20.0), by 5.0x");
    expect(churnLine).toContain("Cold, it takes 300 ns/op, beats 1 of 4 and trails glibc-c (40.0) by 7.5x");
    expect(realLine).toContain("it is the fastest here");
    expect(realLine).toContain("and is the fastest.");
    expect(ffiCosts(report)).toEqual([{ workload: "churn-10k", ffi: 30, c: 20 }]);
    expect(scoreLines(report)).toContain("thi.ng-malloc: faster on 1 of 1 (all)");
  });

  test("docs/peers.md names its sources, the machine and dates, and lists what was skipped", () => {
    const doc = peersDoc([report], ["docs/peers-bench.json"]);
    expect(doc).toContain("bun bench/report/standing.ts docs/peers-bench.json");
    expect(doc).toContain("The runs' JSON: [peers-bench.json](../docs/peers-bench.json).");
    expect(peersDoc([report], ["/tmp/x.json"])).toContain("[x.json](/tmp/x.json)");
    expect(doc).toContain("test cpu, 2 cores, linux x64, Bun 1.4.4: 1 run, 2026-11-29T00:00:00.000Z");
    expect(doc).toContain("| mems-size-indexed | 100 | 50.0 |");
    expect(doc).toContain("| mems-size-indexed | 300 | 60.0 |");
    expect(doc).toContain("| churn-10k | 30.0 | 20.0 | 10.0 |");
    expect(doc).toContain("- as-tlsf-wasm: faster on 1 of 1 (all)");
    expect(doc).toContain("- mimalloc-ffi: faster on 1 of 1 (all)");
    expect(doc).toContain("- libc-ffi: faster on 0 of 1\n");
    expect(doc).toContain("real-cc / thi.ng-malloc: too slow");
    expect(peersDoc([{ ...report, workloads: [] }], ["x.json"])).toContain("This report measured no workload with both.");
    expect(() => peersDoc([], [])).toThrow("no report");
  });

  test("docs/performance.md's summary: whom MeMS beats, how far it trails, a link to peers.md, between markers", () => {
    const summary = performanceSummary([report], ["docs/peers-runs/run-1.json"]);
    expect(summary).toStartWith(SUMMARY_START);
    expect(summary).toEndWith(SUMMARY_END);
    expect(summary).toContain("Medians of 1 run of `bun bench` on test cpu, 2026-11-29 (`docs/peers-runs/run-1.json`)");
    // The runs' own command, as `bun bench --filter ...` wrote it into their JSON
    expect(performanceSummary([{ ...report, command: "bun bench --filter churn,real" }], ["a.json"])).toContain(
      "Medians of 1 run of `bun bench --filter churn,real` on test cpu",
    );
    expect(summary).toContain("- as-tlsf-wasm: faster on 1 of 1 (all)");
    expect(summary).toContain("How far it trails the fastest, warm: churn-10k: 5.0x behind glibc-c.");
    expect(summary).toContain("[peers.md](peers.md)");
    expect(performanceSummary([{ ...report, workloads: [] }], ["x.json"])).toContain("trails the fastest, warm: nowhere.");
    const page = "# Performance\n\nintro\n";
    const once = withSummary(page, summary);
    expect(once).toBe(`# Performance\n\nintro\n\n${summary}\n`);
    expect(withSummary(once, "NEW")).toBe("# Performance\n\nintro\n\nNEW\n");
  });

  test("several runs: medians, with the lowest and highest in brackets", () => {
    const scaled = (factor: number): BenchReport => ({
      ...report,
      workloads: report.workloads.map((w) => ({
        ...w,
        cells: w.cells.map((c) =>
          "skipped" in c
            ? c
            : { ...c, nsPerOp: c.nsPerOp * factor, ...(c.coldNsPerOp !== undefined && { coldNsPerOp: c.coldNsPerOp * factor }) },
        ),
      })),
    });
    const runs = [scaled(1), scaled(2), scaled(4)];
    const merged = medianReport(runs);
    const mems = merged.workloads[0]?.cells.find((c) => c.allocator === "mems-size-indexed") as Measurement;
    expect([mems.nsPerOp, mems.coldNsPerOp]).toEqual([200, 600]);
    const doc = peersDoc(runs, ["a.json", "b.json", "c.json"]);
    expect(doc).toContain("3 runs");
    expect(doc).toContain("| mems-size-indexed | 200 (100-400) | 100 (50.0-200) |");
    const bare = cell("libc-ffi", "churn-1", 5, 5, 0);
    delete bare.coldNsPerOp;
    const only = medianReport([{ ...report, workloads: [workload("churn-1", [bare])] }]).workloads[0]?.cells[0];
    expect(only !== undefined && "coldNsPerOp" in only).toBe(false);
  });
});
