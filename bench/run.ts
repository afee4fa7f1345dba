/**
 * `bun bench`: every allocator on every workload, one child process per (workload, allocator), run one
 * after the other (the machine has few cores; two measurements at once would share them).
 *
 * In-process allocators run in `bun bench/worker.ts`; `c-reference` is the C replay binary. Ratios are
 * to `mems-size-indexed` measured in the same run. The report is a list of tables (one per workload)
 * and, with `--json`, every figure with the machine, the Bun version and the date.
 */
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { makeTemporaryFolder, removeTemporaryFolder } from "../lib/temporary.ts";
import { ALLOCATORS, type AllocatorName, allocatorNames, isMemsAllocator } from "./allocators.ts";
import { measureReference, referenceBinary } from "./creference.ts";
import { type Cell, copyCells, DeadlineError, FamilyStops, familyOf, isSkipped, traceKey } from "./family.ts";
import type { Measurement } from "./measure.ts";
import { PARENT_ENV } from "./orphan.ts";
import { measurePeerProcess, PEER_NOTES, peerEnv, peerSkipReason, preparePeers, prepareWorkload } from "./peers/index.ts";
import type { Family, WorkloadSpec } from "./types.ts";
import { skipReason, traceFile, workloadSpecs } from "./workloads.ts";

export { type Cell, isSkipped, type Skipped } from "./family.ts";

const WORKER = fileURLToPath(new URL("./worker.ts", import.meta.url));

export interface BenchOptions {
  /** churn-100 only, short budgets: the CI smoke run. */
  quick: boolean;
  /** Comma list of substrings of workload or allocator names. */
  filter?: string;
  /**
   * Lookups written outside the project (`--lookup FILE`), loaded and checked by the caller: each runs as
   * MeMS allocator `mems-NAME`, as the core's lookups beyond first-fit and size-indexed do.
   */
  lookups?: readonly { name: string; file: string }[];
  /**
   * Progress lines (stderr in the CLI). It may throw to stop the run (the CLI does on SIGINT and
   * SIGTERM, after stopping the child): the temporary folder is removed on the way out.
   */
  progress: (line: string) => void;
}

