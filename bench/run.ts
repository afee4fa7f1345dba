/**
 * `bun bench`: every allocator on every workload, one child process per (workload, allocator), run one
 * after the other (the machine has few cores; two measurements at once would share them).
 *
 * In-process allocators run in `bun bench/worker.ts`; `c-reference` is the C replay binary. Ratios are
 * to `mems-size-indexed` measured in the same run. The report is a list of tables (one per workload)
 * and, with `--json`, every figure with the machine, the Bun version and the date.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Table from "cli-table3";
import { ALLOCATORS, type AllocatorName, BASELINE } from "./allocators.ts";
import { measureReference, referenceBinary } from "./creference.ts";
import type { Measurement } from "./measure.ts";
import { PARENT_ENV } from "./orphan.ts";
import { skipReason, traceFile, type WorkloadSpec, workloadSpecs } from "./workloads.ts";

const WORKER = fileURLToPath(new URL("./worker.ts", import.meta.url));

export interface BenchOptions {
  /** churn-100 only, short budgets: the CI smoke run. */
  quick: boolean;
  /** Comma list of substrings of workload or allocator names. */
  filter?: string;
  /**
   * Progress lines (stderr in the CLI). It may throw to stop the run (the CLI does on SIGINT and
   * SIGTERM, after stopping the child): the temporary folder is removed on the way out.
   */
  progress: (line: string) => void;
}

export interface Skipped {
  allocator: AllocatorName;
  workload: string;
  skipped: string;
}

export type Cell = Measurement | Skipped;

export interface WorkloadReport {
  name: string;
  describe: string;
  cells: Cell[];
}

export interface BenchReport {
  date: string;
  command: string;
  machine: { cpu: string; cores: number; platform: string };
  bun: string;
  quick: boolean;
  notes: string[];
  elapsedMs: number;
  workloads: WorkloadReport[];
}

export const NOTES = [
  "ns/op: median of the tinybench samples (one sample = one whole replay of the trace, or one batch of gets) / operations.",
  "p99: the 99th percentile sample / operations; with few samples it is close to the slowest.",
  "Every allocator runs in its own child process per workload, one at a time: Bun allocators in `bun bench/worker.ts`, c-reference in conformance/reference/replay --bench (median of its --repeat runs).",
  "Ratios are to mems-size-indexed in the same run (above 1: slower).",
  "peak mapped: MeMS and C: segment bytes mapped at the peak (bookkeeping excluded); thi.ng-malloc: the highest `top` of its pool; utilization: peak live bytes of the trace / peak mapped.",
];

export function isSkipped(cell: Cell): cell is Skipped {
  return "skipped" in cell;
}

/** Budgets by size: small traces take many short samples, big ones a few long ones. */
function workerBudget(quick: boolean, ops: number): string[] {
  if (quick) return ["--time", "50", "--iterations", "3", "--warmup-time", "20", "--warmup-iterations", "1"];
  if (ops < 50_000) return ["--time", "120", "--iterations", "10", "--warmup-time", "30", "--warmup-iterations", "3"];
  return ["--time", "300", "--iterations", "3", "--warmup-time", "0", "--warmup-iterations", "1"];
}

function selects(filter: string | undefined, names: readonly string[]): (name: string) => boolean {
  const terms = filterTerms(filter);
  const relevant = terms.filter((term) => names.some((name) => name.includes(term)));
  return (name) => relevant.length === 0 || relevant.some((term) => name.includes(term));
}

/* Arguments, checked before any work */

function filterTerms(filter: string | undefined): string[] {
  return (filter ?? "")
    .split(",")
    .map((term) => term.trim())
    .filter((term) => term !== "");
}

/**
 * Why `--filter` cannot select a run, or undefined when it can: a term that is part of no workload or
 * allocator name (a typo would otherwise run the whole bench, minutes long), or no workload left with
 * --quick. The message lists the names.
 */
