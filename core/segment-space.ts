/**
 * Where segments' memory comes from: OS mappings (regions) that MeMS maps in whole PAGE_SIZE multiples
 * and carves its segments out of, one after the other, so that most new segments cost no system call.
 *
 * A MeMS segment is unchanged by this (its main node, its virtual range, its pages in the stats): only
 * its physical base lies inside a region rather than at the start of a mapping of its own. Regions grow
 * as the heap does (glibc's arenas and mimalloc's segments grow the same way): the first is
 * FIRST_REGION bytes, each next one as large as everything mapped before it, up to MAX_REGION_STEP, or
 * the segment's own length when that is larger. Segments never go back to the OS before finish
 * (docs/mems.md), so a region is a bump allocator: nothing is ever carved twice, and every segment's
 * memory is as fresh and zeroed as a mapping of its own. A new segment starts on an OS page boundary,
 * so its base is page-aligned as mmap's would be. A region's untouched end costs address space only.
 *
 * finish unmaps every region whole: regions the kernel placed side by side (it usually puts each new
 * mapping right below the last) in one munmap per run.
 */
import type { FirstMapping } from "./first-mapping.ts";
import { roundToOsPages } from "./mapping.ts";
import { mapMemory, type OsCounters, unmapMemory } from "./os.ts";

/** The first region's size: a small heap maps once. */
export const FIRST_REGION = 256 * 1024;
/** The most a region adds beyond the segment it is mapped for. */
const MAX_REGION_STEP = 64 * 1024 * 1024;

/** The first region's length for MeMS pages of `pageSize`: FIRST_REGION in whole pages. */
export function firstRegionLength(pageSize: number): number {
  return Math.ceil(FIRST_REGION / pageSize) * pageSize;
}

/** What a carve changed, to take back when a later step of the new segment fails. */
export interface Carve {
  /** The segment's physical base. */
  readonly base: number;
  /** True when a region was mapped for it. */
  readonly mapped: boolean;
}

export class SegmentSpace {
  private readonly tally: OsCounters;
  private readonly pageSize: number;
  /** Every region, as (address, length) pairs in the order they were mapped. */
  private regions: number[] = [];
  /** Bytes of every region together. */
  private regionBytes = 0;
  /** The next segment's base in the newest region, and that region's end (as the kernel rounds it). */
  private next = 0;
  private end = 0;

  /** The heap's first mapping, whose region part is the first region when the first segment fits it. */
  private readonly first: FirstMapping | null;
  /** The first mapping's region's address while it is one of `regions`, else -1. */
  private firstRegion = -1;

  constructor(tally: OsCounters, pageSize: number, first: FirstMapping | null = null) {
    this.tally = tally;
    this.pageSize = pageSize;
    this.first = first;
  }

  /** Bytes mapped for segments, carved or not yet (the regions' lengths as passed to mmap). */
  get mappedBytes(): number {
    return this.regionBytes;
  }

  /** OS mappings holding the segments. */
  get regionCount(): number {
    return this.regions.length / 2;
  }

  /**
   * The base of `length` bytes (a multiple of PAGE_SIZE) of fresh memory: the newest region's next
   * pages, or a new region mapped for them. Throws OUT_OF_MEMORY (having changed nothing) when the
   * kernel refuses. `undo` takes the carve back.
   */
  carve(length: number): Carve {
    const osLength = roundToOsPages(length);
    if (this.next + osLength <= this.end) {
      const base = this.next;
      this.next += osLength;
      return { base, mapped: false };
    }
    const step = Math.min(Math.max(this.regionBytes, FIRST_REGION), MAX_REGION_STEP);
    // A whole number of PAGE_SIZE, as every mapping MeMS makes.
    let regionLength = Math.max(length, Math.ceil(step / this.pageSize) * this.pageSize);
    let address = this.regions.length === 0 && this.first !== null ? this.first.takeRegion(length) : -1;
    if (address !== -1 && this.first !== null) {
      regionLength = this.first.regionBytes;
      this.firstRegion = address;
    } else address = mapMemory(regionLength, this.tally);
    this.regions.push(address, regionLength);
    this.regionBytes += regionLength;
    this.next = address + osLength;
    this.end = address + roundToOsPages(regionLength);
    return { base: address, mapped: true };
  }

  /** Takes back the last carve (a later step of its segment failed): its region is unmapped if mapped for it. */
  undo(carve: Carve): void {
    if (!carve.mapped) {
      this.next = carve.base;
      return;
    }
    const length = this.regions.pop() ?? 0;
    const address = this.regions.pop() ?? 0;
    this.unmapRegion(address, length);
    this.regionBytes -= length;
    const last = this.regions.length - 2;
    // The region before is full as far as the next carve goes: a segment that did not fit there moved on.
    this.next = last >= 0 ? (this.regions[last] ?? 0) + roundToOsPages(this.regions[last + 1] ?? 0) : 0;
    this.end = this.next;
  }

  /** Unmaps a region, or gives the first mapping's region back to it (it unmaps it with the tables). */
  private unmapRegion(address: number, length: number): void {
    if (address === this.firstRegion) {
      this.firstRegion = -1;
      this.first?.giveBackRegion();
    } else unmapMemory(address, length, this.tally);
  }

  /** Unmaps every region, one munmap per run of regions side by side, and starts over. */
  release(): void {
    const regions = this.regions;
    let runBase = 0;
    let runLength = 0;
    for (let i = 0; i < regions.length; i += 2) {
      const base = regions[i] ?? 0;
      // Lengths as mapped: one that is no whole number of OS pages ends where no region can start, so its
      // region is unmapped alone and the bytes counted are the bytes mapped.
      const length = regions[i + 1] ?? 0;
      if (base === this.firstRegion) this.unmapRegion(base, length);
      else if (runLength > 0 && base === runBase + runLength) runLength += length;
      else if (runLength > 0 && base + length === runBase) {
        runBase = base;
        runLength += length;
      } else {
        if (runLength > 0) unmapMemory(runBase, runLength, this.tally);
        runBase = base;
        runLength = length;
      }
    }
    if (runLength > 0) unmapMemory(runBase, runLength, this.tally);
    this.regions = [];
    this.regionBytes = 0;
    this.next = 0;
    this.end = 0;
  }
}
