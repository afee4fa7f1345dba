/**
 * The MeMS free list and the idiomatic `Mems` class.
 *
 * A main chain of segments, each tiled by a sub-chain of PROCESS and HOLE pieces (see layout.ts for the
 * glossary and the record layouts). Every node is a record (32 bytes a piece, 64 a main node) in a pool
 * that MeMS maps itself; no JS object is made per block. Which HOLE malloc takes is the lookup's
 * business (lookup.ts); everything else, split, merge, the address map, translation and the stats, is here.
 *
 * The address map: virtual space is contiguous from the start address, so one Int32Array over mapped
 * memory, indexed by (v - start) / GRANULE, names for every granule the piece holding its last byte.
 * free and get read one entry and step back over the pieces that start later in the same granule (at
 * most GRANULE, usually none: a block's neighbour mostly starts in a later granule): O(1), no chain walk.
 * Keeping it exact costs one `fill` per split (the granules of the part that takes a new record) and per
 * merge (the granules of the pieces merged into the largest one).
 */
import type { Pointer } from "bun:ffi";
import { MemsError } from "./errors.ts";
import {
  F_SHIFT,
  GRANULE,
  GRANULE_LOG2,
  HOLE,
  I_SHIFT,
  M_MAX_HOLE_HINT,
  M_NEXT,
  M_ORDINAL,
  M_PHYSICAL_BASE,
  M_PREV,
  M_START_VIRTUAL_ADDRESS,
  M_SUB_CHAIN_HEAD,
  M_SUB_CHAIN_TAIL,
  M_TOTAL_SIZE,
  MAIN_SLOTS,
  NIL,
  P_NEXT,
  P_PREV,
  P_SIZE,
  P_TYPE,
  P_VIRTUAL_ADDRESS,
  PROCESS,
  RECORD_BYTES,
  RECORD_FREE,
} from "./layout.ts";
import { createLookup, type HoleLookup, type Lookup, type PieceStore } from "./lookup.ts";
import { createMapping, growMapping, type Mapping, releaseMapping, roundToOsPages } from "./mapping.ts";
import { MAX_ADDRESS, type MemsOptions, resolveOptions } from "./options.ts";
import { bufferOver, detachBuffer, mapMemory, OS_PAGE_SIZE, type OsCounters, unmapMemory } from "./os.ts";

/** Records the pool starts with (64 KiB), and address-map entries the map starts with (16 KiB). */
const INITIAL_RECORDS = 1024;
const INITIAL_MAP_ENTRIES = 4096;

export interface MemsStats {
  /** PAGE_SIZE of this instance. */
  pageSize: number;
  /** Mapped segment bytes / PAGE_SIZE, as the reference prints it. */
  pagesUsed: number;
  /** Sum of HOLE sizes (the reference's "Space unsued"). */
  spaceUnused: number;
  mainChainLength: number;
  subChainLengths: number[];
  /** Bytes of segments mapped for the user now (bookkeeping not included). */
  mappedBytes: number;
  /** The most `mappedBytes` has been since the instance started or last finished. */
  peakMappedBytes: number;
  liveBlocks: number;
  liveBytes: number;
  peakLiveBytes: number;
  holes: number;
  /** Bytes MeMS has mapped for its own records, address map and index. */
  bookkeepingBytes: number;
  /**
   * mmap and munmap calls this instance has made (segments and bookkeeping), since it was created.
   * finish gives back segments that lie side by side in memory with one munmap, so after a finish the
   * counts differ; `heldBytes` is what says everything was given back.
   */
  mmapCalls: number;
  munmapCalls: number;
  /** Bytes this instance has mapped and not unmapped (segments and bookkeeping, as passed to mmap/munmap): 0 after finish. */
  heldBytes: number;
}

export interface PieceSnapshot {
  type: "PROCESS" | "HOLE";
  virtualAddress: number;
  size: number;
  physicalAddress: number;
}

export interface SegmentSnapshot {
  startVirtualAddress: number;
  totalSize: number;
  physicalAddress: number;
  pieces: PieceSnapshot[];
}

function invalidSize(size: unknown): MemsError {
  return new MemsError(
    "INVALID_SIZE",
    `size must be an integer from 1 to 2^48, got ${typeof size === "number" ? size : `${typeof size} ${String(size)}`}`,
  );
}

function addressNotFound(what: string, v: unknown): MemsError {
  return new MemsError("ADDRESS_NOT_FOUND", `${String(v)} is not ${what}`);
}

export class Mems implements PieceStore {
  readonly pageSize: number;
  readonly startAddress: number;
  readonly lookup: Lookup;

