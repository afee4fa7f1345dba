/**
 * Glossary and record layouts of MeMS's bookkeeping, and the accessors that are the only code to know them.
 *
 * Glossary
 * - segment: a whole number of PAGE_SIZE bytes of fresh memory MeMS took for its user, carved out of an
 *   OS mapping (segment-space.ts): what the course's MeMS mapped with one mmap each.
 * - main chain: the list of main nodes, one per segment, in the order the segments were mapped.
 * - piece: a run of bytes of one segment; the pieces of a segment tile it exactly, in address order.
 * - sub-chain: the list of pieces of one segment, hanging off its main node.
 * - PROCESS: a piece handed out to the user (a block). HOLE: a piece that is free.
 * - virtual address: MeMS's own address of a byte. Segments take consecutive virtual ranges from the
 *   start address, so virtual space has no gaps. physical address: the real address of the byte in the
 *   mapping (segment base + offset); what `get` returns.
 * - page: PAGE_SIZE bytes, the unit in which segments are mapped and counted (not the OS page).
 * - record: one fixed-size slot of the record pool, holding either a main node or a piece.
 * - segment index: a segment's position in the main chain (0 for the first mapped); lookups keep their
 *   per-segment data by it.
 * - granule: GRANULE bytes of virtual space; the address map names, for each granule, the piece that
 *   holds its last byte, so an address is found without walking any chain.
 *
 * Every piece record is 24 bytes and every main record 48 bytes (two consecutive slots), in a pool that
 * MeMS maps itself, seen through a Float64Array (addresses and sizes) and an Int32Array (links, and the
 * small integers that share their width) over the same memory. A record's number is where its slot
 * starts in the Int32Array (slot s is record 6s): its i32 fields are at r + k and its f64 fields at
 * r / 2 + k (`r >> 1`: a slot is 6 i32 or 3 f64), so no path multiplies to reach a field. Links are
 * record numbers, NIL (-1) for none. (Numbered by slot, every field was at r*6 + k or r*3 + k, and
 * JavaScriptCore spilled the products, which slowed free: docs/experiments.md, issue 12.) A
 * piece's main node is not stored: segments are whole pages of virtual space, so a page table (one
 * Int32 per page) names the segment of every address, and a piece's is its start's. Nor is its physical
 * address: it is its segment's physical base + (virtual address - the segment's start).
 *
 * Nothing outside this file reads a slot: `Records` below names every field (`pieceSize(r)`,
 * `setNextPiece(r, n)`, `isHole(r)`, `segmentOf(r)`, ...), as tlsf.c's `block_size` and AssemblyScript's
 * `GETRIGHT` do, so a new layout is a change to this file alone.
 */
import { invariantBroken, MemsError } from "./errors.ts";
import type { FirstMapping } from "./first-mapping.ts";
import { createMapping, growTable, type Mapping, releaseMapping } from "./mapping.ts";
import type { OsCounters } from "./os.ts";

/** The null link. */
export const NIL = -1;

/** Bytes of virtual space per address-map entry (a power of two). */
export const GRANULE_LOG2 = 8;
export const GRANULE = 1 << GRANULE_LOG2;

/** Bytes per record slot. */
const RECORD_BYTES = 24;
/** Int32 fields per record slot: record r (slot r / 6) has its i32 fields at r + k and its f64 fields at (r >> 1) + k. */
const I_FIELDS = 6;
/** The most slots the pool may have: every record number is an int32 (links, the address map). */
const MAX_SLOTS = Math.floor(0x7fffffff / I_FIELDS);
/** Slots a main record takes. */
const MAIN_SLOTS = 2;
/** Slots a new segment takes at most: its main record and two pieces (a block and the HOLE after it). */
export const SEGMENT_SLOTS = MAIN_SLOTS + 2;
/** Record slots the pool starts with when it has its own mapping (24 KiB). */
const INITIAL_RECORDS = 1024;
/**
 * Record slots of the pool's first slice of the heap's first mapping (first-mapping.ts): 1.5 KiB, packed
 * with the other tables' first slices into the pages the first block writes anyway.
 */
