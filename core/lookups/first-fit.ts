/**
 * First-fit, the reference's choice: the first HOLE, walking the main chain and each sub-chain from its
 * head, whose size is at least the request. It may skip what cannot fit, never what can: a segment is
 * skipped when its hint (an upper bound of its largest HOLE) is below the request, a max-tree over the
 * hints finds the first segment not skipped in O(log segments), and inside a segment only its HOLEs are
 * walked (each segment links them in address order, through the hole links of their records).
 */
import { invariantBroken } from "../errors.ts";
import type { Mapping } from "../mapping.ts";
import { NIL } from "../records.ts";
import type { HoleLookup, HoleRecords } from "./lookup.ts";

/** Segments the tables have room for at first (they double as segments are added). */
const INITIAL_SEGMENTS = 16;

/*
 * First-fit's own memory, one mapping, by segment index:
 *
 *   ┌────────────────────────────────────────────┬──────────────────────────┬─────────────────────────┐
 *   │ hintTree: 2 * capacity f64 (slot 0 unused) │ firstHoles: capacity i32 │ lastHoles: capacity i32 │
 *   └────────────────────────────────────────────┴──────────────────────────┴─────────────────────────┘
 *
 * hintTree is a max-tree over the segments in main-chain order: node 1 is the root, node k's children are
 * 2k and 2k + 1, and leaf `capacity + index` is the segment's hint (the one copy of it): never below the
 * size of its largest HOLE, maybe above. Leaves past the last segment hold 0. firstHoles and lastHoles
 * name the segment's first and last HOLE, NIL when it has none.
 */
/** Hot path: TypeScript-private fields, not `#` (docs/design.md, "Hot paths"). */
export class FirstFitLookup implements HoleLookup {
  readonly name: string = "first-fit";
  // Protected where next-fit (next-fit.ts), which keeps first-fit's structures, reads them.
  protected readonly records: HoleRecords;
  private mapping: Mapping | null = null;
  protected hintTree = new Float64Array(0);
  protected firstHoles = new Int32Array(0);
  private lastHoles = new Int32Array(0);
  protected capacity = 0;
  protected segments = 0;
  // The HOLE list of a segment is kept in address order. A split or merge takes HOLEs out and puts one
  // back where they were: `remove` leaves the two HOLEs it joined as the gap, so the next `insert` into
  // that gap (checked against the live list) links without a walk.
  private gapPrev = NIL;
  private gapNext = NIL;

  constructor(records: HoleRecords) {
    this.records = records;
  }

  // Hot path: `?? 0` and `?? NIL` reads, and steps that read the tables themselves (docs/design.md, "Hot paths").

  /* The hint tree */

  /** Sets the segment's hint and keeps the tree's maxima exact. */
  protected setHint(segment: number, hint: number): void {
    const tree = this.hintTree;
    let node = this.capacity + segment;
    tree[node] = hint;
    while (node > 1) {
      const parent = node >> 1;
      const max = Math.max(this.hintTree[parent << 1] ?? 0, this.hintTree[(parent << 1) + 1] ?? 0);
      if ((this.hintTree[parent] ?? 0) === max) break;
      tree[parent] = max;
      node = parent;
    }
  }

  /** The lowest segment index whose hint is at least `size`, or NIL: down from the root. */
  private firstSegment(size: number): number {
    if (this.segments === 0 || (this.hintTree[1] ?? 0) < size) return NIL;
    return this.leftmostUnder(1, size);
  }

  /** The leftmost leaf under `node` (whose maximum is at least `size`) holding at least `size`, as a segment index. */
  private leftmostUnder(node: number, size: number): number {
    while (node < this.capacity) {
      node <<= 1;
      if ((this.hintTree[node] ?? 0) < size) node++;
    }
    return node - this.capacity;
  }

  /** The lowest segment index at or after `from` whose hint is at least `size`, or NIL. */
  protected firstSegmentFrom(from: number, size: number): number {
    if (from >= this.segments) return NIL;
    let node = this.capacity + from;
    if ((this.hintTree[node] ?? 0) >= size) return from;
    // Climb until a right sibling holds a large enough hint, then descend to its leftmost such leaf.
    for (;;) {
      if ((node & 1) === 0 && (this.hintTree[node + 1] ?? 0) >= size) return this.leftmostUnder(node + 1, size);
      node >>= 1;
      if (node <= 1) return NIL;
    }
  }

  /* The HOLE lists */

