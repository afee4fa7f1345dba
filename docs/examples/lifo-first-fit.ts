/**
 * A lookup written outside MeMS: first fit over a LIFO free list, the policy of many early allocators
 * (and of Wilson et al.'s survey, where it wastes more than address-ordered first fit): the HOLEs in one
 * doubly linked list, the newest first; malloc takes the first that fits. It walks the list, so it is
 * O(HOLEs) per malloc at worst: an example of the interface, not a fast lookup.
 *
 *   import { Mems } from "mems";
 *   import lifoFirstFit from "./lifo-first-fit.ts";
 *   using mems = new Mems({ lookup: lifoFirstFit });
 *
 *   mems replay trace.rep --lookup ./lifo-first-fit.ts
 *   bun bench --lookup ./lifo-first-fit.ts
 *
 * The list runs through the two hole links of the HOLE records (HoleRecords.holeNext and holePrev); the
 * lookup keeps its head and a count. See docs/strategies.md for the interface.
 */
import { type HoleLookup, type HoleRecords, type LookupFactory, NIL } from "mems";

class LifoFirstFit implements HoleLookup {
  readonly name = "lifo-first-fit";
  private readonly records: HoleRecords;
  private head = NIL;
  private count = 0;

  constructor(records: HoleRecords) {
    this.records = records;
  }

  /** A HOLE appeared: it goes first. */
  insert(hole: number, _size: number): void {
    const records = this.records;
    records.setHolePrev(hole, NIL);
    records.setHoleNext(hole, this.head);
    if (this.head !== NIL) records.setHolePrev(this.head, hole);
    this.head = hole;
    this.count++;
  }

  /** A HOLE is about to become a block, or to merge: it leaves the list. */
  remove(hole: number, _size: number): void {
    const records = this.records;
    const prev = records.holePrev(hole);
    const next = records.holeNext(hole);
    if (prev === NIL) this.head = next;
    else records.setHoleNext(prev, next);
    if (next !== NIL) records.setHolePrev(next, prev);
    this.count--;
  }

  /** A HOLE grew in a merge (a block freed beside it): the merged HOLE is the newest, so it goes first. */
  resized(hole: number, oldSize: number, size: number): void {
    this.remove(hole, oldSize);
    this.insert(hole, size);
  }

  /** The first HOLE of the list with at least `size` bytes, or NIL (then MeMS maps a new segment). */
  find(size: number): number {
    const records = this.records;
    for (let hole = this.head; hole !== NIL; hole = records.holeNext(hole)) {
      if (records.pieceSize(hole) >= size) return hole;
    }
    return NIL;
  }

  forEachHole(visit: (hole: number) => void): void {
    let seen = 0;
    for (let hole = this.head; hole !== NIL; hole = this.records.holeNext(hole)) {
      if (++seen > this.count) throw new Error(`${this.name}: the list is longer than its ${this.count} HOLEs (a cycle)`);
      visit(hole);
    }
  }

  /** The list's back links and its count; checkInvariants holds the list against the chains' HOLEs itself. */
  check(): void {
    let prev = NIL;
    let seen = 0;
    this.forEachHole((hole) => {
      if (this.records.holePrev(hole) !== prev) throw new Error(`${this.name}: HOLE record ${hole} has a wrong back link`);
      prev = hole;
      seen++;
    });
    if (seen !== this.count) throw new Error(`${this.name}: ${seen} HOLEs listed, ${this.count} counted`);
  }

  /** finish: MeMS forgets every HOLE. */
  reset(): void {
    this.head = NIL;
    this.count = 0;
  }

  // This lookup maps nothing and keeps nothing per segment.
  prepare(): void {}
  reserveSegment(): void {}
  segmentAdded(_index: number): void {}
}

/** What `new Mems({ lookup })`, `--lookup FILE` and `bun bench --lookup FILE` take: a name and a maker. */
const lifoFirstFit: LookupFactory = {
  name: "lifo-first-fit",
  create: (records) => new LifoFirstFit(records),
};

export default lifoFirstFit;
