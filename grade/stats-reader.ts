/**
 * `mems grade`'s tolerant reader of what a student's own C `mems_print_stats()` prints. Students print the
 * course's stats (docs/mems.md) in many layouts: other separators and arrows, `PROCESS`/`HOLE` spelt out,
 * one table row per piece, summary labels reworded, reordered or missing, values on the next line, debug
 * lines in between, raw pointers for addresses. This reads them all into one meaning (`ReadStats`), finds
 * every stats block in a program's output, and says once, with its line, what it cannot read; the grader
 * then compares the meaning with the reference's (compareStats, in stats-compare.ts).
 */
import { type Conventions, chooseConventions, conventionNotes, lastByte, type PrintedPiece } from "./stats-bounds.ts";
import {
  type ChainItem,
  type LineReading,
  readLine,
  SUMMARY_FIELDS,
  SUMMARY_LABELS,
  type SummaryEntry,
  type SummaryField,
  valueFor,
} from "./stats-lines.ts";
import type { ReadSegment, ReadStats } from "./stats-meaning.ts";

export { compareStats, formatStats, hasRawPointers, isContiguous, missingSummaryFields, statsInconsistencies } from "./stats-compare.ts";
export { SUMMARY_FIELDS, SUMMARY_LABELS, type SummaryField } from "./stats-lines.ts";
export type { ReadPiece, ReadSegment, ReadStats } from "./stats-meaning.ts";

export type StatsReading = { readonly ok: true; readonly stats: ReadStats } | { readonly ok: false; readonly problem: string };

/** A stats block with where it stands in the output and how it was read, for a check's details. */
export interface StatsBlock {
  readonly reading: StatsReading;
  readonly firstLine: number; // 1-based lines of the output
  readonly lastLine: number;
  readonly header: boolean; // opened by a stats header line ("MeMS SYSTEM STATS" or the like)
  readonly hexAddresses: boolean; // some address was printed in hex (a raw pointer, most likely)
  readonly notes: readonly string[]; // how bounds were read when not as the course prints them
}

interface DraftSegment {
  bounds?: readonly [number, number];
  index?: number;
  readonly pieces: PrintedPiece[];
}
interface Draft {
  header: boolean;
  readonly firstLine: number;
  lastLine: number;
  readonly segments: DraftSegment[];
  readonly summary: Map<SummaryField, number | readonly number[]>;
  problem?: string;
  hex: boolean;
  last?: "chain" | "summary";
  pending?: { readonly field: SummaryField; readonly line: number; readonly text: string } | undefined;
}

/** A line quoted for a problem: JSON so tabs show, cut so one message stays one line. */
function quote(text: string): string {
  const shown = JSON.stringify(text.trim());
  return shown.length > 80 ? `${shown.slice(0, 76)}..."` : shown;
}

/** A chain and its whole summary after it: the stats are over, and lines after them are not theirs. */
function complete(d: Draft): boolean {
  return d.last === "summary" && d.segments.length > 0 && d.summary.size === SUMMARY_FIELDS.length && d.pending === undefined;
}

function hasContent(d: Draft): boolean {
  return d.segments.length > 0 || d.summary.size > 0 || d.problem !== undefined || d.pending !== undefined;
}

/** Cuts the output into drafts of stats blocks, line by line. */
class Splitter {
  readonly drafts: Draft[] = [];
  private current: Draft | undefined;

  feed(reading: LineReading, line: number, text: string): void {
    if (this.current?.pending !== undefined && reading.kind !== "blank" && this.takePending(this.current, reading)) return;
    if (reading.kind === "header") this.header(line);
    else if (reading.kind === "rule") this.rule(line);
    else if (reading.kind === "chain") this.chain(reading.items, reading.hex, line, text);
    else if (reading.kind === "summary") this.summary(reading.entries, line, text);
    else if (reading.kind === "other" && this.current !== undefined && complete(this.current)) this.close();
    else if (reading.kind === "unreadable") this.unreadable(reading.why, reading.opens, line, text);
  }

