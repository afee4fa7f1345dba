/**
 * Two readings of stats compared by meaning, for `mems grade`: each difference is one sentence a student
 * can act on, naming the segment and piece and showing both sides in the student's own addresses
 * ("segment 2: piece 3 is HOLE[4000:5095] here, PROCESS[4000:4999] expected"). A wrong segment start is
 * said once and its pieces are then compared from that start, so one early mistake does not flood the
 * report. Also here: what the grader needs for a stats check's details (missing summary fields, whether
 * the chain is contiguous, stats that contradict themselves).
 */

import { SUMMARY_FIELDS, SUMMARY_LABELS, type SummaryField } from "./stats-lines.ts";
import type { ReadPiece, ReadSegment, ReadStats } from "./stats-meaning.ts";

/** An address as a student would recognise it: decimal, or hex when it is a raw pointer. */
function address(n: number): string {
  return n >= 2 ** 32 ? `0x${n.toString(16)}` : String(n);
}

/** "1 piece", "2 pieces". */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

export function formatPiece(p: ReadPiece): string {
  return `${p.kind}[${address(p.start)}:${address(p.end)}]`;
}

export function formatSegment(s: ReadSegment): string {
  return `MAIN[${address(s.start)}:${address(s.end)}]`;
}

function shifted<T extends { readonly start: number; readonly end: number }>(x: T, by: number): T {
  return { ...x, start: x.start + by, end: x.end + by };
}

/** A segment and its pieces moved by `by` bytes. */
function shiftedSegment(s: ReadSegment, by: number): ReadSegment {
  return { start: s.start + by, end: s.end + by, pieces: s.pieces.map((p) => shifted(p, by)) };
}

function samePiece(a: ReadPiece | undefined, b: ReadPiece | undefined): boolean {
  return a !== undefined && b !== undefined && a.kind === b.kind && a.start === b.start && a.end === b.end;
}

/** The first piece that differs in a segment, as one sentence; `expected` already in the student's addresses. */
function pieceDifference(n: number, expected: readonly ReadPiece[], actual: readonly ReadPiece[]): string | undefined {
  let k = 0;
  while (k < expected.length && k < actual.length && samePiece(expected[k], actual[k])) k++;
  if (k === expected.length && k === actual.length) return undefined;
  const e = expected[k];
  const a = actual[k];
  const next = actual[k + 1];
  const counts = expected.length === actual.length ? "" : ` (${count(actual.length, "piece")} here, ${expected.length} expected)`;
  if (
    e?.kind === "HOLE" &&
    a?.kind === "HOLE" &&
    next?.kind === "HOLE" &&
    next.start === a.end + 1 &&
    a.start === e.start &&
    next.end <= e.end
  )
    return `segment ${n}: ${formatPiece(a)} and ${formatPiece(next)} are neighbours here, one ${formatPiece(e)} expected (neighbouring HOLEs should merge)${counts}`;
  if (a === undefined && e !== undefined)
    return `segment ${n}: the sub-chain ends after ${count(k, "piece")} here, piece ${k + 1} ${formatPiece(e)} expected${counts}`;
  if (e === undefined && a !== undefined)
    return `segment ${n}: piece ${k + 1} is ${formatPiece(a)} here, the sub-chain should end after ${count(k, "piece")}${counts}`;
  if (e === undefined || a === undefined) return undefined;
  return `segment ${n}: piece ${k + 1} is ${formatPiece(a)} here, ${formatPiece(e)} expected${splitHint(a, e, expected[k + 1])}${counts}`;
}

/** A PROCESS that took a whole HOLE where the request needed only its start: the rest stays a HOLE. */
function splitHint(a: ReadPiece, e: ReadPiece, eNext: ReadPiece | undefined): string {
  const unsplit = a.kind === "PROCESS" && e.kind === "PROCESS" && a.start === e.start && a.end > e.end;
  if (!unsplit || eNext?.kind !== "HOLE" || eNext.start !== e.end + 1 || eNext.end > a.end) return "";
  return `, then ${formatPiece(eNext)} (a HOLE larger than the request should be split)`;
}

/** True when each segment starts right after the one before it in the chain, as the course's do. */
export function isContiguous(stats: ReadStats): boolean {
  return stats.segments.every((s, i) => i === 0 || s.start === (stats.segments[i - 1]?.end ?? 0) + 1);
}

/**
 * True when the addresses are raw pointers rather than MeMS virtual addresses: on 64-bit Linux mmap
 * places memory above 2^32, where no course start address (0, 1000, 4000, ...) reaches. Raw pointers
 * put each segment where mmap did, often right below the one before, so their order says nothing.
 */
