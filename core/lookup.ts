/**
 * Hole lookup: how malloc chooses a HOLE. A replaceable part of the allocator; the free list itself (the
 * chains, split and merge) is the same for every lookup.
 *
 * - `first-fit` (the reference): the first HOLE, walking the main chain and each sub-chain from its head,
 *   whose size is at least the request. It may skip what cannot fit, never what can: a segment is skipped
 *   when its maxHoleHint (an upper bound of its largest HOLE) is below the request, a max-tree over the
 *   hints finds the first segment not skipped in O(log segments), and inside a segment only its HOLEs are
 *   walked (each segment links them in address order).
 * - `size-indexed`: TLSF's two-level segregated fit (Masmano et al.), O(1) per operation. HOLEs sit in
 *   doubly linked lists, one per size class; one bitmap word per first level says which second-level
 *   classes are non-empty, and a first-level bitmap (three words) says which first levels are. Below
 *   1 KiB every byte size is a class of its own, so small requests get an exact or best fit.
 */
import {
  F_SHIFT,
  HOLE,
  I_SHIFT,
  M_FIRST_HOLE,
  M_LAST_HOLE,
  M_MAX_HOLE_HINT,
  M_NEXT,
  M_ORDINAL,
  M_SUB_CHAIN_HEAD,
  NIL,
  P_HOLE_NEXT,
  P_HOLE_PREV,
  P_NEXT,
  P_PREV,
  P_SIZE,
  P_TYPE,
  P_VIRTUAL_ADDRESS,
  PROCESS,
} from "./layout.ts";
import { createMapping, type Mapping, releaseMapping } from "./mapping.ts";
import type { OsCounters } from "./os.ts";

/** The names of the lookup modes. */
export type Lookup = "first-fit" | "size-indexed";
export const LOOKUPS: readonly Lookup[] = ["first-fit", "size-indexed"];

/** What a lookup sees of the free list: the record arrays (re-read on every call: they move on growth). */
export interface PieceStore {
  readonly F: Float64Array;
  readonly I: Int32Array;
  /** The main record of each piece record. */
  readonly PM: Int32Array;
  readonly mainHead: number;
  readonly tally: OsCounters;
}

/** The replaceable part. `insert` and `remove` are called with the HOLE's current size in its record. */
export interface HoleLookup {
  readonly name: Lookup;
  /** A HOLE appeared. */
  insert(hole: number): void;
  /** A HOLE is about to become a PROCESS or disappear in a merge; `size` is the size it was indexed with. */
  remove(hole: number, size: number): void;
  /** An indexed HOLE's size (and maybe its start) changed from `oldSize`: it grew in a merge. */
  resized(hole: number, oldSize: number): void;
  /** A HOLE of at least `size` bytes, or NIL when none exists. */
  find(size: number): number;
  /** Maps what the lookup needs before the first HOLE exists (called with the record pool's creation). */
  prepare(): void;
  /** Makes room for one more segment; called before the segment is mapped, so a failure changes nothing. */
  reserveSegment(): void;
  /** A segment was added at the end of the main chain (its main record is complete, its hint 0). */
  segmentAdded(main: number): void;
  /** Bookkeeping bytes the lookup has mapped. */
  bookkeepingBytes(): number;
  /** Forgets every HOLE and unmaps the lookup's own memory. */
  reset(): void;
  /** Checks the lookup's own invariants against the chains; returns a description of the first break. */
  check(): string | null;
}

/* First-fit */

/** Segments the first-fit tree has room for at first (it doubles as segments are added). */
const INITIAL_TREE_SEGMENTS = 16;

/*
 * First-fit's segment tree, one mapping: a max-tree over the segments in main-chain order (Float64
 * slots: node 1 is the root, node k's children are 2k and 2k + 1, leaf `capacity + ordinal` holds the
 * segment's maxHoleHint, leaves past the last segment hold 0), then the main record of each ordinal
 * (Int32 slots). The first segment whose hint is at least the request is found in O(log segments)
 * instead of by reading every segment's hint before it.
 */
export class FirstFitLookup implements HoleLookup {
  readonly name = "first-fit";
  private tree: Mapping | null = null;
  /** The max-tree, 2 * capacity slots (slot 0 unused). */
  private H = new Float64Array(0);
  /** The main record of each segment ordinal. */
  private mainOf = new Int32Array(0);
  private capacity = 0;
  private segments = 0;

  constructor(private readonly store: PieceStore) {}

