/**
 * The conformance harness: the TypeScript core against the expected files and against the C reference.
 *
 * Three suites, run in this order by `mems conformance`:
 * - `golden`: every `*.mtrace` with a `*.expected` beside it, through TS first-fit, TS size-indexed (only
 *   where the output cannot depend on which HOLE is chosen: no `s`, `v`, `p`, `P` or `F`) and the C
 *   reference (with `--check`; built with the scenario's `@align`), each compared with the expected file.
 * - `differential`: seeded random scenarios through TS first-fit and the C reference, outputs identical;
 *   through every other lookup (size-indexed, best-fit, next-fit, worst-fit) with the heap walk after
 *   every operation; and their hole-independent part (steady.ts) through every lookup with `verify`,
 *   outputs identical to first-fit's. Every seed runs at each of the alignments asked for (1 and 8 by
 *   default), against the C reference built with the same one; each (seed, alignment) is a case
 *   (differential.ts), and the cases run in worker processes, one per CPU by default (pool.ts).
 * - `malloclab`: every malloc-lab trace through both with the final stats printed; outputs identical.
 *
 * Every suite takes its cases as arguments (a directory, a seed range), so tests can point it elsewhere.
 */
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename, join } from "node:path";
import Table from "cli-table3";
import type { Lookup } from "../core/index.ts";
import { keepTemporaryFolder, makeTemporaryFolder, removeTemporaryFolder } from "../lib/temporary.ts";
import { type GoldenCase, goldenCases, mallocLabTraces } from "../trace/corpus.ts";
import { readScenario, type Scenario } from "../trace/format.ts";
import { isHoleIndependent } from "../trace/output.ts";
import { compareOutputs } from "./compare.ts";
import type { DifferentialJob } from "./differential.ts";
import { runCases } from "./pool.ts";
import { buildReference, describeExit, type ReferenceRun, runReference } from "./reference.ts";
import { checkEveryOp, compareTs, errorText, replayTs, type TsRun } from "./ts-run.ts";

export { differentialScenario } from "./differential.ts";

/* Profiles */

export const SUITES = ["golden", "differential", "malloclab"] as const;
export type Suite = (typeof SUITES)[number];

/**
 * Differential sizes. Every one runs each seed at every alignment, through every lookup, with the heap
 * walk after every operation; they differ only in seeds and operations. `standard`, the default, is
 * sized for at most 3 minutes on the project's 2-core machine (docs/conformance.md); `full` keeps the
 * thousand seeds the default had before; `ci` finishes in seconds. What each took: conformance/timings.json.
 */
export const PROFILES = {
  ci: { cases: 60, ops: 400 },
  standard: { cases: 450, ops: 4000 },
  full: { cases: 1000, ops: 4000 },
} as const;
export type Profile = keyof typeof PROFILES;

/** The profile of a run that names none. */
export const DEFAULT_PROFILE: Profile = "standard";

/* Results */

export interface CaseFailure {
  /** The case, e.g. `merge.mtrace [C reference]` or `seed 17`. */
  readonly name: string;
  /** What went wrong: the first differing line with both sides, or an error. */
  readonly detail: string;
  /** For a random case: how to rerun just it, and where its scenario was kept. */
  readonly rerun?: string;
}

export interface SuiteResult {
  readonly suite: Suite;
  readonly cases: number;
  readonly passed: number;
  readonly failed: number;
  readonly seconds: number;
  readonly failures: readonly CaseFailure[];
}

/** How far a suite has come: `done` of its `total` inputs (golden files, differential cases, malloc-lab traces). */
export interface SuiteProgress {
  readonly suite: Suite;
  readonly done: number;
  readonly total: number;
  /** Since the suite started, ms (what an estimate of the time left goes by). */
  readonly elapsedMs: number;
}

/**
 * Told when a suite starts (done 0) and after each of its inputs. It may throw to stop the run (the CLI
 * does on SIGINT and SIGTERM): temporary files are removed on the way out.
 */
export type ProgressCallback = (progress: SuiteProgress) => void;

/** Counts cases and failures of one suite while it runs. */
class SuiteTally {
  private readonly started = performance.now();
  private cases = 0;
  private done = 0;
  private readonly failures: CaseFailure[] = [];