export function hasRawPointers(stats: ReadStats): boolean {
  return stats.segments.some((s) => s.start >= 2 ** 32);
}

function compareSegment(n: number, e: ReadSegment, a: ReadSegment, checkStart: boolean, out: string[]): void {
  const sizeE = e.end - e.start + 1;
  const sizeA = a.end - a.start + 1;
  if (checkStart && a.start !== e.start) out.push(`segment ${n} starts at ${address(a.start)} here, at ${address(e.start)} expected`);
  if (sizeA !== sizeE) out.push(`segment ${n} is ${formatSegment(a)} here (${sizeA} bytes), ${sizeE} bytes expected`);
  // Pieces from the segment's own start: a wrong start is said once above, not once per piece.
  const by = a.start - e.start;
  const difference = pieceDifference(
    n,
    e.pieces.map((p) => shifted(p, by)),
    a.pieces,
  );
  if (difference !== undefined) out.push(difference);
}

/** The actual segments in the expected order when they are the expected ones listed in another order. */
function reordered(expected: readonly ReadSegment[], actual: readonly ReadSegment[]): readonly ReadSegment[] | undefined {
  if (expected.length !== actual.length || actual.every((a, i) => a.start === expected[i]?.start)) return undefined;
  const byStart = new Map(actual.map((a) => [a.start, a]));
  const matched = expected.map((e) => byStart.get(e.start));
  return matched.every((a) => a !== undefined) && byStart.size === actual.length ? matched : undefined;
}

function compareChain(expected: ReadStats, actual: ReadStats, relative: boolean, out: string[]): void {
  // From each side's lowest address: the first segment's, unless the chain is out of order.
  const lowest = (s: ReadStats) => Math.min(...s.segments.map((g) => g.start));
  const origin = relative && expected.segments.length > 0 && actual.segments.length > 0 ? lowest(actual) - lowest(expected) : 0;
  // Raw pointers put each segment anywhere: with relative addresses only their insides are compared.
  const checkStarts = !relative || !hasRawPointers(actual);
  const wanted = expected.segments.map((e) => shiftedSegment(e, origin));
  let segments = actual.segments;
  const inOrder = checkStarts ? reordered(wanted, segments) : undefined;
  if (inOrder !== undefined) {
    const starts = (list: readonly ReadSegment[]) => list.map((g) => address(g.start)).join(", ");
    out.push(
      `the main chain lists its segments in another order (starting at ${starts(segments)} here, ${starts(wanted)} expected): a new segment goes at the tail`,
    );
    segments = inOrder;
  }
  if (wanted.length !== segments.length)
    out.push(`the main chain has ${count(segments.length, "segment")} here, ${wanted.length} expected`);
  for (let i = 0; i < Math.min(wanted.length, segments.length); i++) {
    const e = wanted[i];
    const a = segments[i];
    if (e !== undefined && a !== undefined) compareSegment(i + 1, e, a, checkStarts, out);
  }
}

function show(value: number | readonly number[]): string {
  return typeof value === "number" ? String(value) : `[${value.join(", ")}]`;
}

function compareSummary(expected: ReadStats, actual: ReadStats, out: string[]): void {
  for (const field of SUMMARY_FIELDS) {
    const e = expected[field];
    const a = actual[field];
    if (e === undefined) continue;
    if (a === undefined) out.push(`${SUMMARY_LABELS[field]} is not printed (${show(e)} expected)`);
    else if (show(a) !== show(e)) out.push(`${SUMMARY_LABELS[field]} is ${show(a)} here, ${show(e)} expected`);
  }
}

/** Ends printed one past the last byte and not decided by the reader: said once instead of per piece. */
function oneTooFar(expected: ReadStats, actual: ReadStats, origin: number): boolean {
  if (expected.segments.length === 0 || expected.segments.length !== actual.segments.length) return false;
  return expected.segments.every((e, i) => {
    const a = actual.segments[i];
    if (a === undefined || a.pieces.length !== e.pieces.length || a.start !== e.start + origin || a.end !== e.end + origin + 1)
      return false;
    return e.pieces.every((p, j) => {
      const q = a.pieces[j];
      return q !== undefined && q.kind === p.kind && q.start === p.start + origin && q.end === p.end + origin + 1;
    });
  });
}