  /** @internal Record pool, read by the hole lookups: F and I view the same mapped memory (layout.ts). */
  F = new Float64Array(0);
  I = new Int32Array(0);
  /** @internal The main node of each piece record, by record number (mapped at the end of the pool). */
  PM = new Int32Array(0);
  private records: Mapping | null = null;
  private recordCapacity = 0;
  private recordHighWater = 0;
  private recordFreeHead = NIL;
  private recordFreeCount = 0;

  /** The address map: granule -> piece record. */
  private T = new Int32Array(0);
  private addressMap: Mapping | null = null;

  /** @internal The first main node, for the hole lookups. */
  mainHead = NIL;
  private mainTail = NIL;
  private mainCount = 0;
  /** One past the last virtual address of the last segment. */
  private virtualEnd: number;
  /** Segment ArrayBuffers by ordinal, made on first `view` of the segment. */
  private segmentBuffers: (ArrayBuffer | undefined)[] = [];

  private segmentBytes = 0;
  private peakSegmentBytes = 0;
  private liveBytes = 0;
  private peakLiveBytes = 0;

  /** @internal This instance's mmap/munmap calls and mapped bytes (stats() reports them). */
  readonly tally: OsCounters = { mmapCalls: 0, munmapCalls: 0, mappedBytes: 0 };
  private readonly holes: HoleLookup;

  constructor(options?: MemsOptions) {
    const resolved = resolveOptions(options);
    this.pageSize = resolved.pageSize;
    this.startAddress = resolved.startAddress;
    this.lookup = resolved.lookup;
    this.virtualEnd = this.startAddress;
    this.holes = createLookup(this.lookup, this);
  }

  /* malloc */

  /** Hands out `size` bytes; returns the block's MeMS virtual address. */
  malloc(size: number): number {
    if (typeof size !== "number" || !(size >= 1 && size <= MAX_ADDRESS) || Math.floor(size) !== size) {
      throw invalidSize(size);
    }
    // Reserve the records a split needs first: growing the pool later would move F and I mid-operation.
    if (this.recordFreeCount === 0 && this.recordHighWater === this.recordCapacity) this.growRecords(1);
    const hole = this.holes.find(size);
    if (hole === NIL) return this.mallocInNewSegment(size);
    return this.takeFromHole(hole, size);
  }

  /**
   * Split: the HOLE becomes a PROCESS of `size` bytes at its start, the rest stays a HOLE after it. The
   * PROCESS keeps the HOLE's record (and so its address-map entries, its start and its links); the rest,
   * usually the shorter part, takes a new record, so the fewest address-map entries change.
   */
  private takeFromHole(hole: number, size: number): number {
    const F = this.F;
    const I = this.I;
    const hf = hole << F_SHIFT;
    const hi = hole << I_SHIFT;
    const virtualAddress = F[hf + P_VIRTUAL_ADDRESS];
    const holeSize = F[hf + P_SIZE];
    this.holes.remove(hole, holeSize);
    I[hi + P_TYPE] = PROCESS;
    if (holeSize !== size) {
      // No zero-size HOLE is left behind on an exact fit.
      const rest = this.takeRecord();
      const next = I[hi + P_NEXT];
      const main = this.PM[hole];
      this.initPiece(rest, HOLE, main, virtualAddress + size, holeSize - size, hole);
      I[(rest << I_SHIFT) + P_NEXT] = next;
      if (next !== NIL) I[(next << I_SHIFT) + P_PREV] = rest;
      else I[(main << I_SHIFT) + M_SUB_CHAIN_TAIL] = rest;
      I[hi + P_NEXT] = rest;
      F[hf + P_SIZE] = size;
      this.mapRange(rest, virtualAddress + size, holeSize - size);
      this.holes.insert(rest);
    }
    this.countLive(size);
    return virtualAddress;
  }

