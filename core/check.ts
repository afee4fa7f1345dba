/**
 * The heap walk that checks every invariant (tlsf.c's `tlsf_check`): the main chain's links and
 * contiguous virtual ranges, pieces tiling each segment with consistent links, no two adjacent HOLEs, every
 * piece's size a multiple of `align` but a segment's last HOLE's (so, from a page-aligned base, every
 * piece starts at a physical address that is a multiple of it), the totals behind the stats, the address map, the record pool, and the lookup, from outside (it holds
 * exactly the HOLEs of the chains) and by its own check. Every break throws an Error naming the invariant.
 */

import { invariantBroken } from "./errors.ts";
import type { FreeList } from "./free-list.ts";
import { OS_PAGE_SIZE } from "./os.ts";
import { GRANULE, NIL, type Records } from "./records.ts";

/**
 * Per record number, the stamp of the check that last met it: the check's stamp when the walk met it as
 * a HOLE of the chains, the stamp + 1 once the lookup named it too. One array serves every check (each
 * takes a new stamp instead of clearing it): a Set of the HOLEs built per check was about a quarter of
 * the conformance run's CPU, which checks the heap after every operation.
 */
let holeMarks: Uint32Array = new Uint32Array(0);
let stampBase = 0;

/** A new stamp for one check: no mark in holeMarks equals it or the one after it yet. */
function nextStamp(): number {
  stampBase += 2;
  if (stampBase >= 0xffff_fffe) {
    holeMarks.fill(0);
    stampBase = 2;
  }
  return stampBase;
}

/** Walks everything once; throws an Error naming the first invariant that broke. */
export function checkHeap(list: FreeList): void {
  const check = new HeapCheck(list, nextStamp());
  list.records.walk(check);
  check.lookupHoldsTheHoles();
  check.totals();
  list.holes.check();
}

/** The walk's visitor: checks each segment and piece as it comes, and adds up what the totals need. */
class HeapCheck {
  readonly #list: FreeList;
  readonly #records: Records;
  #expectedStart: number;
  #prevSegment = NIL;
  #segments = 0;
  #pieces = 0;
  #holeBytes = 0;
  #liveBytes = 0;
  #segmentBytes = 0;
  /** The HOLE records of the chains, in chain order (the lookup must hold exactly these). */
  readonly #holes: number[] = [];
  /** This check's mark of a HOLE of the chains in holeMarks (its mark + 1: the lookup named it too). */
  readonly #stamp: number;
  /** In the segment being walked: where the next piece must start, and whether the last piece was a HOLE. */
  #next = 0;
  #prevPiece = NIL;
  #prevWasHole = false;
  /** What every piece is checked against, read once per check (nothing changes during one). */
  readonly #align: number;
  readonly #startAddress: number;
  readonly #virtualEnd: number;
  readonly #pieceOfGranule: Int32Array;

  constructor(list: FreeList, stamp: number) {
    this.#list = list;
    this.#stamp = stamp;
    this.#records = list.records;
    this.#expectedStart = list.startAddress;
    this.#align = list.align;
    this.#startAddress = list.startAddress;
    this.#virtualEnd = list.map.virtualEnd;
    this.#pieceOfGranule = list.map.entries;
  }

