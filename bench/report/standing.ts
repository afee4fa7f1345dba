/**
 * Where MeMS stands among all the allocators, from a bench report's data: one table of warm and cold
 * ns/op and one of page faults across the scale workloads (churn-*) and the recorded programs
 * (real-*), for the terminal report; and docs/peers.md, generated from a `bun bench --json` file:
 *
 *   bun bench/report/standing.ts REPORT.json > docs/peers.md
 *   npm run bench:standing -- [--summary-into docs/performance.md] REPORT.json... > docs/peers.md
 */
import { readFileSync, writeFileSync } from "node:fs";
import Table from "cli-table3";
import { withMarkedBlock } from "../../lib/marked-block.ts";
import type { AllocatorName } from "../allocators.ts";
import { median } from "../latency.ts";
import type { Measurement } from "../measure.ts";
import type { BenchReport, Cell, WorkloadReport } from "../run.ts";

const MEMS: AllocatorName = "mems-size-indexed";

function measured(cell: Cell | undefined): cell is Measurement {
  return cell !== undefined && !("skipped" in cell);
}

/** Live blocks of a churn or scaling workload, by its name (`churn-10k`, `scaling-1m`). */
function liveBlocksOf(name: string): number {
  const match = /-(\d+)(k|m)?$/.exec(name);
  if (match === null) return Number.POSITIVE_INFINITY;
  return Number(match[1]) * (match[2] === "m" ? 1_000_000 : match[2] === "k" ? 1000 : 1);
}

/**
 * The workloads the standing compares: the churn and scaling sizes (each trace once, smallest first),
 * then the recorded programs.
 */
export function standingWorkloads(report: BenchReport): WorkloadReport[] {
  const scales = report.workloads
    .filter((workload) => /^(churn|scaling)-/.test(workload.name) && workload.sameTraceAs === undefined)
    .sort((x, y) => liveBlocksOf(x.name) - liveBlocksOf(y.name));
  return [...scales, ...report.workloads.filter((workload) => workload.name.startsWith("real-"))];
}

function allocatorsOf(workloads: readonly WorkloadReport[]): AllocatorName[] {
  const names: AllocatorName[] = [];
  for (const workload of workloads) for (const cell of workload.cells) if (!names.includes(cell.allocator)) names.push(cell.allocator);
  return names;
}

function cellOf(workload: WorkloadReport, allocator: AllocatorName): Cell | undefined {
  return workload.cells.find((cell) => cell.allocator === allocator);
}

export function formatNsPerOp(ns: number): string {
  if (ns >= 1000) return Math.round(ns).toLocaleString("en");
  return ns >= 100 ? ns.toFixed(0) : ns.toFixed(1);
}

function formatFaults(faults: number | undefined): string {
  return faults === undefined ? "-" : Math.round(faults).toLocaleString("en");
}

/** `warm (cold)` ns/op, or `-` when skipped. */
function speedCell(cell: Cell | undefined): string {
  if (!measured(cell)) return "-";
  return cell.coldNsPerOp === undefined
    ? formatNsPerOp(cell.nsPerOp)
    : `${formatNsPerOp(cell.nsPerOp)} (${formatNsPerOp(cell.coldNsPerOp)})`;
}

function faultCell(cell: Cell | undefined): string {
  if (!measured(cell)) return "-";
  return `${formatFaults(cell.warmFaults)} / ${formatFaults(cell.coldFaults)}`;
}

/** Rows of allocator name then one text per workload. */
function grid(report: BenchReport, text: (cell: Cell | undefined) => string): { head: string[]; rows: string[][] } {
  const workloads = standingWorkloads(report);
  return {
    head: ["allocator", ...workloads.map((workload) => workload.name)],
    rows: allocatorsOf(workloads).map((allocator) => [allocator, ...workloads.map((workload) => text(cellOf(workload, allocator)))]),
  };
}