  /** Sets the segment's hint and keeps the tree's maxima exact. */
  private setHint(main: number, hint: number): void {
    this.store.F[(main << F_SHIFT) + M_MAX_HOLE_HINT] = hint;
    const H = this.H;
    let node = this.capacity + this.store.I[(main << I_SHIFT) + M_ORDINAL];
    H[node] = hint;
    while (node > 1) {
      const parent = node >> 1;
      const max = Math.max(H[parent << 1] as number, H[(parent << 1) + 1] as number);
      if (H[parent] === max) break;
      H[parent] = max;
      node = parent;
    }
  }

  /** The lowest ordinal whose hint is at least `size`, or NIL: down from the root. */
  private firstSegment(size: number): number {
    if (this.segments === 0 || (this.H[1] as number) < size) return NIL;
    return this.leftmostUnder(1, size);
  }

  /** The leftmost leaf under `node` (whose maximum is at least `size`) holding at least `size`, as an ordinal. */
  private leftmostUnder(node: number, size: number): number {
    const H = this.H;
    while (node < this.capacity) {
      node <<= 1;
      if ((H[node] as number) < size) node++;
    }
    return node - this.capacity;
  }

  /** The lowest ordinal at or after `from` whose hint is at least `size`, or NIL. */
  private firstSegmentFrom(from: number, size: number): number {
    if (from >= this.segments) return NIL;
    const H = this.H;
    let node = this.capacity + from;
    if ((H[node] as number) < size) {
      // Climb until a right sibling holds a large enough hint, then descend to its leftmost such leaf.
      for (;;) {
        if ((node & 1) === 0 && (H[node + 1] as number) >= size) return this.leftmostUnder(node + 1, size);
        node >>= 1;
        if (node <= 1) return NIL;
      }
    }
    return from;
  }

  // The HOLE list of a segment is kept in address order. A split or merge takes HOLEs out and puts one
  // back where they were: `remove` leaves the two HOLEs it joined in lastPrev and lastNext, so the next
  // `insert` between them (checked against the live list) links without a walk.
  private lastPrev = NIL;
  private lastNext = NIL;

  insert(hole: number): void {
    const { F, I } = this.store;
    const main = this.store.PM[hole] as number;
    const size = F[(hole << F_SHIFT) + P_SIZE] as number;
    if ((F[(main << F_SHIFT) + M_MAX_HOLE_HINT] as number) < size) this.setHint(main, size);
    const v = F[(hole << F_SHIFT) + P_VIRTUAL_ADDRESS] as number;
    const firstHole = (main << I_SHIFT) + M_FIRST_HOLE;
    let prev = this.lastPrev;
    let next = this.lastNext;
    const fits =
      (prev === NIL
        ? I[firstHole] === next
        : this.store.PM[prev] === main &&
          (I[(prev << I_SHIFT) + P_TYPE] as number) >= HOLE &&
          I[(prev << I_SHIFT) + P_HOLE_NEXT] === next) &&
      (prev === NIL || (F[(prev << F_SHIFT) + P_VIRTUAL_ADDRESS] as number) < v) &&
      (next === NIL || v < (F[(next << F_SHIFT) + P_VIRTUAL_ADDRESS] as number));
    if (!fits) {
      // Out from the new HOLE both ways in the sub-chain, past PROCESS pieces: the nearer HOLE (or end of
      // the segment) places it, so the walk is as short as the nearer of the two distances.
      let back = I[(hole << I_SHIFT) + P_PREV] as number;
      let ahead = I[(hole << I_SHIFT) + P_NEXT] as number;
      for (;;) {
        if (back === NIL) {
          prev = NIL;
          next = I[firstHole] as number;
          break;
        }
        if ((I[(back << I_SHIFT) + P_TYPE] as number) >= HOLE) {
          prev = back;
          next = I[(back << I_SHIFT) + P_HOLE_NEXT] as number;
          break;
        }
        if (ahead === NIL) {
          prev = I[(main << I_SHIFT) + M_LAST_HOLE] as number;
          next = NIL;
          break;
        }
        if ((I[(ahead << I_SHIFT) + P_TYPE] as number) >= HOLE) {
          prev = I[(ahead << I_SHIFT) + P_HOLE_PREV] as number;
          next = ahead;
          break;
        }
        back = I[(back << I_SHIFT) + P_PREV] as number;
        ahead = I[(ahead << I_SHIFT) + P_NEXT] as number;
      }
    }
    this.lastPrev = NIL;
    this.lastNext = NIL;
    I[(hole << I_SHIFT) + P_HOLE_PREV] = prev;
    I[(hole << I_SHIFT) + P_HOLE_NEXT] = next;
    if (prev === NIL) I[firstHole] = hole;
    else I[(prev << I_SHIFT) + P_HOLE_NEXT] = hole;
    if (next === NIL) I[(main << I_SHIFT) + M_LAST_HOLE] = hole;
    else I[(next << I_SHIFT) + P_HOLE_PREV] = hole;
  }