const FIRST_RECORDS = 64;
/** Page-table entries of its first slice: 256 bytes, 64 pages of virtual space. */
const FIRST_PAGES = 64;

/*
 * Piece record (a sub-chain node): the seed's virtual_address, next and prev, and two link slots that
 * belong to the hole lookup while the piece is a HOLE (size-indexed: the HOLEs of a size class;
 * first-fit: the HOLEs of a segment, in address order). The type shares its slot with holePrev: a HOLE's
 * slot is its previous HOLE in the lookup's list or NIL, so every value >= NIL means HOLE; PROCESS and
 * RECORD_FREE are below NIL. A lookup may store only NIL or a record number there.
 *
 * The seed's size is not stored: the pieces tile their segment, so a piece ends where the next one
 * starts, or where its segment ends (pieceSize). A split is then one new record at the split point and
 * a merge the records that go unlinked, with no size to keep in step, and the tiling cannot break.
 *
 *   byte 0                 8      12     16         20                 24
 *   ┌──────────────────────┬──────┬──────┬──────────┬──────────────────┐
 *   │ virtual_address f64  │ next │ prev │ holeNext │ holePrev / type  │
 *   └──────────────────────┴──────┴──────┴──────────┴──────────────────┘
 *     core                   core   core   lookup     lookup (HOLE) / core
 */
const P_VIRTUAL_ADDRESS = 0; // f64
const P_NEXT = 2; // i32; also the pool's free-list link of a RECORD_FREE record
const P_PREV = 3; // i32
const P_HOLE_NEXT = 4; // i32: the lookup's
const P_HOLE_PREV = 5; // i32: the lookup's while the piece is a HOLE; also the type (below)
const P_TYPE = P_HOLE_PREV;

/**
 * Types: a HOLE is any value >= HOLE (NIL or a record); a record on the pool's free list is RECORD_FREE;
 * a main record, seen as the sentinel piece of its sub-chain (below), is SENTINEL.
 */
const HOLE = NIL;
const PROCESS = -2;
const RECORD_FREE = -3;
const SENTINEL = -4;

/*
 * Main record (a main-chain node), two slots, all the core's (a lookup keeps its per-segment data itself,
 * by segment index). Its first slot is laid out as a piece record: the sentinel of the segment's
 * sub-chain, which is circular through it (Linux's list_head). The sentinel's virtual_address is where
 * the segment ends, its next the sub-chain's first piece and its prev the last, and its type SENTINEL.
 * So the last piece's next is the sentinel, and its size (the next piece's start less its own) is right
 * too; and a split or a merge at either end of the sub-chain writes the sentinel's links as it would a
 * piece's, with no test for an end.
 *
 *   byte 0                  8                12               16      20         24              32              40      44      48
 *   ┌───────────────────────┬────────────────┬────────────────┬───────┬──────────┬───────────────┬───────────────┬───────┬───────┐
 *   │ end_virtual_address   │ sub_chain_head │ subChainTail   │ next  │ SENTINEL │ start_virtual │ physical base │ prev  │ index │
 *   │ (= piece address)     │ (= piece next) │ (= piece prev) │       │ (= type) │ _address      │               │       │       │
 *   └───────────────────────┴────────────────┴────────────────┴───────┴──────────┴───────────────┴───────────────┴───────┴───────┘
 *
 * next and prev link the main chain (NIL at its ends). index is the segment's position in the main chain
 * (0 for the first mapped), also the index of its ArrayBuffer. The seed's total_size is end - start.
 * Sub-chain lengths are counted when stats are asked for, so no split or merge has to touch the main
 * record but at the ends of its sub-chain.
 */