  /** No HOLE fits: map a new segment at the end of virtual space, PROCESS(size) + HOLE(rest). */
  private mallocInNewSegment(size: number): number {
    // A main record (two slots, from the unused end of the pool) and two piece records.
    if (this.recordCapacity - this.recordHighWater < MAIN_SLOTS + 2) this.growRecords(MAIN_SLOTS + 2);
    this.holes.reserveSegment();
    const length = Math.ceil(size / this.pageSize) * this.pageSize;
    const virtualAddress = this.virtualEnd;
    const base = mapMemory(length, this.tally);
    try {
      this.reserveAddressMap(virtualAddress + length);
    } catch (error) {
      unmapMemory(base, length, this.tally);
      throw error;
    }
    const F = this.F;
    const I = this.I;
    const rest = length - size;
    const main = this.recordHighWater;
    this.recordHighWater += MAIN_SLOTS;
    const mf = main << F_SHIFT;
    const mi = main << I_SHIFT;
    const piece = this.takeRecord();
    F[mf + M_START_VIRTUAL_ADDRESS] = virtualAddress;
    F[mf + M_TOTAL_SIZE] = length;
    F[mf + M_PHYSICAL_BASE] = base;
    F[mf + M_MAX_HOLE_HINT] = 0;
    I[mi + M_SUB_CHAIN_HEAD] = piece;
    I[mi + M_SUB_CHAIN_TAIL] = piece;
    I[mi + M_NEXT] = NIL;
    I[mi + M_PREV] = this.mainTail;
    I[mi + M_ORDINAL] = this.mainCount;
    if (this.mainTail === NIL) this.mainHead = main;
    else I[(this.mainTail << I_SHIFT) + M_NEXT] = main;
    this.mainTail = main;
    this.mainCount++;
    this.virtualEnd = virtualAddress + length;
    this.segmentBytes += length;
    if (this.segmentBytes > this.peakSegmentBytes) this.peakSegmentBytes = this.segmentBytes;

    this.holes.segmentAdded(main);
    this.initPiece(piece, PROCESS, main, virtualAddress, size, NIL);
    this.mapRange(piece, virtualAddress, size);
    if (rest > 0) {
      const hole = this.takeRecord();
      this.initPiece(hole, HOLE, main, virtualAddress + size, rest, piece);
      I[(piece << I_SHIFT) + P_NEXT] = hole;
      I[mi + M_SUB_CHAIN_TAIL] = hole;
      this.mapRange(hole, virtualAddress + size, rest);
      this.holes.insert(hole);
    }
    this.countLive(size);
    return virtualAddress;
  }

  private initPiece(piece: number, type: number, main: number, virtualAddress: number, size: number, prev: number): void {
    const pf = piece << F_SHIFT;
    const pi = piece << I_SHIFT;
    this.F[pf + P_SIZE] = size;
    this.F[pf + P_VIRTUAL_ADDRESS] = virtualAddress;
    this.I[pi + P_TYPE] = type;
    this.PM[piece] = main;
    this.I[pi + P_PREV] = prev;
    this.I[pi + P_NEXT] = NIL;
  }

  private countLive(size: number): void {
    this.liveBytes += size;
    if (this.liveBytes > this.peakLiveBytes) this.peakLiveBytes = this.liveBytes;
  }

  /* free */

  /** Frees the block that starts at `v`; throws ADDRESS_NOT_FOUND (changing nothing) for anything else. */
  free(v: number): void {
    if (!this.tryFree(v)) throw addressNotFound("the first address of a block", v);
  }

  /** Like `free`, but answers false instead of throwing. */
  tryFree(v: number): boolean {
    const piece = this.processAt(v);
    if (piece === NIL || this.F[(piece << F_SHIFT) + P_VIRTUAL_ADDRESS] !== v) return false;
    this.release(piece);
    return true;
  }