  segment(main: number, index: number): void {
    const records = this.#records;
    const start = records.segmentStart(main);
    const total = records.segmentSize(main);
    const base = records.physicalBase(main);
    if (records.prevSegment(main) !== this.#prevSegment) throw invariantBroken(`main record ${main} has a wrong prev link`);
    if (records.segmentIndex(main) !== index)
      throw invariantBroken(`main record ${main} has index ${records.segmentIndex(main)}, expected ${index}`);
    if (base % OS_PAGE_SIZE !== 0) throw invariantBroken(`segment at ${start} has physical base ${base}, not page-aligned`);
    if (start !== this.#expectedStart)
      throw invariantBroken(`segment ${index} starts at ${start}, expected ${this.#expectedStart} (virtual ranges must be contiguous)`);
    if (!(total > 0) || total % this.#list.pageSize !== 0)
      throw invariantBroken(`segment at ${start} has size ${total}, not a positive multiple of PAGE_SIZE`);
    this.#next = start;
    this.#prevPiece = NIL;
    this.#prevWasHole = false;
  }

  piece(piece: number, main: number): void {
    const records = this.#records;
    const v = this.#next;
    const start = records.pieceAddress(piece);
    const size = records.pieceSize(piece);
    if (!records.isPiece(piece))
      throw invariantBroken(`record ${piece} in the sub-chain of segment at ${records.segmentStart(main)} is not a piece`);
    if (records.prevPiece(piece) !== this.#prevPiece) throw invariantBroken(`piece at ${start} has a wrong prev link`);
    if (records.segmentOf(piece) !== main) throw invariantBroken(`piece at ${start} names the wrong segment`);
    if (start !== v) throw invariantBroken(`piece starts at ${start}, expected ${v} (pieces must tile the segment)`);
    if (!(size >= 1) || !Number.isInteger(size)) throw invariantBroken(`piece at ${v} has size ${size}`);
    const isHole = records.isHole(piece);
    if (isHole && this.#prevWasHole) throw invariantBroken(`two adjacent HOLEs at ${v} (they should have merged)`);
    if (size % this.#align !== 0) this.#checkAlignment(piece, v, size, isHole);
    this.#checkAddressMap(piece, v, size);
    if (isHole) {
      this.#holes.push(piece);
      if (piece >= holeMarks.length) holeMarks = grown(holeMarks, piece);
      holeMarks[piece] = this.#stamp;
      this.#holeBytes += size;
    } else {
      this.#liveBytes += size;
    }
    this.#next = v + size;
    this.#prevPiece = piece;
    this.#prevWasHole = isHole;
  }

  /**
   * With `align`, every piece's size is a multiple of it, but a segment's last HOLE's (it ends at the
   * segment's end, a multiple of PAGE_SIZE, which need not be one of align). The segment's base is
   * page-aligned and the pieces tile it, so every piece, every block, starts at a physical address that is
   * a multiple of align. (Called for a size that is not a multiple of align.)
   */
  #checkAlignment(piece: number, v: number, size: number, isHole: boolean): void {
    const align = this.#align;
    if (isHole && this.#records.nextPiece(piece) === NIL) return;
    throw invariantBroken(`piece at ${v} has size ${size}, not a multiple of align ${align} (only a segment's last HOLE may)`);
  }

  /** Every granule whose last byte is in the piece (or beyond the end of virtual space) names it. */
  #checkAddressMap(piece: number, v: number, size: number): void {
    const startAddress = this.#startAddress;
    const virtualEnd = this.#virtualEnd;
    const pieceOfGranule = this.#pieceOfGranule;
    const first = Math.floor((v - startAddress) / GRANULE);
    const end = Math.floor((v + size - startAddress + (v + size === virtualEnd ? GRANULE - 1 : 0)) / GRANULE);
    for (let granule = first; granule < end; granule++) {
      const named = pieceOfGranule[granule];
      if (named !== piece)
        throw invariantBroken(
          `address-map entry ${granule} (virtual ${startAddress + granule * GRANULE}) names record ${named}, expected the piece at ${v}`,
        );
    }
  }

  segmentEnd(main: number, length: number, last: number): void {
    const records = this.#records;
    const start = records.segmentStart(main);
    const end = start + records.segmentSize(main);
    if (records.lastPiece(main) !== last)
      throw invariantBroken(`segment at ${start} names record ${records.lastPiece(main)} as its last piece, expected ${last}`);
    if (this.#next !== end) throw invariantBroken(`pieces of segment at ${start} end at ${this.#next}, expected ${end}`);
    this.#expectedStart = end;
    this.#segmentBytes += records.segmentSize(main);
    this.#prevSegment = main;
    this.#segments++;
    this.#pieces += length;
  }

  /** The counts and sums the stats rest on, against what the walk found. */
  totals(): void {
    const list = this.#list;
    const records = list.records;
    const unused = list.segmentBytes - list.liveBytes;
    const inChains = records.slotsFor(this.#segments, this.#pieces);
    if (this.#prevSegment !== records.lastSegment) throw invariantBroken("the main chain's tail is not its last node");
    if (this.#segments !== records.segmentCount)
      throw invariantBroken(`main chain has ${this.#segments} nodes, its count ${records.segmentCount}`);
    if (this.#expectedStart !== list.map.virtualEnd)
      throw invariantBroken(`virtual space ends at ${this.#expectedStart}, not ${list.map.virtualEnd}`);
    if (this.#segmentBytes !== list.segmentBytes)
      throw invariantBroken(`segments hold ${this.#segmentBytes} bytes, stats ${list.segmentBytes}`);
    if (this.#liveBytes !== list.liveBytes) throw invariantBroken(`blocks hold ${this.#liveBytes} bytes, the stats say ${list.liveBytes}`);
    if (this.#holeBytes !== unused) throw invariantBroken(`HOLEs hold ${this.#holeBytes} bytes, the stats say ${unused} are unused`);
    if (list.liveBytes > list.peakLiveBytes) throw invariantBroken("peak live bytes below the live bytes");
    if (list.segmentBytes > list.peakSegmentBytes) throw invariantBroken("peak mapped bytes below the mapped bytes");
    if (records.slotsInUse !== inChains) throw invariantBroken(`${records.slotsInUse} record slots in use, ${inChains} in the chains`);
  }

  /** Any lookup, from outside: it holds every HOLE of the chains once, and nothing else. */
  lookupHoldsTheHoles(): void {
    const records = this.#records;
    const stamp = this.#stamp;
    let named = 0;
    this.#list.holes.forEachHole((hole) => {
      if (holeMarks[hole] === stamp) {
        holeMarks[hole] = stamp + 1;
        named++;
        return;
      }
      if (records.isProcess(hole)) throw invariantBroken(`the lookup holds PROCESS record ${hole}`);
      if (!records.isPiece(hole)) throw invariantBroken(`the lookup holds record ${hole}, which is not a piece`);
      throw invariantBroken(`the lookup holds HOLE record ${hole} twice, or one outside the chains`);
    });
    if (named === this.#holes.length) return;
    const missing = this.#holes.find((hole) => holeMarks[hole] === stamp) ?? NIL;
    throw invariantBroken(`the lookup misses the HOLE at ${records.pieceAddress(missing)} (record ${missing})`);
  }
}

/** `marks` with room for record number `record`, its marks kept. */
function grown(marks: Uint32Array, record: number): Uint32Array {
  const larger = new Uint32Array(Math.max(2 * marks.length, record + 1, 1024));
  larger.set(marks);
  return larger;
}