  remove(hole: number, _size: number): void {
    // The hint stays an upper bound; the next full scan of the segment makes it exact again.
    const I = this.store.I;
    const prev = I[(hole << I_SHIFT) + P_HOLE_PREV] as number;
    const next = I[(hole << I_SHIFT) + P_HOLE_NEXT] as number;
    const main = this.store.PM[hole] as number;
    if (prev === NIL) I[(main << I_SHIFT) + M_FIRST_HOLE] = next;
    else I[(prev << I_SHIFT) + P_HOLE_NEXT] = next;
    if (next === NIL) I[(main << I_SHIFT) + M_LAST_HOLE] = prev;
    else I[(next << I_SHIFT) + P_HOLE_PREV] = prev;
    this.lastPrev = prev;
    this.lastNext = next;
  }

  /** A HOLE grew by a merge: it keeps its place in the list (the HOLEs it absorbed were between no others). */
  resized(hole: number, _oldSize: number): void {
    const { F } = this.store;
    const main = this.store.PM[hole] as number;
    const size = F[(hole << F_SHIFT) + P_SIZE] as number;
    if ((F[(main << F_SHIFT) + M_MAX_HOLE_HINT] as number) < size) this.setHint(main, size);
  }

  find(size: number): number {
    const { F, I } = this.store;
    for (let ordinal = this.firstSegment(size); ordinal !== NIL; ordinal = this.firstSegmentFrom(ordinal + 1, size)) {
      const main = this.mainOf[ordinal] as number;
      let largest = 0;
      for (let hole = I[(main << I_SHIFT) + M_FIRST_HOLE] as number; hole !== NIL; hole = I[(hole << I_SHIFT) + P_HOLE_NEXT] as number) {
        const holeSize = F[(hole << F_SHIFT) + P_SIZE] as number;
        if (holeSize >= size) return hole;
        if (holeSize > largest) largest = holeSize;
      }
      this.setHint(main, largest); // every HOLE of the segment was seen: the hint is now exact
    }
    return NIL;
  }

  prepare(): void {}

  /** Room in the tree for one more segment, mapped before the segment is (so a failure changes nothing). */
  reserveSegment(): void {
    if (this.segments < this.capacity) return;
    const capacity = this.capacity === 0 ? INITIAL_TREE_SEGMENTS : this.capacity * 2;
    const tree = createMapping(capacity * 2 * 8 + capacity * 4, this.store.tally);
    const H = new Float64Array(tree.buffer, 0, capacity * 2);
    const mainOf = new Int32Array(tree.buffer, capacity * 2 * 8, capacity);
    mainOf.set(this.mainOf);
    H.set(this.H.subarray(this.capacity, this.capacity + this.segments), capacity);
    for (let node = capacity - 1; node >= 1; node--) {
      H[node] = Math.max(H[node << 1] as number, H[(node << 1) + 1] as number);
    }
    if (this.tree !== null) releaseMapping(this.tree, this.store.tally);
    this.tree = tree;
    this.H = H;
    this.mainOf = mainOf;
    this.capacity = capacity;
  }

  segmentAdded(main: number): void {
    this.store.I[(main << I_SHIFT) + M_FIRST_HOLE] = NIL;
    this.store.I[(main << I_SHIFT) + M_LAST_HOLE] = NIL;
    this.mainOf[this.segments] = main;
    this.segments++;
    this.setHint(main, this.store.F[(main << F_SHIFT) + M_MAX_HOLE_HINT] as number);
  }

  bookkeepingBytes(): number {
    return this.tree === null ? 0 : this.tree.length;
  }

  reset(): void {
    if (this.tree !== null) releaseMapping(this.tree, this.store.tally);
    this.tree = null;
    this.H = new Float64Array(0);
    this.mainOf = new Int32Array(0);
    this.capacity = 0;
    this.segments = 0;
    this.lastPrev = NIL;
    this.lastNext = NIL;
  }