  /** The PROCESS becomes a HOLE and merges with the HOLEs right before and after it in its sub-chain. */
  private release(piece: number): void {
    const F = this.F;
    const I = this.I;
    const pi = piece << I_SHIFT;
    const size = F[(piece << F_SHIFT) + P_SIZE];
    this.liveBytes -= size;

    const prev = I[pi + P_PREV];
    const next = I[pi + P_NEXT];
    const mergePrev = prev !== NIL && I[(prev << I_SHIFT) + P_TYPE] >= HOLE;
    const mergeNext = next !== NIL && I[(next << I_SHIFT) + P_TYPE] >= HOLE;
    if (!mergePrev && !mergeNext) {
      I[pi + P_TYPE] = HOLE;
      this.holes.insert(piece);
      return;
    }

    // The merged HOLE keeps the record of the largest piece, so the fewest address-map entries change
    // and, when that piece was a HOLE already, the index may not have to move it at all.
    const prevSize = mergePrev ? F[(prev << F_SHIFT) + P_SIZE] : 0;
    const nextSize = mergeNext ? F[(next << F_SHIFT) + P_SIZE] : 0;
    let survivor = piece;
    if (prevSize > size) survivor = prev;
    if (nextSize > (survivor === prev ? prevSize : size)) survivor = next;
    if (mergePrev && prev !== survivor) this.holes.remove(prev, prevSize);
    if (mergeNext && next !== survivor) this.holes.remove(next, nextSize);
    const sf = survivor << F_SHIFT;
    const si = survivor << I_SHIFT;
    // Only the links and fields that change are written.
    const first = mergePrev ? prev : piece;
    if (first !== survivor) {
      const ff = first << F_SHIFT;
      const before = I[(first << I_SHIFT) + P_PREV];
      F[sf + P_VIRTUAL_ADDRESS] = F[ff + P_VIRTUAL_ADDRESS];
      I[si + P_PREV] = before;
      if (before === NIL) I[(this.PM[survivor] << I_SHIFT) + M_SUB_CHAIN_HEAD] = survivor;
      else I[(before << I_SHIFT) + P_NEXT] = survivor;
    }
    const last = mergeNext ? next : piece;
    if (last !== survivor) {
      const after = I[(last << I_SHIFT) + P_NEXT];
      I[si + P_NEXT] = after;
      if (after !== NIL) I[(after << I_SHIFT) + P_PREV] = survivor;
      else I[(this.PM[survivor] << I_SHIFT) + M_SUB_CHAIN_TAIL] = survivor;
    }
    // The pieces merged into the survivor: their granules now name it, their records go back to the pool.
    if (mergePrev && prev !== survivor) this.absorb(prev, prevSize, survivor);
    if (piece !== survivor) this.absorb(piece, size, survivor);
    if (mergeNext && next !== survivor) this.absorb(next, nextSize, survivor);
    const survivorSize = F[sf + P_SIZE];
    F[sf + P_SIZE] = prevSize + size + nextSize;
    if (survivor === piece) {
      I[si + P_TYPE] = HOLE;
      this.holes.insert(survivor);
    } else {
      this.holes.resized(survivor, survivorSize);
    }
  }

  /** A piece of `size` bytes merged into `survivor`: its address-map entries name the survivor, its record is freed. */
  private absorb(piece: number, size: number, survivor: number): void {
    this.mapRange(survivor, this.F[(piece << F_SHIFT) + P_VIRTUAL_ADDRESS], size);
    this.releaseRecord(piece);
  }

  /* get and view */

  /** The physical address of the byte at virtual address `v`, which must lie inside a block. */
  get(v: number): Pointer {
    const physical = this.tryGet(v);
    if (physical === -1) throw addressNotFound("inside a block", v);
    return physical as Pointer;
  }

  /** Like `get`, but answers -1 instead of throwing. */
  tryGet(v: number): number {
    const piece = this.processAt(v);
    if (piece === NIL) return -1;
    return this.physicalAddress(this.PM[piece], v);
  }

  /** The physical address of virtual address `v` in the segment of main record `main`. */
  private physicalAddress(main: number, v: number): number {
    const mf = main << F_SHIFT;
    return this.F[mf + M_PHYSICAL_BASE] + (v - this.F[mf + M_START_VIRTUAL_ADDRESS]);
  }

  /**
   * The bytes of the block holding `v`, from `v` to the block's end (or `length` of them), as a view
   * on the mapped memory. The view reads as empty once its segment is unmapped by `finish`.
   */
  view(v: number, length?: number): Uint8Array {
    const piece = this.processAt(v);
    if (piece === NIL) throw addressNotFound("inside a block", v);
    const pf = piece << F_SHIFT;
    const available = this.F[pf + P_VIRTUAL_ADDRESS] + this.F[pf + P_SIZE] - v;
    if (length !== undefined && (typeof length !== "number" || !Number.isInteger(length) || length < 0 || length > available)) {
      throw new MemsError(
        "INVALID_SIZE",
        `view length must be an integer from 0 to ${available} (the rest of the block), got ${String(length)}`,
      );
    }
    const main = this.PM[piece];
    const buffer = this.segmentBuffer(main);
    return new Uint8Array(buffer, v - this.F[(main << F_SHIFT) + M_START_VIRTUAL_ADDRESS], length ?? available);
  }

  private segmentBuffer(main: number): ArrayBuffer {
    const ordinal = this.I[(main << I_SHIFT) + M_ORDINAL];
    let buffer = this.segmentBuffers[ordinal];
    if (buffer === undefined) {
      const mf = main << F_SHIFT;
      buffer = bufferOver(this.F[mf + M_PHYSICAL_BASE], this.F[mf + M_TOTAL_SIZE]);
      this.segmentBuffers[ordinal] = buffer;
    }
    return buffer;
  }

  /* The address map */