export interface WorkloadReport {
  name: string;
  describe: string;
  cells: Cell[];
  /** The family this workload is one size of (the cost curve). */
  family?: Family;
  /** The workload of this run whose figures these are (the same trace, measured once). */
  sameTraceAs?: string;
  /** A trace of the strategies table (report/strategies.ts): a malloc-lab trace or a recorded program. */
  strategy?: boolean;
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
  "latency: the time of batches of 1,000 operations in the timed replays (one clock reading per batch): p50, p99, p99.9 and the slowest batch; the C binary times whole replays only.",
  "scaling: the churn trace at 100 to 1,000,000 live blocks; an allocator that does not finish a size within 30 s is stopped there and runs no larger size. A size with the trace of another workload (scaling-10k is churn-10k) is measured once.",
  "strategies: every MeMS lookup on the malloc-lab and real-* traces (docs/strategies.md); MeMS with a lookup beyond first-fit and size-indexed runs those and the small churn workloads only. Utilization, peak mapped, HOLE bytes at the peak and mmap calls there come from one observed replay of the cell (bench/strategies.ts), ns/op from the timed ones.",
  ...PEER_NOTES,
];

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
export function filterProblem(filter: string, quick: boolean, allocators: readonly string[] = ALLOCATORS): string | undefined {
  const workloads = workloadSpecs(false).map((spec) => spec.name);
  const names = `workloads: ${workloads.join(", ")}\nallocators: ${allocators.join(", ")}`;
  const terms = filterTerms(filter);
  if (terms.length === 0) return `--filter needs workload or allocator names (substrings, comma-separated)\n${names}`;
  const unknown = terms.filter((term) => ![...workloads, ...allocators].some((name) => name.includes(term)));
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

async function runWorker(args: string[], deadlineMs?: number, extraEnv: Record<string, string> = {}): Promise<Measurement> {
  // The worker ends itself should this process die without stopping it (orphan.ts).
  const env = { ...process.env, ...extraEnv, [PARENT_ENV]: String(process.pid) };
  const child = Bun.spawn([process.execPath, WORKER, ...args], {
    stdout: "pipe",
    stderr: "pipe",
    env,
    ...(deadlineMs !== undefined && { timeout: deadlineMs }),
  });
  const [stdout, stderr, status] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (status !== 0 && deadlineMs !== undefined && child.signalCode !== null) throw new DeadlineError(deadlineMs);
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

/** What the cells of one run share: its options and allocators, the prepared binaries and peers, its progress. */
interface Run {
  options: BenchOptions;
  allocators: AllocatorName[];
  /** The C reference binary, or why it cannot be built; undefined when c-reference is not in the run. */
  reference: { path: string } | { reason: string } | undefined;
  /** Peers that could not be prepared (an as-tlsf-wasm compile, a missing library), with the reason. */
  peerFailures: Map<AllocatorName, string>;
  /** A temporary folder for trace and ops files, removed at the end. */
  dir: string;
  stops: FamilyStops;
  /** The workload that measured each trace in this run, by traceKey. */
  measuredTraces: Map<string, WorkloadReport>;
  /** Cells done so far, of `total`. */
  step: number;
  total: number;
}

/** One measurement in its own process: the C reference's binary, the glibc C replay, or a Bun worker. */
async function measureIn(
  run: Run,
  spec: WorkloadSpec,
  allocator: AllocatorName,
  file: string | undefined,
  budget: string[],
): Promise<Measurement> {
  const { options, reference } = run;
  if (allocator === "c-reference") {
    if (reference === undefined || "reason" in reference) throw new Error(reference?.reason ?? "no binary");
    if (file === undefined) throw new Error("no trace file");
    const [targetMs, repeat] = options.quick ? [20, 3] : [200, 51];
    return await measureReference(reference.path, spec.name, file, targetMs, repeat, familyOf(spec)?.deadlineMs);
  }
  if (allocator === "glibc-c") {
    if (file === undefined) throw new Error("no trace file");
    return await measurePeerProcess(spec.name, file, run.dir, options.quick);
  }
  const target =
    file !== undefined ? ["--trace", file] : spec.kind === "get" ? ["--blocks", String(spec.blocks), "--gets", String(spec.gets)] : [];
  // MeMS on a trace of the strategies table also observes one replay for the figures timing does not give.
  const observe = spec.kind === "trace" && spec.strategy === true && isMemsAllocator(allocator) ? ["--observe"] : [];
  const custom = options.lookups?.find((lookup) => `mems-${lookup.name}` === allocator);
  const lookupFile = custom === undefined ? [] : ["--lookup-file", custom.file];
  return await runWorker(
    ["--allocator", allocator, "--workload", spec.name, ...target, ...budget, ...observe, ...lookupFile],
    familyOf(spec)?.deadlineMs,
    peerEnv(allocator),
  );
}

/** One allocator on one workload, in its own process; a stop, a skip or a failure is a cell with the reason. */
async function measureCell(
  run: Run,
  spec: WorkloadSpec,
  allocator: AllocatorName,
  file: string | undefined,
  budget: string[],
): Promise<Cell> {
  const stopped = run.stops.skip(spec, allocator);
  if (stopped !== undefined) return stopped;
  const reason = skipReason(allocator, spec) ?? peerSkipReason(allocator, spec) ?? run.peerFailures.get(allocator);
  if (reason !== undefined) return { allocator, workload: spec.name, skipped: reason };
  const started = Date.now();
  try {
    const measurement = await measureIn(run, spec, allocator, file, budget);
    measurement.wallMs = Date.now() - started;
    return measurement;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    run.options.progress(`  ${allocator} ${error instanceof DeadlineError ? "stopped" : "failed"}: ${message}`);
    if (error instanceof DeadlineError) return { allocator, workload: spec.name, skipped: message, deadlineMs: error.deadlineMs };
    return { allocator, workload: spec.name, skipped: `failed: ${message}` };
  }
}

/** What a workload's report says of it besides its cells. */
function workloadHead(spec: WorkloadSpec): Omit<WorkloadReport, "cells"> {
  const family = familyOf(spec);
  return {
    name: spec.name,
    describe: spec.describe,
    ...(family && { family }),
    ...(spec.kind === "trace" && spec.strategy === true && { strategy: true }),
  };
}

/** A cell copied from another workload of the same trace, unless the allocator sits this workload out. */
function skippedHere(spec: WorkloadSpec, cell: Cell): Cell {
  const reason = skipReason(cell.allocator, spec);
  return reason === undefined ? cell : { allocator: cell.allocator, workload: spec.name, skipped: reason };
}

/** Notes that every allocator of `spec` is done without measuring it, and why. */
function skipAll(run: Run, spec: WorkloadSpec, why: string): void {
  run.options.progress(`[${run.step + 1}-${run.step + run.allocators.length}/${run.total}] ${spec.name}: ${why}`);
  run.step += run.allocators.length;
}

/**
 * One workload: copied from the workload of this run that has the same trace, skipped whole when its
 * trace cannot be prepared, or measured allocator by allocator.
 */
async function workloadReport(run: Run, spec: WorkloadSpec): Promise<WorkloadReport> {
  const key = traceKey(spec);
  const same = key === undefined ? undefined : run.measuredTraces.get(key);
  if (same !== undefined) {
    skipAll(run, spec, `the trace of ${same.name}, measured once`);
    const cells = copyCells(spec, same.cells).map((cell) => run.stops.skip(spec, cell.allocator) ?? skippedHere(spec, cell));
    for (const cell of cells) run.stops.record(spec, cell);
    return { ...workloadHead(spec), cells, sameTraceAs: same.name };
  }
  const unavailable = await prepareWorkload(spec); // a real-* trace is recorded here, unless cached
  if (unavailable !== undefined) {
    skipAll(run, spec, `skipped: ${unavailable}`);
    const cells = run.allocators.map((allocator): Cell => ({ allocator, workload: spec.name, skipped: unavailable }));
    return { ...workloadHead(spec), cells };
  }
  const file = traceFile(spec, run.dir);
  const budget = workerBudget(run.options.quick, opsOf(spec, file));
  const cells: Cell[] = [];
  for (const allocator of run.allocators) {
    run.step++;
    run.options.progress(`[${run.step}/${run.total}] ${spec.name} ${allocator}`);
    const cell = await measureCell(run, spec, allocator, file, budget);
    cells.push(cell);
    run.stops.record(spec, cell);
  }
  fillPeakLive(cells);
  const report: WorkloadReport = { ...workloadHead(spec), cells };
  if (key !== undefined) run.measuredTraces.set(key, report);
  return report;
}

export async function runBench(options: BenchOptions, command = "bun bench"): Promise<BenchReport> {
  const started = Date.now();
  const workloadNames = workloadSpecs(false).map((spec) => spec.name);
  const specs = workloadSpecs(options.quick).filter((spec) => selects(options.filter, workloadNames)(spec.name));
  const names = allocatorNames(options.lookups);
  const allocators = names.filter(selects(options.filter, names));
  const run: Run = {
    options,
    allocators,
    reference: allocators.includes("c-reference") ? await referenceBinary() : undefined,
    peerFailures: await preparePeers(allocators),
    dir: makeTemporaryFolder("mems-bench-"),
    stops: new FamilyStops(),
    measuredTraces: new Map(),
    step: 0,
    total: specs.length * allocators.length,
  };
  const workloads: WorkloadReport[] = [];
  try {
    for (const spec of specs) workloads.push(await workloadReport(run, spec));
  } finally {
    removeTemporaryFolder(run.dir);
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
