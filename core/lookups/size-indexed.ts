/**
 * Size-indexed: TLSF's two-level segregated fit (Masmano et al.), O(1) per operation. HOLEs sit in doubly
 * linked lists (through the hole links of their records), one per size class; one bitmap word per first
 * level says which second-level classes are non-empty, and a first-level bitmap (three words) says which
 * first levels are. Below 1 KiB every byte size is a class of its own, so small requests get an exact or
 * best fit. The steps carry TLSF's names (mapping_insert, mapping_search, insert_free_block, ...).
 */
import { invariantBroken } from "../errors.ts";
import type { Mapping } from "../mapping.ts";
import { NIL } from "../records.ts";
import type { HoleLookup, HoleRecords } from "./lookup.ts";

/** log2 of the number of second-level classes per first level. */
const SL_INDEX_COUNT_LOG2 = 5;
const SL_INDEX_COUNT = 1 << SL_INDEX_COUNT_LOG2;
/**
 * Sizes below this have one class per size: EXACT_LIMIT / SL_INDEX_COUNT first levels of classes one
 * byte wide. A request below it searches its own size first, so a HOLE of exactly the requested size is
 * taken whole (no split, no new record, no fragment to merge later) and otherwise the smallest larger
 * HOLE size that exists is (best fit). Sizes from EXACT_LIMIT up use TLSF's logarithmic first levels.
 */
const EXACT_LIMIT_LOG2 = 10;
const EXACT_LIMIT = 1 << EXACT_LIMIT_LOG2;
/** First levels: the exact ones, then one per power of two from EXACT_LIMIT up to 2^52 (sizes below 2^53). */
const EXACT_FIRST_LEVELS = EXACT_LIMIT >>> SL_INDEX_COUNT_LOG2;
const FL_INDEX_COUNT = EXACT_FIRST_LEVELS + 53 - EXACT_LIMIT_LOG2;
/** Classes: FL_INDEX_COUNT first levels of SL_INDEX_COUNT. */
const CLASS_COUNT = FL_INDEX_COUNT * SL_INDEX_COUNT;
/** Words of the first-level bitmap. */
const FL_WORDS = (FL_INDEX_COUNT + 31) >>> 5;
/** mapping_insert of a size >= EXACT_LIMIT is (shift + CLASS_OFFSET) * 32 + (size >> shift), shift = floor(log2(size)) - 5. */
const CLASS_OFFSET = EXACT_FIRST_LEVELS - EXACT_LIMIT_LOG2 + SL_INDEX_COUNT_LOG2 - 1;

/*
 * Control block, one mapping of Int32 slots, seen as three arrays:
 *
 *   ┌─────────────────────────┬─────────────────────┬─────────────────────────────────────────────┐
 *   │ slBitmaps[fl]: bit sl   │ flBitmap[w]: bit    │ heads[HEAD(fl * 32 + sl)]: ~(first HOLE),   │
 *   │ set when the class's    │ fl & 31 of word     │ or 0 (~NIL) for none: the classes from      │
 *   │ head is not 0           │ fl >> 5 set when    │ EXACT_LIMIT up first, then the exact ones   │
 *   │ (FL_INDEX_COUNT slots)  │ slBitmaps[fl] ≠ 0   │ (HEAD_SLOTS slots)                          │
 *   └─────────────────────────┴─────────────────────┴─────────────────────────────────────────────┘
 *
 * A head is stored complemented so that a fresh, zeroed block says "every class empty" without a fill:
 * a heap's first block then writes only the pages of the heads it uses, and `~` costs nothing on the
 * paths that read it. The heads lie at HEAD(cls) = cls ^ EXACT_LIMIT rather than at cls, so that the
 * bitmaps and the heads of HOLEs from 1 KiB up (what a small heap's first segments leave) come first and
 * share one OS page with the core's first tables (first-mapping.ts: each page written costs a fault and
 * a TLB flush at finish); one xor per head read, within the noise of the bench (docs/experiments.md).
 */
