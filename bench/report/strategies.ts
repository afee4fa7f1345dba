/**
 * The strategies table: every MeMS lookup on every trace of the strategies table (the malloc-lab traces
 * and the programs recorded with `mems record`), from a bench report. Utilization, peak mapped bytes,
 * HOLE bytes at the peak and mmap calls come from one observed replay of the cell (bench/strategies.ts:
 * they are the lookup's and the trace's, whatever the clock says); ns/op from its timed replays.
 *
 * From the table: each lookup's standing over the traces every lookup ran (how much more it maps than
 * the lookup that maps least, as a geometric mean), a verdict against the literature's ranking, the
 * report's chart, and docs/strategies.md's generated block:
 *
 *   bun bench/report/strategies.ts --into docs/strategies.md --chart docs/pictures/strategies.svg REPORT.json
 *   npm run bench:strategies -- --into docs/strategies.md --chart docs/pictures/strategies.svg REPORT.json
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { TopLevelSpec } from "vega-lite";
import { withMarkedBlock } from "../../lib/marked-block.ts";
import { renderSvg } from "../../lib/vega.ts";
import { BASELINE, isMemsAllocator } from "../allocators.ts";
import { isSkipped } from "../family.ts";
import type { BenchReport } from "../run.ts";
import { logDomain, powersOfTen } from "./charts.ts";
import { formatBytes, formatCount, formatNs, formatPercent } from "./numbers.ts";
import { cellNote } from "./summary.ts";

/** One lookup on one trace. */
export interface StrategyRow {
  workload: string;
  /** The lookup's name (the allocator's without `mems-`). */
  lookup: string;
  utilization?: number;
  peakMappedBytes?: number;
  holeBytesAtPeak?: number;
  mmapCalls?: number;
  nsPerOp: number;
}

export interface StrategyTable {
  /** The traces, in the report's order. */
  workloads: string[];
  /** The lookups, in the order the run measured them. */
  lookups: string[];
  /** Every measured cell. */
  rows: StrategyRow[];
  /** Cells that did not run, and why (as the tables say it: stopped, failed, not run on this workload). */
  skipped: { workload: string; lookup: string; reason: string }[];
}

const lookupOf = (allocator: string): string => allocator.slice("mems-".length);
/** The lookup every ns/op of the standing is compared with. */
const BASELINE_LOOKUP = lookupOf(BASELINE);

/** The strategies table of a report, or undefined when it measured no MeMS lookup on a trace of the table. */
export function strategyTable(report: BenchReport): StrategyTable | undefined {
  const table: StrategyTable = { workloads: [], lookups: [], rows: [], skipped: [] };
  for (const workload of report.workloads) {
    if (workload.strategy !== true) continue;
    const cells = workload.cells.filter((cell) => isMemsAllocator(cell.allocator));
    if (cells.length === 0) continue;
    table.workloads.push(workload.name);
    for (const cell of cells) {
      const lookup = lookupOf(cell.allocator);
      if (!table.lookups.includes(lookup)) table.lookups.push(lookup);
      if (isSkipped(cell)) {
        table.skipped.push({ workload: workload.name, lookup, reason: cellNote(cell, report).full });
        continue;
      }
      const row: StrategyRow = { workload: workload.name, lookup, nsPerOp: cell.nsPerOp };
      if (cell.utilization !== undefined) row.utilization = cell.utilization;
      if (cell.peakMappedBytes !== undefined) row.peakMappedBytes = cell.peakMappedBytes;
      if (cell.holeBytesAtPeak !== undefined) row.holeBytesAtPeak = cell.holeBytesAtPeak;
      if (cell.mmapCalls !== undefined) row.mmapCalls = cell.mmapCalls;
      table.rows.push(row);
    }
  }
  return table.rows.length === 0 ? undefined : table;
}

/* Standing */

export interface LookupStanding {
  lookup: string;
  /**
   * Over the traces every lookup ran: the geometric mean of its peak mapped bytes over the least any
   * lookup mapped on the trace (1: it always maps the least).
   */
  mappedOverLeast: number;
  /** Of those traces, on how many it maps the least (ties included). */
  leastOn: number;
  /** The arithmetic mean of its utilization over those traces. */
  meanUtilization: number;
  /** The geometric mean of its ns/op over the baseline lookup's (size-indexed), on those traces; undefined where that did not run. */
  timeOverBaseline: number | undefined;
}