/**
 * Differences by meaning, each a one-line sentence a student can act on; [] when they agree. With
 * `relative`, addresses are compared from each side's lowest address (the caller reports a start
 * address other than the course's 1000), and with raw pointers (hasRawPointers) each segment from its
 * own start.
 */
export function compareStats(expected: ReadStats, actual: ReadStats, options?: { readonly relative?: boolean }): string[] {
  const relative = options?.relative === true;
  const out: string[] = [];
  const origin = relative ? (actual.segments[0]?.start ?? 0) - (expected.segments[0]?.start ?? 0) : 0;
  if (oneTooFar(expected, actual, origin)) {
    const [e, a] = [expected.segments[0], actual.segments[0]];
    if (e !== undefined && a !== undefined)
      out.push(
        `every end is printed one past the last byte (${formatSegment(a)} here, ${formatSegment(shiftedSegment(e, origin))} expected): print the last byte`,
      );
  } else compareChain(expected, actual, relative, out);
  compareSummary(expected, actual, out);
  return out;
}

/**
 * A reading printed as the course prints stats (docs/mems.md), summary lines only for the fields read:
 * for a check's details, "your stats as we read them". A course-format block comes back byte for byte.
 */
export function formatStats(stats: ReadStats): string {
  const lines = ["----- MeMS SYSTEM STATS -----"];
  for (const s of stats.segments) {
    const pieces = s.pieces.map((p) => `${p.kind === "PROCESS" ? "P" : "H"}[${address(p.start)}:${address(p.end)}] <-> `).join("");
    lines.push(`${formatSegment(s)}-> ${pieces}NULL`);
  }
  if (stats.pagesUsed !== undefined) lines.push(`Pages used:\t${stats.pagesUsed}`);
  if (stats.spaceUnused !== undefined) lines.push(`Space unsued:\t${stats.spaceUnused}`);
  if (stats.mainChainLength !== undefined) lines.push(`Main Chain Length:\t${stats.mainChainLength}`);
  if (stats.subChainLengths !== undefined) lines.push(`Sub-chain Length array: [${stats.subChainLengths.map((n) => `${n}, `).join("")}]`);
  lines.push("-----------------------------");
  return `${lines.join("\n")}\n`;
}

/** The summary fields a reading lacks, in the course's order (for a stats check's details). */
export function missingSummaryFields(stats: ReadStats): SummaryField[] {
  return SUMMARY_FIELDS.filter((field) => stats[field] === undefined);
}

/**
 * Where a reading contradicts itself: a summary that does not count what its own chain shows, or pieces
 * that do not tile their segment. `pageSize` is the one the program ran with (the course's 4096).
 */
export function statsInconsistencies(stats: ReadStats, pageSize = 4096): string[] {
  const out: string[] = [];
  const segments = stats.segments;
  const holes = segments.flatMap((s) => s.pieces).filter((p) => p.kind === "HOLE");
  const unused = holes.reduce((sum, p) => sum + p.end - p.start + 1, 0);
  const mapped = segments.reduce((sum, s) => sum + s.end - s.start + 1, 0);
  const check = (field: SummaryField, printed: string | undefined, counted: string, shown: string) => {
    if (printed !== undefined && printed !== counted) out.push(`${SUMMARY_LABELS[field]} is ${printed}, but ${shown}`);
  };
  const pages = String(mapped / pageSize);
  check("pagesUsed", stats.pagesUsed?.toString(), pages, `the segments shown map ${mapped} bytes, ${pages} pages of ${pageSize}`);
  check("spaceUnused", stats.spaceUnused?.toString(), String(unused), `the HOLEs shown add up to ${unused}`);
  check("mainChainLength", stats.mainChainLength?.toString(), String(segments.length), `the main chain shown has ${segments.length}`);
  const lengths = show(segments.map((s) => s.pieces.length));
  check("subChainLengths", stats.subChainLengths && show(stats.subChainLengths), lengths, `the sub-chains shown have ${lengths}`);
  for (const [i, s] of segments.entries()) {
    let at = s.start;
    for (const [j, p] of s.pieces.entries()) {
      if (p.start !== at) {
        out.push(`segment ${i + 1}: piece ${j + 1} ${formatPiece(p)} does not start at ${address(at)}, right after what comes before it`);
        break;
      }
      at = p.end + 1;
    }
    if (at !== s.end + 1 && out.every((m) => !m.startsWith(`segment ${i + 1}:`)))
      out.push(`segment ${i + 1}: its pieces end at ${address(at - 1)}, but ${formatSegment(s)} ends at ${address(s.end)}`);
  }
  return out;
}