/** Where class `cls`'s head lies in `heads`: the classes from EXACT_LIMIT up first (see above). */
const HEAD_FLIP = EXACT_LIMIT;
/** Slots of `heads`: the largest class's slot, plus one (classes below EXACT_LIMIT * 2 swap halves). */
const HEAD_SLOTS = Math.max((CLASS_COUNT - 1) ^ HEAD_FLIP, EXACT_LIMIT * 2 - 1) + 1;
const CONTROL_BYTES = (FL_INDEX_COUNT + FL_WORDS + HEAD_SLOTS) * 4;

/** floor(log2(size)) for an integer size >= 1 below 2^53 (not recursive, so the JIT inlines it). */
function floorLog2(size: number): number {
  return size < 0x80000000 ? 31 - Math.clz32(size) : 31 + 31 - Math.clz32(Math.floor(size / 0x80000000));
}

/**
 * mapping_insert: the class whose range holds `size`, as one number fl * SL_INDEX_COUNT + sl (so the
 * class is also the index of its list head). Sizes below EXACT_LIMIT are their own class; above, the
 * first level counts powers of two and sl is the next SL_INDEX_COUNT_LOG2 bits below the top one.
 */
export function mappingInsert(size: number): number {
  if (size < EXACT_LIMIT) return size;
  // floorLog2(size), written out: a call here would be one level too deep to inline on the free path.
  const log2 = size < 0x80000000 ? 31 - Math.clz32(size) : 62 - Math.clz32(Math.floor(size / 0x80000000));
  const shift = log2 - SL_INDEX_COUNT_LOG2;
  return ((shift + CLASS_OFFSET) << SL_INDEX_COUNT_LOG2) + (size < 0x100000000 ? size >>> shift : Math.floor(size / 2 ** shift));
}

/** mapping_search: the lowest class all of whose HOLEs are at least `size`. */
export function mappingSearch(size: number): number {
  if (size < EXACT_LIMIT) return size;
  const shift = floorLog2(size) - SL_INDEX_COUNT_LOG2;
  return mappingInsert(size + (shift < 31 ? 1 << shift : 2 ** shift) - 1);
}

/** The smallest size of class `cls` (the inverse of mappingInsert on class boundaries), for tests. */
export function classStart(cls: number): number {
  if (cls < EXACT_LIMIT) return cls;
  const shift = (cls >>> SL_INDEX_COUNT_LOG2) - CLASS_OFFSET - 1;
  return (SL_INDEX_COUNT + (cls & (SL_INDEX_COUNT - 1))) * 2 ** shift;
}

/** A class as TLSF's (fl, sl) pair, for messages. */
function describeClass(cls: number): string {
  return `(${cls >>> SL_INDEX_COUNT_LOG2}, ${cls & (SL_INDEX_COUNT - 1)})`;
}

/** Hot path: TypeScript-private fields, not `#` (docs/design.md, "Hot paths"). */
export class SizeIndexedLookup implements HoleLookup {
  readonly name = "size-indexed";
  private readonly records: HoleRecords;
  private control: Mapping | null = null;
  /** The first HOLE of each class, or NIL. */
  private heads = new Int32Array(0);
  /** Per first level: bit sl set when class (fl, sl) is not empty. */
  private slBitmaps = new Int32Array(0);
  /** Bit fl & 31 of word fl >> 5 set when first level fl has a non-empty class. */
  private flBitmap = new Int32Array(0);

  constructor(records: HoleRecords) {
    this.records = records;
  }

  // Hot path: `?? NIL` and `?? 0` reads; insert, remove and find read the tables themselves, calling
  // nothing (docs/design.md, "Hot paths").

  prepare(): void {
    if (this.control !== null) return;
    const control = this.records.mapBookkeeping(CONTROL_BYTES);
    this.control = control;
    this.slBitmaps = new Int32Array(control.buffer, 0, FL_INDEX_COUNT);
    this.flBitmap = new Int32Array(control.buffer, FL_INDEX_COUNT * 4, FL_WORDS);
    this.heads = new Int32Array(control.buffer, (FL_INDEX_COUNT + FL_WORDS) * 4, HEAD_SLOTS); // zeroes: every class empty
  }