export function filterProblem(filter: string, quick: boolean): string | undefined {
  const workloads = workloadSpecs(false).map((spec) => spec.name);
  const names = `workloads: ${workloads.join(", ")}\nallocators: ${ALLOCATORS.join(", ")}`;
  const terms = filterTerms(filter);
  if (terms.length === 0) return `--filter needs workload or allocator names (substrings, comma-separated)\n${names}`;
  const unknown = terms.filter((term) => ![...workloads, ...ALLOCATORS].some((name) => name.includes(term)));
  if (unknown.length > 0)
    return `--filter: ${unknown.map((term) => JSON.stringify(term)).join(", ")} names no workload or allocator\n${names}`;
  const chosen = workloadSpecs(quick).filter((spec) => selects(filter, workloads)(spec.name));
  if (chosen.length === 0)
    return `--filter ${filter} selects no workload of --quick (${workloadSpecs(true)
      .map((spec) => spec.name)
      .join(", ")})`;
  return undefined;
}

/* Running */

async function runWorker(args: string[]): Promise<Measurement> {
  // The worker ends itself should this process die without stopping it (orphan.ts).
  const env = { ...process.env, [PARENT_ENV]: String(process.pid) };
  const child = Bun.spawn([process.execPath, WORKER, ...args], { stdout: "pipe", stderr: "pipe", env });
  const [stdout, stderr, status] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (status !== 0) throw new Error(`worker exited with ${status}: ${stderr.trim().split("\n").slice(0, 3).join(" ")}`);
  return JSON.parse(stdout) as Measurement;
}

function opsOf(spec: WorkloadSpec, file: string | undefined): number {
  if (spec.kind === "get") return spec.gets;
  if (spec.kind === "churn") return 2 * spec.live + 2 * spec.replacements;
  // A malloc-lab trace or a scenario: one operation per non-blank line, near enough for a budget.
  return file === undefined ? 0 : readFileSync(file, "utf8").split("\n").length;
}

export function cpuModel(): string {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((text) => text.startsWith("model name"));
    if (line !== undefined) return line.slice(line.indexOf(":") + 1).trim();
  } catch {
    // not Linux: fall back to what Node reports
  }
  return cpus()[0]?.model ?? "unknown";
}

