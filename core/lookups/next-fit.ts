/**
 * Next-fit (Knuth's "roving pointer"): first fit, but the search starts where the last one ended and
 * wraps around, so successive blocks spread over the heap instead of piling up at its low addresses.
 *
 * Where the last search ended, exactly: the rover is the virtual address right after the last block
 * malloc placed (the block's start + its size), whether it went into a HOLE or at the start of a new
 * segment; before the first malloc, and after finish, it is the start of virtual space. A search takes the
 * HOLEs in address order (the main chain's segments in order, each segment's HOLEs in order), starting at
 * the HOLE that holds the rover or else the first HOLE after it, up to the last HOLE of the heap, then
 * wraps to the first HOLE and on up to where it began; the first of them of at least the request wins.
 *
 * It keeps first-fit's structures (first-fit.ts: each segment's HOLEs linked in address order, a max-tree
 * of per-segment hints that skips a segment that cannot fit), so every segment after the rover's is
 * reached in O(log segments). It walks, and says so: in the rover's segment it walks the HOLE list from
 * the segment's first HOLE to the rover, and the segments it does not skip are walked HOLE by HOLE.
 */

import { NIL } from "../records.ts";
import { FirstFitLookup } from "./first-fit.ts";
import type { HoleRecords } from "./lookup.ts";

export class NextFitLookup extends FirstFitLookup {
  override readonly name: string = "next-fit";
  /** The segment of the rover, and the rover itself (an address in it; +∞: past its end). */
  private roverSegment = 0;
  private roverAddress = Number.NEGATIVE_INFINITY;
  /**
   * A segment just added for a block that went at its start: the next HOLE inserted in it, if it comes
   * before any other call and follows a piece, is the rest of that segment after the block, and starts at the rover.
   */
  private newSegment = NIL;

  constructor(records: HoleRecords) {
    super(records);
  }

  override find(size: number): number {
    this.newSegment = NIL;
    const records = this.records;
    const segment = this.roverSegment;
    if (segment >= this.segments) return this.placed(this.firstFitIn(this.firstSegmentFrom(0, size), this.segments, size), size);
    // The rover's segment: its HOLEs before the one that holds the rover or follows it are searched last.
    let start = this.firstHoles[segment] ?? NIL;
    while (start !== NIL && records.pieceAddress(start) + records.pieceSize(start) <= this.roverAddress) start = records.holeNext(start);
    for (let hole = start; hole !== NIL; hole = records.holeNext(hole)) {
      if (records.pieceSize(hole) >= size) return this.placed(hole, size);
    }
    let hole = this.firstFitIn(this.firstSegmentFrom(segment + 1, size), this.segments, size);
    if (hole === NIL) hole = this.firstFitIn(this.firstSegmentFrom(0, size), segment, size);
    for (let before = this.firstHoles[segment] ?? NIL; hole === NIL && before !== start; before = records.holeNext(before)) {
      if (records.pieceSize(before) >= size) hole = before;
    }
    return this.placed(hole, size);
  }

  /** The block of `size` bytes goes at the start of `hole`: the rover moves to its end. */
  private placed(hole: number, size: number): number {
    if (hole !== NIL) {
      this.roverSegment = this.records.segmentIndexOf(hole);
      this.roverAddress = this.records.pieceAddress(hole) + size;
    }
    return hole;
  }

  /** No HOLE fitted: the block goes at the start of this new segment, and the rover past it (see newSegment). */
  override segmentAdded(index: number): void {
    super.segmentAdded(index);
    this.roverSegment = index;
    this.roverAddress = Number.POSITIVE_INFINITY; // the block fills the segment, unless a rest follows
    this.newSegment = index;
  }

  override insert(hole: number, size: number): void {
    const records = this.records;
    if (this.newSegment !== NIL) {
      if (records.segmentIndexOf(hole) === this.newSegment && records.prevPiece(hole) !== NIL)
        this.roverAddress = records.pieceAddress(hole);
      this.newSegment = NIL;
    }
    super.insert(hole, size);
  }

  override reset(): void {
    super.reset();
    this.roverSegment = 0;
    this.roverAddress = Number.NEGATIVE_INFINITY;
    this.newSegment = NIL;
  }
}