  constructor(
    private readonly suite: Suite,
    private readonly total = 0,
    private readonly progress?: ProgressCallback,
  ) {
    this.progress?.({ suite, done: 0, total, elapsedMs: 0 });
  }

  /** One input of the suite is done. */
  inputDone(): void {
    this.done++;
    this.progress?.({ suite: this.suite, done: this.done, total: this.total, elapsedMs: performance.now() - this.started });
  }

  /** One case: `problem` undefined means it passed. */
  record(name: string, problem: string | undefined, rerun?: string): void {
    this.cases++;
    if (problem !== undefined) this.failures.push(rerun === undefined ? { name, detail: problem } : { name, detail: problem, rerun });
  }

  result(): SuiteResult {
    return {
      suite: this.suite,
      cases: this.cases,
      passed: this.cases - this.failures.length,
      failed: this.failures.length,
      seconds: (performance.now() - this.started) / 1000,
      failures: this.failures,
    };
  }
}

function compareReference(expectedName: string, expected: string, run: ReferenceRun): string | undefined {
  const difference = compareOutputs(expectedName, expected, "C reference", run.stdout);
  if (run.status === 0) return difference;
  return `${describeExit(run)}${difference === undefined ? "" : `\n${difference}`}`;
}

/* Suite: golden */

/** Each golden case through TS first-fit, TS size-indexed where it cannot matter, and the C reference. */
export async function runGolden(cases: readonly GoldenCase[] = goldenCases(), progress?: ProgressCallback): Promise<SuiteResult> {
  const tally = new SuiteTally("golden", cases.length, progress);
  for (const golden of cases) {
    const expected = readFileSync(golden.expectedFile, "utf8");
    let scenario: Scenario | undefined;
    try {
      scenario = readScenario(golden.file);
    } catch (error) {
      tally.record(`${golden.name} [TS]`, errorText(error));
    }
    // Runs while TS replays; a scenario TS cannot read is still given to the course's reference.
    const reference = runReference(["--check", golden.file], scenario?.directives.align ?? 1);
    if (scenario !== undefined) {
      const lookups: Lookup[] = isHoleIndependent(scenario) ? ["first-fit", "size-indexed"] : ["first-fit"];
      for (const lookup of lookups) {
        const run = replayTs(scenario, { lookup, afterOp: checkEveryOp });
        tally.record(`${golden.name} [TS ${lookup}]`, compareTs("expected file", expected, `TS ${lookup}`, run));
      }
    }
    tally.record(`${golden.name} [C reference]`, compareReference("expected file", expected, await reference));
    tally.inputDone();
  }
  return tally.result();
}

/* Suite: differential */

export interface DifferentialOptions {
  /** Number of random scenarios, with seeds firstSeed, firstSeed + 1, ... */
  readonly cases: number;
  readonly firstSeed: number;
  /** Operations per scenario. */
  readonly ops: number;
  /** The alignments each seed runs at (each one a case); DIFFERENTIAL_ALIGNMENTS when absent. */
  readonly aligns?: readonly number[];
  /** Cases run at once, each in a worker process (1: in this process); DEFAULT_JOBS when absent. */
  readonly jobs?: number;
  /** The workers' script (pool.ts); for tests. */
  readonly workerScript?: string;
}

/** The alignments of the differential suite unless told otherwise: the course's, and 8 (doubles). */
export const DIFFERENTIAL_ALIGNMENTS: readonly number[] = [1, 8];

/** Cases run at once unless told otherwise: one per CPU this process may use. */
export const DEFAULT_JOBS = availableParallelism();

/** A case's name in the report: `seed 17`, or `seed 17 align 8`. */
const caseName = (job: DifferentialJob): string => (job.align === 1 ? `seed ${job.seed}` : `seed ${job.seed} align ${job.align}`);

/**
 * Random scenarios: TS against the C reference, each seed at each alignment (one case each), `jobs` cases
 * at once (pool.ts). Progress counts cases. A failing case's scenario is kept in a temporary directory
 * named in its report; the cases are reported in seed order whatever order they finish in.
 */