export async function runBench(options: BenchOptions, command = "bun bench"): Promise<BenchReport> {
  const started = Date.now();
  const specs = workloadSpecs(options.quick).filter((spec) =>
    selects(
      options.filter,
      workloadSpecs(false).map((s) => s.name),
    )(spec.name),
  );
  const allocators = ALLOCATORS.filter(selects(options.filter, ALLOCATORS));
  const reference = allocators.includes("c-reference") ? await referenceBinary() : undefined;
  const dir = mkdtempSync(join(tmpdir(), "mems-bench-"));
  const total = specs.length * allocators.length;
  const workloads: WorkloadReport[] = [];
  let step = 0;
  try {
    for (const spec of specs) {
      const file = traceFile(spec, dir);
      const budget = workerBudget(options.quick, opsOf(spec, file));
      const cells: Cell[] = [];
      for (const allocator of allocators) {
        step++;
        options.progress(`[${step}/${total}] ${spec.name} ${allocator}`);
        const reason = skipReason(allocator, spec);
        if (reason !== undefined) {
          cells.push({ allocator, workload: spec.name, skipped: reason });
          continue;
        }
        try {
          if (allocator === "c-reference") {
            if (reference === undefined || "reason" in reference) throw new Error(reference?.reason ?? "no binary");
            if (file === undefined) throw new Error("no trace file");
            cells.push(await measureReference(reference.path, spec.name, file, options.quick ? 20 : 200, options.quick ? 3 : 51));
          } else {
            const target =
              file !== undefined
                ? ["--trace", file]
                : spec.kind === "get"
                  ? ["--blocks", String(spec.blocks), "--gets", String(spec.gets)]
                  : [];
            cells.push(await runWorker(["--allocator", allocator, "--workload", spec.name, ...target, ...budget]));
          }
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          cells.push({ allocator, workload: spec.name, skipped: `failed: ${message}` });
          options.progress(`  ${allocator} failed: ${message}`);
        }
      }
      fillPeakLive(cells);
      workloads.push({ name: spec.name, describe: spec.describe, cells });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    date: new Date().toISOString(),
    command,
    machine: { cpu: cpuModel(), cores: cpus().length, platform: `${process.platform} ${process.arch}` },
    bun: Bun.version,
    quick: options.quick,
    notes: NOTES,
    elapsedMs: Date.now() - started,
    workloads,
  };
}

/** The C binary does not report peak live bytes: they are the trace's, as every Bun run measured them. */
function fillPeakLive(cells: Cell[]): void {
  const known = cells.find((cell): cell is Measurement => !isSkipped(cell) && cell.peakLiveBytes !== undefined);
  if (known?.peakLiveBytes === undefined) return;
  for (const cell of cells) {
    if (isSkipped(cell) || cell.peakLiveBytes !== undefined) continue;
    cell.peakLiveBytes = known.peakLiveBytes;
    if (cell.peakMappedBytes !== undefined && cell.peakMappedBytes > 0) cell.utilization = known.peakLiveBytes / cell.peakMappedBytes;
  }
}

/* Formatting */

function formatNs(ns: number): string {
  if (ns >= 1000) return Math.round(ns).toLocaleString("en");
  return ns >= 100 ? ns.toFixed(0) : ns.toFixed(1);
}

function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k`;
  return perSecond.toFixed(0);
}

function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return "-";
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
  if (bytes >= 1 << 10) return `${(bytes / (1 << 10)).toFixed(1)} KiB`;
  return `${bytes} B`;
}

const HEAD = ["allocator", "ns/op (median)", "p99", "ops/s", `vs ${BASELINE}`, "peak mapped", "mmap calls", "utilization"];

/** One workload's table; skipped allocators keep their row, with the reason. */
export function formatTable(workload: WorkloadReport): string {
  const table = new Table({ head: HEAD, style: { head: [], border: [] } });
  const baseline = workload.cells.find((cell): cell is Measurement => !isSkipped(cell) && cell.allocator === BASELINE);
  for (const cell of workload.cells) {
    if (isSkipped(cell)) {
      table.push([cell.allocator, { colSpan: HEAD.length - 1, content: `skipped: ${cell.skipped}` }]);
      continue;
    }
    table.push([
      cell.allocator,
      formatNs(cell.nsPerOp),
      formatNs(cell.p99NsPerOp),
      formatRate(1e9 / cell.nsPerOp),
      baseline === undefined ? "-" : `${(cell.nsPerOp / baseline.nsPerOp).toFixed(2)}x`,
      formatBytes(cell.peakMappedBytes),
      cell.mmapCalls === undefined ? "-" : cell.mmapCalls.toLocaleString("en"),
      cell.utilization === undefined ? "-" : `${(cell.utilization * 100).toFixed(1)}%`,
    ]);
  }
  const ops = workload.cells.find((cell): cell is Measurement => !isSkipped(cell))?.ops;
  const title = `${workload.name}: ${workload.describe}${ops === undefined ? "" : ` (${ops.toLocaleString("en")} ops)`}`;
  return `${title}\n${table.toString()}\n`;
}

export function formatReport(report: BenchReport): string {
  const lines = [
    `${report.command} on ${report.machine.cpu} (${report.machine.cores} cores), Bun ${report.bun}, ${report.date}`,
    "",
    ...report.workloads.map(formatTable),
    ...report.notes.map((note) => `- ${note}`),
    `- Took ${(report.elapsedMs / 1000).toFixed(1)} s.`,
  ];
  return `${lines.join("\n")}\n`;
}