/** The terminal report's standing: two tables, or "" when the report has no churn or real workload. */
export function formatStanding(report: BenchReport): string {
  if (standingWorkloads(report).length === 0) return "";
  const parts: string[] = [];
  for (const [title, text] of [
    ["Where MeMS stands: ns/op warm (cold: the first replay in a fresh process); '-': skipped, reason above", speedCell],
    ["Minor page faults per replay: warm / cold", faultCell],
  ] as const) {
    const { head, rows } = grid(report, text);
    const table = new Table({ head, style: { head: [], border: [] } });
    for (const row of rows) table.push(row);
    parts.push(`${title}\n${table.toString()}\n`);
  }
  return parts.join("\n");
}

function markdownTable(head: readonly string[], rows: readonly string[][]): string {
  const align = head.map((_, i) => (i === 0 ? "---" : "---:"));
  return [head, align, ...rows].map((row) => `| ${row.join(" | ")} |`).join("\n");
}

/** MeMS (the baseline) and the peers measured on `workload`, fastest (warm) first; MeMS's other lookup is left out. */
function ranking(workload: WorkloadReport): Measurement[] {
  return workload.cells
    .filter(measured)
    .filter((cell) => cell.allocator === MEMS || !cell.allocator.startsWith("mems-"))
    .sort((x, y) => x.nsPerOp - y.nsPerOp);
}

function measuredCold(cell: Measurement): cell is Measurement & { coldNsPerOp: number } {
  return cell.coldNsPerOp !== undefined;
}

function ratio(x: number, y: number): string {
  return `${(x / y).toFixed(1)}x`;
}

/** One sentence per workload: which peers MeMS beats warm and cold, and how far it trails the fastest. */
export function standingSentences(report: BenchReport): string[] {
  const sentences: string[] = [];
  for (const workload of standingWorkloads(report)) {
    const ranked = ranking(workload);
    const mems = ranked.find((cell) => cell.allocator === MEMS);
    const fastest = ranked[0];
    if (mems === undefined || fastest === undefined) continue;
    const beatenWarm = ranked
      .filter((cell) => cell.nsPerOp > mems.nsPerOp)
      .map((cell) => `${cell.allocator} (${formatNsPerOp(cell.nsPerOp)})`);
    const colds = ranked.filter(measuredCold);
    const fastestCold = [...colds].sort((x, y) => x.coldNsPerOp - y.coldNsPerOp)[0];
    let sentence = `**${workload.name}** (${workload.describe}): ${MEMS} takes ${formatNsPerOp(mems.nsPerOp)} ns/op warm`;
    sentence += beatenWarm.length > 0 ? ` and beats ${beatenWarm.join(", ")}` : " and beats none of the others";
    sentence +=
      fastest.allocator === MEMS
        ? "; it is the fastest here."
        : `; it trails the fastest, ${fastest.allocator} (${formatNsPerOp(fastest.nsPerOp)}), by ${ratio(mems.nsPerOp, fastest.nsPerOp)}.`;
    if (measuredCold(mems) && fastestCold !== undefined) {
      const beatenCold = colds.filter((cell) => cell.coldNsPerOp > mems.coldNsPerOp);
      sentence += ` Cold, it takes ${formatNsPerOp(mems.coldNsPerOp)} ns/op, beats ${beatenCold.length} of ${colds.length - 1}`;
      sentence +=
        fastestCold.allocator === MEMS
          ? " and is the fastest."
          : ` and trails ${fastestCold.allocator} (${formatNsPerOp(fastestCold.coldNsPerOp)}) by ${ratio(mems.coldNsPerOp, fastestCold.coldNsPerOp)}.`;
    }
    sentences.push(sentence);
  }
  return sentences;
}

/** Per peer: on which workloads MeMS is faster warm, out of those both ran. */
export function scoreLines(report: BenchReport): string[] {
  const workloads = standingWorkloads(report);
  const lines: string[] = [];
  for (const allocator of allocatorsOf(workloads)) {
    if (allocator.startsWith("mems-")) continue;
    const both = workloads.flatMap((workload) => {
      const mems = cellOf(workload, MEMS);
      const peer = cellOf(workload, allocator);
      return measured(mems) && measured(peer) ? [{ workload, won: mems.nsPerOp < peer.nsPerOp }] : [];
    });
    if (both.length === 0) continue;
    const won = both.filter((pair) => pair.won).map((pair) => pair.workload);
    const where = won.length === 0 ? "" : won.length === both.length ? " (all)" : ` (${won.map((workload) => workload.name).join(", ")})`;
    lines.push(`${allocator}: faster on ${won.length} of ${both.length}${where}`);
  }
  return lines;
}