  /**
   * Links the HOLE into its segment's list, in address order: into the gap the last `remove` left when
   * that gap is still one of this segment's list and the HOLE's start lies in it (a split or merge puts a
   * HOLE back where it took some out), else into the gap a short walk finds. The steps are written out
   * here rather than as helpers (hot path, four calls deep: docs/design.md, "Hot paths").
   */
  insert(hole: number, size: number): void {
    const records = this.records;
    const segment = records.segmentIndexOf(hole);
    if ((this.hintTree[this.capacity + segment] ?? 0) < size) this.setHint(segment, size);
    const v = records.pieceAddress(hole);
    let prev = this.gapPrev;
    let next = this.gapNext;
    const prevFits =
      prev === NIL
        ? (this.firstHoles[segment] ?? NIL) === next
        : records.segmentIndexOf(prev) === segment &&
          records.isHole(prev) &&
          records.holeNext(prev) === next &&
          records.pieceAddress(prev) < v;
    if (!prevFits || (next !== NIL && v >= records.pieceAddress(next))) {
      this.findGap(hole, segment);
      prev = this.gapPrev;
      next = this.gapNext;
    }
    records.setHolePrev(hole, prev);
    records.setHoleNext(hole, next);
    if (prev === NIL) this.firstHoles[segment] = hole;
    else records.setHoleNext(prev, hole);
    if (next === NIL) this.lastHoles[segment] = hole;
    else records.setHolePrev(next, hole);
    this.gapPrev = NIL;
    this.gapNext = NIL;
  }

  /**
   * The gap of a HOLE not placed by the last `remove`: out from it both ways in the sub-chain, past
   * PROCESS pieces, the nearer HOLE (or end of the segment) places it, so the walk is as short as the
   * nearer of the two distances.
   */
  private findGap(hole: number, segment: number): void {
    const records = this.records;
    let back = records.prevPiece(hole);
    let ahead = records.nextPiece(hole);
    for (;;) {
      if (back === NIL) {
        this.setGap(NIL, this.firstHoles[segment] ?? NIL);
      } else if (records.isHole(back)) {
        this.setGap(back, records.holeNext(back));
      } else if (ahead === NIL) {
        this.setGap(this.lastHoles[segment] ?? NIL, NIL);
      } else if (records.isHole(ahead)) {
        this.setGap(records.holePrev(ahead), ahead);
      } else {
        back = records.prevPiece(back);
        ahead = records.nextPiece(ahead);
        continue;
      }
      return;
    }
  }

  private setGap(prev: number, next: number): void {
    this.gapPrev = prev;
    this.gapNext = next;
  }

  remove(hole: number, _size: number): void {
    // The hint stays an upper bound; the next full scan of the segment makes it exact again.
    const records = this.records;
    const prev = records.holePrev(hole);
    const next = records.holeNext(hole);
    const segment = records.segmentIndexOf(hole);
    if (prev === NIL) this.firstHoles[segment] = next;
    else records.setHoleNext(prev, next);
    if (next === NIL) this.lastHoles[segment] = prev;
    else records.setHolePrev(next, prev);
    this.setGap(prev, next);
  }

  /** A HOLE grew by a merge: it keeps its place in the list (the HOLEs it absorbed were between no others). */
  resized(hole: number, _oldSize: number, size: number): void {
    const segment = this.records.segmentIndexOf(hole);
    if ((this.hintTree[this.capacity + segment] ?? 0) < size) this.setHint(segment, size);
  }

  /** The first segment that may fit, then its HOLEs in address order; a segment with none that fits gets its exact hint. */
  find(size: number): number {
    return this.firstFitIn(this.firstSegment(size), this.segments, size);
  }

  /**
   * The first HOLE of at least `size` bytes in the segments from `segment` (one whose hint is at least
   * `size`, or NIL) up to `end` - 1, skipping the others by their hints; a segment with none that fits
   * gets its exact hint. NIL when there is none. (next-fit searches from its rover with it.)
   */
  protected firstFitIn(segment: number, end: number, size: number): number {
    const records = this.records;
    for (; segment !== NIL && segment < end; segment = this.firstSegmentFrom(segment + 1, size)) {
      let largest = 0;
      for (let hole = this.firstHoles[segment] ?? NIL; hole !== NIL; hole = records.holeNext(hole)) {
        const holeSize = records.pieceSize(hole);
        if (holeSize >= size) return hole;
        if (holeSize > largest) largest = holeSize;
      }
      this.setHint(segment, largest); // every HOLE of the segment was seen: the hint is now exact
    }
    return NIL;
  }