export async function runDifferential(options: DifferentialOptions, progress?: ProgressCallback): Promise<SuiteResult> {
  const aligns = options.aligns ?? DIFFERENTIAL_ALIGNMENTS;
  const dir = makeTemporaryFolder("mems-conformance-");
  const jobs: DifferentialJob[] = [];
  for (let k = 0; k < options.cases; k++) {
    const seed = options.firstSeed + k;
    for (const align of aligns) {
      const file = join(dir, align === 1 ? `seed-${seed}.mtrace` : `seed-${seed}-align${align}.mtrace`);
      jobs.push({ seed, align, ops: options.ops, file });
    }
  }
  const tally = new SuiteTally("differential", jobs.length, progress);
  let keep = false;
  let finished = false; // a kept scenario is named only in the report of a suite that finishes
  try {
    const pool = { jobs: options.jobs ?? DEFAULT_JOBS, ...(options.workerScript !== undefined && { script: options.workerScript }) };
    const outcomes = await runCases(jobs, pool, () => tally.inputDone());
    jobs.forEach((job, index) => {
      const problems = outcomes[index] ?? [];
      if (problems.length === 0) {
        tally.record(caseName(job), undefined);
        return;
      }
      keep = true;
      const rerun = `bun conformance --suite differential --seed ${job.seed} --cases 1 --ops ${job.ops} --align ${job.align}  (scenario kept in ${job.file})`;
      tally.record(caseName(job), problems.join("\n"), rerun);
    });
    finished = true;
  } finally {
    if (!keep || !finished) removeTemporaryFolder(dir);
    else keepTemporaryFolder(dir);
  }
  return tally.result();
}

/* Suite: malloclab */

/** Each trace through TS first-fit and the C reference with the final stats printed; outputs identical. */
export async function runMallocLab(traces: readonly string[] = mallocLabTraces(), progress?: ProgressCallback): Promise<SuiteResult> {
  const tally = new SuiteTally("malloclab", traces.length, progress);
  for (const trace of traces) {
    const reference = runReference(["--final-stats", trace]);
    let run: TsRun;
    try {
      run = replayTs(readScenario(trace), { lookup: "first-fit", finalStats: true });
    } catch (error) {
      await reference;
      tally.record(basename(trace), errorText(error));
      tally.inputDone();
      continue;
    }
    const c = await reference;
    const problem = c.status !== 0 ? describeExit(c) : compareTs("C reference", c.stdout, "TS first-fit", run);
    tally.record(basename(trace), problem);
    tally.inputDone();
  }
  return tally.result();
}

/* The whole run */

export interface ConformanceOptions extends DifferentialOptions {
  /** Suites to run, in the fixed order golden, differential, malloclab; all when empty. */
  readonly suites: readonly Suite[];
  readonly goldenDir?: string;
  readonly mallocLabDir?: string;
  /** Progress of each suite (see ProgressCallback). */
  readonly progress?: ProgressCallback;
}

/**
 * Builds the reference, then runs the chosen suites in order.
 * @throws HarnessError when the reference cannot be built.
 */
export async function runConformance(options: ConformanceOptions): Promise<SuiteResult[]> {
  buildReference();
  const chosen = options.suites.length === 0 ? SUITES : SUITES.filter((suite) => options.suites.includes(suite));
  const results: SuiteResult[] = [];
  for (const suite of chosen) {
    if (suite === "golden") results.push(await runGolden(goldenCases(options.goldenDir), options.progress));
    else if (suite === "differential") results.push(await runDifferential(options, options.progress));
    else results.push(await runMallocLab(mallocLabTraces(options.mallocLabDir), options.progress));
  }
  return results;
}

/* Reporting */

/** The summary table: suite, cases, passed, failed, seconds. */
export function formatTable(results: readonly SuiteResult[]): string {
  const table = new Table({ head: ["suite", "cases", "passed", "failed", "seconds"], style: { head: [], border: [] } });
  for (const r of results) table.push([r.suite, r.cases, r.passed, r.failed, r.seconds.toFixed(2)]);
  return table.toString();
}

/** Every failure, one block each: the case, what differed, how to rerun it. */
export function formatFailures(results: readonly SuiteResult[]): string {
  const blocks: string[] = [];
  for (const r of results) {
    for (const failure of r.failures) {
      const detail = failure.detail.replace(/^/gm, "  ");
      blocks.push(`FAIL ${r.suite}: ${failure.name}\n${detail}${failure.rerun === undefined ? "" : `\n  rerun: ${failure.rerun}`}`);
    }
  }
  return blocks.join("\n\n");
}

export function anyFailed(results: readonly SuiteResult[]): boolean {
  return results.some((r) => r.failed > 0);
}