/** What one call through bun:ffi adds to glibc's malloc/free, per workload where both were measured. */
export function ffiCosts(report: BenchReport): { workload: string; ffi: number; c: number }[] {
  const costs: { workload: string; ffi: number; c: number }[] = [];
  for (const workload of standingWorkloads(report)) {
    const ffi = cellOf(workload, "libc-ffi");
    const c = cellOf(workload, "glibc-c");
    if (measured(ffi) && measured(c)) costs.push({ workload: workload.name, ffi: ffi.nsPerOp, c: c.nsPerOp });
  }
  return costs;
}

const WHY = `## Why it stands there

- **Exact sizes, kept chains.** MeMS hands out exactly the bytes asked for and keeps the course's
  structure: every block and every HOLE is a record on a main chain of segments and a sub-chain of
  PROCESS and HOLE pieces, and a free merges with its neighbours in that sub-chain. mimalloc, tcmalloc
  and jemalloc round a request up to a size class and take it from a per-class free list (a pop), and
  give it back with a push; they never split or merge. MeMS splits a HOLE on malloc and merges on free,
  updating the size index (size-indexed) and its address map each time: several dependent loads and
  stores per call where the size-class allocators have one or two. What that buys is utilization
  (MeMS maps close to the bytes live: the bench's per-workload tables give peak mapped and
  utilization), and the warm ns/op are what it costs.
- **Page touches.** MeMS unmaps everything at \`finish\` and as-tlsf-wasm gets a fresh instance per
  replay, so both fault their pages in on every replay, where a process-wide native allocator keeps its
  pages after the first: the fault table shows it. The cold column (first replay in a fresh process) is
  where all of them pay for first touches, and compares like with like.
- **The FFI crossing.** libc-ffi beside glibc-c (the same glibc calls made from C on the same parsed
  trace) measures what calling a native allocator from Bun costs per operation (table below). On small
  heaps the difference is the call itself, a few ns; on large ones it also holds Bun's replay loop
  (its typed arrays compete with the heap for the caches), which C's loop does not have. Every native
  peer here pays the call on every malloc and free; MeMS makes no FFI call per malloc or free (only
  \`mmap\`/\`munmap\` for whole segments), so it pays none of it, but it runs as JIT-compiled
  JavaScript over typed arrays rather than as compiled C.

FFI_TABLE
`;

function medianOf(cells: readonly Measurement[], field: "coldNsPerOp" | "coldFaults" | "warmFaults"): number | undefined {
  const values = cells.map((cell) => cell[field]).filter((value): value is number => value !== undefined);
  return values.length === 0 ? undefined : median(values);
}

/**
 * One report of the medians of several runs of the same bench: each cell's warm and cold ns/op and
 * faults are the medians over the runs that measured it (a cell skipped in every run stays skipped).
 * Workloads, allocators, notes and machine come from the last run.
 */
export function medianReport(reports: readonly BenchReport[]): BenchReport {
  const last = reports.at(-1);
  if (last === undefined) throw new Error("no report");
  const workloads = last.workloads.map((workload) => ({
    ...workload,
    cells: workload.cells.map((cell): Cell => {
      const runs = reports
        .map((report) => report.workloads.find((w) => w.name === workload.name)?.cells.find((c) => c.allocator === cell.allocator))
        .filter(measured);
      const latest = runs.at(-1);
      if (latest === undefined) return cell;
      const merged: Measurement = { ...latest, nsPerOp: median(runs.map((run) => run.nsPerOp)) };
      for (const field of ["coldNsPerOp", "coldFaults", "warmFaults"] as const) {
        const value = medianOf(runs, field);
        if (value === undefined) delete merged[field];
        else merged[field] = value;
      }
      return merged;
    }),
  }));
  return { ...last, workloads };
}

