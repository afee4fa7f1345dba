/**
 * A heap's first mapping: the first slices of its bookkeeping tables and its first region, in ONE mmap,
 * so that a small heap opens with one mmap and finishes with one munmap.
 *
 *   ┌───────────────────────────────────────────┬──────────────────────────────────────────────┐
 *   │ tables: first slices, packed (TABLE_BYTES) │ first region (segment-space.ts), page-aligned │
 *   └───────────────────────────────────────────┴──────────────────────────────────────────────┘
 *
 * Every fresh page a heap writes costs it a page fault and, at its munmap, a TLB flush: together several
 * times an mmap and a munmap of pages never written (docs/experiments.md, issue 25). So the first slices
 * are small and packed into the few pages that the first block's bookkeeping writes anyway, and no
 * table is found a growable place (a probe: an mmap and a munmap) until it outgrows its slice; it then
 * moves to its own growable mapping as before (mapping.ts growMapping), and its slice is given back here.
 *
 * The mapping is made by the first slice or region asked for, and unmapped whole, with one munmap, when
 * the last one taken is given back (finish, or the undo of a first malloc that failed later). A program
 * that keeps spare bookkeeping (keepSpareBookkeeping) takes its tables from the spares instead, as
 * before: then this mapping is never made.
 */
import { MemsError } from "./errors.ts";
import { bufferOver, detachBuffer, mapMemory, OS_PAGE_SIZE, type OsCounters, unmapMemory } from "./os.ts";

/**
 * Bytes of the first slices together, in whole OS pages (the region after them starts on one): the
 * size-indexed lookup's control block (9.7 KiB) and small first slices of the others, three 4 KiB pages.
 */
const TABLE_BYTES = Math.ceil((12 * 1024) / OS_PAGE_SIZE) * OS_PAGE_SIZE;

/** A table's slice of the first mapping: a Mapping (mapping.ts) whose pages go back with the first mapping. */
export interface Slice {
  readonly address: number;
  readonly length: number;
  readonly buffer: ArrayBuffer;
  readonly owner: FirstMapping;
}

export class FirstMapping {
  private readonly tally: OsCounters;
  /** The first region's length (segment-space.ts sizes it), and whether the tables may come from here. */
  private readonly regionLength: number;
  private readonly useForTables: () => boolean;
  private address = 0;
  private length = 0;
  /**
   * The table part is handed out from both ends: a lookup's slices from the start up to `low`, the
   * core's tables (pool, page table, address map) from the end down to `high`. The control block's
   * bitmaps, at its end, then share the last page with the core's tables, and the heads the first blocks
   * use lie in the first pages: two pages written for a small heap's first block, not three.
   */
  private low = 0;
  private high = TABLE_BYTES;
  /** Bytes ever handed out since the mapping was made, below `lowWritten` and from `highWritten` up (elsewhere, the kernel's zeroes). */
  private lowWritten = 0;
  private highWritten = TABLE_BYTES;
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
   * maps on its own): from the start for a lookup's table (`lookup`), else from the end. Maps on first
   * use; a failed mmap changes nothing.
   */
  slice(bytes: number, lookup = false): Slice | null {
    if (this.length === 0 && !this.useForTables()) return null;
    // Every typed array's alignment: starts and lengths in whole 8 bytes.
    const length = Math.ceil(bytes / 8) * 8;
    const start = lookup ? this.low : this.high - length;
    if (this.high - this.low < length) return null;
    this.ensureMapped();
    if (lookup) this.low += length;
    else this.high = start;
    this.taken++;
    const buffer = bufferOver(this.address + start, length);
    // Fresh pages are zeroed; bytes a slice given back had are zeroed again (a table may assume zeroes).
    if (start < this.lowWritten || start + length > this.highWritten) new Uint8Array(buffer).fill(0);
    this.lowWritten = Math.max(this.lowWritten, this.low);
    this.highWritten = Math.min(this.highWritten, this.high);
    return { address: this.address + start, length, buffer, owner: this };
  }

  /** Gives a slice back (its table moved, or finish): its buffer is detached; the last one taken back unmaps all. */
  giveBack(slice: { readonly address: number; readonly length: number; readonly buffer: ArrayBuffer }): void {
    detachBuffer(slice.buffer);
    const start = slice.address - this.address;
    if (start + slice.length === this.low) this.low = start;
    else if (start === this.high) this.high = start + slice.length;
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
    this.low = 0;
    this.high = TABLE_BYTES;
    this.lowWritten = 0;
    this.highWritten = TABLE_BYTES;
    this.regionDropped = false;
  }
}
