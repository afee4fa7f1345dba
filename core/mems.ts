/**
 * The idiomatic `Mems` class: MeMS's public face.
 *
 * An instance keeps its whole state, the free list (free-list.ts: the chains of records, the hole
 * lookup, the address map and the counters), in one private field, so nothing of it is reachable from
 * outside (`mems.records`, `mems.I` do not exist). malloc, free and get are written here as their fast
 * paths, a few named steps each (mimalloc's way); the rest is named methods of the free list (split,
 * merge, a new segment, a larger record pool). The stats, the stats text, chains() and
 * checkInvariants() (check.ts) all read the heap through the one walk of records.ts.
 *
 * Hot path: the free list is read once per call (`const list = this.#list`), the one `#` load of a call
 * (docs/design.md, "Hot paths").
 */
import type { Pointer } from "bun:ffi";
import { checkHeap } from "./check.ts";
import { describeValue, MemsError } from "./errors.ts";
import { FreeList } from "./free-list.ts";
import type { HoleLookup } from "./lookups/lookup.ts";
import { type Alignment, MAX_ADDRESS, type MemsOptions, resolveOptions } from "./options.ts";
import { NIL, type Records } from "./records.ts";
import { checkViewType, invalidViewLength, isViewLength, misaligned, type TypedArrayType } from "./typed-views.ts";

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
   * Bytes of the OS mappings (regions) the segments are carved from: `mappedBytes` of them are segments,
   * the rest is mapped and not yet handed to a segment (docs/design.md, "Segments and OS mappings").
   */
  regionBytes: number;
  /**
   * mmap and munmap calls this instance has made (regions and bookkeeping), since it was created: system
   * calls, not segments. A segment carved from a region already mapped takes none; finish gives back
   * regions that lie side by side in memory with one munmap, so after a finish the counts differ;
   * `heldBytes` is what says everything was given back.
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

/** What the testing entry may reach of an instance, to break it on purpose: its records, lookup and address map. */
export interface MemsInternals {
  readonly records: Records;
  readonly lookup: HoleLookup;
  /** granule -> piece record */
  readonly addressMap: Int32Array;
}

/**
 * Each instance's free list, for the testing entry only. Not a `static` block reading `#list`: with one,
 * every `#list` read became slower (docs/design.md, "Hot paths").
 */
const freeLists = new WeakMap<Mems, FreeList>();

/** An instance's internals, for tests of checkInvariants (testing.ts). */
export function memsInternals(mems: Mems): MemsInternals {
  const list = freeLists.get(mems);
  if (list === undefined) throw new TypeError("not a Mems instance");
  return { records: list.records, lookup: list.holes, addressMap: list.map.entries };
}

/*
 * The errors of a bad size or address. They are made only once a call has failed, after its fast path:
 * the checks of what a wrong value was (no number at all, none given) cost nothing on the hot path.
 */

function invalidSize(size: unknown): MemsError {
  const why =
    size === undefined
      ? "malloc(size): the size is missing; give an integer from 1 to 2^48"
      : typeof size !== "number"
        ? `malloc(size) expected a number, got ${describeValue(size)}`
        : `size must be an integer from 1 to 2^48, got ${size}`;
  return new MemsError("INVALID_SIZE", why);
}

/** `v`, given to `method`, is no number, or a number that is not `what`. */
function addressNotFound(method: string, what: string, v: unknown): MemsError {
  const why = typeof v === "number" ? `${v} is not ${what}` : `${method}(v) expected a number, got ${describeValue(v)}`;
  return new MemsError("ADDRESS_NOT_FOUND", why);
}

export class Mems {
  /** Everything the instance holds (free-list.ts). */
  readonly #list: FreeList;

