/**
 * The bench report from a fixture (test-support/bench-fixture.ts): the terminal text, RESULTS.md,
 * report.html and the SVG charts say what the figures say, and the folder holds what RESULTS.md embeds.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixtureReport } from "../../test-support/bench-fixture.ts";
import { type Cell, copyCells, DeadlineError, FamilyStops, formatSeconds, traceKey } from "../family.ts";
import type { WorkloadSpec } from "../types.ts";
import { scalingSpecs } from "../workloads.ts";
import { chartPlan, fileSafe } from "./chart-plan.ts";
import { logDomain, powersOfTen } from "./charts.ts";
import { formatBytes, formatCount, formatDuration, formatMicros, formatNs, formatPercent, formatRate, formatRatio } from "./numbers.ts";
import { writeResults } from "./outputs.ts";
import { bookkeepingTable, costCurves, summaryRows } from "./summary.ts";
import { formatLatency, formatReport, formatTable } from "./text.ts";

const dir = mkdtempSync(join(tmpdir(), "mems-report-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("numbers", () => {
  test("ratios keep three significant digits and never round to 0.00", () => {
    expect(formatRatio(0.004123)).toBe("0.00412x");
    expect(formatRatio(0.61)).toBe("0.610x");
    expect(formatRatio(1)).toBe("1.00x");
    expect(formatRatio(149.74)).toBe("150x");
    expect(formatRatio(580.57)).toBe("581x");
    expect(formatRatio(12_345.6)).toBe("12,346x");
    expect(formatRatio(0)).toBe("-");
    expect(formatRatio(Number.NaN)).toBe("-");
  });

  test("ns, rates, bytes, µs, shares, counts and durations", () => {
    expect([formatNs(8704.4), formatNs(112.2), formatNs(56.74)]).toEqual(["8,704", "112", "56.7"]);
    expect([formatRate(85.58e6), formatRate(114_900), formatRate(12)]).toEqual(["85.58M", "114.9k", "12"]);
    expect([formatBytes(undefined), formatBytes(100), formatBytes(40_960), formatBytes(265_000_000), formatBytes(3 * 2 ** 30)]).toEqual([
      "-",
      "100 B",
      "40.0 KiB",
      "252.7 MiB",
      "3.00 GiB",
    ]);
    expect([formatMicros(60_712), formatMicros(1_283_000), formatMicros(11_900)]).toEqual(["60.7", "1,283", "11.9"]);
    expect([formatPercent(undefined), formatPercent(0.8491)]).toEqual(["-", "84.9%"]);
    expect(formatCount(1_000_000)).toBe("1,000,000");
    expect([formatDuration(4200), formatDuration(80_000)]).toEqual(["4.2 s", "1 min 20 s"]);
  });

  test("log domains leave room for labels; their axes are labelled at powers of ten", () => {
    expect(logDomain(11.7, 300)).toEqual([10, 1000]);
    expect(logDomain(57, 990)).toEqual([10, 10_000]); // 990 is too close to 1,000 for its label
    expect(powersOfTen([10, 10_000])).toEqual([10, 100, 1000, 10_000]);
    expect(powersOfTen([0.1, 1])).toEqual([0.1, 1]);
  });
});

describe("what the report derives", () => {
  const report = fixtureReport();

  test("summary: one row per workload outside the family, the fastest and the baseline's ratios", () => {
    const rows = summaryRows(report);
    expect(rows.map((row) => row.workload)).toEqual(["churn-100", "get"]);
    expect(rows[0]?.fastest?.allocator).toBe("libc-ffi");
    expect(rows[0]?.vsPeer).toBeCloseTo(57 / 11.7, 6);
    expect(rows[0]?.vsMems.map((m) => m.allocator)).toEqual(["mems-first-fit"]);
    expect(rows[0]?.vsMems[0]?.ratio).toBeCloseTo(57 / 92, 9);
  });

  test("cost curve: points up to where each allocator stopped, with the least ns/op a deadline means", () => {
    const [curve] = costCurves(report);
    expect(curve?.family).toBe("scaling");
    expect(curve?.workloads.map((w) => w.family?.liveBlocks)).toEqual([100, 1000, 10_000, 100_000]);
    const byName = new Map(curve?.series.map((series) => [series.allocator, series]));
    expect(byName.get("mems-size-indexed")?.points.map((p) => p.nsPerOp)).toEqual([57, 60, 62, 90]);
    expect(byName.get("mems-size-indexed")?.stop).toBeUndefined();
    const reference = byName.get("c-reference");
    expect(reference?.points).toHaveLength(3);
    expect(reference?.stop).toMatchObject({ liveBlocks: 100_000, deadlineMs: 30_000, atLeastNsPerOp: 30e9 / 600_000 });
    expect(byName.get("uint8array")?.stop).toMatchObject({ liveBlocks: 10_000, reason: "failed: worker exited with 1: out of memory" });
  });

  test("the cost curve's bookkeeping: MeMS's bytes per live block at each size, one decimal, peers left out", () => {
    const [curve] = costCurves(report);
    const table = curve === undefined ? undefined : bookkeepingTable(curve);
    expect(table?.head).toEqual(["allocator", "100 live", "1,000 live", "10,000 live", "100,000 live"]);
    expect(table?.rows).toEqual([
      // scaling-100 is churn-100's trace, whose cells in the fixture carry no bookkeeping
      ["mems-size-indexed", "", "160.1", "41.0", "37.0"],
      ["mems-first-fit", "", "170.0", "45.0", "40.0"],
    ]);
    const withoutMems = {
      ...report,
      workloads: report.workloads.map((w) => ({ ...w, cells: w.cells.filter((c) => !c.allocator.startsWith("mems-")) })),
    };
    const [peersOnly] = costCurves(withoutMems);
    expect(peersOnly === undefined ? "none" : bookkeepingTable(peersOnly)).toBeUndefined();
  });

  test("the cost curve leaves out an allocator that sat out every size (a lookup of the strategies only)", () => {
    const sitsOut = {
      ...report,
      workloads: report.workloads.map((w) =>
        w.family === undefined
          ? w
          : {
              ...w,
              cells: [...w.cells, { allocator: "mems-best-fit" as const, workload: w.name, skipped: "runs the strategy traces only" }],
            },
      ),
    };
    const [curve] = costCurves(sitsOut);
    expect(curve?.series.map((series) => series.allocator)).not.toContain("mems-best-fit");
    expect(curve?.series).toHaveLength(costCurves(report)[0]?.series.length ?? -1);
  });

  test("an allocator that sits out the largest size after measuring the others: its curve ends there, 'not run', not 'stopped'", () => {
    const reason = "a list walk per call takes hours at 100,000 live blocks";
    const sitsOut = {
      ...report,
      workloads: report.workloads.map((w) =>
        w.name !== "scaling-100k"
          ? w
          : {
              ...w,
              cells: w.cells.map((c) => (c.allocator === "libc-ffi" ? { allocator: c.allocator, workload: w.name, skipped: reason } : c)),
            },
      ),
    };
    const text = formatReport(sitsOut);
    expect(text).toContain(`libc-ffi not run at 100,000 live blocks: ${reason}`);
    expect(text).toContain(`libc-ffi          │ not run on this workload: ${reason}`);
    expect(text).toContain("c-reference stopped at 100,000 live blocks: did not finish within 30 s");
  });

  test("the terminal: summary first, compact tables, stops and copies said in words", () => {
    const text = formatReport(report);
    expect(text.indexOf("Summary")).toBeLessThan(text.indexOf("Cost curve"));
    expect(text.indexOf("Cost curve")).toBeLessThan(text.indexOf("churn-100: 100 live"));
    expect(text).toContain("c-reference stopped at 100,000 live blocks: did not finish within 30 s");
    expect(text).toContain("scaling-100: the trace of churn-100, measured once");
    expect(text).toContain("Took 1 min 35 s.");
    expect(text).not.toContain("0.00x");
    const table = formatTable(report.workloads[0] ?? { name: "", describe: "", cells: [] });
    // Compact: a separator under the head only, none between rows.
    expect(table.split("\n").filter((line) => line.startsWith("├"))).toHaveLength(1);
    expect(table).toContain("57.0 / 143 / 342 / 513"); // batch µs: p50 / p99 / p99.9 / max
    const scaling = report.workloads.find((w) => w.name === "scaling-100k");
    expect(formatTable(scaling ?? { name: "", describe: "", cells: [] })).toContain("stopped: did not finish within 30 s");
    expect(formatLatency({ allocator: "libc-ffi", workload: "x", skipped: "no" })).toBe("-");
  });
});

describe("family rules", () => {
  const specs = scalingSpecs(false);
  const at = (name: string): WorkloadSpec => {
    const spec = specs.find((s) => s.name === name);
    if (spec === undefined) throw new Error(name);
    return spec;
  };

  test("scaling: five sizes with at least 200,000 replacements; quick: the two smallest", () => {
    expect(specs.map((s) => s.name)).toEqual(["scaling-100", "scaling-1k", "scaling-10k", "scaling-100k", "scaling-1m"]);
    expect(specs.map((s) => (s.kind === "churn" ? s.replacements : 0))).toEqual([200_000, 200_000, 200_000, 200_000, 1_000_000]);
    expect(scalingSpecs(true).map((s) => s.name)).toEqual(["scaling-100", "scaling-1k"]);
    // scaling-10k replays churn-10k's trace: the run measures it once.
    expect(traceKey(at("scaling-10k"))).toBe("churn 10000 200000 16-512");
    expect(traceKey({ name: "get", kind: "get", blocks: 1, gets: 1, describe: "" })).toBeUndefined();
    expect(traceKey({ name: "t", kind: "trace", file: "/x.rep", describe: "" })).toBe("file /x.rep");
  });

  test("an allocator not measured at one size stops there; workloads outside a family never stop", () => {
    const stops = new FamilyStops();
    stops.record(at("scaling-10k"), {
      allocator: "c-reference",
      workload: "scaling-10k",
      skipped: "did not finish within 30 s",
      deadlineMs: 30_000,
    });
    expect(stops.skip(at("scaling-100k"), "c-reference")).toEqual({
      allocator: "c-reference",
      workload: "scaling-100k",
      skipped: "stopped at scaling-10k",
      stoppedAt: "scaling-10k",
    });
    expect(stops.skip(at("scaling-100k"), "libc-ffi")).toBeUndefined();
    // A stop recorded later does not move where it stopped.
    stops.record(
      at("scaling-100k"),
      stops.skip(at("scaling-100k"), "c-reference") ?? { allocator: "c-reference", workload: "", skipped: "" },
    );
    expect(stops.skip(at("scaling-1m"), "c-reference")?.stoppedAt).toBe("scaling-10k");
    const churn: WorkloadSpec = { name: "churn-10k", kind: "churn", live: 1, replacements: 1, minSize: 1, maxSize: 2, describe: "" };
    stops.record(churn, { allocator: "libc-ffi", workload: "churn-10k", skipped: "failed" });
    expect(stops.skip(churn, "libc-ffi")).toBeUndefined();
    // A failure stops; a sit-out (the lookups of the strategies table at scaling-100) does not: each size says why for itself.
    stops.record(at("scaling-1k"), { allocator: "uint8array", workload: "scaling-1k", skipped: "failed: worker exited with 1" });
    expect(stops.skip(at("scaling-10k"), "uint8array")?.stoppedAt).toBe("scaling-1k");
    stops.record(at("scaling-100"), { allocator: "mems-best-fit", workload: "scaling-100", skipped: "runs the strategy traces only" });
    expect(stops.skip(at("scaling-1k"), "mems-best-fit")).toBeUndefined();
  });

  test("copied cells take the family's name; one that took longer than the deadline is a stop", () => {
    const report = fixtureReport();
    const [first, , third] = report.workloads[0]?.cells ?? [];
    if (first === undefined || third === undefined || "skipped" in third) throw new Error("the fixture's churn-100 has measured cells");
    const slow: Cell = { ...third, wallMs: 31_000 };
    const copied = copyCells(at("scaling-100"), [first, slow, { allocator: "uint8array", workload: "churn-100", skipped: "no" }]);
    expect(copied.map((cell) => cell.workload)).toEqual(["scaling-100", "scaling-100", "scaling-100"]);
    expect(copied[1]).toMatchObject({ skipped: "did not finish within 30 s", deadlineMs: 30_000 });
    expect(copyCells(at("scaling-100"), [slow])[0]).toHaveProperty("skipped");
    const plain: WorkloadSpec = { name: "other", kind: "trace", file: "/x", describe: "" };
    expect(copyCells(plain, [slow])[0]).not.toHaveProperty("skipped");
    expect(new DeadlineError(30_000).message).toBe("did not finish within 30 s");
    expect(formatSeconds(1500)).toBe("1.5 s");
  });
});

describe("the results folder", () => {
  const report = fixtureReport();

  test("every chart of the plan: curves, ratios, and one per workload that is not a copy", () => {
    const plan = chartPlan(report);
    expect(plan.map((chart) => chart.path)).toEqual([
      "charts/cost-curve-scaling.svg",
      "charts/ratios.svg",
      "charts/workload-churn-100.svg",
      "charts/workload-get.svg",
      "charts/workload-scaling-1k.svg",
      "charts/workload-scaling-10k.svg",
      "charts/workload-scaling-100k.svg",
    ]);
    expect(fileSafe("malloclab-amptjp-bal/x y")).toBe("malloclab-amptjp-bal_x_y");
  });

  // Draws every chart of the report (vega): seconds on a loaded machine, not the default 5.
  test("writes RESULTS.md, report.html, bench.json and the SVGs RESULTS.md embeds; old SVGs go", async () => {
    const out = join(dir, "results");
    mkdirSync(join(out, "charts"), { recursive: true });
    writeFileSync(join(out, "charts", "stale.svg"), "<svg/>");
    writeFileSync(join(out, "charts", "keep.txt"), "not ours");
    const files = await writeResults(report, out);
    expect(files).toContain("report.html");
    expect(existsSync(join(out, "charts", "stale.svg"))).toBe(false);
    expect(existsSync(join(out, "charts", "keep.txt"))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, "bench.json"), "utf8"))).toEqual(report);

    const markdown = readFileSync(join(out, "RESULTS.md"), "utf8");
    const embedded = [...markdown.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((match) => match[1] ?? "");
    expect(embedded.sort()).toEqual(
      readdirSync(join(out, "charts"))
        .filter((f) => f.endsWith(".svg"))
        .map((f) => `charts/${f}`)
        .sort(),
    );
    expect(markdown).toContain("| churn-100 | libc-ffi 11.7 | 4.87x | 0.620x |");
    expect(markdown).toContain("stopped: did not finish within 30 s");
    expect(markdown).toContain("| mems-size-indexed |  | 160.1 | 41.0 | 37.0 |");
    expect(readFileSync(join(out, "report.html"), "utf8")).toContain("<td>mems-size-indexed</td><td></td><td>160.1</td>");
    expect(markdown).toContain("the trace of [churn-100](#churn-100), measured once");

    // One bar per allocator that ran, in each workload's chart; the SVG is a vega rendering, not ours.
    for (const workload of report.workloads.filter((w) => w.sameTraceAs === undefined)) {
      const svg = readFileSync(join(out, "charts", `workload-${workload.name}.svg`), "utf8");
      const bars = svg.match(/<g class="mark-rect role-mark nsop_marks"[^>]*>(.*?)<\/g>/)?.[1] ?? "";
      expect(bars.match(/<path /g)?.length ?? 0).toBe(workload.cells.filter((cell) => !("skipped" in cell)).length);
    }
    const curve = readFileSync(join(out, "charts", "cost-curve-scaling.svg"), "utf8");
    expect(curve).toContain("c-reference: over 30 s");
    expect(curve).toContain("uint8array: failed");
    expect(curve).toContain("bun bench, 2026-11-29 12:00 UTC, Test CPU (2 cores), Bun 1.4.4");

    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(html).toContain('<script type="application/json" id="bench-data">');
    // Clip path ids are made unique per chart, so that the inline SVGs do not clip one another.
    const ids = [...html.matchAll(/<clipPath id="([^"]+)"/g)].map((match) => match[1]);
    expect(new Set(ids).size).toBe(ids.length);
  }, 20_000);
});