/** `median (min-max)` of a figure over the runs, or the one figure, or `-`. */
function spreadCell(reports: readonly BenchReport[], workload: string, allocator: AllocatorName, field: "nsPerOp" | "coldNsPerOp"): string {
  const values = reports
    .map((report) => report.workloads.find((w) => w.name === workload)?.cells.find((c) => c.allocator === allocator))
    .filter(measured)
    .map((cell) => cell[field])
    .filter((value): value is number => value !== undefined)
    .sort((x, y) => x - y);
  const [lowest] = values;
  const highest = values.at(-1);
  if (lowest === undefined || highest === undefined) return "-";
  if (values.length === 1) return formatNsPerOp(lowest);
  return `${formatNsPerOp(median(values))} (${formatNsPerOp(lowest)}-${formatNsPerOp(highest)})`;
}

function spreadGrid(
  reports: readonly BenchReport[],
  merged: BenchReport,
  field: "nsPerOp" | "coldNsPerOp",
): { head: string[]; rows: string[][] } {
  const workloads = standingWorkloads(merged);
  return {
    head: ["allocator", ...workloads.map((workload) => workload.name)],
    rows: allocatorsOf(workloads).map((allocator) => [
      allocator,
      ...workloads.map((workload) => spreadCell(reports, workload.name, allocator, field)),
    ]),
  };
}

/** A link from docs/ to a repository path given from the repository's root (`bench/data/peers/x.json`). */
function relativeLink(path: string): string {
  return path.startsWith("/") || path.startsWith(".") ? path : `../${path}`;
}

/** What one call through bun:ffi adds, as the table of the "Why" section. */
function ffiTable(report: BenchReport): string {
  const costs = ffiCosts(report);
  if (costs.length === 0) return "(This report measured no workload with both.)";
  return markdownTable(
    ["workload", "libc-ffi ns/op", "glibc-c ns/op", "difference, ns/op"],
    costs.map((cost) => [cost.workload, formatNsPerOp(cost.ffi), formatNsPerOp(cost.c), formatNsPerOp(cost.ffi - cost.c)]),
  );
}

/** docs/peers.md's first lines: the title, and which runs on which machine made the page. */
function peersHeader(reports: readonly BenchReport[], report: BenchReport, sources: readonly string[]): string[] {
  const runs = reports.map((run) => `${run.date} (${(run.elapsedMs / 1000).toFixed(0)} s)`).join(", ");
  return [
    "# MeMS among the allocators a systems programmer would pick",
    "",
    `Generated by \`bun bench/report/standing.ts ${sources.join(" ")}\` from the JSON that \`${report.command} --json FILE\``,
    `wrote on ${report.machine.cpu}, ${report.machine.cores} cores, ${report.machine.platform}, Bun ${report.bun}: ${reports.length} run${reports.length === 1 ? "" : "s"}, ${runs}.`,
    "Figures are medians over the runs, with the lowest and highest in brackets. Do not edit by hand: rerun",
    "the bench and this script. The machine is shared and noisy: read ratios, not digits.",
    `The runs' JSON: ${sources.map((source) => `[${source.slice(source.lastIndexOf("/") + 1)}](${relativeLink(source)})`).join(", ")}.`,
    "",
  ];
}

/** docs/peers.md's tables: warm and cold ns/op (medians with their spread) and page faults. */
function figureSections(reports: readonly BenchReport[], report: BenchReport): string[] {
  const warm = spreadGrid(reports, report, "nsPerOp");
  const cold = spreadGrid(reports, report, "coldNsPerOp");
  const faults = grid(report, faultCell);
  return [
    "## ns/op, warm",
    "",
    "Median of repeated replays in one process (each allocator in its own process).",
    "",
    markdownTable(warm.head, warm.rows),
    "",
    "## ns/op, cold",
    "",
    "The first replay in a fresh process: every allocator pays its first page touches, a Bun one its",
    "unoptimized code too.",
    "",
    markdownTable(cold.head, cold.rows),
    "",
    "## Minor page faults per replay, warm / cold (medians)",
    "",
    markdownTable(faults.head, faults.rows),
    "",
  ];
}

/** Every cell of the standing's workloads that was not measured, with its reason. */
function skippedLines(report: BenchReport): string[] {
  return standingWorkloads(report).flatMap((workload) =>
    workload.cells
      .filter((cell) => !measured(cell))
      .map((cell) => `${workload.name} / ${cell.allocator}: ${"skipped" in cell ? cell.skipped : ""}`),
  );
}

