/**
 * The checks of `mems grade` (issue 24, item 2): each has a name, a verdict (pass, fail, crash, timeout,
 * skipped) and a one-line reason a student can act on. Most run a scenario (grade/scenarios.ts) on the
 * submission and on our C reference through the same driver and compare the two by meaning
 * (grade/compare.ts). What cannot be read is said once, by the `stats` check; the checks that cannot
 * judge without stats are then `skipped`, the others compare what they can.
 */
import { type Aspects, firstDifference, NOT_FOUND } from "./compare.ts";
import { howStopped, type Trace } from "./run.ts";
import * as S from "./scenarios.ts";
import type { Subject } from "./subject.ts";

export const CHECK_NAMES = [
  "builds",
  "forbidden-calls",
  "os-calls",
  "example",
  "start-address",
  "first-fit",
  "split",
  "merge",
  "reuse",
  "multi-page",
  "bad-free",
  "stats",
  "finish",
  "get",
  "page-size",
  "differential",
  "memcheck",
  "speed",
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];
/** `error`: the grader could not run the check (its sandbox failed, say): its fault, not the submission's. */
export type Verdict = "pass" | "fail" | "crash" | "timeout" | "skipped" | "error";

export interface CheckResult {
  readonly name: CheckName;
  readonly verdict: Verdict;
  readonly detail: string;
}

/** The checks that compare a scenario with our reference, and what each looks at. */
interface ScenarioCheck {
  readonly name: CheckName;
  readonly ops: readonly string[];
  readonly aspects: Aspects;
  /** Without readable stats there is nothing to judge. */
  readonly needsStats: boolean;
  /** What a pass means, for its detail. */
  readonly passes: string;
}

export const SCENARIO_CHECKS: readonly ScenarioCheck[] = [
  {
    name: "example",
    ops: S.EXAMPLE,
    aspects: { addresses: true, stats: true, values: true },
    needsStats: true,
    passes: "the course's example gives the course's chains and numbers",
  },
  {
    name: "first-fit",
    ops: S.FIRST_FIT,
    aspects: { addresses: true, stats: true },
    needsStats: false,
    passes: "each block goes into the first HOLE that fits",
  },
  {
    name: "split",
    ops: S.SPLIT,
    aspects: { addresses: true, stats: true },
    needsStats: true,
    passes: "a HOLE splits into the block and a HOLE of the rest",
  },
  { name: "merge", ops: S.MERGE, aspects: { stats: true }, needsStats: true, passes: "neighbouring HOLEs merge on both sides" },
  {
    name: "reuse",
    ops: S.REUSE,
    aspects: { addresses: true, stats: true },
    needsStats: false,
    passes: "a fitting HOLE is used before a new mmap",
  },
  {
    name: "multi-page",
    ops: S.MULTI_PAGE,
    aspects: { addresses: true, stats: true },
    needsStats: false,
    passes: "a request over a page gets whole pages",
  },
  {
    name: "bad-free",
    ops: S.BAD_FREE,
    aspects: { notFound: true, stats: true },
    needsStats: false,
    passes: `a free of no block prints ${NOT_FOUND} and changes nothing`,
  },
  { name: "stats", ops: S.STATS, aspects: { stats: true, summary: true }, needsStats: true, passes: "every number of the stats is right" },
];

const pass = (name: CheckName, detail: string): CheckResult => ({ name, verdict: "pass", detail });
const skipped = (name: CheckName, detail: string): CheckResult => ({ name, verdict: "skipped", detail });

/** Runs `ops` on both sides; a run the harness itself could not make is a failure of the check. */
async function bothRuns(subject: Subject, reference: Subject, ops: readonly string[], patterns = false): Promise<[Trace, Trace]> {
  return Promise.all([reference.run(ops, { patterns }), subject.run(ops, { patterns })]);
}

/** One scenario check; `statsReadable` false: the stats check already said they cannot be read. */
export async function scenarioCheck(
  check: ScenarioCheck,
  subject: Subject,
  reference: Subject,
  statsReadable: boolean,
): Promise<CheckResult> {
  // The stats check itself says once that they cannot be read; the others that need them are skipped.
  if (!statsReadable && check.needsStats && check.name !== "stats")
    return skipped(check.name, "needs stats, which cannot be read (see the stats check)");
  const aspects = statsReadable || check.name === "stats" ? check.aspects : { ...check.aspects, stats: false };
  const [expected, actual] = await bothRuns(subject, reference, check.ops);
  const difference = firstDifference(expected, actual, aspects);
  if (difference === undefined) return pass(check.name, check.passes);
  return { name: check.name, verdict: difference.verdict, detail: difference.reason };
}