const M_END_VIRTUAL_ADDRESS = P_VIRTUAL_ADDRESS; // f64
const M_SUB_CHAIN_HEAD = P_NEXT; // i32
const M_SUB_CHAIN_TAIL = P_PREV; // i32
const M_NEXT = 4; // i32
const M_START_VIRTUAL_ADDRESS = 3; // f64
const M_PHYSICAL_BASE = 4; // f64
const M_PREV = 10; // i32
const M_INDEX = 11; // i32

/** What a walk of the chains calls, in address order. A visitor without `piece` and `segmentEnd` walks the main chain only. */
export interface ChainVisitor {
  /** A segment, before its pieces; `index` is its position in the main chain. */
  segment?(main: number, index: number): void;
  /** A piece of the segment `main`. */
  piece?(piece: number, main: number): void;
  /** After the segment's last piece: `length` pieces, the last of them `last` (NIL when none). */
  segmentEnd?(main: number, length: number, last: number): void;
}

/**
 * The record pool and the main chain's ends: every record of the free list, behind accessors named for
 * their fields. The arrays are replaced when the pool grows, so callers keep record numbers, never views.
 *
 * Hot path: every read is `array[index] ?? fallback`, every accessor is a leaf (it reads its arrays
 * itself and calls nothing), and the fields are TypeScript-private, not `#` (docs/design.md, "Hot paths").
 * The pool is reachable only through a Mems's private field (and the lookup it made, and the testing
 * entry), so nothing user-facing exposes it.
 *
 * It is the lookups' `HoleRecords` (lookups/lookup.ts) by its shape, which tsc checks where free-list.ts
 * hands it to createLookup: this file imports nothing of the lookups, so no import runs back from them.
 */
export class Records {
  private readonly tally: OsCounters;
  /** The heap's first mapping, where each table's first slice (and a lookup's first tables) come from. */
  private readonly first: FirstMapping;
  /** The record slots (sizesAndAddresses and links are views of it). */
  private slotMapping: Mapping | null = null;
  /** The page table (segmentOfPage), grown with virtual space (reservePages). */
  private pageMapping: Mapping | null = null;
  /** The first virtual address, and the size of a page: segments start on page boundaries from it. */
  private readonly start: number;
  private readonly pageSize: number;
  /** The f64 fields of every slot: sizes and addresses. */
  private sizesAndAddresses = new Float64Array(0);
  /** The i32 fields of every slot: links, a piece's type, a segment's index. */
  private links = new Int32Array(0);
  /** The main record of each page of virtual space (a segment is whole pages, so every piece is in one). */
  private segmentOfPage = new Int32Array(0);
  /** Slots the mapping holds, and slots ever taken (the next unused one is record highWater * I_FIELDS). */
  private capacity = 0;
  private highWater = 0;
  /** The pool's free list of piece records (through P_NEXT), and its length. */
  private freeHead = NIL;
  private freeCount = 0;
  private head = NIL;
  private tail = NIL;
  private segments = 0;

  constructor(tally: OsCounters, start: number, pageSize: number, first: FirstMapping) {
    this.tally = tally;
    this.first = first;
    this.start = start;
    this.pageSize = pageSize;
  }

  /* Piece fields */

  /** Where the next piece starts (the sentinel's address: where the segment ends) less the piece's start. */
  pieceSize(piece: number): number {
    const fields = this.sizesAndAddresses;
    const next = this.links[piece + P_NEXT] ?? NIL;
    return (fields[(next >> 1) + P_VIRTUAL_ADDRESS] ?? Number.NaN) - (fields[(piece >> 1) + P_VIRTUAL_ADDRESS] ?? Number.NaN);
  }

  /** The piece's first virtual address. */
  pieceAddress(piece: number): number {
    return this.sizesAndAddresses[(piece >> 1) + P_VIRTUAL_ADDRESS] ?? Number.NaN;
  }

  /** Moves the piece's start (its size and the previous piece's change with it): free's merge, and tests that break the heap. */
  setPieceAddress(piece: number, v: number): void {
    this.sizesAndAddresses[(piece >> 1) + P_VIRTUAL_ADDRESS] = v;
  }

