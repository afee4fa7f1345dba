/**
 * The address map: virtual address -> piece, without walking any chain.
 *
 * Virtual space is contiguous from the start address, so one Int32Array over mapped memory, indexed by
 * (v - start) / GRANULE, names for every granule the piece holding its last byte. free and get read one
 * entry and step back over the pieces that start later in the same granule (at most GRANULE, usually
 * none: a block's neighbour mostly starts in a later granule): O(1). Keeping it exact costs one `fill` per
 * split (the granules of the part that takes a new record) and per merge (the granules of the pieces
 * merged into the largest one).
 */

import type { FirstMapping } from "./first-mapping.ts";
import { type Mapping, type PendingGrowth, releaseMapping, startTableGrowth } from "./mapping.ts";
import type { OsCounters } from "./os.ts";
import { GRANULE, GRANULE_LOG2, NIL, type Records } from "./records.ts";

/** Entries the map starts with when it has its own mapping (16 KiB). */
const INITIAL_ENTRIES = 4096;
/** Entries of its first slice of the heap's first mapping (first-mapping.ts CORE_BYTES): 1 KiB, 64 KiB of virtual space. */
const FIRST_ENTRIES = 256;

/** Hot path: TypeScript-private fields, not `#` (docs/design.md, "Hot paths"). */
export class AddressMap {
  private readonly tally: OsCounters;
  private readonly start: number;
  /** One past the last virtual address of the last segment. */
  private end: number;
  /** granule -> piece record */
  private pieceOfGranule = new Int32Array(0);
  private mapping: Mapping | null = null;

  /** The heap's first mapping, where the map's first slice comes from. */
  private readonly first: FirstMapping;

  constructor(start: number, tally: OsCounters, first: FirstMapping) {
    this.first = first;
    this.start = start;
    this.end = start;
    this.tally = tally;
  }

  /** One past the last virtual address of the last segment: where the next segment starts. */
  get virtualEnd(): number {
    return this.end;
  }

  /** The entries, granule -> piece record (for the heap check, and for tests that break one). */
  get entries(): Int32Array {
    return this.pieceOfGranule;
  }

  /**
   * The PROCESS piece holding virtual address `v`, or NIL (outside every segment, inside a HOLE, or no
   * address): one entry, then back over the pieces that start later in the same granule (at most GRANULE
   * steps: every piece starting after v in the granule holds at least one of its bytes). The pieces are
   * the caller's `records` (the map names records; the pool they live in is read through its accessors).
   */
  blockAt(v: number, records: Records): number {
    if (typeof v !== "number" || !(v >= this.start && v < this.end) || Math.floor(v) !== v) return NIL;
    const offset = v - this.start;
    // Hot path: an int32 index below 2^38 bytes of offset (docs/design.md, "Hot paths").
    const entry = this.pieceOfGranule[offset < 0x4000000000 ? (offset / GRANULE) | 0 : Math.floor(offset / GRANULE)] ?? NIL;
    const piece = records.stepBackTo(entry, v);
    return records.isProcess(piece) ? piece : NIL;
  }

  /**
   * The piece, HOLE or PROCESS, holding virtual address `v`, or NIL outside every segment: blockAt without
   * its last test, for the checks on lookups written outside the project (lookups/guarded.ts).
   */
  pieceAt(v: number, records: Records): number {
    if (!(v >= this.start && v < this.end) || Math.floor(v) !== v) return NIL;
    return records.stepBackTo(this.pieceOfGranule[Math.floor((v - this.start) / GRANULE)] ?? NIL, v);
  }

  /**
   * Points the entries of the granules whose last byte lies in [v, v + size) at `piece`; when the range
   * ends virtual space, also the granule it ends in (its last byte is beyond every segment).
   */
  mapRange(piece: number, v: number, size: number): void {
    const map = this.pieceOfGranule;
    const offset = v - this.start;
    const endOffset = offset + size;
    const last = v + size === this.end ? GRANULE - 1 : 0;
    if (endOffset < 0x7fffff00) {
      // Integer arithmetic on the common path keeps the indexes int32 for the JIT.
      const first = offset >>> GRANULE_LOG2;
      const end = (endOffset + last) >>> GRANULE_LOG2;
      // A call into fill costs about as much as dozens of stores: ranges up to 8 KiB are written in a loop.
      if (end - first <= 64) for (let g = first; g < end; g++) map[g] = piece;
      else map.fill(piece, first, end);
    } else {
      map.fill(piece, Math.floor(offset / GRANULE), Math.floor((endOffset + last) / GRANULE));
    }
  }

  /**
   * Makes the map cover virtual space up to `end`, growing its mapping; a failed mmap changes nothing.
   * Returns the growth, for the caller to keep or take back (when the next step of the segment fails),
   * or null when the map had room.
   */
  reserve(end: number): PendingGrowth | null {
    const entries = Math.ceil((end - this.start) / GRANULE);
    if (entries <= this.pieceOfGranule.length) return null;
    const bytes = Math.max(entries, INITIAL_ENTRIES) * 4;
    const old = this.mapping;
    const growth = startTableGrowth(old, bytes, this.tally, this.first, Math.max(entries, FIRST_ENTRIES) * 4);
    this.use(growth.mapping);
    return {
      keep: growth.keep,
      undo: () => {
        growth.undo();
        this.use(old);
      },
    };
  }

  private use(mapping: Mapping | null): void {
    this.mapping = mapping;
    this.pieceOfGranule = mapping === null ? new Int32Array(0) : new Int32Array(mapping.buffer);
  }

  /** Virtual space now ends at `end` (a segment was added; `reserve(end)` came first). */
  extendTo(end: number): void {
    this.end = end;
  }

  /** Unmaps the map; virtual space is empty again (finish). */
  reset(): void {
    if (this.mapping !== null) releaseMapping(this.mapping, this.tally);
    this.mapping = null;
    this.pieceOfGranule = new Int32Array(0);
    this.end = this.start;
  }
}
