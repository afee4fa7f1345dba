/**
 * What a printed stats block means once read (grade/stats-reader.ts reads it, grade/stats-compare.ts
 * compares two): the main chain's segments and pieces in the course's inclusive addresses, and the
 * summary figures that were printed. A file of types that imports nothing, so the reader and the
 * comparer both use it and neither imports the other back.
 */

export interface ReadPiece {
  readonly kind: "PROCESS" | "HOLE";
  readonly start: number;
  readonly end: number; // inclusive, as the course prints it
}
export interface ReadSegment {
  readonly start: number;
  readonly end: number;
  readonly pieces: readonly ReadPiece[];
}
export interface ReadStats {
  readonly segments: readonly ReadSegment[]; // the main chain, in printed order
  readonly pagesUsed?: number;
  readonly spaceUnused?: number;
  readonly mainChainLength?: number;
  readonly subChainLengths?: readonly number[]; // undefined when not printed
}