  /** The next piece of the sub-chain, NIL after the segment's last. */
  nextPiece(piece: number): number {
    const links = this.links;
    const next = links[piece + P_NEXT] ?? NIL;
    return (links[next + P_TYPE] ?? NIL) === SENTINEL ? NIL : next;
  }

  /** For tests that break the heap: NIL makes the piece its segment's last. */
  setNextPiece(piece: number, next: number): void {
    this.links[piece + P_NEXT] = next === NIL ? this.segmentOf(piece) : next;
  }

  /** The previous piece of the sub-chain, NIL before the segment's first. */
  prevPiece(piece: number): number {
    const links = this.links;
    const prev = links[piece + P_PREV] ?? NIL;
    return (links[prev + P_TYPE] ?? NIL) === SENTINEL ? NIL : prev;
  }

  /** For tests that break the heap: NIL makes the piece its segment's first. */
  setPrevPiece(piece: number, prev: number): void {
    this.links[piece + P_PREV] = prev === NIL ? this.segmentOf(piece) : prev;
  }

  /** The piece right below this one in virtual space, across segments (NIL before the first). */
  pieceBefore(piece: number): number {
    const links = this.links;
    const prev = links[piece + P_PREV] ?? NIL;
    if ((links[prev + P_TYPE] ?? NIL) !== SENTINEL) return prev;
    const segment = links[prev + M_PREV] ?? NIL; // prev is this piece's segment
    return segment === NIL ? NIL : (links[segment + M_SUB_CHAIN_TAIL] ?? NIL);
  }

  /**
   * From `piece`, back over the pieces that start after `v` (across segments) to the one holding it: the
   * address map's step. It stands for `while (v < pieceAddress(piece)) piece = pieceBefore(piece)`, and is
   * written raw because each pieceBefore in free's loop was a call (hot path, four calls deep:
   * docs/design.md, "Hot paths"; measured in docs/experiments.md, issue 16, step 8).
   */
  stepBackTo(piece: number, v: number): number {
    const fields = this.sizesAndAddresses;
    const links = this.links;
    while (v < (fields[(piece >> 1) + P_VIRTUAL_ADDRESS] ?? Number.NaN)) {
      const prev = links[piece + P_PREV] ?? NIL;
      if ((links[prev + P_TYPE] ?? NIL) !== SENTINEL) piece = prev;
      else piece = links[(links[prev + M_PREV] ?? NIL) + M_SUB_CHAIN_TAIL] ?? NIL;
    }
    return piece;
  }

  /** The piece right before this one in its sub-chain when that is a HOLE, else NIL (free's merge test). */
  holeBefore(piece: number): number {
    const links = this.links;
    const prev = links[piece + P_PREV] ?? NIL;
    return (links[prev + P_TYPE] ?? NIL) >= HOLE ? prev : NIL; // the sentinel is no HOLE
  }

  /** The piece right after this one in its sub-chain when that is a HOLE, else NIL (free's merge test). */
  holeAfter(piece: number): number {
    const links = this.links;
    const next = links[piece + P_NEXT] ?? NIL;
    return (links[next + P_TYPE] ?? NIL) >= HOLE ? next : NIL;
  }

  /** The main record of the piece's segment. */
  segmentOf(piece: number): number {
    return this.segmentAt(this.sizesAndAddresses[(piece >> 1) + P_VIRTUAL_ADDRESS] ?? Number.NaN);
  }

  /**
   * The main record of the segment holding virtual address `v` (inside a segment): its page's entry.
   * Hot path: an int32 index (docs/design.md, "Hot paths").
   */
  segmentAt(v: number): number {
    const offset = v - this.start;
    return this.segmentOfPage[offset < 0x80000000 ? (offset / this.pageSize) | 0 : Math.floor(offset / this.pageSize)] ?? NIL;
  }