/** The traces every lookup of the table has peak mapped bytes on. */
export function commonTraces(table: StrategyTable): string[] {
  return table.workloads.filter((workload) =>
    table.lookups.every((lookup) => rowOf(table, workload, lookup)?.peakMappedBytes !== undefined),
  );
}

function rowOf(table: StrategyTable, workload: string, lookup: string): StrategyRow | undefined {
  return table.rows.find((row) => row.workload === workload && row.lookup === lookup);
}

function geometricMean(values: readonly number[]): number {
  return Math.exp(values.reduce((sum, value) => sum + Math.log(value), 0) / values.length);
}

/** Each lookup's standing over the common traces, least mapped first; empty when no trace is common. */
export function lookupStandings(table: StrategyTable, baseline = BASELINE_LOOKUP): LookupStanding[] {
  const traces = commonTraces(table);
  if (traces.length === 0) return [];
  const least = new Map(
    traces.map((workload) => [workload, Math.min(...table.lookups.map((lookup) => rowOf(table, workload, lookup)?.peakMappedBytes ?? 0))]),
  );
  const standings = table.lookups.map((lookup): LookupStanding => {
    const rows = traces.map((workload) => rowOf(table, workload, lookup));
    const over = rows.map((row, i) => (row?.peakMappedBytes ?? 0) / (least.get(traces[i] ?? "") ?? 1));
    const times = rows.map((row, i) => (row?.nsPerOp ?? 0) / (rowOf(table, traces[i] ?? "", baseline)?.nsPerOp ?? Number.NaN));
    const timed = times.every((ratio) => Number.isFinite(ratio) && ratio > 0);
    return {
      lookup,
      mappedOverLeast: geometricMean(over),
      leastOn: over.filter((ratio) => ratio === 1).length,
      meanUtilization: rows.reduce((sum, row) => sum + (row?.utilization ?? 0), 0) / rows.length,
      timeOverBaseline: timed ? geometricMean(times) : undefined,
    };
  });
  return standings.sort((x, y) => x.mappedOverLeast - y.mappedOverLeast);
}

/**
 * What the table says of the literature's ranking (Wilson et al. 1995; Johnstone and Wilson 1998:
 * address-ordered first fit and best fit waste little, next fit noticeably more): a sentence, or
 * undefined when the table lacks one of the three.
 */
export function literatureVerdict(standings: readonly LookupStanding[]): string | undefined {
  const of = (name: string) => standings.find((standing) => standing.lookup === name);
  const first = of("first-fit");
  const best = of("best-fit");
  const next = of("next-fit");
  if (first === undefined || best === undefined || next === undefined) return undefined;
  const lead = Math.max(first.mappedOverLeast, best.mappedOverLeast);
  const figures = `first-fit ${formatFactor(first.mappedOverLeast)}, best-fit ${formatFactor(best.mappedOverLeast)}, next-fit ${formatFactor(next.mappedOverLeast)}`;
  if (next.mappedOverLeast > lead) {
    return `It agrees: first-fit and best-fit map less than next-fit (${figures} of the least any lookup maps, geometric means).`;
  }
  return `It does not agree: next-fit maps no more than first-fit or best-fit here (${figures} of the least any lookup maps, geometric means).`;
}

/** 1.0123 -> "1.012x". */
function formatFactor(ratio: number): string {
  return `${ratio.toFixed(3)}x`;
}

/* Tables */

export const STRATEGY_HEAD = ["trace", "lookup", "utilization", "peak mapped", "HOLE bytes\nat the peak", "mmap\ncalls", "ns/op"];

/** The table's rows, grouped by trace (its name on the first row of the group), skipped cells with their reason. */
export function strategyRows(table: StrategyTable): string[][] {
  return table.workloads.flatMap((workload) =>
    table.lookups.flatMap((lookup, i) => {
      const name = i === 0 ? workload : "";
      const row = rowOf(table, workload, lookup);
      if (row === undefined) {
        const skip = table.skipped.find((cell) => cell.workload === workload && cell.lookup === lookup);
        return skip === undefined ? [] : [[name, lookup, skip.reason]];
      }
      return [
        [
          name,
          lookup,
          formatPercent(row.utilization),
          formatBytes(row.peakMappedBytes),
          formatBytes(row.holeBytesAtPeak),
          row.mmapCalls === undefined ? "-" : formatCount(row.mmapCalls),
          formatNs(row.nsPerOp),
        ],
      ];
    }),
  );
}