  private unreadable(why: string, opens: boolean, line: number, text: string): void {
    if (this.current !== undefined && complete(this.current)) this.close();
    // Outside a block only a main-chain line is stats; a summary-like debug line there is not.
    if (opens || this.current !== undefined) this.fail(this.open(line, false), line, why, text);
  }

  finish(): Draft[] {
    this.close();
    return this.drafts;
  }

  /**
   * A rule ends a block that has its chain and its summary. Before anything it is the header's
   * decoration; between the chain and the summary (either first) it separates them; after a summary
   * saying the chain is empty, it ends the block.
   */
  private rule(line: number): void {
    const d = this.current;
    if (d === undefined || !hasContent(d)) return;
    d.lastLine = line;
    const length = d.summary.get("mainChainLength");
    const chainToCome = d.segments.length === 0 && typeof length === "number" && length > 0;
    const summaryToCome = d.segments.length > 0 && d.summary.size === 0;
    if (d.problem !== undefined || !(chainToCome || summaryToCome)) this.close();
  }

  private header(line: number): void {
    if (this.current !== undefined && !hasContent(this.current)) this.current.header = true;
    else {
      this.close();
      this.open(line, true);
    }
  }

  private open(line: number, header: boolean): Draft {
    if (this.current !== undefined) return this.current;
    this.current = { header, firstLine: line, lastLine: line, segments: [], summary: new Map(), hex: false };
    return this.current;
  }

  private close(): void {
    const d = this.current;
    if (d === undefined) return;
    if (d.pending !== undefined) this.unvalued(d, d.pending);
    this.drafts.push(d);
    this.current = undefined;
  }

  private fail(d: Draft, line: number, why: string, text: string): void {
    d.problem ??= `stats not readable: line ${line}: ${why}: ${quote(text)}`;
    d.pending = undefined;
    d.lastLine = Math.max(d.lastLine, line);
  }

  /** A value on the line after its label; anything else there means the label had no value. */
  private takePending(d: Draft, reading: LineReading): boolean {
    const pending = d.pending;
    if (pending === undefined) return false;
    d.pending = undefined;
    const value = reading.kind === "value" ? valueFor(pending.field, reading.numbers) : undefined;
    if (value !== undefined) {
      d.summary.set(pending.field, value);
      return true;
    }
    this.unvalued(d, pending);
    return false;
  }

  /**
   * A label with no value on its line or the next: an array label so is an empty array (a loop over no
   * segments printed nothing after it); a number label cannot be read.
   */
  private unvalued(d: Draft, pending: NonNullable<Draft["pending"]>): void {
    d.pending = undefined;
    if (pending.field === "subChainLengths") d.summary.set(pending.field, []);
    else this.fail(d, pending.line, `${SUMMARY_LABELS[pending.field]} has no value on its line or the next`, pending.text);
  }

  private chain(items: readonly ChainItem[], hex: boolean, line: number, text: string): void {
    // Main-chain lines after the summary of a block with its own chain: the next stats, printed headerless.
    if (this.current?.last === "summary" && this.current.segments.length > 0) this.close();
    // A piece named outside any block is a debug line ("allocated P[1000:1999]"), not stats.
    if (this.current === undefined && items[0]?.role === "piece") return;
    const d = this.open(line, false);
    for (const item of items) {
      if (item.role === "segment") this.segment(d, item.bounds, item.index);
      else {
        const segment = d.segments.at(-1);
        if (segment === undefined) {
          this.fail(d, line, "a piece before any main-chain segment", text);
          return;
        }
        segment.pieces.push({ kind: item.kind, start: item.start, second: item.second });
      }
    }
    d.hex ||= hex;
    d.last = "chain";
    d.lastLine = line;
  }

