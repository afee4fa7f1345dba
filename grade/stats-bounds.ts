/**
 * How a student's stats print their bounds. The course prints the last byte (`P[1000:1999]`); students
 * also print one past it (`P[1000:2000]`) or a size (`P[1000, 1000]`). The pieces of a segment tile it,
 * so each way of reading predicts where the next piece starts and where the last one ends: the way whose
 * predictions hold most often over the whole output is the one used, the course's way on a tie, and none
 * when two ways that hold equally often would read different bounds (then the bounds are kept as printed
 * and the comparison shows the difference).
 */
import type { PieceKind } from "./stats-lines.ts";

export type Convention = "inclusive" | "exclusive" | "size";
export interface Conventions {
  readonly piece: Convention;
  readonly segment: Convention;
}
export const COURSE_CONVENTIONS: Conventions = { piece: "inclusive", segment: "inclusive" };

/** A piece or segment as printed: a start and a second number whose meaning is not yet decided. */
export interface PrintedPiece {
  readonly kind: PieceKind;
  readonly start: number;
  readonly second: number;
}
export interface PrintedSegment {
  readonly bounds?: readonly [number, number];
  readonly pieces: readonly PrintedPiece[];
}

/** The last byte of a range printed as (start, second) under a convention. */
export function lastByte(convention: Convention, start: number, second: number): number {
  if (convention === "inclusive") return second;
  if (convention === "exclusive") return second - 1;
  return start + second - 1;
}

/** How many of the tiling predictions hold when the segments are read under `c`. */
function score(segments: readonly PrintedSegment[], c: Conventions): number {
  let held = 0;
  for (const segment of segments) {
    let previousLast: number | undefined;
    for (const piece of segment.pieces) {
      const last = lastByte(c.piece, piece.start, piece.second);
      if (last >= piece.start) held++;
      if (previousLast !== undefined && piece.start === previousLast + 1) held++;
      previousLast = last;
    }
    if (segment.bounds === undefined) continue;
    const [start, second] = segment.bounds;
    const segmentLast = lastByte(c.segment, start, second);
    if (segmentLast >= start) held++;
    if (previousLast !== undefined && previousLast === segmentLast) held++;
  }
  return held;
}

const ALL: readonly Convention[] = ["inclusive", "exclusive", "size"];

/** The ends every segment and piece get under `c`: two ways agreeing on these read the output alike. */
function endsUnder(segments: readonly PrintedSegment[], c: Conventions): string {
  return segments
    .map((s) => {
      const pieces = s.pieces.map((p) => lastByte(c.piece, p.start, p.second)).join(",");
      return `${s.bounds === undefined ? "" : lastByte(c.segment, s.bounds[0], s.bounds[1])}:${pieces}`;
    })
    .join(";");
}

/**
 * The way of reading bounds that fits the output best; the course's unless another fits strictly better.
 * `ambiguous`: other ways fit better but disagree on the bounds, so they are read as printed.
 */
export function chooseConventions(segments: readonly PrintedSegment[]): { conventions: Conventions; ambiguous: boolean } {
  const course = score(segments, COURSE_CONVENTIONS);
  let best: Conventions[] = [];
  let bestScore = course;
  for (const piece of ALL) {
    for (const segment of ALL) {
      const c = { piece, segment };
      const s = score(segments, c);
      if (s > bestScore) [best, bestScore] = [[c], s];
      else if (s === bestScore && s > course) best.push(c);
    }
  }
  const [first] = best;
  if (first === undefined) return { conventions: COURSE_CONVENTIONS, ambiguous: false };
  const ends = endsUnder(segments, first);
  if (best.every((c) => endsUnder(segments, c) === ends)) return { conventions: first, ambiguous: false };
  return { conventions: COURSE_CONVENTIONS, ambiguous: true };
}

/** Notes for a check's details when bounds were not read as the course prints them. */
export function conventionNotes(c: Conventions, ambiguous = false): string[] {
  const notes: string[] = ambiguous ? ["bounds fit more than one way of printing them, and were read as the course prints them"] : [];
  const words = { exclusive: "end printed one past the last byte", size: "printed as [start, size]" } as const;
  if (c.piece !== "inclusive") notes.push(`pieces read with ${c.piece === "size" ? "bounds " : "each "}${words[c.piece]}`);
  if (c.segment !== "inclusive") notes.push(`segments read with ${c.segment === "size" ? "bounds " : "each "}${words[c.segment]}`);
  return notes;
}
