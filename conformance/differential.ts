/**
 * One case of the differential suite: a seeded random scenario at one alignment, through TS first-fit
 * and the C reference (outputs identical), through every other lookup with the heap walk after every
 * operation, and its hole-independent part (steady.ts) through every lookup with `verify` (reads equal
 * to first-fit's). A case runs in a worker process (worker.ts, several at once: pool.ts) or, with one
 * job, in the harness's own process; either way it is this function.
 */
import { rmSync, writeFileSync } from "node:fs";
import { LOOKUPS, type Lookup } from "../core/index.ts";
import { parseScenario, type Scenario } from "../trace/format.ts";
import { generateRandomScenario } from "../trace/generate.ts";
import { compareOutputs } from "./compare.ts";
import { describeExit, runReference } from "./reference.ts";
import { steadyScenario } from "./steady.ts";
import { checkEveryOp, errorText, replayTs, type TsRun } from "./ts-run.ts";

/** One case: the seed's scenario at `align`, `ops` operations long, written to `file` for the C reference. */
export interface DifferentialJob {
  readonly seed: number;
  readonly align: number;
  readonly ops: number;
  readonly file: string;
}

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

/**
 * Runs one case: every problem found (none: it passed). Its scenario is written to the job's file for the
 * C reference, which runs while TS replays; the file is removed when the case passes, kept when it fails.
 */
export async function runDifferentialCase(job: DifferentialJob): Promise<string[]> {
  const text = differentialScenario(job.seed, job.ops, job.align);
  writeFileSync(job.file, text);
  const referenceRun = runReference([job.file], job.align);
  const problems: string[] = [];
  try {
    const firstFit = checkTsSide(text, job.file, problems);
    const reference = await referenceRun;
    if (reference.status !== 0) problems.push(describeExit(reference));
    const difference = compareOutputs("C reference", reference.stdout, "TS first-fit", firstFit.output);
    if (difference !== undefined) problems.push(difference);
  } catch (error) {
    await referenceRun.catch(() => undefined);
    problems.push(errorText(error));
  }
  if (problems.length === 0) rmSync(job.file);
  return problems;
}