  /** The piece holding virtual address `v`, or NIL when `v` is outside every segment (or no address). */
  private pieceAt(v: number): number {
    if (typeof v !== "number" || !(v >= this.startAddress && v < this.virtualEnd) || Math.floor(v) !== v) return NIL;
    const F = this.F;
    const I = this.I;
    const offset = v - this.startAddress;
    // An int32 index keeps the typed-array load on the JIT's fast path (offsets below 2^38 bytes).
    let piece = this.T[offset < 0x4000000000 ? (offset / GRANULE) | 0 : Math.floor(offset / GRANULE)];
    // At most GRANULE steps back: every piece starting after v in the granule holds at least one of its bytes.
    while (v < F[(piece << F_SHIFT) + P_VIRTUAL_ADDRESS]) {
      const prev = I[(piece << I_SHIFT) + P_PREV];
      piece = prev !== NIL ? prev : I[(I[(this.PM[piece] << I_SHIFT) + M_PREV] << I_SHIFT) + M_SUB_CHAIN_TAIL];
    }
    return piece;
  }

  /** The PROCESS piece holding virtual address `v`, or NIL (outside every segment, or inside a HOLE). */
  private processAt(v: number): number {
    const piece = this.pieceAt(v);
    return piece !== NIL && this.I[(piece << I_SHIFT) + P_TYPE] === PROCESS ? piece : NIL;
  }

  /**
   * Points the address-map entries of the granules whose last byte lies in [v, v + size) at `piece`; when
   * the range ends virtual space, also the granule it ends in (its last byte is beyond every segment).
   */
  private mapRange(piece: number, v: number, size: number): void {
    const offset = v - this.startAddress;
    const endOffset = offset + size;
    const last = v + size === this.virtualEnd ? GRANULE - 1 : 0;
    if (endOffset < 0x7fffff00) {
      // Integer arithmetic on the common path keeps the indexes int32 for the JIT.
      const first = offset >>> GRANULE_LOG2;
      const end = (endOffset + last) >>> GRANULE_LOG2;
      // A call into fill costs about as much as dozens of stores: ranges up to 8 KiB are written in a loop.
      if (end - first <= 64) for (let g = first; g < end; g++) this.T[g] = piece;
      else this.T.fill(piece, first, end);
    } else {
      this.T.fill(piece, Math.floor(offset / GRANULE), Math.floor((endOffset + last) / GRANULE));
    }
  }

  private reserveAddressMap(virtualEnd: number): void {
    const entries = Math.ceil((virtualEnd - this.startAddress) / GRANULE);
    if (entries <= this.T.length) return;
    const bytes = Math.max(entries, INITIAL_MAP_ENTRIES) * 4;
    this.addressMap = this.addressMap === null ? createMapping(bytes, this.tally) : growMapping(this.addressMap, bytes, this.tally);
    this.T = new Int32Array(this.addressMap.buffer);
  }

  /* The record pool */

  private takeRecord(): number {
    let record = this.recordFreeHead;
    if (record !== NIL) {
      this.recordFreeHead = this.I[(record << I_SHIFT) + P_NEXT];
      this.recordFreeCount--;
    } else {
      record = this.recordHighWater++;
    }
    return record;
  }

  private releaseRecord(record: number): void {
    this.I[(record << I_SHIFT) + P_TYPE] = RECORD_FREE;
    this.I[(record << I_SHIFT) + P_NEXT] = this.recordFreeHead;
    this.recordFreeHead = record;
    this.recordFreeCount++;
  }

  /**
   * Makes room for at least `count` more record slots than the pool can give now. The pool is one mapping:
   * the record slots, then the piece-to-main column (one Int32 a slot); it grows by mapping one at least
   * twice as large, copying both parts, and unmapping the old one.
   */
  private growRecords(count: number): void {
    const old = this.records;
    const wanted = roundToOsPages(Math.max(this.recordHighWater + count, INITIAL_RECORDS) * RECORD_BYTES);
    const slotBytes = old === null ? wanted : Math.max(wanted, this.recordCapacity * RECORD_BYTES * 2);
    const capacity = slotBytes / RECORD_BYTES;
    const records = createMapping(slotBytes + capacity * 4, this.tally);
    if (old === null) {
      // The first bookkeeping of all, the lookup's included, so no later step can fail half-way for it.
      try {
        this.holes.prepare();
      } catch (error) {
        releaseMapping(records, this.tally);
        throw error;
      }
    } else {
      const oldSlotBytes = this.recordCapacity * RECORD_BYTES;
      new Uint8Array(records.buffer, 0, oldSlotBytes).set(new Uint8Array(old.buffer, 0, oldSlotBytes));
      new Int32Array(records.buffer, slotBytes, this.recordCapacity).set(this.PM);
      releaseMapping(old, this.tally);
    }
    this.records = records;
    this.F = new Float64Array(records.buffer, 0, slotBytes / 8);
    this.I = new Int32Array(records.buffer, 0, slotBytes / 4);
    this.PM = new Int32Array(records.buffer, slotBytes, capacity);
    this.recordCapacity = capacity;
  }