export const STANDING_HEAD = [
  "lookup",
  "peak mapped over the least (geo. mean)",
  "maps the least on",
  "mean utilization",
  `ns/op over ${BASELINE_LOOKUP} (geo. mean)`,
];

/** The standing as text rows, least mapped first. */
export function standingRows(table: StrategyTable): string[][] {
  const traces = commonTraces(table).length;
  return lookupStandings(table).map((standing) => [
    standing.lookup,
    formatFactor(standing.mappedOverLeast),
    `${standing.leastOn} of ${traces}`,
    formatPercent(standing.meanUtilization),
    standing.timeOverBaseline === undefined ? "-" : formatFactor(standing.timeOverBaseline),
  ]);
}

/** What the report says above the tables: what the figures are, and the verdict when the table has one. */
export function strategiesLead(table: StrategyTable): string[] {
  const verdict = literatureVerdict(lookupStandings(table));
  return [
    "Every MeMS lookup on the malloc-lab traces and the recorded programs. Utilization (peak live / peak mapped), peak mapped, HOLE bytes when mapped bytes first peaked, and mmap calls come from one observed replay (they do not depend on the clock); ns/op from the timed ones.",
    ...(verdict === undefined
      ? []
      : [`Against the literature (address-ordered first fit and best fit waste little, next fit more): ${verdict}`]),
  ];
}

/* The chart */

/** The chart's data: a row per cell, with its peak mapped bytes over the least any lookup mapped on its trace. */
function chartValues(table: StrategyTable) {
  return table.rows.map((row) => {
    const least = Math.min(
      ...table.rows.filter((other) => other.workload === row.workload).map((other) => other.peakMappedBytes ?? Infinity),
    );
    return {
      trace: row.workload,
      lookup: row.lookup,
      ns: row.nsPerOp,
      ...(row.utilization !== undefined && { utilization: row.utilization * 100, label: formatPercent(row.utilization) }),
      ...(row.peakMappedBytes !== undefined && { overLeast: row.peakMappedBytes / least }),
    };
  });
}

/**
 * Every lookup on every trace, one row per trace and a bar (or point) per lookup in it: utilization; peak
 * mapped over the least any lookup mapped there (the differences utilization's 0-100 axis hides); ns/op.
 */
export function strategyChart(report: BenchReport, table: StrategyTable): TopLevelSpec {
  const values = chartValues(table);
  const y = { field: "trace", type: "nominal" as const, sort: table.workloads, title: null, axis: { labelLimit: 220 } };
  const yOffset = { field: "lookup", type: "nominal" as const, sort: table.lookups };
  const color = {
    field: "lookup",
    type: "nominal" as const,
    sort: table.lookups,
    scale: { scheme: "tableau10" },
    legend: { title: "lookup" },
  };
  const nsDomain = logDomain(Math.min(...values.map((value) => value.ns)), Math.max(...values.map((value) => value.ns)));
  const overLeast = Math.max(1.01, ...values.map((value) => value.overLeast ?? 1));
  // With yOffset, the step is one lookup's bar within a trace's row.
  const height = { step: 6 };
  const panel = (name: string, title: string, mark: "bar" | "point", x: object, from?: number) => ({
    name,
    width: 260,
    height,
    title: { text: title, fontSize: 12 },
    mark: mark === "bar" ? { type: "bar" as const, clip: true } : { type: "point" as const, filled: true, size: 30 },
    encoding: {
      // The traces are named once, left of the first panel; the others keep its rows.
      y: name === "strategy_utilization" ? y : { ...y, axis: { labels: false, ticks: false } },
      yOffset,
      color,
      x,
      ...(from !== undefined && { x2: { datum: from } }),
      tooltip: [{ field: "lookup" }, { field: "label", title: "utilization" }],
    },
  });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: "Strategies: every MeMS lookup on the malloc-lab traces and the recorded programs",
      subtitle: [
        "utilization = peak live bytes / peak mapped bytes (higher: less memory wasted); peak mapped over the least any lookup",
        "mapped on the same trace (1: the least); ns/op from the timed replays",
        `${report.command}, ${report.date.slice(0, 16).replace("T", " ")} UTC, ${report.machine.cpu} (${report.machine.cores} cores), Bun ${report.bun}`,
      ],
    },
    data: { values },
    hconcat: [
      panel("strategy_utilization", "utilization (%)", "bar", {
        field: "utilization",
        type: "quantitative",
        title: null,
        scale: { domain: [0, 100] },
      }),
      panel(
        "strategy_mapped",
        "peak mapped ÷ the least on the trace",
        "bar",
        {
          field: "overLeast",
          type: "quantitative",
          title: null,
          scale: { domain: [1, overLeast], zero: false },
          axis: { format: ".2f" },
        },
        1,
      ),
      panel("strategy_nsop", "ns per operation (log scale)", "point", {
        field: "ns",
        type: "quantitative",
        title: null,
        scale: { type: "log", domain: nsDomain },
        axis: { values: powersOfTen(nsDomain), format: "~s" },
      }),
    ],
  } satisfies TopLevelSpec;
}

