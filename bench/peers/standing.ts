/**
 * Where MeMS stands among all the allocators, from a bench report's data: one table of warm and cold
 * ns/op and one of page faults across the scale workloads (churn-*) and the recorded programs
 * (real-*), for the terminal report; and docs/peers.md, generated from a `bun bench --json` file:
 *
 *   bun bench/peers/standing.ts REPORT.json > docs/peers.md
 */
import { readFileSync } from "node:fs";
import Table from "cli-table3";
import type { AllocatorName } from "../allocators.ts";
import type { Measurement } from "../measure.ts";
import type { BenchReport, Cell, WorkloadReport } from "../run.ts";

const MEMS: AllocatorName = "mems-size-indexed";

function measured(cell: Cell | undefined): cell is Measurement {
  return cell !== undefined && !("skipped" in cell);
}

/** The workloads the standing compares: the churn scales and the recorded programs. */
export function standingWorkloads(report: BenchReport): WorkloadReport[] {
  return report.workloads.filter((workload) => workload.name.startsWith("churn-") || workload.name.startsWith("real-"));
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

/** Allocators measured on `workload`, fastest (warm) first. */
function ranking(workload: WorkloadReport): Measurement[] {
  return workload.cells.filter(measured).sort((x, y) => x.nsPerOp - y.nsPerOp);
}

function ratio(x: number, y: number): string {
  return `${(x / y).toFixed(1)}x`;
}

/** One sentence per workload: whom MeMS beats warm and cold, and how far it trails the fastest. */
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
    const colds = ranked.filter((cell) => cell.coldNsPerOp !== undefined);
    const fastestCold = [...colds].sort((x, y) => (x.coldNsPerOp as number) - (y.coldNsPerOp as number))[0];
    const beatenCold =
      mems.coldNsPerOp === undefined ? [] : colds.filter((cell) => (cell.coldNsPerOp as number) > (mems.coldNsPerOp as number));
    let sentence = `**${workload.name}** (${workload.describe}): ${MEMS} takes ${formatNsPerOp(mems.nsPerOp)} ns/op warm`;
    sentence += beatenWarm.length > 0 ? ` and beats ${beatenWarm.join(", ")}` : " and beats none of the others";
    sentence +=
      fastest.allocator === MEMS
        ? "; it is the fastest here."
        : `; it trails the fastest, ${fastest.allocator} (${formatNsPerOp(fastest.nsPerOp)}), by ${ratio(mems.nsPerOp, fastest.nsPerOp)}.`;
    if (mems.coldNsPerOp !== undefined && fastestCold?.coldNsPerOp !== undefined) {
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
  stores per call where the size-class allocators have one or two. That is what the tables call
  utilization (MeMS maps close to the bytes live), and what the warm ns/op pay for.
- **Page touches.** MeMS unmaps everything at \`finish\` and as-tlsf-wasm gets a fresh instance per
  replay, so both fault their pages in on every replay, where a process-wide native allocator keeps its
  pages after the first: the fault table shows it. The cold column (first replay in a fresh process) is
  where all of them pay for first touches, and compares like with like.
- **The FFI crossing.** A bun:ffi call costs a few ns each way; libc-ffi beside glibc-c (the same calls
  made from C on the same parsed trace) measures it per operation: FFI_SENTENCE MeMS makes no FFI call
  per malloc or free (only \`mmap\`/\`munmap\` for whole segments), so it pays none of that, but it runs
  as JIT-compiled JavaScript over typed arrays rather than as compiled C.
`;

/** docs/peers.md, whole, from one report. */
export function peersDoc(report: BenchReport, source: string): string {
  const costs = ffiCosts(report);
  const ffiSentence =
    costs.length === 0
      ? "this report measured no workload with both."
      : `${costs.map((cost) => `${cost.workload}: ${formatNsPerOp(cost.ffi)} ns/op through bun:ffi against ${formatNsPerOp(cost.c)} from C`).join("; ")}.`;
  const speed = grid(report, speedCell);
  const faults = grid(report, faultCell);
  const skipped = standingWorkloads(report).flatMap((workload) =>
    workload.cells
      .filter((cell) => !measured(cell))
      .map((cell) => `${workload.name} / ${cell.allocator}: ${"skipped" in cell ? cell.skipped : ""}`),
  );
  return [
    "# MeMS among the allocators a systems programmer would pick",
    "",
    `Generated by \`bun bench/peers/standing.ts ${source}\` from the JSON that \`${report.command} --json\` wrote`,
    `(${report.date}, ${report.machine.cpu}, ${report.machine.cores} cores, ${report.machine.platform}, Bun ${report.bun}).`,
    "Do not edit by hand: rerun the bench and this script. The machine is shared and noisy (the same",
    "replay varies up to 2x between runs): read ratios, not digits.",
    "",
    "## Where MeMS stands",
    "",
    ...standingSentences(report).map((sentence) => `- ${sentence}`),
    "",
    "## ns/op, warm (cold)",
    "",
    "Warm: median of repeated replays in one process. Cold: the first replay in a fresh process.",
    "",
    markdownTable(speed.head, speed.rows),
    "",
    "## Minor page faults per replay, warm / cold",
    "",
    markdownTable(faults.head, faults.rows),
    "",
    WHY.replace("FFI_SENTENCE", ffiSentence),
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

if (import.meta.main) {
  const source = process.argv[2];
  if (source === undefined) {
    process.stderr.write("usage: bun bench/peers/standing.ts REPORT.json > docs/peers.md\n");
    process.exit(2);
  }
  process.stdout.write(peersDoc(JSON.parse(readFileSync(source, "utf8")) as BenchReport, source));
}