  /* finish */

  /** Unmaps every segment and all bookkeeping, and starts over: the next block is at the start address. */
  finish(): void {
    const F = this.F;
    const I = this.I;
    // Segments the kernel placed side by side (it usually places each new mapping right below the last)
    // go back in one munmap per run: the same pages, whole, with far fewer calls.
    let runBase = 0;
    let runLength = 0;
    for (let main = this.mainHead; main !== NIL; main = I[(main << I_SHIFT) + M_NEXT]) {
      const buffer = this.segmentBuffers[I[(main << I_SHIFT) + M_ORDINAL]];
      if (buffer !== undefined) detachBuffer(buffer);
      const base = F[(main << F_SHIFT) + M_PHYSICAL_BASE];
      const length = F[(main << F_SHIFT) + M_TOTAL_SIZE];
      if (runLength > 0 && base === runBase + runLength) {
        runLength += length;
      } else if (runLength > 0 && base + length === runBase) {
        runBase = base;
        runLength += length;
      } else {
        if (runLength > 0) unmapMemory(runBase, runLength, this.tally);
        runBase = base;
        runLength = length;
      }
    }
    if (runLength > 0) unmapMemory(runBase, runLength, this.tally);
    this.holes.reset();
    if (this.records !== null) releaseMapping(this.records, this.tally);
    if (this.addressMap !== null) releaseMapping(this.addressMap, this.tally);
    this.records = null;
    this.addressMap = null;
    this.F = new Float64Array(0);
    this.I = new Int32Array(0);
    this.PM = new Int32Array(0);
    this.T = new Int32Array(0);
    this.recordCapacity = 0;
    this.recordHighWater = 0;
    this.recordFreeHead = NIL;
    this.recordFreeCount = 0;
    this.mainHead = NIL;
    this.mainTail = NIL;
    this.mainCount = 0;
    this.virtualEnd = this.startAddress;
    this.segmentBuffers = [];
    this.segmentBytes = 0;
    this.peakSegmentBytes = 0;
    this.liveBytes = 0;
    this.peakLiveBytes = 0;
  }

  [Symbol.dispose](): void {
    this.finish();
  }

  /* Stats */

  /**
   * The figures; counts of pieces (sub-chain lengths, HOLEs, blocks) are taken by walking the chains, so
   * that no split or merge has to keep them.
   */
  stats(): MemsStats {
    const I = this.I;
    const subChainLengths: number[] = [];
    let holes = 0;
    let pieces = 0;
    for (let main = this.mainHead; main !== NIL; main = I[(main << I_SHIFT) + M_NEXT]) {
      let length = 0;
      for (let piece = I[(main << I_SHIFT) + M_SUB_CHAIN_HEAD]; piece !== NIL; piece = I[(piece << I_SHIFT) + P_NEXT]) {
        length++;
        if (I[(piece << I_SHIFT) + P_TYPE] >= HOLE) holes++;
      }
      subChainLengths.push(length);
      pieces += length;
    }
    return {
      pageSize: this.pageSize,
      pagesUsed: this.segmentBytes / this.pageSize,
      spaceUnused: this.segmentBytes - this.liveBytes, // the pieces tile the segments
      mainChainLength: this.mainCount,
      subChainLengths,
      mappedBytes: this.segmentBytes,
      peakMappedBytes: this.peakSegmentBytes,
      liveBlocks: pieces - holes,
      liveBytes: this.liveBytes,
      peakLiveBytes: this.peakLiveBytes,
      holes,
      bookkeepingBytes: (this.records?.length ?? 0) + (this.addressMap?.length ?? 0) + this.holes.bookkeepingBytes(),
      mmapCalls: this.tally.mmapCalls,
      munmapCalls: this.tally.munmapCalls,
      heldBytes: this.tally.mappedBytes,
    };
  }

  /** Pieces in a segment's sub-chain. */
  private subChainLength(main: number): number {
    let length = 0;
    for (let piece = this.I[(main << I_SHIFT) + M_SUB_CHAIN_HEAD]; piece !== NIL; piece = this.I[(piece << I_SHIFT) + P_NEXT]) length++;
    return length;
  }