/* docs/strategies.md */

export const DOC_START = "<!-- strategies: generated by bench/report/strategies.ts --into, do not edit -->";
export const DOC_END = "<!-- end of the strategies block -->";

function markdownTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((text) => text.replaceAll("\n", " ").replaceAll("|", "\\|")).join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

/** The utilization of every lookup on every trace, traces down, lookups across. */
function utilizationMatrix(table: StrategyTable): string {
  return markdownTable(
    ["trace", ...table.lookups],
    table.workloads.map((workload) => [
      workload,
      ...table.lookups.map((lookup) => formatPercent(rowOf(table, workload, lookup)?.utilization)),
    ]),
  );
}

/** docs/strategies.md's generated block: where the figures come from, the standing, the verdict, the tables. */
export function strategiesBlock(report: BenchReport, source: string): string {
  const table = strategyTable(report);
  const head = [
    DOC_START,
    `Generated from [\`${source}\`](${source.startsWith("/") ? source : `../${source}`}), written by \`${report.command} --json\` on ${report.date.slice(0, 10)} (${report.machine.cpu}, ${report.machine.cores} cores, Bun ${report.bun}).`,
    "",
  ];
  if (table === undefined) return [...head, "That report measured no MeMS lookup on a trace of the strategies table.", DOC_END].join("\n");
  const traces = commonTraces(table);
  const verdict = literatureVerdict(lookupStandings(table));
  return [
    ...head,
    `Over the ${traces.length} traces every lookup ran (${traces.join(", ")}), least memory first:`,
    "",
    markdownTable(STANDING_HEAD, standingRows(table)),
    "",
    ...(verdict === undefined ? [] : [`**Against the literature.** ${verdict}`, ""]),
    "Utilization (peak live / peak mapped) of every lookup on every trace:",
    "",
    utilizationMatrix(table),
    "",
    "Every figure:",
    "",
    markdownTable(STRATEGY_HEAD, strategyRows(table)),
    DOC_END,
  ].join("\n");
}

/** `text` with its generated block replaced by `block` (appended when it has none). */
export function withBlock(text: string, block: string): string {
  return withMarkedBlock(text, DOC_START, DOC_END, block);
}

/**
 * `bun bench/report/strategies.ts --into FILE.md [--chart FILE.svg] REPORT.json`: rewrites the block of
 * FILE.md (and draws the chart into FILE.svg) from a bench report's JSON; returns the exit status.
 */
export async function main(args: readonly string[], write: (text: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { into: { type: "string" }, chart: { type: "string" } },
    allowPositionals: true,
    strict: false,
  });
  const [source, ...rest] = positionals;
  const into = values.into;
  const chart = values.chart;
  if (typeof into !== "string" || source === undefined || rest.length > 0 || (chart !== undefined && typeof chart !== "string")) {
    write("usage: bun bench/report/strategies.ts --into FILE.md [--chart FILE.svg] REPORT.json\n");
    return 2;
  }
  const report = JSON.parse(readFileSync(source, "utf8")) as BenchReport;
  writeFileSync(into, withBlock(readFileSync(into, "utf8"), strategiesBlock(report, source)));
  write(`wrote the strategies block of ${into} from ${source}\n`);
  const table = strategyTable(report);
  if (chart !== undefined && table !== undefined) {
    writeFileSync(chart, await renderSvg(strategyChart(report, table)));
    write(`wrote ${chart}\n`);
  }
  return 0;
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2), (text) => process.stderr.write(text));