  /** The index of the piece's segment (its position in the main chain). */
  segmentIndexOf(piece: number): number {
    return this.links[this.segmentOf(piece) + M_INDEX] ?? NIL;
  }

  isHole(piece: number): boolean {
    return (this.links[piece + P_TYPE] ?? NIL) >= HOLE;
  }

  isProcess(piece: number): boolean {
    return (this.links[piece + P_TYPE] ?? NIL) === PROCESS;
  }

  /** A HOLE or a PROCESS: not a record of the pool's free list, nor anything else. */
  isPiece(record: number): boolean {
    if (!(record >= 0 && record < this.highWater * I_FIELDS && record % I_FIELDS === 0)) return false; // no record's number
    const type = this.links[record + P_TYPE] ?? NIL;
    return type >= HOLE || type === PROCESS;
  }

  /** The piece becomes a HOLE the lookup has not seen yet. */
  markHole(piece: number): void {
    this.links[piece + P_TYPE] = HOLE;
  }

  /** The piece becomes a PROCESS; the lookup's links in it are gone. */
  markProcess(piece: number): void {
    this.links[piece + P_TYPE] = PROCESS;
  }

  /* The lookup's two links in a HOLE */

  holeNext(hole: number): number {
    return this.links[hole + P_HOLE_NEXT] ?? NIL;
  }

  setHoleNext(hole: number, next: number): void {
    this.links[hole + P_HOLE_NEXT] = next;
  }

  holePrev(hole: number): number {
    return this.links[hole + P_HOLE_PREV] ?? NIL;
  }

  /** `prev` must be NIL or a record: the slot is also the type, and any value >= NIL means HOLE. */
  setHolePrev(hole: number, prev: number): void {
    this.links[hole + P_HOLE_PREV] = prev;
  }

  /* Main fields */

  get firstSegment(): number {
    return this.head;
  }

  get lastSegment(): number {
    return this.tail;
  }

  get segmentCount(): number {
    return this.segments;
  }

  segmentStart(main: number): number {
    return this.sizesAndAddresses[(main >> 1) + M_START_VIRTUAL_ADDRESS] ?? Number.NaN;
  }

  segmentSize(main: number): number {
    const fields = this.sizesAndAddresses;
    return (fields[(main >> 1) + M_END_VIRTUAL_ADDRESS] ?? Number.NaN) - (fields[(main >> 1) + M_START_VIRTUAL_ADDRESS] ?? Number.NaN);
  }

  physicalBase(main: number): number {
    return this.sizesAndAddresses[(main >> 1) + M_PHYSICAL_BASE] ?? Number.NaN;
  }

  /** The physical address of virtual address `v` in the segment. */
  physicalAddress(main: number, v: number): number {
    const fields = this.sizesAndAddresses;
    const f = main >> 1;
    return (fields[f + M_PHYSICAL_BASE] ?? Number.NaN) + (v - (fields[f + M_START_VIRTUAL_ADDRESS] ?? Number.NaN));
  }

  /** The segment's position in the main chain (0 for the first mapped). */
  segmentIndex(main: number): number {
    return this.links[main + M_INDEX] ?? NIL;
  }

  nextSegment(main: number): number {
    return this.links[main + M_NEXT] ?? NIL;
  }

  prevSegment(main: number): number {
    return this.links[main + M_PREV] ?? NIL;
  }

  /** The sub-chain's first piece, NIL while it has none. */
  firstPiece(main: number): number {
    const head = this.links[main + M_SUB_CHAIN_HEAD] ?? NIL;
    return head === main ? NIL : head;
  }

  /** The sub-chain's last piece, NIL while it has none. */
  lastPiece(main: number): number {
    const tail = this.links[main + M_SUB_CHAIN_TAIL] ?? NIL;
    return tail === main ? NIL : tail;
  }

  /* Building and joining chains */