  /** The stats text, byte for byte as the reference's mems_print_stats prints it. */
  formatStats(): string {
    const F = this.F;
    const I = this.I;
    let text = "----- MeMS SYSTEM STATS -----\n";
    let lengths = "";
    for (let main = this.mainHead; main !== NIL; main = I[(main << I_SHIFT) + M_NEXT]) {
      const start = F[(main << F_SHIFT) + M_START_VIRTUAL_ADDRESS];
      text += `MAIN[${start}:${start + F[(main << F_SHIFT) + M_TOTAL_SIZE] - 1}]-> `;
      for (let piece = I[(main << I_SHIFT) + M_SUB_CHAIN_HEAD]; piece !== NIL; piece = I[(piece << I_SHIFT) + P_NEXT]) {
        const v = F[(piece << F_SHIFT) + P_VIRTUAL_ADDRESS];
        const type = I[(piece << I_SHIFT) + P_TYPE] === PROCESS ? "P" : "H";
        text += `${type}[${v}:${v + F[(piece << F_SHIFT) + P_SIZE] - 1}] <-> `;
      }
      text += "NULL\n";
      lengths += `${this.subChainLength(main)}, `;
    }
    text += `Pages used:\t${this.segmentBytes / this.pageSize}\n`;
    text += `Space unsued:\t${this.segmentBytes - this.liveBytes}\n`;
    text += `Main Chain Length:\t${this.mainCount}\n`;
    text += `Sub-chain Length array: [${lengths}]\n`;
    text += "-----------------------------\n";
    return text;
  }

  /** Prints the stats text on stdout. */
  printStats(): void {
    process.stdout.write(this.formatStats());
  }

  /** A snapshot of the main chain and its sub-chains, for tests and pictures. */
  chains(): SegmentSnapshot[] {
    const F = this.F;
    const I = this.I;
    const segments: SegmentSnapshot[] = [];
    for (let main = this.mainHead; main !== NIL; main = I[(main << I_SHIFT) + M_NEXT]) {
      const pieces: PieceSnapshot[] = [];
      for (let piece = I[(main << I_SHIFT) + M_SUB_CHAIN_HEAD]; piece !== NIL; piece = I[(piece << I_SHIFT) + P_NEXT]) {
        const pf = piece << F_SHIFT;
        pieces.push({
          type: I[(piece << I_SHIFT) + P_TYPE] === PROCESS ? "PROCESS" : "HOLE",
          virtualAddress: F[pf + P_VIRTUAL_ADDRESS],
          size: F[pf + P_SIZE],
          physicalAddress: this.physicalAddress(main, F[pf + P_VIRTUAL_ADDRESS]),
        });
      }
      const mf = main << F_SHIFT;
      segments.push({
        startVirtualAddress: F[mf + M_START_VIRTUAL_ADDRESS],
        totalSize: F[mf + M_TOTAL_SIZE],
        physicalAddress: F[mf + M_PHYSICAL_BASE],
        pieces,
      });
    }
    return segments;
  }

  /* The heap walk */