  check(): string | null {
    const { F, I } = this.store;
    let ordinal = 0;
    for (let main = this.store.mainHead; main !== NIL; main = I[(main << I_SHIFT) + M_NEXT] as number, ordinal++) {
      // The segment's HOLE list is exactly its HOLEs, in sub-chain order, with consistent back links.
      let listed = I[(main << I_SHIFT) + M_FIRST_HOLE] as number;
      let previous = NIL;
      for (let piece = I[(main << I_SHIFT) + M_SUB_CHAIN_HEAD] as number; piece !== NIL; piece = I[(piece << I_SHIFT) + P_NEXT] as number) {
        if ((I[(piece << I_SHIFT) + P_TYPE] as number) < HOLE) continue;
        if (listed !== piece) return `first-fit: segment record ${main} lists record ${listed} where its HOLE record ${piece} comes`;
        if (I[(piece << I_SHIFT) + P_HOLE_PREV] !== previous) return `first-fit: HOLE record ${piece} has a wrong holePrev link`;
        if ((F[(piece << F_SHIFT) + P_SIZE] as number) > (F[(main << F_SHIFT) + M_MAX_HOLE_HINT] as number)) {
          return `first-fit: segment record ${main} has maxHoleHint below the size of HOLE record ${piece}`;
        }
        previous = piece;
        listed = I[(piece << I_SHIFT) + P_HOLE_NEXT] as number;
      }
      if (listed !== NIL) return `first-fit: segment record ${main} lists record ${listed} after its last HOLE`;
      if (I[(main << I_SHIFT) + M_LAST_HOLE] !== previous)
        return `first-fit: segment record ${main} names record ${I[(main << I_SHIFT) + M_LAST_HOLE]} as its last HOLE, not ${previous}`;
      if (this.mainOf[ordinal] !== main)
        return `first-fit: the tree names record ${this.mainOf[ordinal]} for segment ${ordinal}, not ${main}`;
      if (this.H[this.capacity + ordinal] !== F[(main << F_SHIFT) + M_MAX_HOLE_HINT])
        return `first-fit: the tree's leaf for segment ${ordinal} is ${this.H[this.capacity + ordinal]}, its hint ${F[(main << F_SHIFT) + M_MAX_HOLE_HINT]}`;
    }
    if (ordinal !== this.segments) return `first-fit: the tree has ${this.segments} segments, the main chain ${ordinal}`;
    for (let leaf = this.segments; leaf < this.capacity; leaf++) {
      if (this.H[this.capacity + leaf] !== 0) return `first-fit: the tree's leaf ${leaf} is past the last segment but not 0`;
    }
    for (let node = this.capacity - 1; node >= 1; node--) {
      const max = Math.max(this.H[node << 1] as number, this.H[(node << 1) + 1] as number);
      if (this.H[node] !== max) return `first-fit: tree node ${node} is ${this.H[node]}, the larger of its children ${max}`;
    }
    return null;
  }
}

/* Size-indexed (TLSF) */

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
/** Words of the first-level bitmap. */
const FL_WORDS = (FL_INDEX_COUNT + 31) >>> 5;
/** mapping_insert of a size >= EXACT_LIMIT is (shift + CLASS_OFFSET) * 32 + (size >> shift), shift = floor(log2(size)) - 5. */
const CLASS_OFFSET = EXACT_FIRST_LEVELS - EXACT_LIMIT_LOG2 + SL_INDEX_COUNT_LOG2 - 1;

/*
 * Control block, one mapping of Int32 slots:
 *
 *   ┌──────────────────────────────────────────┬──────────────────────────┬─────────────────────┐
 *   │ heads[fl * 32 + sl]: first HOLE or NIL     │ slBitmap[fl]: bit sl set │ flBitmap[w]: bit    │
 *   │ (FL_INDEX_COUNT * 32 slots)              │ when heads[fl*32+sl] ≠ NIL│ fl & 31 of word     │
 *   │                                          │ (FL_INDEX_COUNT slots)   │ fl >> 5 set when    │
 *   │                                          │                          │ slBitmap[fl] ≠ 0    │
 *   └──────────────────────────────────────────┴──────────────────────────┴─────────────────────┘
 */
const HEADS = 0;
const SL_BITMAP = FL_INDEX_COUNT * SL_INDEX_COUNT;
const FL_BITMAP = SL_BITMAP + FL_INDEX_COUNT;
const CONTROL_SLOTS = FL_BITMAP + FL_WORDS;