  constructor(options?: MemsOptions) {
    this.#list = new FreeList(resolveOptions(options));
    freeLists.set(this, this.#list);
  }

  /** PAGE_SIZE of this instance. */
  get pageSize(): number {
    return this.#list.pageSize;
  }

  /** The first MeMS virtual address. */
  get startAddress(): number {
    return this.#list.startAddress;
  }

  /** How a HOLE is chosen. */
  get lookup(): string {
    return this.#list.lookupName;
  }

  /** Every block's size, and physical address, is a multiple of it (1, 2, 4, 8 or 16). */
  get align(): Alignment {
    return this.#list.align;
  }

  /* malloc */

  /**
   * Hands out `size` bytes (rounded up to a multiple of `align`); returns the block's MeMS virtual
   * address. The fast path takes the HOLE the lookup finds: it leaves the lookup and becomes the block at
   * its start, and the rest, if any, is split off as a HOLE after it. No HOLE fits: a new segment (the
   * slow path).
   */
  malloc(size: number): number {
    if (typeof size !== "number" || !(size >= 1 && size <= MAX_ADDRESS) || Math.floor(size) !== size) throw invalidSize(size);
    const list = this.#list;
    const records = list.records;
    const align = list.align;
    // Offsets in a segment are sums of block sizes and HOLEs between blocks: rounding every size keeps
    // every block's offset, and so (segment bases are page-aligned) its physical address, a multiple of align.
    const bytes = align === 1 ? size : Math.ceil(size / align) * align;
    // The record a split needs is reserved before anything changes, so a failed growth changes nothing.
    if (!records.hasRoomForPiece()) list.growRecords(1);
    const hole = list.holes.find(bytes);
    if (hole === NIL) return list.mallocInNewSegment(bytes);
    const holeSize = records.pieceSize(hole);
    list.holes.remove(hole, holeSize);
    records.markProcess(hole);
    const rest = holeSize - bytes;
    if (rest !== 0) list.holes.insert(list.split(hole, bytes, rest), rest); // no zero-size HOLE
    list.countLive(bytes);
    return records.pieceAddress(hole);
  }

  /* free */

  /** Frees the block that starts at `v`; throws ADDRESS_NOT_FOUND (changing nothing) for anything else. */
  free(v: number): void {
    if (!this.tryFree(v)) throw addressNotFound("free", "the first address of a block", v);
  }

  /**
   * Like `free`, but answers false instead of throwing. The block becomes a HOLE. When a HOLE lies right
   * before or after it in its sub-chain they merge into the record of the largest (the free list's step):
   * the HOLEs whose records go leave the lookup first, and the lookup then gets the merged HOLE, or hears
   * that the HOLE it held grew.
   */
  tryFree(v: number): boolean {
    const list = this.#list;
    const records = list.records;
    const holes = list.holes;
    const block = list.map.blockAt(v, records);
    if (block === NIL || records.pieceAddress(block) !== v) return false;
    const size = records.pieceSize(block);
    list.liveBytes -= size;
    const before = records.holeBefore(block);
    const after = records.holeAfter(block);
    if (before === NIL && after === NIL) {
      records.markHole(block);
      holes.insert(block, size);
      return true;
    }
    // Merge into the record of the largest of the three (the fewest address-map entries change).
    const beforeSize = before === NIL ? 0 : records.pieceSize(before);
    const afterSize = after === NIL ? 0 : records.pieceSize(after);
    const survivor = afterSize > size && afterSize > beforeSize ? after : beforeSize > size ? before : block;
    if (before !== NIL && before !== survivor) holes.remove(before, beforeSize);
    if (after !== NIL && after !== survivor) holes.remove(after, afterSize);
    const merged = beforeSize + size + afterSize;
    const survivorSize = survivor === before ? beforeSize : survivor === after ? afterSize : size;
    list.merge(before, block, after, survivor, survivorSize, merged);
    if (survivor !== block) {
      holes.resized(survivor, survivorSize, merged);
      return true;
    }
    records.markHole(block);
    holes.insert(block, merged);
    return true;
  }

  /* get and view */

  /** The physical address of the byte at virtual address `v`, which must lie inside a block. */
  get(v: number): Pointer {
    const physical = this.tryGet(v);
    if (physical === -1) throw addressNotFound("get", "inside a block", v);
    return physical as Pointer;
  }

  /** Like `get`, but answers -1 instead of throwing. */
  tryGet(v: number): number {
    const list = this.#list;
    const records = list.records;
    const block = list.map.blockAt(v, records);
    if (block === NIL) return -1;
    return records.physicalAddress(records.segmentOf(block), v);
  }

  /**
   * The bytes of the block holding `v`, from `v` to the block's end (or `length` of them), as a view
   * on the mapped memory. The view reads as empty once its segment is unmapped by `finish`.
   */
  view(v: number, length?: number): Uint8Array {
    const list = this.#list;
    const records = list.records;
    const block = list.map.blockAt(v, records);
    if (block === NIL) throw addressNotFound("view", "inside a block", v);
    const available = records.pieceAddress(block) + records.pieceSize(block) - v;
    if (length !== undefined && (typeof length !== "number" || !Number.isInteger(length) || length < 0 || length > available)) {
      throw new MemsError(
        "INVALID_SIZE",
        `view length must be an integer from 0 to ${available} (the rest of the block), got ${typeof length === "number" ? length : describeValue(length)}`,
      );
    }
    const main = records.segmentOf(block);
    return new Uint8Array(list.segmentBuffer(main), v - records.segmentStart(main), length ?? available);
  }

  /**
   * The block holding `v` as a `type` array (Float64Array, Int32Array, BigInt64Array, ...): the whole
   * elements from `v` to the block's end (or `length` of them), on the mapped memory as `view`'s bytes are,
   * and as empty once `finish` unmaps the segment. `v`'s physical address must be a multiple of the element
   * size, which every block's start is when `align` is at least that size.
   * @throws MemsError INVALID_OPTION when `type` is no TypedArray type, ADDRESS_NOT_FOUND when `v` is in no
   *   block, MISALIGNED when its physical address is not a multiple of the element size, INVALID_SIZE when
   *   `length` is no count or passes the block's end.
   */
  viewAs<T extends ArrayBufferView>(v: number, type: TypedArrayType<T>, length?: number): T {
    checkViewType(type);
    const list = this.#list;
    const records = list.records;
    const block = list.map.blockAt(v, records);
    if (block === NIL) throw addressNotFound("viewAs", "inside a block", v);
    const main = records.segmentOf(block);
    const physical = records.physicalAddress(main, v);
    const elementSize = type.BYTES_PER_ELEMENT;
    if (physical % elementSize !== 0) throw misaligned(type, v, physical);
    const most = Math.floor((records.pieceAddress(block) + records.pieceSize(block) - v) / elementSize);
    if (length !== undefined && !isViewLength(length, most)) throw invalidViewLength(type, v, most, length);
    return new type(list.segmentBuffer(main), v - records.segmentStart(main), length ?? most);
  }

  /* finish */

  /** Unmaps every segment and all bookkeeping, and starts over: the next block is at the start address. */
  finish(): void {
    this.#list.finish();
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
    const list = this.#list;
    const records = list.records;
    const subChainLengths: number[] = [];
    let holes = 0;
    let pieces = 0;
    records.walk({
      piece: (piece) => {
        if (records.isHole(piece)) holes++;
      },
      segmentEnd: (_main, length) => {
        subChainLengths.push(length);
        pieces += length;
      },
    });
    return {
      pageSize: list.pageSize,
      pagesUsed: list.segmentBytes / list.pageSize,
      spaceUnused: list.segmentBytes - list.liveBytes, // the pieces tile the segments
      mainChainLength: records.segmentCount,
      subChainLengths,
      mappedBytes: list.segmentBytes,
      peakMappedBytes: list.peakSegmentBytes,
      liveBlocks: pieces - holes,
      liveBytes: list.liveBytes,
      peakLiveBytes: list.peakLiveBytes,
      holes,
      bookkeepingBytes: list.tally.mappedBytes - list.space.mappedBytes, // every mapping but the segments' regions
      regionBytes: list.space.mappedBytes,
      mmapCalls: list.tally.mmapCalls,
      munmapCalls: list.tally.munmapCalls,
      heldBytes: list.tally.mappedBytes,
    };
  }

  /** The stats text, byte for byte as the reference's mems_print_stats prints it. */
  formatStats(): string {
    const list = this.#list;
    const records = list.records;
    let text = "----- MeMS SYSTEM STATS -----\n";
    let lengths = "";
    records.walk({
      segment: (main) => {
        const start = records.segmentStart(main);
        text += `MAIN[${start}:${start + records.segmentSize(main) - 1}]-> `;
      },
      piece: (piece) => {
        const v = records.pieceAddress(piece);
        text += `${records.isProcess(piece) ? "P" : "H"}[${v}:${v + records.pieceSize(piece) - 1}] <-> `;
      },
      segmentEnd: (_main, length) => {
        text += "NULL\n";
        lengths += `${length}, `;
      },
    });
    text += `Pages used:\t${list.segmentBytes / list.pageSize}\n`;
    text += `Space unsued:\t${list.segmentBytes - list.liveBytes}\n`;
    text += `Main Chain Length:\t${records.segmentCount}\n`;
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
    const records = this.#list.records;
    const segments: SegmentSnapshot[] = [];
    let pieces: PieceSnapshot[] = [];
    records.walk({
      segment: () => {
        pieces = [];
      },
      piece: (piece, main) => {
        const v = records.pieceAddress(piece);
        const type = records.isProcess(piece) ? "PROCESS" : "HOLE";
        pieces.push({ type, virtualAddress: v, size: records.pieceSize(piece), physicalAddress: records.physicalAddress(main, v) });
      },
      segmentEnd: (main) => {
        const physicalAddress = records.physicalBase(main);
        segments.push({ startVirtualAddress: records.segmentStart(main), totalSize: records.segmentSize(main), physicalAddress, pieces });
      },
    });
    return segments;
  }

  /**
   * Walks the whole free list and checks every invariant (check.ts): the chains, the tiling, the totals
   * behind the stats, the address map, the record pool and the lookup. Throws an Error naming the first
   * invariant that broke.
   */
  checkInvariants(): void {
    checkHeap(this.#list);
  }
}
