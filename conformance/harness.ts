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
 *   outputs identical to first-fit's. Every seed runs at each of the
 *   alignments asked for (1 and 8 by default), against the C reference built with the same one.
 * - `malloclab`: every malloc-lab trace through both with the final stats printed; outputs identical.
 *
 * Every suite takes its cases as arguments (a directory, a seed range), so tests can point it elsewhere.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import Table from "cli-table3";
import { LOOKUPS, type Lookup, type Mems } from "../core/index.ts";
import { keepTemporaryFolder, makeTemporaryFolder, removeTemporaryFolder } from "../lib/temporary.ts";
import { type GoldenCase, goldenCases, mallocLabTraces } from "../trace/corpus.ts";
import { parseScenario, readScenario, type Scenario } from "../trace/format.ts";
import { generateRandomScenario } from "../trace/generate.ts";
import { isHoleIndependent } from "../trace/output.ts";
import { type ReplayOptions, replay } from "../trace/runner.ts";
import { compareOutputs } from "./compare.ts";
import { buildReference, describeExit, type ReferenceRun, runReference } from "./reference.ts";
import { steadyScenario } from "./steady.ts";

/* Profiles */

export const SUITES = ["golden", "differential", "malloclab"] as const;
export type Suite = (typeof SUITES)[number];

/** Differential sizes: `ci` finishes in seconds, `full` (the default) in a few minutes on 2 cores. */
export const PROFILES = {
  ci: { cases: 60, ops: 400 },
  full: { cases: 1000, ops: 4000 },
} as const;
export type Profile = keyof typeof PROFILES;

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

