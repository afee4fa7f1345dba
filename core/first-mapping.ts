/**
 * A heap's first mapping: the first slices of its bookkeeping tables and its first region, in ONE mmap,
 * so that a small heap opens with one mmap and finishes with one munmap.
 *
 *   ┌─────────────────────────────┬──────────────────────────────────┬───────────────────────────────┐
 *   │ core zone (CORE_BYTES):     │ lookup zone: a lookup's first     │ first region (segment-space.ts),│
 *   │ pool, page table, address   │ tables (size-indexed: bitmaps and │ page-aligned, never written by  │
 *   │ map, first slices, packed   │ the heads of larger HOLEs first)  │ MeMS                            │
 *   └─────────────────────────────┴──────────────────────────────────┴───────────────────────────────┘
 *   └──────── page 0: everything a small heap's first block writes ────┘
 *
 * Every fresh page a heap writes costs it a page fault and, at its munmap, a TLB flush and the page's
 * freeing: together several times an mmap and a munmap of pages never written (docs/experiments.md,
 * issue 25). So the first slices are small and packed so that the first block's bookkeeping writes one
 * OS page, page 0 (faulting it in with the mmap, MAP_POPULATE, measured no faster: docs/experiments.md).
 * No table is found a growable place (a probe: an mmap and a munmap) until it outgrows its slice; it
 * then moves to its own growable mapping (mapping.ts growMapping, which faults its pages in with the
 * mmap), and its slice is given back here.
 *
 * The mapping is made by the first slice or region asked for, and unmapped whole, with one munmap, when
 * the last one taken is given back (finish, or the undo of a first malloc that failed later). A program
 * that keeps spare bookkeeping (keepSpareBookkeeping) takes its tables from the spares instead, as
 * before: then this mapping is never made.
 */
import { MemsError } from "./errors.ts";
import { bufferOver, detachBuffer, mapMemory, OS_PAGE_SIZE, type OsCounters, unmapMemory } from "./os.ts";

/**
 * Bytes of the core's first slices: the record pool's (64 records of 24 bytes), the page table's (64
 * pages) and the address map's (256 granules: 64 KiB of virtual space), in the order they come.
 */
export const CORE_BYTES = 64 * 24 + 64 * 4 + 256 * 4;
/**
 * Bytes of the table part, in whole OS pages (the region after it starts on one): the core zone and the
 * size-indexed lookup's control block (13.7 KiB, lookups/size-indexed.ts); the pages past page 0 are
 * written only as the heap grows.
 */
export const TABLE_BYTES = Math.ceil((CORE_BYTES + 14 * 1024) / OS_PAGE_SIZE) * OS_PAGE_SIZE;

/** A table's slice of the first mapping: a Mapping (mapping.ts) whose pages go back with the first mapping. */
export interface Slice {
  readonly address: number;
  readonly length: number;
  readonly buffer: ArrayBuffer;
  readonly owner: FirstMapping;
}

/** One zone of the table part: slices are handed out from `low` up, to `end`. */
interface Zone {
  readonly start: number;
  readonly end: number;
  /** The next slice's offset. */
  low: number;
  /** Bytes below this were handed out since the mapping was made (above it, the kernel's zeroes). */
  written: number;
}

export class FirstMapping {
  private readonly tally: OsCounters;
  /** The first region's length (segment-space.ts sizes it), and whether the tables may come from here. */
  private readonly regionLength: number;
  private readonly useForTables: () => boolean;
  private address = 0;
  private length = 0;
  /** The core's tables (pool, page table, address map) and a lookup's, each from the start of its zone. */
  private readonly core: Zone = { start: 0, end: CORE_BYTES, low: 0, written: 0 };
  private readonly lookup: Zone = { start: CORE_BYTES, end: TABLE_BYTES, low: CORE_BYTES, written: CORE_BYTES };
  private taken = 0;
  private regionTaken = false;
  /** The region was given up (a first segment larger than it): only the table part is mapped. */
  private regionDropped = false;

