/**
 * A submission's run of a scenario against our reference's run of the same scenario, by meaning: the
 * first difference as one sentence a student can act on, naming the operation it followed. Addresses
 * are compared relative to each side's start address (the start-address check judges the start
 * itself), stats through the tolerant reader (grade/stats-reader.ts), `ADDRESS NOT FOUND!!` by its
 * presence.
 */
import { describeOp, howStopped, type OpOutput, type Trace } from "./run.ts";
import { compareStats, missingSummaryFields, type ReadStats, readStatsBlocks, type StatsReading, SUMMARY_LABELS } from "./stats-reader.ts";

export const NOT_FOUND = "ADDRESS NOT FOUND!!";
/** The course's words in any case, with or without the "!!": the meaning is what counts. */
const SAYS_NOT_FOUND = /address\s+not\s+found/i;

/** What a comparison looks at. */
export interface Aspects {
  readonly addresses?: boolean;
  readonly stats?: boolean;
  readonly notFound?: boolean;
  readonly values?: boolean;
  /** A summary number the submission does not print is a difference (the stats check); otherwise the
   * numbers it does print are compared and the others left to that check. */
  readonly summary?: boolean;
}

export interface Difference {
  readonly verdict: "fail" | "crash" | "timeout";
  readonly reason: string;
  /** The submission's stats could not be read at all (the checks that need them are skipped). */
  readonly unreadable?: boolean;
  /** The operation it showed in (or was stopped in): nothing after it matters to this difference. */
  readonly index?: number;
}

type StatsOf = { stats: ReadStats } | { problem: string };

function oneBlock(readings: readonly StatsReading[] | undefined): StatsOf {
  const first = readings?.[0];
  if (first === undefined) return { problem: "mems_print_stats printed nothing that reads as stats" };
  if (!first.ok) return { problem: `the stats cannot be read: ${first.problem}` };
  return { stats: first.stats };
}

/**
 * The stats block each `s` operation of a run printed, by operation index. The reader decides how a
 * program prints its bounds from all its blocks at once (one block of one HOLE can be read two ways),
 * so the run's stats texts are read together when that splits into the same blocks as reading each.
 */
export function statsByOp(trace: Trace): Map<number, StatsOf> {
  const ops = trace.ops.filter((op) => op.op === "s");
  const each = ops.map((op) => readStatsBlocks(op.text));
  const together = readStatsBlocks(ops.map((op) => op.text).join("\n"));
  // Read together only when that splits into the same blocks, segments and pieces as reading each alone.
  const shape = (readings: readonly StatsReading[]): string =>
    readings.map((r) => (r.ok ? r.stats.segments.map((seg) => seg.pieces.length).join(",") : "?")).join(";");
  const same = shape(together) === shape(each.flat());
  const byOp = new Map<number, StatsOf>();
  let next = 0;
  ops.forEach((op, i) => {
    const count = each[i]?.length ?? 0;
    byOp.set(op.index, oneBlock(same ? together.slice(next, next + count) : each[i]));
    next += count;
  });
  return byOp;
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
  const expected = SAYS_NOT_FOUND.test(e.text);
  const actual = SAYS_NOT_FOUND.test(a.text);
  if (expected && !actual) return `${at}: nothing printed ${NOT_FOUND}${a.text === "" ? "" : ` (printed "${firstLine(a.text)}")`}`;
  if (!expected && actual) return `${at}: ${NOT_FOUND} printed, though the address was a block's`;
  return undefined;
}

function compareStatsOf(expected: StatsOf | undefined, actual: StatsOf | undefined, at: string, summary: boolean): Difference | undefined {
  if (expected === undefined || actual === undefined || !("stats" in expected)) return undefined; // cannot happen with our reference
  if ("problem" in actual) return { verdict: "fail", reason: `${at}: ${actual.problem}`, unreadable: true };
  const missing = missingSummaryFields(actual.stats);
  if (summary && missing.length > 0)
    return { verdict: "fail", reason: `${at}: mems_print_stats does not print ${missing.map((f) => SUMMARY_LABELS[f]).join(", ")}` };
  const compared: ReadStats = { ...expected.stats };
  for (const field of missing) delete (compared as { [K in typeof field]?: unknown })[field];
  const differences = compareStats(compared, actual.stats, { relative: true });
  if (differences.length === 0) return undefined;
  const more = differences.length > 1 ? ` (and ${differences.length - 1} more)` : "";
  return { verdict: "fail", reason: `${at}: ${differences[0]}${more}` };
}

const firstLine = (text: string): string => (text.split("\n")[0] ?? "").slice(0, 80);

/** The first way `actual` differs from `expected` in `aspects`, or undefined when it does not. */
export function firstDifference(expected: Trace, actual: Trace, aspects: Aspects): Difference | undefined {
  const starts = new Starts();
  const stats = aspects.stats ? { expected: statsByOp(expected), actual: statsByOp(actual) } : undefined;
  for (let i = 0; i < expected.ops.length; i++) {
    const e = expected.ops[i];
    const a = actual.ops[i];
    if (e === undefined) break;
    if (a === undefined || (!actual.completed && i === actual.ops.length - 1)) return { ...howStopped(actual), index: i };
    const difference = compareOp(e, a, starts, aspects);
    if (difference !== undefined) return { ...difference, index: i };
    if (stats !== undefined && e.op === "s") {
      const at = `after mems_print_stats() (operation ${e.index + 1})`;
      const found = compareStatsOf(stats.expected.get(e.index), stats.actual.get(a.index), at, aspects.summary === true);
      if (found !== undefined) return { ...found, index: i };
    }
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
  return fail(notFound);
}
