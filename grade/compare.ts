/**
 * A submission's run of a scenario against our reference's run of the same scenario, by meaning: the
 * first difference as one sentence a student can act on, naming the operation it followed. Addresses
 * are compared relative to each side's start address (the start-address check judges the start
 * itself), stats through the tolerant reader (grade/stats-reader.ts), `ADDRESS NOT FOUND!!` by its
 * presence.
 */
import { describeOp, howStopped, type OpOutput, type Trace } from "./run.ts";
import { compareStats, type ReadStats, readStatsBlocks } from "./stats-reader.ts";

export const NOT_FOUND = "ADDRESS NOT FOUND!!";

/** What a comparison looks at. */
export interface Aspects {
  readonly addresses?: boolean;
  readonly stats?: boolean;
  readonly notFound?: boolean;
  readonly values?: boolean;
}

export interface Difference {
  readonly verdict: "fail" | "crash" | "timeout";
  readonly reason: string;
  /** The submission's stats could not be read at all (the checks that need them are skipped). */
  readonly unreadable?: boolean;
}

/** The one stats block a `s` operation printed, or why there is none. */
export function statsOf(op: OpOutput): { stats: ReadStats } | { problem: string } {
  const readings = readStatsBlocks(op.text);
  const first = readings[0];
  if (first === undefined) return { problem: "mems_print_stats printed nothing that reads as stats" };
  if (!first.ok) return { problem: `the stats cannot be read: ${first.problem}` };
  return { stats: first.stats };
}

/** Each side's start address: the first block of the system since it was (re)started. */
class Starts {
  expected: number | undefined;
  actual: number | undefined;
  reset(): void {
    this.expected = undefined;
    this.actual = undefined;
  }
}

function compareAddress(e: OpOutput, a: OpOutput, starts: Starts, at: string): string | undefined {
  if (e.address === undefined) return undefined;
  if (e.address === null || a.address === null || a.address === undefined) {
    if (e.address === null && a.address === null) return undefined;
    return e.address === null ? `${at}: mems_malloc gave ${a.address}, NULL expected` : `${at}: mems_malloc returned NULL`;
  }
  starts.expected ??= e.address;
  starts.actual ??= a.address;
  const relativeE = e.address - starts.expected;
  const relativeA = a.address - starts.actual;
  if (relativeE === relativeA) return undefined;
  return `${at}: the block is at start + ${relativeA}, start + ${relativeE} expected`;
}

function compareNotFound(e: OpOutput, a: OpOutput, at: string): string | undefined {
  const expected = e.text.includes(NOT_FOUND);
  const actual = a.text.includes(NOT_FOUND);
  if (expected && !actual) return `${at}: nothing printed ${NOT_FOUND}${a.text === "" ? "" : ` (printed "${firstLine(a.text)}")`}`;
  if (!expected && actual) return `${at}: ${NOT_FOUND} printed, though the address was a block's`;
  return undefined;
}

function compareStatsOf(e: OpOutput, a: OpOutput, at: string): Difference | undefined {
  const expected = statsOf(e);
  if (!("stats" in expected)) return undefined; // cannot happen with our reference
  const actual = statsOf(a);
  if ("problem" in actual) return { verdict: "fail", reason: `${at}: ${actual.problem}`, unreadable: true };
  const differences = compareStats(expected.stats, actual.stats, { relative: true });
  if (differences.length === 0) return undefined;
  const more = differences.length > 1 ? ` (and ${differences.length - 1} more)` : "";
  return { verdict: "fail", reason: `${at}: ${differences[0]}${more}` };
}

const firstLine = (text: string): string => (text.split("\n")[0] ?? "").slice(0, 80);

/** The first way `actual` differs from `expected` in `aspects`, or undefined when it does not. */
export function firstDifference(expected: Trace, actual: Trace, aspects: Aspects): Difference | undefined {
  const starts = new Starts();
  for (let i = 0; i < expected.ops.length; i++) {
    const e = expected.ops[i];
    const a = actual.ops[i];
    if (e === undefined) break;
    if (a === undefined || (!actual.completed && i === actual.ops.length - 1)) return howStopped(actual);
    const difference = compareOp(e, a, starts, aspects);
    if (difference !== undefined) return difference;
  }
  if (!actual.completed) return howStopped(actual);
  return undefined;
}

function compareOp(e: OpOutput, a: OpOutput, starts: Starts, aspects: Aspects): Difference | undefined {
  const at = `after ${describeOp(e.op)} (operation ${e.index + 1})`;
  if (e.op === "x") starts.reset();
  const fail = (reason: string | undefined): Difference | undefined => (reason === undefined ? undefined : { verdict: "fail", reason });
  const address = aspects.addresses ? compareAddress(e, a, starts, at) : undefined;
  if (address !== undefined) return fail(address);
  if (aspects.values && e.value !== undefined && a.value !== e.value)
    return fail(`${at}: read back ${a.value ?? "nothing"}, ${e.value} written`);
  const notFound = aspects.notFound ? compareNotFound(e, a, at) : undefined;
  if (notFound !== undefined) return fail(notFound);
  if (aspects.stats && e.op === "s") return compareStatsOf(e, a, at);
  return undefined;
}
