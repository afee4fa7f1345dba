/**
 * The strategies table from a small report: which cells it takes, the standing and the verdict computed
 * by hand, the chart's marks, the report's sections, and docs/strategies.md's generated block.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderSvg } from "../../lib/vega.ts";
import { fixtureReport } from "../../test-support/bench-fixture.ts";
import type { AllocatorName } from "../allocators.ts";
import type { Cell } from "../family.ts";
import type { Measurement } from "../measure.ts";
import type { BenchReport, WorkloadReport } from "../run.ts";
import { chartPlan } from "./chart-plan.ts";
import { resultsMarkdown } from "./markdown.ts";
import { writeResults } from "./outputs.ts";
import {
  commonTraces,
  DOC_END,
  DOC_START,
  literatureVerdict,
  lookupStandings,
  main,
  standingRows,
  strategiesBlock,
  strategyChart,
  strategyRows,
  strategyTable,
  withBlock,
} from "./strategies.ts";
import { formatReport } from "./text.ts";

const dir = mkdtempSync(join(tmpdir(), "mems-strategies-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cell(allocator: AllocatorName, workload: string, live: number, mapped: number, nsPerOp: number): Measurement {
  return {
    allocator,
    workload,
    ops: 1000,
    nsPerOp,
    p99NsPerOp: nsPerOp * 2,
    meanNsPerOp: nsPerOp,
    samples: 3,
    peakLiveBytes: live,
    peakMappedBytes: mapped,
    utilization: live / mapped,
    mmapCalls: mapped / 100,
    holeBytesAtPeak: mapped - live,
    segmentsAtPeak: 2,
    process: "bun-child",
  };
}

/** Per trace: each lookup's peak mapped bytes and ns/op. */
const FIGURES: Record<string, { live: number; lookups: Record<string, [number, number]> }> = {
  "malloclab-t1": {
    live: 1000,
    lookups: { "size-indexed": [2000, 100], "first-fit": [2000, 120], "best-fit": [1600, 150], "next-fit": [4000, 90] },
  },
  "real-t2": {
    live: 3000,
    lookups: { "size-indexed": [4000, 50], "first-fit": [4000, 60], "best-fit": [4400, 100], "next-fit": [8000, 45] },
  },
};

function strategiesReport(): BenchReport {
  const report = fixtureReport();
  const traces = Object.entries(FIGURES).map(([name, { live, lookups }]): WorkloadReport => {
    const cells: Cell[] = Object.entries(lookups).map(([lookup, [mapped, ns]]) => cell(`mems-${lookup}`, name, live, mapped, ns));
    cells.push({ ...cell("libc-ffi", name, live, 1, 10) });
    return { name, describe: `${name}.rep`, cells, strategy: true };
  });
  // A trace only size-indexed ran: listed, not common; best-fit's skip keeps its reason.
  traces.push({
    name: "malloclab-t3",
    describe: "t3.rep",
    strategy: true,
    cells: [
      cell("mems-size-indexed", "malloclab-t3", 500, 4096, 70),
      { allocator: "mems-best-fit", workload: "malloclab-t3", skipped: "failed: out of memory" },
    ],
  });
  // A trace of the table no MeMS lookup ran is left out.
  traces.push({ name: "real-t4", describe: "t4", strategy: true, cells: [cell("libc-ffi", "real-t4", 1, 1, 1)] });
  return { ...report, workloads: [...report.workloads, ...traces] };
}