/** Whether the stats check's failure is that the stats cannot be read at all. */
export async function statsAreReadable(subject: Subject, reference: Subject): Promise<boolean> {
  const [expected, actual] = await bothRuns(subject, reference, S.STATS);
  const difference = firstDifference(expected, actual, { stats: true });
  return difference?.unreadable !== true;
}

/** The course starts at 1000; another start is reported (the other checks compare relative to it). */
export async function startAddressCheck(subject: Subject): Promise<CheckResult> {
  const trace = await subject.run(S.START);
  const first = trace.ops[0];
  if (first === undefined || (first.address === undefined && !trace.completed)) {
    const stopped = howStopped(trace);
    return { name: "start-address", verdict: stopped.verdict, detail: stopped.reason };
  }
  if (first.address === null || first.address === undefined)
    return { name: "start-address", verdict: "fail", detail: "mems_malloc(100) on a fresh system returned NULL" };
  if (first.address === 1000) return pass("start-address", "the first block starts at 1000");
  const shown = first.address >= 2 ** 32 ? `0x${first.address.toString(16)} (a raw pointer)` : String(first.address);
  return {
    name: "start-address",
    verdict: "fail",
    detail: `the first block starts at ${shown}; the course's MeMS starts at 1000 (the other checks compare addresses relative to it)`,
  };
}

/** After mems_finish and mems_init blocks start over, at the start address itself. */
export async function finishCheck(subject: Subject, reference: Subject, statsReadable: boolean): Promise<CheckResult> {
  const [expected, actual] = await bothRuns(subject, reference, S.FINISH);
  const difference = firstDifference(expected, actual, { addresses: true, stats: statsReadable });
  if (difference !== undefined) return { name: "finish", verdict: difference.verdict, detail: difference.reason };
  const before = actual.ops[0]?.address;
  const after = actual.ops.find((op) => op.op === "a 2 100")?.address;
  if (before !== after)
    return {
      name: "finish",
      verdict: "fail",
      detail: `after mems_finish and mems_init the first block is at ${after}, not at the start ${before}`,
    };
  return pass("finish", "after mems_finish and mems_init blocks start over at the start address");
}

/** mems_get of every byte of every live block: writable, readable back, no byte shared by two blocks. */
export async function getCheck(subject: Subject): Promise<CheckResult> {
  const trace = await subject.run(S.GET, { patterns: true });
  for (const op of trace.ops) {
    const finding = op.get[0];
    if (finding === undefined) continue;
    const [what, id, offset] = finding.split(" ");
    const where = `after operation ${op.index + 1} (${op.op})`;
    const detail =
      what === "null"
        ? `${where}: mems_get(block ${id} + ${offset}) returned NULL inside a live block`
        : `${where}: byte ${offset} of block ${id} changed: two live blocks share memory, or mems_get's offset is wrong`;
    return { name: "get", verdict: "fail", detail };
  }
  if (!trace.completed) {
    const stopped = howStopped(trace);
    return { name: "get", verdict: stopped.verdict, detail: `${stopped.reason} (or in mems_get of the live blocks after it)` };
  }
  return pass("get", "every byte of every live block can be written and read back, and no two blocks share one");
}

/** What one "@@os" finding means for a student. */
function describeOsFinding(finding: string, op: string): string {
  const [what, a, b] = finding.split(" ");
  switch (what) {
    case "mmap-length":
      return `mmap of ${a} bytes in ${op}: not a multiple of PAGE_SIZE (${b})`;
    case "munmap-length":
      return `munmap of ${a} bytes in ${op}: not a multiple of PAGE_SIZE (${b})`;
    case "munmap-part":
      return `munmap of ${a} bytes in ${op} is not one whole mapping: unmap whole segments only`;
    default:
      return `after mems_finish ${a} mapping(s) (${b} bytes) are still mapped: munmap every segment in mems_finish`;
  }
}

/** Every mmap and munmap length a multiple of PAGE_SIZE, whole segments unmapped, nothing left mapped. */
export async function osCallsCheck(subject: Subject): Promise<CheckResult> {
  const trace = await subject.run(S.OS_CALLS);
  for (const op of trace.ops) {
    const finding = op.os[0];
    if (finding !== undefined) return { name: "os-calls", verdict: "fail", detail: describeOsFinding(finding, op.op) };
  }
  if (!trace.completed) {
    const stopped = howStopped(trace);
    return { name: "os-calls", verdict: stopped.verdict, detail: stopped.reason };
  }
  return pass("os-calls", "every mmap and munmap is whole pages, and mems_finish unmaps everything");
}