/** How far a suite has come: `done` of its `total` inputs (golden files, random seeds, malloc-lab traces). */
export interface SuiteProgress {
  readonly suite: Suite;
  readonly done: number;
  readonly total: number;
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
    this.progress?.({ suite, done: 0, total });
  }

  /** One input of the suite is done (its cases recorded). */
  inputDone(): void {
    this.done++;
    this.progress?.({ suite: this.suite, done: this.done, total: this.total });
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

/* Running the TypeScript side */

/** The output of a TS replay, or the error it stopped with (after the output printed before it). */
interface TsRun {
  readonly output: string;
  readonly error?: string;
}

/** A TS replay; `quiet` when only its error counts: then nothing is formatted (the output is empty). */
function replayTs(scenario: Scenario, options: ReplayOptions, quiet = false): TsRun {
  const chunks: string[] = [];
  try {
    replay(scenario, quiet ? options : { ...options, out: (text) => chunks.push(text) });
    return { output: chunks.join("") };
  } catch (error) {
    return { output: chunks.join(""), error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/** The heap walk after every operation (core's one invariant checker). */
const checkEveryOp = (_index: number, mems: Mems): void => mems.checkInvariants();

function compareTs(expectedName: string, expected: string, tsName: string, run: TsRun): string | undefined {
  const difference = compareOutputs(expectedName, expected, tsName, run.output);
  if (run.error === undefined) return difference;
  return `${tsName} threw ${run.error}${difference === undefined ? "" : `\n${difference}`}`;
}

function compareReference(expectedName: string, expected: string, run: ReferenceRun): string | undefined {
  const difference = compareOutputs(expectedName, expected, "C reference", run.stdout);
  if (run.status === 0) return difference;
  return `${describeExit(run)}${difference === undefined ? "" : `\n${difference}`}`;
}

const errorText = (error: unknown): string => (error instanceof Error ? error.toString() : String(error));

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
}

/** The alignments of the differential suite unless told otherwise: the course's, and 8 (doubles). */
export const DIFFERENTIAL_ALIGNMENTS: readonly number[] = [1, 8];

const PAGE_SIZES = [1024, 4096, 8192] as const;
const START_ADDRESSES = [0, 1000] as const;

/**
 * The scenario of one seed at one alignment. Page size and start address cycle with the seed, so a seed
 * and an alignment alone rerun it. At alignment 1 the text has no `@align` line (the course's scenario).
 */
export function differentialScenario(seed: number, ops: number, align = 1): string {
  const pageSize = PAGE_SIZES[seed % PAGE_SIZES.length] ?? PAGE_SIZES[0];
  const startAddress = START_ADDRESSES[Math.floor(seed / PAGE_SIZES.length) % START_ADDRESSES.length] ?? START_ADDRESSES[0];
  const options = { ops, pageSize, startAddress, staleIds: true }; // MeMS answers stale IDs as C does: compare those too
  return generateRandomScenario(seed, align === 1 ? options : { ...options, align });
}

/** The lookups held to the invariants here: every one but first-fit, which is compared with C byte for byte. */
const CHECKED_LOOKUPS = LOOKUPS.filter((lookup) => lookup !== "first-fit");

/** The TS side of one random case: every problem found, the C comparison aside. */
function checkTsSide(text: string, file: string, problems: string[]): TsRun {
  const scenario = parseScenario(text, file);
  const firstFit = replayTs(scenario, { lookup: "first-fit" });
  if (firstFit.error !== undefined) problems.push(`TS first-fit threw ${firstFit.error}`);
  const steady = parseScenario(steadyScenario(text), `${file} (hole-independent part)`);
  const steadyFirstFit = replayTs(steady, { lookup: "first-fit", verify: true });
  if (steadyFirstFit.error !== undefined) problems.push(`hole-independent part: TS first-fit (verify) threw ${steadyFirstFit.error}`);
  for (const lookup of CHECKED_LOOKUPS) checkOtherLookup(lookup, scenario, steady, steadyFirstFit.output, problems);
  return firstFit;
}

/**
 * Another lookup on the same case: the whole scenario (stale IDs and raw addresses included) with every
 * invariant checked after every operation, and the hole-independent part with verify (every byte of every
 * live block checked), whose reads must equal first-fit's.
 */
function checkOtherLookup(lookup: Lookup, scenario: Scenario, steady: Scenario, firstFitReads: string, problems: string[]): void {
  const whole = replayTs(scenario, { lookup, afterOp: checkEveryOp }, true); // its output depends on the HOLEs chosen
  if (whole.error !== undefined) problems.push(`TS ${lookup} threw ${whole.error}`);
  const part = replayTs(steady, { lookup, verify: true, afterOp: checkEveryOp });
  if (part.error !== undefined) problems.push(`hole-independent part: TS ${lookup} (verify) threw ${part.error}`);
  const reads = compareOutputs("first-fit", firstFitReads, lookup, part.output);
  if (reads !== undefined) problems.push(`hole-independent part (verify), outputs differ: ${reads}`);
}

/** One random case: its scenario written to `file`, TS and the C reference built for `align`; every problem found. */
async function differentialCase(text: string, file: string, align: number): Promise<string[]> {
  writeFileSync(file, text);
  const referenceRun = runReference([file], align);
  const problems: string[] = [];
  try {
    // TS runs while the C process does; the outputs are compared once C is done.
    const firstFit = checkTsSide(text, file, problems);
    const reference = await referenceRun;
    if (reference.status !== 0) problems.push(describeExit(reference));
    const difference = compareOutputs("C reference", reference.stdout, "TS first-fit", firstFit.output);
    if (difference !== undefined) problems.push(difference);
  } catch (error) {
    await referenceRun.catch(() => undefined);
    problems.push(errorText(error));
  }
  return problems;
}

/**
 * Random scenarios: TS against the C reference (one C process at a time, running while TS replays), each
 * seed at each alignment. A failing case's scenario is kept in a temporary directory named in its report.
 */
export async function runDifferential(options: DifferentialOptions, progress?: ProgressCallback): Promise<SuiteResult> {
  const tally = new SuiteTally("differential", options.cases, progress);
  const aligns = options.aligns ?? DIFFERENTIAL_ALIGNMENTS;
  const dir = makeTemporaryFolder("mems-conformance-");
  let keep = false;
  let finished = false; // a kept scenario is named only in the report of a suite that finishes
  try {
    for (let k = 0; k < options.cases; k++) {
      const seed = options.firstSeed + k;
      for (const align of aligns) {
        const name = align === 1 ? `seed ${seed}` : `seed ${seed} align ${align}`;
        const file = join(dir, align === 1 ? `seed-${seed}.mtrace` : `seed-${seed}-align${align}.mtrace`);
        const problems = await differentialCase(differentialScenario(seed, options.ops, align), file, align);
        if (problems.length === 0) {
          rmSync(file);
          tally.record(name, undefined);
        } else {
          keep = true;
          const rerun = `bun conformance --suite differential --seed ${seed} --cases 1 --ops ${options.ops} --align ${align}  (scenario kept in ${file})`;
          tally.record(name, problems.join("\n"), rerun);
        }
      }
      tally.inputDone();
    }
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