  /**
   * A main record for a new segment, linked at the end of the main chain, with no piece yet; its pages
   * name it in the page table (reservePages came first).
   */
  newSegment(start: number, size: number, base: number): number {
    const main = this.highWater * I_FIELDS;
    this.highWater += MAIN_SLOTS;
    const f = main >> 1;
    this.sizesAndAddresses[f + M_START_VIRTUAL_ADDRESS] = start;
    this.sizesAndAddresses[f + M_END_VIRTUAL_ADDRESS] = start + size;
    this.sizesAndAddresses[f + M_PHYSICAL_BASE] = base;
    this.links[main + P_TYPE] = SENTINEL;
    this.links[main + M_SUB_CHAIN_HEAD] = main; // the empty circular sub-chain
    this.links[main + M_SUB_CHAIN_TAIL] = main;
    this.links[main + M_NEXT] = NIL;
    this.links[main + M_PREV] = this.tail;
    this.links[main + M_INDEX] = this.segments;
    if (this.tail === NIL) this.head = main;
    else this.links[this.tail + M_NEXT] = main;
    this.tail = main;
    this.segments++;
    const firstPage = (start - this.start) / this.pageSize;
    this.segmentOfPage.fill(main, firstPage, firstPage + size / this.pageSize);
    return main;
  }

  /**
   * A new piece at `virtualAddress`, a HOLE not yet in the lookup, linked into a sub-chain right after
   * `after`: a piece (malloc's split: `after` now ends at `virtualAddress`), or a segment's main record
   * (the sub-chain's head). It ends where the next piece starts (or the segment ends). Its record comes
   * from the pool's free list, else from the unused end (the caller made room).
   */
  insertPiece(after: number, virtualAddress: number): number {
    const fields = this.sizesAndAddresses;
    const links = this.links;
    let piece = this.freeHead;
    if (piece === NIL) {
      piece = this.highWater++ * I_FIELDS;
    } else {
      this.freeHead = links[piece + P_NEXT] ?? NIL;
      this.freeCount--;
    }
    const next = links[after + P_NEXT] ?? NIL; // the sentinel's next is the sub-chain's head
    fields[(piece >> 1) + P_VIRTUAL_ADDRESS] = virtualAddress;
    links[piece + P_TYPE] = HOLE;
    links[piece + P_PREV] = after;
    links[piece + P_NEXT] = next;
    links[after + P_NEXT] = piece;
    links[next + P_PREV] = piece;
    return piece;
  }

  /* The one walk */

  /**
   * Visits every segment in main-chain order and, unless the visitor wants segments only, every piece of
   * each in address order. A chain longer than the pool has records is a cycle: it throws rather than loop.
   */
  walk(visitor: ChainVisitor): void {
    const withPieces = visitor.piece !== undefined || visitor.segmentEnd !== undefined;
    let index = 0;
    for (let main = this.head; main !== NIL; main = this.nextSegment(main), index++) {
      if (index >= this.highWater) throw invariantBroken("the main chain has a cycle");
      visitor.segment?.(main, index);
      if (!withPieces) continue;
      let length = 0;
      let last = NIL;
      for (let piece = this.firstPiece(main); piece !== NIL; piece = this.nextPiece(piece)) {
        if (++length > this.highWater) throw invariantBroken(`the sub-chain of segment at ${this.segmentStart(main)} has a cycle`);
        visitor.piece?.(piece, main);
        last = piece;
      }
      visitor.segmentEnd?.(main, length, last);
    }
  }

  /* The pool */

  /** True once the pool is mapped (after the first malloc, until finish). */
  get mapped(): boolean {
    return this.slotMapping !== null;
  }

  /** Record slots in use (main records count two). */
  get slotsInUse(): number {
    return this.highWater - this.freeCount;
  }

  /** The slots that `segments` main records and `pieces` piece records take. */
  slotsFor(segments: number, pieces: number): number {
    return segments * MAIN_SLOTS + pieces;
  }

  /** A piece record can be taken without growing the pool. */
  hasRoomForPiece(): boolean {
    return this.freeCount > 0 || this.highWater < this.capacity;
  }