  constructor(tally: OsCounters, regionLength: number, useForTables: () => boolean) {
    this.tally = tally;
    this.regionLength = regionLength;
    this.useForTables = useForTables;
  }

  /** True while mapped. */
  get mapped(): boolean {
    return this.length > 0;
  }

  /**
   * A slice of `bytes` of the first mapping's table part, zeroed, or null when it has no room (the caller
   * maps on its own): from the lookup zone for a lookup's table (`lookup`), else from the core zone. Maps
   * on first use; a failed mmap changes nothing.
   */
  slice(bytes: number, lookup = false): Slice | null {
    if (this.length === 0 && !this.useForTables()) return null;
    const zone = lookup ? this.lookup : this.core;
    // Every typed array's alignment: starts and lengths in whole 8 bytes.
    const length = Math.ceil(bytes / 8) * 8;
    const start = zone.low;
    if (zone.end - start < length) return null;
    this.ensureMapped();
    zone.low += length;
    this.taken++;
    const buffer = bufferOver(this.address + start, length);
    // Fresh pages are zeroed; bytes a slice given back had are zeroed again (a table may assume zeroes).
    if (start < zone.written) new Uint8Array(buffer).fill(0);
    zone.written = Math.max(zone.written, zone.low);
    return { address: this.address + start, length, buffer, owner: this };
  }

  /** Gives a slice back (its table moved, or finish): its buffer is detached; the last one taken back unmaps all. */
  giveBack(slice: { readonly address: number; readonly length: number; readonly buffer: ArrayBuffer }): void {
    detachBuffer(slice.buffer);
    const start = slice.address - this.address;
    const zone = start < CORE_BYTES ? this.core : this.lookup;
    if (start + slice.length === zone.low) zone.low = start;
    this.taken--;
    this.releaseIfUnused();
  }

  /**
   * The first region's base when it is free and holds `length` bytes, else -1: the segment space then maps
   * its own region (and a mapped region too small for the first segment is unmapped, the tables staying).
   */
  takeRegion(length: number): number {
    if (this.regionTaken || this.regionDropped || (this.length === 0 && !this.useForTables())) return -1;
    if (length > this.regionLength) {
      if (this.length > 0) this.dropRegion();
      return -1;
    }
    this.ensureMapped();
    this.regionTaken = true;
    this.taken++;
    return this.address + TABLE_BYTES;
  }

  /** The region's length as mapped (counted in the segment space's regions while taken). */
  get regionBytes(): number {
    return this.regionLength;
  }

  /** Gives the region back (finish, or the undo of its carve). */
  giveBackRegion(): void {
    if (!this.regionTaken) return;
    this.regionTaken = false;
    this.taken--;
    this.releaseIfUnused();
  }

  private ensureMapped(): void {
    if (this.length > 0) return;
    const length = TABLE_BYTES + (this.regionDropped ? 0 : this.regionLength);
    if (TABLE_BYTES + this.regionLength > 2 ** 52) throw new MemsError("OUT_OF_MEMORY", `mmap of ${length} bytes is not possible`);
    this.address = mapMemory(length, this.tally);
    this.length = length;
  }

  /** A first segment larger than the region: the region's pages are unmapped; the tables stay. */
  private dropRegion(): void {
    this.regionDropped = true;
    unmapMemory(this.address + TABLE_BYTES, this.length - TABLE_BYTES, this.tally);
    this.length = TABLE_BYTES;
  }

  private releaseIfUnused(): void {
    if (this.taken > 0) return;
    if (this.length > 0) unmapMemory(this.address, this.length, this.tally);
    this.address = 0;
    this.length = 0;
    this.core.low = this.core.written = this.core.start;
    this.lookup.low = this.lookup.written = this.lookup.start;
    this.regionDropped = false;
  }
}