  /**
   * Walks the whole free list and checks every invariant: the main chain's links and contiguous virtual
   * ranges, pieces tiling each segment with consistent physical addresses, no two adjacent HOLEs, the
   * totals behind the stats, the address map, the record pool and the lookup's own index.
   * Throws an Error saying which invariant broke.
   */
  checkInvariants(): void {
    const fail = (message: string): never => {
      throw new Error(`MeMS invariant broken: ${message}`);
    };
    const F = this.F;
    const I = this.I;
    let expectedStart = this.startAddress;
    let prevMain = NIL;
    let mains = 0;
    let pieces = 0;
    let holes = 0;
    let holeBytes = 0;
    let live = 0;
    let liveBytes = 0;
    let segmentBytes = 0;
    for (let main = this.mainHead; main !== NIL; main = I[(main << I_SHIFT) + M_NEXT]) {
      const mf = main << F_SHIFT;
      const mi = main << I_SHIFT;
      if (++mains > this.recordHighWater) fail("the main chain has a cycle");
      if (I[mi + M_PREV] !== prevMain) fail(`main record ${main} has a wrong prev link`);
      if (I[mi + M_ORDINAL] !== mains - 1) fail(`main record ${main} has ordinal ${I[mi + M_ORDINAL]}, expected ${mains - 1}`);
      const start = F[mf + M_START_VIRTUAL_ADDRESS];
      const total = F[mf + M_TOTAL_SIZE];
      const base = F[mf + M_PHYSICAL_BASE];
      if (base % OS_PAGE_SIZE !== 0) fail(`segment at ${start} has physical base ${base}, not page-aligned`);
      if (start !== expectedStart)
        fail(`segment ${mains - 1} starts at ${start}, expected ${expectedStart} (virtual ranges must be contiguous)`);
      if (!(total > 0) || total % this.pageSize !== 0) fail(`segment at ${start} has size ${total}, not a positive multiple of PAGE_SIZE`);
      let v = start;
      let prevPiece = NIL;
      let prevHole = false;
      let count = 0;
      for (let piece = I[mi + M_SUB_CHAIN_HEAD]; piece !== NIL; piece = I[(piece << I_SHIFT) + P_NEXT]) {
        const pf = piece << F_SHIFT;
        const pi = piece << I_SHIFT;
        if (++count > this.recordHighWater) fail(`the sub-chain of segment at ${start} has a cycle`);
        const type = I[pi + P_TYPE];
        const size = F[pf + P_SIZE];
        if (type !== PROCESS && type < HOLE) fail(`record ${piece} in the sub-chain of segment at ${start} is not a piece`);
        if (I[pi + P_PREV] !== prevPiece) fail(`piece at ${F[pf + P_VIRTUAL_ADDRESS]} has a wrong prev link`);
        if (this.PM[piece] !== main) fail(`piece at ${F[pf + P_VIRTUAL_ADDRESS]} names the wrong segment`);
        if (F[pf + P_VIRTUAL_ADDRESS] !== v)
          fail(`piece starts at ${F[pf + P_VIRTUAL_ADDRESS]}, expected ${v} (pieces must tile the segment)`);
        if (!(size >= 1) || !Number.isInteger(size)) fail(`piece at ${v} has size ${size}`);
        const isHole = type >= HOLE;
        if (isHole && prevHole) fail(`two adjacent HOLEs at ${v} (they should have merged)`);
        // The address map: every granule whose last byte is in this piece (or beyond the end) names it.
        const first = Math.floor((v - this.startAddress) / GRANULE);
        const end = Math.floor((v + size - this.startAddress + (v + size === this.virtualEnd ? GRANULE - 1 : 0)) / GRANULE);
        for (let g = first; g < end; g++) {
          if (this.T[g] !== piece)
            fail(
              `address-map entry ${g} (virtual ${this.startAddress + g * GRANULE}) names record ${this.T[g]}, expected the piece at ${v}`,
            );
        }
        if (isHole) {
          holes++;
          holeBytes += size;
        } else {
          live++;
          liveBytes += size;
        }
        v += size;
        prevPiece = piece;
        prevHole = isHole;
      }
      pieces += count;
      if (I[mi + M_SUB_CHAIN_TAIL] !== prevPiece)
        fail(`segment at ${start} names record ${I[mi + M_SUB_CHAIN_TAIL]} as its last piece, expected ${prevPiece}`);
      if (v !== start + total) fail(`pieces of segment at ${start} end at ${v}, expected ${start + total}`);
      expectedStart = start + total;
      segmentBytes += total;
      prevMain = main;
    }
    if (prevMain !== this.mainTail) fail("the main chain's tail is not its last node");
    if (mains !== this.mainCount) fail(`main chain has ${mains} nodes, the count says ${this.mainCount}`);
    if (expectedStart !== this.virtualEnd) fail(`virtual space ends at ${expectedStart}, expected ${this.virtualEnd}`);
    if (segmentBytes !== this.segmentBytes) fail(`segments hold ${segmentBytes} bytes, the stats say ${this.segmentBytes}`);
    if (liveBytes !== this.liveBytes) fail(`blocks hold ${liveBytes} bytes, the stats say ${this.liveBytes}`);
    if (holeBytes !== this.segmentBytes - this.liveBytes)
      fail(`HOLEs hold ${holeBytes} bytes, the stats say ${this.segmentBytes - this.liveBytes} are unused`);
    const stats = this.stats();
    if (stats.holes !== holes || stats.liveBlocks !== live)
      fail(`stats count ${stats.holes} HOLEs and ${stats.liveBlocks} blocks, the walk ${holes} and ${live}`);
    if (this.liveBytes > this.peakLiveBytes || this.segmentBytes > this.peakSegmentBytes) fail("a peak is below the current value");
    if (this.recordHighWater - this.recordFreeCount !== mains * MAIN_SLOTS + pieces)
      fail(`${this.recordHighWater - this.recordFreeCount} record slots in use, ${mains * MAIN_SLOTS + pieces} in the chains`);
    const lookupProblem = this.holes.check();
    if (lookupProblem !== null) fail(lookupProblem);
  }
}
