/**
 * Hole lookup: how malloc chooses a HOLE, the interface every lookup implements. A replaceable part of
 * the allocator; the free list itself (the chains, split and merge) is the same for every lookup.
 *
 * The core's lookups, all in this folder and made by registry.ts (LOOKUPS, createLookup), which nothing
 * here imports back:
 *
 * - `first-fit` (first-fit.ts, the reference): the first HOLE, walking the main chain and each sub-chain
 *   from its head, whose size is at least the request.
 * - `size-indexed` (size-indexed.ts): TLSF's two-level segregated fit (Masmano et al.), O(1) per operation.
 * - `best-fit`, `worst-fit` (size-ordered.ts): the smallest HOLE that fits, the largest HOLE; equal sizes
 *   to the lowest address. A splay tree of the HOLE records by size, O(log HOLEs) amortized.
 * - `next-fit` (next-fit.ts): first fit from where the last allocation ended, wrapping around.
 *
 * A lookup written outside the project comes as a LookupFactory (below) and runs behind the checks of
 * guarded.ts; docs/strategies.md says how to write one.
 *
 * A lookup sees the free list through `HoleRecords` (the record pool's accessors that concern it) and
 * answers to the core through `HoleLookup`. What it owns: the two hole links of every HOLE record (see
 * records.ts), and whatever memory it maps itself (per-segment data is kept by segment index). The core
 * checks every lookup from outside too: checkInvariants compares `forEachHole` with the HOLEs of the chains.
 */

import type { Mapping } from "../mapping.ts";
import type { ChainVisitor } from "../records.ts";

/** What a lookup may read and write of the free list. Piece arguments are records of live pieces. */
export interface HoleRecords {
  pieceSize(piece: number): number;
  /** The piece's first virtual address. */
  pieceAddress(piece: number): number;
  isHole(piece: number): boolean;
  /** The sub-chain's neighbours of a piece, NIL at the segment's ends. */
  prevPiece(piece: number): number;
  nextPiece(piece: number): number;
  /** The position in the main chain of the piece's segment (0 for the first mapped). */
  segmentIndexOf(piece: number): number;
  /** The lookup's two links in every HOLE record. holePrev must be NIL or a record (it doubles as the type). */
  holeNext(hole: number): number;
  setHoleNext(hole: number, next: number): void;
  holePrev(hole: number): number;
  setHolePrev(hole: number, prev: number): void;
  /** The one walk over the chains, for the lookup's check. */
  walk(visitor: ChainVisitor): void;
  /** Memory for the lookup's own tables, counted in the instance's stats (bookkeepingBytes, mmap calls). */
  mapBookkeeping(bytes: number): Mapping;
  unmapBookkeeping(mapping: Mapping): void;
}

/**
 * The replaceable part. The core calls `insert` after a piece became a HOLE (its size and start final),
 * `remove` before a HOLE stops being one, and `resized` when a merge grew a HOLE the lookup holds (the
 * merged HOLE keeps the record of the largest piece: when that was a HOLE, the others are removed and it
 * is resized; its place among the lookup's other HOLEs of its segment, in address order, stays).
 *
 * Hot path: insert, remove and find run inside malloc and free, so they call the accessors of
 * HoleRecords directly, with no helper method between (four calls deep: docs/design.md, "Hot paths").
 */
export interface HoleLookup {
  /** One of LOOKUPS (registry.ts), or the name of a lookup written outside the project. */
  readonly name: string;
  /** Maps what the lookup needs before the first `find`; called once when MeMS maps its record pool. */
  prepare(): void;
  /** Makes room for one more segment; called before the segment is mapped, so a failure changes nothing. */
  reserveSegment(): void;
  /** Segment `index` was added at the end of the main chain; it has no HOLE yet. */
  segmentAdded(index: number): void;
  /**
   * A HOLE appeared; `size` is its size (what pieceSize says). The core passes the size it knows: a
   * piece's size is not stored but found from the next piece's start, a read a lookup need not repeat.
   */
  insert(hole: number, size: number): void;
  /** A HOLE is about to become a PROCESS or disappear in a merge; `size` is the size it was indexed with. */
  remove(hole: number, size: number): void;
  /** A HOLE it holds grew in a merge from `oldSize` to `size` (its start may have moved down). */
  resized(hole: number, oldSize: number, size: number): void;
  /** A HOLE of at least `size` bytes, or NIL when none exists. */
  find(size: number): number;
  /** Calls `visit` once for every HOLE the lookup holds (checkInvariants compares them with the chains). */
  forEachHole(visit: (hole: number) => void): void;
  /** Checks the lookup's own invariants; throws an Error (errors.ts's invariantBroken) naming the first break. */
  check(): void;
  /** Forgets every HOLE and unmaps the lookup's own memory. */
  reset(): void;
}

/**
 * A lookup written outside the project: its name (none of LOOKUPS, registry.ts) and how to make one for
 * an instance.
 * `new Mems({ lookup: factory })` calls `create` once, with the instance's records; the lookup it returns
 * runs behind checks (guarded.ts) that keep a broken one from corrupting the heap.
 */
export interface LookupFactory {
  readonly name: string;
  create(records: HoleRecords): HoleLookup;
}