  /** A segment item naming the segment being read (same bounds or index, as table rows repeat it) continues it. */
  private segment(d: Draft, bounds: readonly [number, number] | undefined, index: number | undefined): void {
    const last = d.segments.at(-1);
    const same =
      last !== undefined &&
      (bounds !== undefined
        ? last.bounds?.[0] === bounds[0] && last.bounds?.[1] === bounds[1]
        : index !== undefined && last.index === index);
    if (same) return;
    const segment: DraftSegment = { pieces: [] };
    if (bounds !== undefined) segment.bounds = bounds;
    if (index !== undefined) segment.index = index;
    d.segments.push(segment);
  }

  private summary(entries: readonly SummaryEntry[], line: number, text: string): void {
    let d = this.open(line, false);
    // A field seen twice: the block ended without a rule and the next one began.
    if (entries.some((e) => d.summary.has(e.field))) {
      this.close();
      d = this.open(line, false);
    }
    d.last = "summary";
    d.lastLine = line;
    for (const { field, value } of entries) {
      if (value === undefined) d.pending = { field, line, text };
      else if (typeof value === "number" && Number.isNaN(value)) this.fail(d, line, `${SUMMARY_LABELS[field]} has no value`, text);
      else d.summary.set(field, value);
    }
  }
}

/** The meaning of a draft under the conventions chosen for the whole output. */
function statsOf(d: Draft, c: Conventions): StatsReading {
  const segments: ReadSegment[] = [];
  for (const [i, s] of d.segments.entries()) {
    const pieces = s.pieces.map((p) => ({ kind: p.kind, start: p.start, end: lastByte(c.piece, p.start, p.second) }));
    const first = pieces[0];
    const last = pieces.at(-1);
    if (s.bounds !== undefined) segments.push({ start: s.bounds[0], end: lastByte(c.segment, s.bounds[0], s.bounds[1]), pieces });
    else if (first !== undefined && last !== undefined) segments.push({ start: first.start, end: last.end, pieces });
    else
      return {
        ok: false,
        problem: `stats not readable: lines ${d.firstLine}-${d.lastLine}: segment ${i + 1} has neither bounds nor pieces`,
      };
  }
  const stats: { -readonly [K in keyof ReadStats]: ReadStats[K] } = { segments };
  for (const field of SUMMARY_FIELDS) {
    const value = d.summary.get(field);
    if (value === undefined) continue;
    if (field === "subChainLengths") stats.subChainLengths = typeof value === "number" ? [value] : value;
    else if (typeof value === "number") stats[field] = value;
  }
  return { ok: true, stats };
}

/** How blocks are read beyond their own lines. */
export interface ReadOptions {
  /**
   * More of the same program's output (its whole run, say) to decide from how it prints bounds: one
   * stats block alone may have no segment with two pieces, and so fit the course's way and another.
   */
  readonly boundsFrom?: string;
}

function drafts(output: string): Draft[] {
  const splitter = new Splitter();
  for (const [i, text] of output.split("\n").entries()) splitter.feed(readLine(text), i + 1, text);
  return splitter.finish();
}

/** Every stats block of a program's output with where it stands and how it was read. */
export function readStatsBlocksDetailed(output: string, options?: ReadOptions): StatsBlock[] {
  const own = drafts(output);
  const evidence = options?.boundsFrom === undefined ? own : [...own, ...drafts(options.boundsFrom)];
  // One program prints its bounds one way: decide it over every readable block at once.
  const { conventions, ambiguous } = chooseConventions(evidence.filter((d) => d.problem === undefined).flatMap((d) => d.segments));
  const notes = conventionNotes(conventions, ambiguous);
  return own.map((d) => ({
    reading: d.problem !== undefined ? { ok: false, problem: d.problem } : statsOf(d, conventions),
    firstLine: d.firstLine,
    lastLine: d.lastLine,
    header: d.header,
    hexAddresses: d.hex,
    notes,
  }));
}

/** Every stats block in a program's output, in order (a program may print stats several times among other lines). */
export function readStatsBlocks(output: string, options?: ReadOptions): StatsReading[] {
  return readStatsBlocksDetailed(output, options).map((b) => b.reading);
}
