/**
 * The MeMS free list: the main chain of segments, each tiled by a sub-chain of PROCESS and HOLE pieces
 * (records, records.ts), the hole lookup (lookups/lookup.ts), the address map (address-map.ts), the
 * counters, and the steps that change them: split, merge, a new segment, a larger record pool, finish.
 *
 * `Mems` (mems.ts) keeps one FreeList in its one private field and runs the fast paths of malloc, free
 * and get over it; everything here is internal. Hot path: the fields are plain, not `#` (docs/design.md,
 * "Hot paths"); the object is reachable only through that private field and the testing entry.
 */
import { AddressMap } from "./address-map.ts";
import { FirstMapping } from "./first-mapping.ts";
import { GuardedLookup } from "./lookups/guarded.ts";
import type { HoleLookup } from "./lookups/lookup.ts";
import { createLookup } from "./lookups/registry.ts";
import { keepsNoSpares, type PendingGrowth } from "./mapping.ts";
import type { Alignment, ResolvedOptions } from "./options.ts";
import { bufferOver, detachBuffer, type OsCounters } from "./os.ts";
import { NIL, Records, SEGMENT_SLOTS } from "./records.ts";
import { firstRegionLength, SegmentSpace } from "./segment-space.ts";

export class FreeList {
  readonly pageSize: number;
  readonly startAddress: number;
  /** The lookup's name: one of LOOKUPS, or the name of a lookup written outside the project. */
  readonly lookupName: string;
  /** Every block's size is a multiple of it, and so is every piece's offset in its segment (options.ts). */
  readonly align: Alignment;
  /** This instance's mmap/munmap calls and mapped bytes, segments and bookkeeping (stats() reports them). */
  readonly tally: OsCounters = { mmapCalls: 0, munmapCalls: 0, mappedBytes: 0 };
  /** Every main node and piece (records.ts). */
  readonly records: Records;
  /** Which HOLE malloc takes. */
  readonly holes: HoleLookup;
  readonly map: AddressMap;
  /** The OS mappings the segments are carved from (segment-space.ts). */
  readonly space: SegmentSpace;
  /** Segment ArrayBuffers by segment index, made on first `view` of the segment. */
  segmentBuffers: (ArrayBuffer | undefined)[] = [];
  segmentBytes = 0;
  peakSegmentBytes = 0;
  liveBytes = 0;
  peakLiveBytes = 0;

  constructor(options: ResolvedOptions) {
    this.pageSize = options.pageSize;
    this.startAddress = options.startAddress;
    const lookup = options.lookup;
    this.align = options.align;
    // The first tables and the first region in one mapping (first-mapping.ts), unless spares are kept.
    const first = new FirstMapping(this.tally, firstRegionLength(options.pageSize), keepsNoSpares);
    this.records = new Records(this.tally, options.startAddress, options.pageSize, first);
    this.map = new AddressMap(options.startAddress, this.tally, first);
    this.space = new SegmentSpace(this.tally, options.pageSize, first);
    // A lookup written outside the project runs behind checks (lookups/guarded.ts); the core's are trusted.
    this.holes = typeof lookup === "string" ? createLookup(lookup, this.records) : new GuardedLookup(lookup, this.records, this.map);
    this.lookupName = this.holes.name;
  }

  countLive(size: number): void {
    this.liveBytes += size;
    if (this.liveBytes > this.peakLiveBytes) this.peakLiveBytes = this.liveBytes;
  }

  /**
   * Split: the piece keeps its first `size` bytes; the `rest` after them becomes a new HOLE piece,
   * returned for the caller to give to the lookup. The PROCESS keeps its record (and so its address-map
   * entries, its start and its links) and the rest, usually the shorter part, takes a new one, so the
   * fewest address-map entries change.
   */
  split(piece: number, size: number, rest: number): number {
    const records = this.records;
    const at = records.pieceAddress(piece) + size;
    const hole = records.insertPiece(piece, at);
    this.map.mapRange(hole, at, rest);
    return hole;
  }