/** Index of the lowest set bit of a non-zero 32-bit word. */
function lowestBit(word: number): number {
  return 31 - Math.clz32(word & -word);
}

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
  const shift = floorLog2(size) - SL_INDEX_COUNT_LOG2;
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

export class SizeIndexedLookup implements HoleLookup {
  readonly name = "size-indexed";
  private control: Mapping | null = null;
  private C = new Int32Array(0);

  constructor(private readonly store: PieceStore) {}

  prepare(): void {
    if (this.control !== null) return;
    this.control = createMapping(CONTROL_SLOTS * 4, this.store.tally);
    this.C = new Int32Array(this.control.buffer, 0, CONTROL_SLOTS);
    this.C.fill(NIL, HEADS, HEADS + FL_INDEX_COUNT * SL_INDEX_COUNT);
  }

  // insert_free_block
  insert(hole: number): void {
    const C = this.C;
    const { F, I } = this.store;
    const cls = mappingInsert(F[(hole << F_SHIFT) + P_SIZE]);
    const first = C[HEADS + cls];
    const hi = hole << I_SHIFT;
    I[hi + P_HOLE_NEXT] = first;
    I[hi + P_HOLE_PREV] = NIL;
    C[HEADS + cls] = hole;
    if (first !== NIL) {
      I[(first << I_SHIFT) + P_HOLE_PREV] = hole; // the class was not empty: its bits are set already
    } else {
      const fl = cls >>> SL_INDEX_COUNT_LOG2;
      C[SL_BITMAP + fl] |= 1 << (cls & (SL_INDEX_COUNT - 1));
      C[FL_BITMAP + (fl >>> 5)] |= 1 << (fl & 31);
    }
  }

  // remove_free_block: the list is the class of `size`, the size the HOLE was inserted with
  remove(hole: number, size: number): void {
    const C = this.C;
    const I = this.store.I;
    const next = I[(hole << I_SHIFT) + P_HOLE_NEXT];
    const prev = I[(hole << I_SHIFT) + P_HOLE_PREV];
    if (next !== NIL) I[(next << I_SHIFT) + P_HOLE_PREV] = prev;
    if (prev !== NIL) {
      I[(prev << I_SHIFT) + P_HOLE_NEXT] = next;
      return;
    }
    // The head of its class: no class is stored in the record, it is found again from the size.
    const cls = mappingInsert(size);
    C[HEADS + cls] = next;
    if (next === NIL) {
      const fl = cls >>> SL_INDEX_COUNT_LOG2;
      const slBits = C[SL_BITMAP + fl] & ~(1 << (cls & (SL_INDEX_COUNT - 1)));
      C[SL_BITMAP + fl] = slBits;
      if (slBits === 0) C[FL_BITMAP + (fl >>> 5)] &= ~(1 << (fl & 31));
    }
  }

  reserveSegment(): void {}

  segmentAdded(_main: number): void {}

  /** Moves the HOLE to the class of its new size, if that is another class. */
  resized(hole: number, oldSize: number): void {
    if (mappingInsert(this.store.F[(hole << F_SHIFT) + P_SIZE]) === mappingInsert(oldSize)) return;
    this.remove(hole, oldSize);
    this.insert(hole);
  }

  // search_suitable_block (for a request below EXACT_LIMIT: its own size, then the smallest larger HOLE
  // size that exists); then first-fit within the request's own class if rounding up skipped it
  find(size: number): number {
    const hole = this.firstFrom(mappingSearch(size));
    return hole !== NIL || size < EXACT_LIMIT ? hole : this.searchOwnClass(size);
  }

  /** The first HOLE of the lowest non-empty class at or above `cls`, or NIL. */
  private firstFrom(cls: number): number {
    const C = this.C;
    let fl = cls >>> SL_INDEX_COUNT_LOG2;
    if (fl >= FL_INDEX_COUNT) return NIL;
    let slBits = C[SL_BITMAP + fl] & (-1 << (cls & (SL_INDEX_COUNT - 1)));
    if (slBits === 0) {
      fl = this.firstLevelAbove(fl);
      if (fl === NIL) return NIL;
      slBits = C[SL_BITMAP + fl];
    }
    return C[HEADS + (fl << SL_INDEX_COUNT_LOG2) + lowestBit(slBits)];
  }