/** docs/peers.md, whole, from one or more reports of the same bench (figures: medians over them). */
export function peersDoc(reports: readonly BenchReport[], sources: readonly string[]): string {
  const report = medianReport(reports);
  const skipped = skippedLines(report);
  return [
    ...peersHeader(reports, report, sources),
    "## Where MeMS stands",
    "",
    `Warm, ${MEMS} against each peer, on the workloads both ran:`,
    "",
    ...scoreLines(report).map((line) => `- ${line}`),
    "",
    "Workload by workload:",
    "",
    ...standingSentences(report).map((sentence) => `- ${sentence}`),
    "",
    ...figureSections(reports, report),
    WHY.replace("FFI_TABLE", ffiTable(report)),
    "## The workloads",
    "",
    ...standingWorkloads(report).map((workload) => `- **${workload.name}**: ${workload.describe}`),
    "",
    ...(skipped.length > 0 ? ["## Skipped", "", ...skipped.map((line) => `- ${line}`), ""] : []),
    "## Notes from the bench",
    "",
    ...report.notes.map((note) => `- ${note}`),
    "",
  ].join("\n");
}

export const SUMMARY_START = "<!-- peers summary: generated by bench/report/standing.ts --summary-into, do not edit -->";
export const SUMMARY_END = "<!-- end of the peers summary -->";

/** docs/performance.md's short summary of the standing (medians of the runs), linking docs/peers.md. */
export function performanceSummary(reports: readonly BenchReport[], sources: readonly string[]): string {
  const report = medianReport(reports);
  const trails = standingWorkloads(report).flatMap((workload) => {
    const ranked = ranking(workload);
    const mems = ranked.find((cell) => cell.allocator === MEMS);
    const fastest = ranked[0];
    if (mems === undefined || fastest === undefined || fastest === mems) return [];
    return [`${workload.name}: ${ratio(mems.nsPerOp, fastest.nsPerOp)} behind ${fastest.allocator}`];
  });
  const runs = `${reports.length} run${reports.length === 1 ? "" : "s"} of \`${report.command}\` on ${report.machine.cpu}, ${report.date.slice(0, 10)}`;
  return [
    SUMMARY_START,
    "## Where MeMS stands among the peers",
    "",
    `Medians of ${runs} (${sources.map((source) => `\`${source}\``).join(", ")}). Warm, ${MEMS} against`,
    "each allocator on the workloads both ran (churn at growing sizes, and real programs recorded with `mems record`):",
    "",
    ...scoreLines(report).map((line) => `- ${line}`),
    "",
    `How far it trails the fastest, warm: ${trails.length === 0 ? "nowhere" : trails.join("; ")}.`,
    "",
    "Why: MeMS hands out exact sizes and keeps the course's chains, splitting a HOLE on malloc and merging",
    "on free, where mimalloc, tcmalloc and jemalloc pop and push a per-size-class list; and every native",
    "allocator pays a bun:ffi call per malloc and free, which MeMS does not. Every figure, warm and cold,",
    "with page faults and the cost of the FFI call: [peers.md](peers.md).",
    SUMMARY_END,
  ].join("\n");
}

/** `text` with the summary block replaced by `summary` (or `summary` appended when it has none). */
export function withSummary(text: string, summary: string): string {
  return withMarkedBlock(text, SUMMARY_START, SUMMARY_END, summary);
}

if (import.meta.main) {
  // bun bench/report/standing.ts [--summary-into docs/performance.md] RUN.json... > docs/peers.md
  const args = process.argv.slice(2);
  const into = args[0] === "--summary-into" ? args[1] : undefined;
  const sources = into === undefined ? args : args.slice(2);
  if (sources.length === 0) {
    process.stderr.write("usage: bun bench/report/standing.ts [--summary-into FILE.md] REPORT.json... > docs/peers.md\n");
    process.exit(2);
  }
  const reports = sources.map((source) => JSON.parse(readFileSync(source, "utf8")) as BenchReport);
  if (into !== undefined) writeFileSync(into, withSummary(readFileSync(into, "utf8"), performanceSummary(reports, sources)));
  process.stdout.write(peersDoc(reports, sources));
}