describe("the strategies table", () => {
  const report = strategiesReport();
  const table = strategyTable(report);
  if (table === undefined) throw new Error("the fixture has a strategies table");

  test("takes MeMS's cells on the traces of the table, and only those", () => {
    expect(table.workloads).toEqual(["malloclab-t1", "real-t2", "malloclab-t3"]);
    expect(table.lookups).toEqual(["size-indexed", "first-fit", "best-fit", "next-fit"]);
    expect(table.rows).toHaveLength(9);
    expect(table.rows.find((row) => row.workload === "real-t2" && row.lookup === "next-fit")).toEqual({
      workload: "real-t2",
      lookup: "next-fit",
      utilization: 3000 / 8000,
      peakMappedBytes: 8000,
      holeBytesAtPeak: 5000,
      mmapCalls: 80,
      nsPerOp: 45,
    });
    expect(table.skipped).toEqual([{ workload: "malloclab-t3", lookup: "best-fit", reason: "failed: out of memory" }]);
    expect(strategyTable(fixtureReport())).toBeUndefined(); // no trace of the table
  });

  test("the standing: least mapped first, over the traces every lookup ran", () => {
    expect(commonTraces(table)).toEqual(["malloclab-t1", "real-t2"]);
    const standings = lookupStandings(table);
    expect(standings.map((s) => s.lookup)).toEqual(["best-fit", "size-indexed", "first-fit", "next-fit"]);
    const [best, , first, next] = standings;
    expect(best?.mappedOverLeast).toBeCloseTo(Math.sqrt(1.1), 12); // 1600/1600 and 4400/4000
    expect(first?.mappedOverLeast).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(next?.mappedOverLeast).toBeCloseTo(Math.sqrt(5), 12);
    expect(standings.map((s) => s.leastOn)).toEqual([1, 1, 1, 0]);
    expect(best?.meanUtilization).toBeCloseTo((1000 / 1600 + 3000 / 4400) / 2, 12);
    expect(best?.timeOverBaseline).toBeCloseTo(Math.sqrt(1.5 * 2), 12);
    expect(next?.timeOverBaseline).toBeCloseTo(0.9, 12);
    expect(standingRows(table)[0]).toEqual(["best-fit", "1.049x", "1 of 2", "65.3%", "1.732x"]);
  });

  test("the verdict against the literature's ranking, either way, and none without the three lookups", () => {
    const standings = lookupStandings(table);
    expect(literatureVerdict(standings)).toBe(
      "It agrees: first-fit and best-fit map less than next-fit (first-fit 1.118x, best-fit 1.049x, next-fit 2.236x of the least any lookup maps, geometric means).",
    );
    const reversed = standings.map((s) => (s.lookup === "next-fit" ? { ...s, mappedOverLeast: 1 } : s));
    expect(literatureVerdict(reversed)).toStartWith("It does not agree: next-fit maps no more than first-fit or best-fit here");
    expect(literatureVerdict(standings.filter((s) => s.lookup !== "next-fit"))).toBeUndefined();
    // Without size-indexed's times, no ratio of times.
    const untimed = { ...table, rows: table.rows.filter((row) => row.lookup !== "size-indexed") };
    expect(lookupStandings({ ...untimed, lookups: ["best-fit", "next-fit"] }).map((s) => s.timeOverBaseline)).toEqual([
      undefined,
      undefined,
    ]);
    expect(lookupStandings({ ...table, workloads: ["malloclab-t3"] })).toEqual([]);
  });

  test("the rows: grouped by trace, every figure formatted, a skip with its reason", () => {
    const rows = strategyRows(table);
    expect(rows[0]).toEqual(["malloclab-t1", "size-indexed", "50.0%", "2.0 KiB", "1000 B", "20", "100"]);
    expect(rows[1]?.[0]).toBe("");
    expect(rows.at(-1)).toEqual(["", "best-fit", "failed: out of memory"]);
    expect(rows).toHaveLength(10);
  });

  test("the chart: one utilization bar and one ns/op point per measured cell", async () => {
    const svg = await renderSvg(strategyChart(report, table));
    const marks = (name: string) => {
      const group = svg.match(new RegExp(`<g class="mark-[a-z]+ role-mark ${name}_marks"[^>]*>([\\s\\S]*?)</g>`));
      return (group?.[1]?.match(/<path /g) ?? []).length;
    };
    expect(marks("strategy_utilization")).toBe(9);
    expect(marks("strategy_nsop")).toBe(9);
    expect(svg).toContain("next-fit");
  });

  test("the report's sections: the terminal, RESULTS.md, report.html and the chart file", async () => {
    const text = formatReport(report);
    expect(text).toContain("Strategies\nEvery MeMS lookup");
    expect(text).toContain("Against the literature");
    expect(text).toContain("failed: out of memory");
    expect(text).not.toContain("skipped: ");
    expect(formatReport(fixtureReport())).not.toContain("Strategies");
    const plan = chartPlan(report);
    expect(plan.filter((chart) => chart.kind === "strategies").map((chart) => chart.path)).toEqual(["charts/strategies.svg"]);
    const markdown = resultsMarkdown(report, plan);
    expect(markdown).toContain("## Strategies");
    expect(markdown).toContain("](charts/strategies.svg)");
    const out = join(dir, "results");
    const files = await writeResults(report, out);
    expect(files).toContain("charts/strategies.svg");
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toContain('<section id="strategies">');
    expect(html).toContain('data-chart="strategies"');
    expect(readFileSync(join(out, "charts/strategies.svg"), "utf8")).toStartWith("<svg");
  }, 20_000); // draws every chart of the report with vega: seconds on a busy machine
});