  // insert_free_block
  insert(hole: number, size: number): void {
    const records = this.records;
    const cls = mappingInsert(size);
    const first = ~(this.heads[cls ^ HEAD_FLIP] ?? 0);
    records.setHoleNext(hole, first);
    records.setHolePrev(hole, NIL);
    this.heads[cls ^ HEAD_FLIP] = ~hole;
    if (first !== NIL)
      records.setHolePrev(first, hole); // the class was not empty: its bits are set already
    else this.markNonEmpty(cls);
  }

  private markNonEmpty(cls: number): void {
    const fl = cls >>> SL_INDEX_COUNT_LOG2;
    this.slBitmaps[fl] = (this.slBitmaps[fl] ?? 0) | (1 << (cls & (SL_INDEX_COUNT - 1)));
    this.flBitmap[fl >>> 5] = (this.flBitmap[fl >>> 5] ?? 0) | (1 << (fl & 31));
  }

  // remove_free_block: the list is the class of `size`, the size the HOLE was inserted with
  remove(hole: number, size: number): void {
    const records = this.records;
    const next = records.holeNext(hole);
    const prev = records.holePrev(hole);
    if (next !== NIL) records.setHolePrev(next, prev);
    if (prev !== NIL) records.setHoleNext(prev, next);
    else this.removeHead(next, size);
  }

  /**
   * remove of the first HOLE of its class, whose successor `next` becomes the head. A method of its own so
   * that remove stays small enough for the JIT to inline into malloc and free.
   */
  private removeHead(next: number, size: number): void {
    // No class is stored in the record: it is found again from the size.
    const cls = mappingInsert(size);
    this.heads[cls ^ HEAD_FLIP] = ~next;
    if (next === NIL) this.markEmpty(cls);
  }

  private markEmpty(cls: number): void {
    const fl = cls >>> SL_INDEX_COUNT_LOG2;
    const slBits = (this.slBitmaps[fl] ?? 0) & ~(1 << (cls & (SL_INDEX_COUNT - 1)));
    this.slBitmaps[fl] = slBits;
    if (slBits === 0) this.flBitmap[fl >>> 5] = (this.flBitmap[fl >>> 5] ?? 0) & ~(1 << (fl & 31));
  }

  /** Moves the HOLE to the class of its new size, if that is another class. */
  resized(hole: number, oldSize: number, size: number): void {
    if (mappingInsert(size) === mappingInsert(oldSize)) return;
    this.remove(hole, oldSize);
    this.insert(hole, size);
  }

  reserveSegment(): void {}

  segmentAdded(_index: number): void {}

  // search_suitable_block (for a request below EXACT_LIMIT: its own size, then the smallest larger HOLE
  // size that exists); then first-fit within the request's own class if rounding up skipped it
  find(size: number): number {
    const hole = this.firstFrom(mappingSearch(size));
    return hole !== NIL || size < EXACT_LIMIT ? hole : this.searchOwnClass(size);
  }

  /** The first HOLE of the lowest non-empty class at or above `cls`, or NIL (TLSF's search_suitable_block). */
  private firstFrom(cls: number): number {
    let fl = cls >>> SL_INDEX_COUNT_LOG2;
    if (fl >= FL_INDEX_COUNT) return NIL;
    let slBits = (this.slBitmaps[fl] ?? 0) & (-1 << (cls & (SL_INDEX_COUNT - 1)));
    if (slBits === 0) {
      // The lowest non-empty first level above fl, from the first-level bitmap.
      let word = (fl + 1) >>> 5;
      if (word >= FL_WORDS) return NIL;
      let flBits = (this.flBitmap[word] ?? 0) & (-1 << ((fl + 1) & 31));
      while (flBits === 0) {
        if (++word === FL_WORDS) return NIL;
        flBits = this.flBitmap[word] ?? 0;
      }
      fl = (word << 5) + 31 - Math.clz32(flBits & -flBits); // the lowest set bit
      slBits = this.slBitmaps[fl] ?? 0;
    }
    return ~(this.heads[((fl << SL_INDEX_COUNT_LOG2) + 31 - Math.clz32(slBits & -slBits)) ^ HEAD_FLIP] ?? 0);
  }