  /** The lowest non-empty first level above `fl`, or NIL. */
  private firstLevelAbove(fl: number): number {
    const C = this.C;
    const from = fl + 1;
    let word = from >>> 5;
    if (word >= FL_WORDS) return NIL;
    let bits = C[FL_BITMAP + word] & (-1 << (from & 31));
    while (bits === 0) {
      if (++word === FL_WORDS) return NIL;
      bits = C[FL_BITMAP + word];
    }
    return (word << 5) + lowestBit(bits);
  }

  /**
   * mapping_search rounds the request up to the next class so that any HOLE found fits; a HOLE in the
   * request's own class may still fit. Nothing larger exists when we get here, and the alternative is
   * mapping a new segment, so this one list is walked rather than missing a fitting HOLE.
   */
  private searchOwnClass(size: number): number {
    const { F, I } = this.store;
    for (let hole = this.C[HEADS + mappingInsert(size)]; hole !== NIL; hole = I[(hole << I_SHIFT) + P_HOLE_NEXT]) {
      if (F[(hole << F_SHIFT) + P_SIZE] >= size) return hole;
    }
    return NIL;
  }

  bookkeepingBytes(): number {
    return this.control === null ? 0 : this.control.length;
  }

  reset(): void {
    if (this.control !== null) {
      releaseMapping(this.control, this.store.tally);
      this.control = null;
      this.C = new Int32Array(0);
    }
  }

  check(): string | null {
    const { F, I } = this.store;
    const C = this.C;
    let indexed = 0;
    if (this.control !== null) {
      for (let fl = 0; fl < FL_INDEX_COUNT; fl++) {
        for (let sl = 0; sl < SL_INDEX_COUNT; sl++) {
          const head = C[HEADS + fl * SL_INDEX_COUNT + sl];
          const bit = (C[SL_BITMAP + fl] >>> sl) & 1;
          if ((head !== NIL) !== (bit === 1))
            return `size-indexed: bitmap bit of class (${fl}, ${sl}) is ${bit} but the class is ${head === NIL ? "empty" : "not empty"}`;
          let prev = NIL;
          for (let hole = head; hole !== NIL; hole = I[(hole << I_SHIFT) + P_HOLE_NEXT]) {
            if (++indexed > F.length) return `size-indexed: class (${fl}, ${sl}) list has a cycle`;
            if (I[(hole << I_SHIFT) + P_TYPE] === PROCESS) return `size-indexed: PROCESS record ${hole} is indexed in class (${fl}, ${sl})`;
            if (I[(hole << I_SHIFT) + P_TYPE] < HOLE) return `size-indexed: record ${hole} in class (${fl}, ${sl}) is not a piece`;
            if (I[(hole << I_SHIFT) + P_HOLE_PREV] !== prev) return `size-indexed: HOLE record ${hole} has a wrong holePrev link`;
            const cls = mappingInsert(F[(hole << F_SHIFT) + P_SIZE]);
            if (cls !== fl * SL_INDEX_COUNT + sl)
              return `size-indexed: HOLE record ${hole} of size ${F[(hole << F_SHIFT) + P_SIZE]} is in class (${fl}, ${sl}), its size maps to (${cls >>> SL_INDEX_COUNT_LOG2}, ${cls & (SL_INDEX_COUNT - 1)})`;
            prev = hole;
          }
        }
        const flBit = (C[FL_BITMAP + (fl >>> 5)] >>> (fl & 31)) & 1;
        if ((C[SL_BITMAP + fl] !== 0) !== (flBit === 1))
          return `size-indexed: first-level bit ${fl} is ${flBit} but its second-level bitmap is ${C[SL_BITMAP + fl]}`;
      }
    }
    let holes = 0;
    for (let main = this.store.mainHead; main !== NIL; main = I[(main << I_SHIFT) + M_NEXT]) {
      for (let piece = I[(main << I_SHIFT) + M_SUB_CHAIN_HEAD]; piece !== NIL; piece = I[(piece << I_SHIFT) + P_NEXT]) {
        if (I[(piece << I_SHIFT) + P_TYPE] >= HOLE) holes++;
      }
    }
    if (holes !== indexed) return `size-indexed: ${holes} HOLEs in the chains but ${indexed} in the index`;
    return null;
  }
}

/** Makes the lookup of the given name over a store. */
export function createLookup(name: Lookup, store: PieceStore): HoleLookup {
  return name === "size-indexed" ? new SizeIndexedLookup(store) : new FirstFitLookup(store);
}