describe("docs/strategies.md's block", () => {
  test("names its source, the standing, the verdict and every figure, between its markers", () => {
    const block = strategiesBlock(strategiesReport(), "bench/data/strategies.json");
    expect(block).toStartWith(DOC_START);
    expect(block).toEndWith(DOC_END);
    expect(block).toContain("[`bench/data/strategies.json`](../bench/data/strategies.json), written by `bun bench --json` on 2026-11-29");
    expect(block).toContain("Over the 2 traces every lookup ran (malloclab-t1, real-t2)");
    expect(block).toContain("**Against the literature.** It agrees");
    expect(block).toContain("| malloclab-t3 | 12.2% | - | - | - |");
    expect(strategiesBlock(fixtureReport(), "/tmp/x.json")).toContain("That report measured no MeMS lookup");
  });

  test("replaces the block in place, or appends one", () => {
    const once = withBlock("# Strategies\n\nintro\n", `${DOC_START}\nA\n${DOC_END}`);
    expect(once).toBe(`# Strategies\n\nintro\n\n${DOC_START}\nA\n${DOC_END}\n`);
    expect(withBlock(`${once}after\n`, `${DOC_START}\nB\n${DOC_END}`)).toBe(
      `# Strategies\n\nintro\n\n${DOC_START}\nB\n${DOC_END}\nafter\n`,
    );
  });

  test("the script rewrites the page and draws the chart from a report's JSON, and says its usage when called wrong", async () => {
    const page = join(dir, "strategies.md");
    const json = join(dir, "report.json");
    const chart = join(dir, "strategies.svg");
    writeFileSync(page, `# Strategies\n\n${DOC_START}\nold\n${DOC_END}\n\nThe end.\n`);
    writeFileSync(json, JSON.stringify(strategiesReport()));
    const said: string[] = [];
    expect(await main(["--into", page, "--chart", chart, json], (text) => said.push(text))).toBe(0);
    const text = readFileSync(page, "utf8");
    expect(text).not.toContain("old");
    expect(text).toContain("Over the 2 traces");
    expect(text).toEndWith(`${DOC_END}\n\nThe end.\n`);
    expect(readFileSync(chart, "utf8")).toStartWith("<svg");
    expect(said).toEqual([`wrote the strategies block of ${page} from ${json}\n`, `wrote ${chart}\n`]);
    expect(await main(["--into", page], (text) => said.push(text))).toBe(2);
    expect(said.at(-1)).toStartWith("usage:");
    expect(await main([json], (text) => said.push(text))).toBe(2);
  });
});