  /**
   * mapping_search rounds the request up to the next class so that any HOLE found fits; a HOLE in the
   * request's own class may still fit. Nothing larger exists when we get here, and the alternative is
   * mapping a new segment, so this one list is walked rather than missing a fitting HOLE.
   */
  private searchOwnClass(size: number): number {
    const records = this.records;
    for (let hole = ~(this.heads[mappingInsert(size) ^ HEAD_FLIP] ?? 0); hole !== NIL; hole = records.holeNext(hole)) {
      if (records.pieceSize(hole) >= size) return hole;
    }
    return NIL;
  }

  reset(): void {
    if (this.control === null) return;
    this.records.unmapBookkeeping(this.control);
    this.control = null;
    this.heads = new Int32Array(0);
    this.slBitmaps = new Int32Array(0);
    this.flBitmap = new Int32Array(0);
  }

  /** The lists of the classes the bitmaps mark non-empty (check() holds the bitmaps to the lists). */
  forEachHole(visit: (hole: number) => void): void {
    for (let fl = 0; fl < this.slBitmaps.length; fl++) {
      for (let bits = this.slBitmaps[fl] ?? 0; bits !== 0; bits &= bits - 1) {
        const cls = (fl << SL_INDEX_COUNT_LOG2) + 31 - Math.clz32(bits & -bits);
        for (let hole = ~(this.heads[cls ^ HEAD_FLIP] ?? 0); hole !== NIL; hole = this.records.holeNext(hole)) visit(hole);
      }
    }
  }

  /** Every class's bits match its list, its back links are right, and each HOLE's size maps to its class. */
  check(): void {
    for (let fl = 0; fl < this.slBitmaps.length; fl++) {
      const slBits = this.slBitmaps[fl] ?? 0;
      const flBit = ((this.flBitmap[fl >>> 5] ?? 0) >>> (fl & 31)) & 1;
      if ((slBits !== 0) !== (flBit === 1))
        throw invariantBroken(`size-indexed: first-level bit ${fl} is ${flBit} but its second-level bitmap is ${slBits}`);
      // Most first levels are empty, bits and lists alike: one tight pass over their heads says so, and
      // only the others are checked class by class (the checks and their order are the same either way;
      // the heap walk after every operation of the conformance run makes this check a hot path).
      if (slBits === 0 && this.noListIn(fl)) continue;
      for (let sl = 0; sl < SL_INDEX_COUNT; sl++) {
        const cls = (fl << SL_INDEX_COUNT_LOG2) + sl;
        const head = ~(this.heads[cls ^ HEAD_FLIP] ?? 0);
        const bit = (slBits >>> sl) & 1;
        if ((head !== NIL) !== (bit === 1))
          throw invariantBroken(
            `size-indexed: bitmap bit of class ${describeClass(cls)} is ${bit} but the class is ${head === NIL ? "empty" : "not empty"}`,
          );
        if (head !== NIL) this.checkList(cls, head);
      }
    }
  }

  /** No class of first level `fl` has a list. */
  private noListIn(fl: number): boolean {
    const heads = this.heads;
    const first = fl << SL_INDEX_COUNT_LOG2;
    for (let cls = first; cls < first + SL_INDEX_COUNT; cls++) if (heads[cls ^ HEAD_FLIP] !== 0) return false;
    return true;
  }

  private checkList(cls: number, head: number): void {
    const records = this.records;
    let prev = NIL;
    for (let hole = head; hole !== NIL; hole = records.holeNext(hole)) {
      if (records.holePrev(hole) !== prev) throw invariantBroken(`size-indexed: HOLE record ${hole} has a wrong holePrev link`);
      const size = records.pieceSize(hole);
      if (mappingInsert(size) !== cls)
        throw invariantBroken(
          `size-indexed: HOLE record ${hole} of size ${size} is in class ${describeClass(cls)}, its size maps to ${describeClass(mappingInsert(size))}`,
        );
      prev = hole;
    }
  }
}