  /** A new segment's records (SEGMENT_SLOTS) can be taken without growing the pool. */
  hasRoomForSegment(): boolean {
    return this.capacity - this.highWater >= SEGMENT_SLOTS;
  }

  /** Takes the piece out of its sub-chain: its neighbours (or the sentinel) link to each other. */
  unlinkPiece(piece: number): void {
    const links = this.links;
    const prev = links[piece + P_PREV] ?? NIL;
    const next = links[piece + P_NEXT] ?? NIL;
    links[prev + P_NEXT] = next;
    links[next + P_PREV] = prev;
  }

  /** Gives a piece record back to the pool. */
  releasePiece(piece: number): void {
    this.links[piece + P_TYPE] = RECORD_FREE;
    this.links[piece + P_NEXT] = this.freeHead;
    this.freeHead = piece;
    this.freeCount++;
  }

  /**
   * Makes room for at least `count` more slots than the pool can give now: a growable mapping
   * (mapping.ts), grown in place where the pages after it are free, else moved with a copy. A failed
   * mmap changes nothing.
   */
  grow(count: number): void {
    const slots = Math.max(this.highWater + count, INITIAL_RECORDS);
    if (slots > MAX_SLOTS)
      throw new MemsError("OUT_OF_MEMORY", `the record pool is full: ${MAX_SLOTS} records, the most int32 record numbers name`);
    const firstSlots = Math.max(this.highWater + count, FIRST_RECORDS);
    const grown = growTable(this.slotMapping, slots * RECORD_BYTES, this.tally, this.first, firstSlots * RECORD_BYTES);
    this.slotMapping = grown;
    this.capacity = Math.min(Math.floor(grown.length / RECORD_BYTES), MAX_SLOTS);
    this.sizesAndAddresses = new Float64Array(grown.buffer);
    this.links = new Int32Array(grown.buffer);
  }

  /**
   * Makes the page table cover virtual space up to `end` (before a segment there is mapped: newSegment
   * then fills its pages). A failed mmap changes nothing.
   */
  reservePages(end: number): void {
    const pages = Math.ceil((end - this.start) / this.pageSize);
    if (pages <= this.segmentOfPage.length) return;
    const grown = growTable(this.pageMapping, pages * 4, this.tally, this.first, Math.max(pages, FIRST_PAGES) * 4);
    this.pageMapping = grown;
    this.segmentOfPage = new Int32Array(grown.buffer);
  }

  /** Unmaps the pool and forgets every record (finish). */
  reset(): void {
    if (this.slotMapping !== null) releaseMapping(this.slotMapping, this.tally);
    if (this.pageMapping !== null) releaseMapping(this.pageMapping, this.tally);
    this.slotMapping = null;
    this.pageMapping = null;
    this.sizesAndAddresses = new Float64Array(0);
    this.links = new Int32Array(0);
    this.segmentOfPage = new Int32Array(0);
    this.capacity = 0;
    this.highWater = 0;
    this.freeHead = NIL;
    this.freeCount = 0;
    this.head = NIL;
    this.tail = NIL;
    this.segments = 0;
  }

  /* Bookkeeping memory for the lookups, counted with the instance's own */

  /** True while the lookup prepares in the first malloc: its first tables may then come from the first mapping. */
  preparing = false;

  /**
   * Memory for a lookup's tables: a slice of the heap's first mapping for a core lookup's first tables
   * (made while it prepares: the size-indexed control block), else a mapping of its own.
   */
  mapBookkeeping(bytes: number): Mapping {
    return (this.preparing ? this.first.slice(bytes, true) : null) ?? createMapping(bytes, this.tally);
  }

  /** A mapping of its own for a lookup written outside the project (what it maps is counted apart). */
  mapOwnBookkeeping(bytes: number): Mapping {
    return createMapping(bytes, this.tally);
  }

  unmapBookkeeping(mapping: Mapping): void {
    releaseMapping(mapping, this.tally);
  }
}