  prepare(): void {}

  /** Room in the tables for one more segment, mapped before the segment is (so a failure changes nothing). */
  reserveSegment(): void {
    if (this.segments < this.capacity) return;
    const old = this.capacity;
    const capacity = old === 0 ? INITIAL_SEGMENTS : old * 2;
    const mapping = this.records.mapBookkeeping(capacity * (2 * 8 + 2 * 4));
    const tree = new Float64Array(mapping.buffer, 0, 2 * capacity);
    const firstHoles = new Int32Array(mapping.buffer, 2 * 8 * capacity, capacity);
    const lastHoles = new Int32Array(mapping.buffer, (2 * 8 + 4) * capacity, capacity);
    tree.set(this.hintTree.subarray(old, old + this.segments), capacity);
    for (let node = capacity - 1; node >= 1; node--) tree[node] = Math.max(tree[node << 1] ?? 0, tree[(node << 1) + 1] ?? 0);
    firstHoles.set(this.firstHoles);
    lastHoles.set(this.lastHoles);
    if (this.mapping !== null) this.records.unmapBookkeeping(this.mapping);
    this.mapping = mapping;
    this.hintTree = tree;
    this.firstHoles = firstHoles;
    this.lastHoles = lastHoles;
    this.capacity = capacity;
  }

  segmentAdded(index: number): void {
    // Its hint, the leaf past the last segment, is 0 already.
    this.firstHoles[index] = NIL;
    this.lastHoles[index] = NIL;
    this.segments = index + 1;
  }

  reset(): void {
    if (this.mapping !== null) this.records.unmapBookkeeping(this.mapping);
    this.mapping = null;
    this.hintTree = new Float64Array(0);
    this.firstHoles = new Int32Array(0);
    this.lastHoles = new Int32Array(0);
    this.capacity = 0;
    this.segments = 0;
    this.setGap(NIL, NIL);
  }

  forEachHole(visit: (hole: number) => void): void {
    for (let segment = 0; segment < this.segments; segment++) {
      for (let hole = this.firstHoles[segment] ?? NIL; hole !== NIL; hole = this.records.holeNext(hole)) visit(hole);
    }
  }

  /** Each segment's list is exactly its HOLEs in address order, under its hint; the tree's maxima are exact. */
  check(): void {
    this.checkLists();
    for (let leaf = this.segments; leaf < this.capacity; leaf++) {
      if ((this.hintTree[this.capacity + leaf] ?? 0) !== 0)
        throw invariantBroken(`${this.name}: the tree's leaf ${leaf} is past the last segment but not 0`);
    }
    for (let node = this.capacity - 1; node >= 1; node--) {
      const max = Math.max(this.hintTree[node << 1] ?? 0, this.hintTree[(node << 1) + 1] ?? 0);
      if ((this.hintTree[node] ?? 0) !== max)
        throw invariantBroken(`${this.name}: tree node ${node} is ${this.hintTree[node] ?? 0}, the larger of its children ${max}`);
    }
  }

  private checkLists(): void {
    const records = this.records;
    let index = 0;
    let listed = NIL;
    let previous = NIL;
    let segments = 0;
    records.walk({
      segment: (_main, segment) => {
        index = segment;
        listed = this.firstHoles[segment] ?? NIL;
        previous = NIL;
        segments++;
      },
      piece: (piece) => {
        if (!records.isHole(piece)) return;
        if (listed !== piece)
          throw invariantBroken(`${this.name}: segment ${index} lists record ${listed} where its HOLE record ${piece} comes`);
        if (records.holePrev(piece) !== previous) throw invariantBroken(`${this.name}: HOLE record ${piece} has a wrong holePrev link`);
        if (records.pieceSize(piece) > (this.hintTree[this.capacity + index] ?? 0))
          throw invariantBroken(`${this.name}: segment ${index} has a hint below the size of HOLE record ${piece}`);
        previous = piece;
        listed = records.holeNext(piece);
      },
      segmentEnd: () => {
        if (listed !== NIL) throw invariantBroken(`${this.name}: segment ${index} lists record ${listed} after its last HOLE`);
        if ((this.lastHoles[index] ?? NIL) !== previous)
          throw invariantBroken(
            `${this.name}: segment ${index} names record ${this.lastHoles[index] ?? NIL} as its last HOLE, not ${previous}`,
          );
      },
    });
    if (segments !== this.segments)
      throw invariantBroken(`${this.name}: the tables have ${this.segments} segments, the main chain ${segments}`);
  }
}