  /**
   * Merge: a freed piece and the HOLEs beside it (`before`, `after`; NIL where none; those not surviving
   * already out of the lookup) become one piece of `size` bytes in the record of `survivor`, the largest
   * of them (`survivorSize` bytes before), so the fewest address-map entries change and, when that was a
   * HOLE, the lookup may not have to move it.
   */
  merge(before: number, piece: number, after: number, survivor: number, survivorSize: number, size: number): void {
    const records = this.records;
    const first = before === NIL ? piece : before;
    const start = records.pieceAddress(first);
    const survivorStart = records.pieceAddress(survivor);
    const survivorEnd = survivorStart + survivorSize;
    // The chains: the survivor starts where the run starts, the others leave the sub-chain (before,
    // piece, after: the pool hands them out again in the reverse order); then the granules of the run
    // outside the survivor's old range, which name it now.
    if (start < survivorStart) records.setPieceAddress(survivor, start);
    if (before !== NIL && before !== survivor) {
      records.unlinkPiece(before);
      records.releasePiece(before);
    }
    if (piece !== survivor) {
      records.unlinkPiece(piece);
      records.releasePiece(piece);
    }
    if (after !== NIL && after !== survivor) {
      records.unlinkPiece(after);
      records.releasePiece(after);
    }
    if (start < survivorStart) this.map.mapRange(survivor, start, survivorStart - start);
    if (start + size > survivorEnd) this.map.mapRange(survivor, survivorEnd, start + size - survivorEnd);
  }

  /** malloc's slow path when no HOLE fits: a new segment at the end of virtual space, PROCESS(size) + HOLE(rest). */
  mallocInNewSegment(size: number): number {
    const records = this.records;
    if (!records.hasRoomForSegment()) this.growRecords(SEGMENT_SLOTS);
    this.holes.reserveSegment();
    const length = Math.ceil(size / this.pageSize) * this.pageSize;
    const v = this.map.virtualEnd;
    const main = records.newSegment(v, length, this.mapSegment(v, length));
    this.map.extendTo(v + length);
    this.segmentBytes += length;
    if (this.segmentBytes > this.peakSegmentBytes) this.peakSegmentBytes = this.segmentBytes;
    this.holes.segmentAdded(records.segmentIndex(main));
    const block = records.insertPiece(main, v);
    records.markProcess(block);
    if (length !== size) this.holes.insert(this.split(block, size, length - size), length - size);
    this.map.mapRange(block, v, size);
    this.countLive(size);
    return v;
  }

  /**
   * Carves `length` bytes for the virtual range from `v` (segment-space.ts: usually no mmap), and grows
   * the address map and the page table to cover it; a failure changes nothing (the map's growth is taken
   * back when the page table's fails, and the carve when either does).
   */
  private mapSegment(v: number, length: number): number {
    const carve = this.space.carve(length);
    let mapGrowth: PendingGrowth | null = null;
    try {
      mapGrowth = this.map.reserve(v + length);
      this.records.reservePages(v + length);
    } catch (error) {
      mapGrowth?.undo();
      this.space.undo(carve);
      throw error;
    }
    mapGrowth?.keep();
    return carve.base;
  }

  /**
   * Grows the record pool (malloc's slow path). The first growth, in the first malloc, also lets the
   * lookup map its tables: the first bookkeeping of all, so no later step can fail half-way for it.
   */
  growRecords(slots: number): void {
    const records = this.records;
    const first = !records.mapped;
    records.grow(slots);
    if (!first) return;
    records.preparing = true;
    try {
      this.holes.prepare();
    } catch (error) {
      records.reset();
      throw error;
    } finally {
      records.preparing = false;
    }
  }

  /** The segment's memory as one ArrayBuffer, made on first use. */
  segmentBuffer(main: number): ArrayBuffer {
    const records = this.records;
    const index = records.segmentIndex(main);
    let buffer = this.segmentBuffers[index];
    if (buffer === undefined) {
      buffer = bufferOver(records.physicalBase(main), records.segmentSize(main));
      this.segmentBuffers[index] = buffer;
    }
    return buffer;
  }

  /** Unmaps every segment and all bookkeeping, and starts over: the next block is at the start address. */
  finish(): void {
    this.detachSegmentBuffers();
    this.space.release();
    this.holes.reset();
    this.records.reset();
    this.map.reset();
    this.segmentBuffers = [];
    this.segmentBytes = 0;
    this.peakSegmentBytes = 0;
    this.liveBytes = 0;
    this.peakLiveBytes = 0;
  }

  /** Detaches every segment's ArrayBuffer before its memory goes back, so stale views read as empty. */
  private detachSegmentBuffers(): void {
    for (const buffer of this.segmentBuffers) if (buffer !== undefined) detachBuffer(buffer);
  }
}
