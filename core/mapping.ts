/**
 * Bookkeeping mappings: memory that MeMS maps for its own records, seen through typed arrays. A table
 * stays one contiguous array, so its accessors stay one indexed load, and it grows without copying
 * where it can:
 *
 * - A growable table is mapped at the start of a free stretch of address space (found by a probe,
 *   os.ts findAddressSpace), and grows in place by mapping the pages right after it (MAP_FIXED_NOREPLACE,
 *   which refuses if anything else took them meanwhile): no copy, and each growth maps an eighth more,
 *   so at most about 1/8 of the table is mapped and unused.
 * - When the pages after it are taken, it moves: a new mapping at least twice as large, a copy, and the
 *   old one unmapped (O(1) amortized).
 * - By default a table starts as a small slice of its heap's first mapping (first-mapping.ts: the first
 *   tables and the first region in one mmap); its first growth moves it to a growable mapping, and the
 *   slice goes back to the first mapping, never to the spares.
 *
 * A table given back (finish, or a table that moved) is unmapped, as docs/mems.md says finish does with
 * every page of bookkeeping. A program that opens and finishes many heaps may ask, with
 * keepSpareBookkeeping(bytes), that the process keep up to that many bytes of them (at most SPARE_TABLE
 * of each; the rest is unmapped): the next table made anywhere in the process takes the smallest that
 * holds it, so a heap opens without mmap and finishes without munmap of its tables (an mmap and a munmap
 * of pages written to cost many times the calls: the page faults and the TLB flush; docs/experiments.md,
 * issue 25). A spare belongs to the process, not to a heap: an instance's tally counts a table while it
 * holds it.
 */

import { describeValue, MemsError } from "./errors.ts";
import type { FirstMapping } from "./first-mapping.ts";
import { bufferOver, detachBuffer, findAddressSpace, mapMemory, mapMemoryAt, OS_PAGE_SIZE, type OsCounters, unmapMemory } from "./os.ts";

export interface Mapping {
  readonly address: number;
  readonly length: number;
  readonly buffer: ArrayBuffer;
  /** Set on a slice of a heap's first mapping (first-mapping.ts): its pages go back with that mapping. */
  readonly owner?: FirstMapping;
}

/** Address space looked for behind a growable table: it grows in place up to this size. */
const GROWTH_ROOM = 2 ** 36;
/**
 * Each growth in place maps at least this fraction of the table more: a table below DOUBLING_LIMIT
 * doubles (each growth is an mmap, a new ArrayBuffer and new views, so a small heap that grew by eighths
 * spent its replays growing: docs/experiments.md, issue 25), a larger one grows by an eighth (at most
 * about 1/8 of it mapped and unused; with MAP_POPULATE, faulted in too).
 */
const GROWTH_IN_PLACE = 1 / 8;
const DOUBLING_LIMIT = 1024 * 1024;

/** The most of one table the process keeps for the next heap. */
const SPARE_TABLE = 64 * 1024;
/** The most of all tables together (keepSpareBookkeeping); 0, the default, keeps none. */
let spareLimit = 0;

/** Tables kept for the next heap of the process (their buffers detached), and their bytes. */
const spares: { address: number; length: number }[] = [];
let spareTotal = 0;

/** True when the process keeps no spare tables (the default): a heap's first tables then come from its first mapping. */
export function keepsNoSpares(): boolean {
  return spareLimit === 0;
}

/** Bytes of bookkeeping the process keeps mapped for the next heap (in osCounters().mappedBytes, in no instance's). */
export function spareBookkeepingBytes(): number {
  return spareTotal;
}

/** Unmaps every spare table: what the process holds is then only what its heaps hold. */
export function releaseSpareBookkeeping(): void {
  for (const spare of spares.splice(0)) unmapMemory(spare.address, spare.length);
  spareTotal = 0;
}

/**
 * Lets the process keep up to `bytes` of finished heaps' bookkeeping tables mapped for its next heaps
 * (0, the default, keeps none: finish unmaps every page of bookkeeping). Lowering it gives back every
 * spare held so far.
 * @throws MemsError INVALID_OPTION for anything but a whole number of bytes from 0 to 2^30.
 */
export function keepSpareBookkeeping(bytes: number): void {
  if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes > 2 ** 30) {
    throw new MemsError(
      "INVALID_OPTION",
      `keepSpareBookkeeping(bytes) takes a whole number of bytes from 0 to 2^30, got ${describeValue(bytes)}`,
    );
  }
  if (bytes < spareLimit) releaseSpareBookkeeping();
  spareLimit = bytes;
}

/** The smallest spare table of at least `bytes`, now counted in `tally`, or null; zeroed if asked. */
function takeSpare(bytes: number, tally: OsCounters, zeroed: boolean): Mapping | null {
  let best = -1;
  for (let i = 0; i < spares.length; i++) {
    const length = spares[i]?.length ?? 0;
    if (length >= bytes && (best === -1 || length < (spares[best]?.length ?? 0))) best = i;
  }
  const spare = best === -1 ? undefined : spares.splice(best, 1)[0];
  if (spare === undefined) return null;
  spareTotal -= spare.length;
  tally.mappedBytes += spare.length;
  const buffer = bufferOver(spare.address, spare.length);
  if (zeroed) new Uint8Array(buffer).fill(0);
  return { address: spare.address, length: spare.length, buffer };
}

/** Rounds up to whole OS pages, the granularity the kernel maps in anyway. */
export function roundToOsPages(bytes: number): number {
  return Math.ceil(bytes / OS_PAGE_SIZE) * OS_PAGE_SIZE;
}

/**
 * A bookkeeping region of at least `bytes`, counted in `tally`: a spare table when the process keeps one
 * that holds it (no system call; zeroed when `zeroed`, else as the last heap left it), else a fresh
 * zeroed mapping; `growable`: at the start of free address space, so that growMapping can extend it in
 * place. The record pool, the page table and the address map write every entry before they read it, so
 * they take spares as they are.
 */
export function createMapping(bytes: number, tally: OsCounters, growable = false, zeroed = true): Mapping {
  const spare = takeSpare(bytes, tally, zeroed);
  if (spare !== null) return spare;
  const length = roundToOsPages(bytes);
  // A growable table (the record pool, the page table, the address map) is written from its start on:
  // its pages are faulted in by the mmap (os.ts MAP_POPULATE). A lookup's control block is written
  // sparsely (a head here and there): its pages fault in as they are written.
  if (growable) {
    const address = findAddressSpace(GROWTH_ROOM, tally);
    if (address !== -1 && mapMemoryAt(address, length, tally, true)) return { address, length, buffer: bufferOver(address, length) };
  }
  const address = mapMemory(length, tally, growable);
  return { address, length, buffer: bufferOver(address, length) };
}

/**
 * A mapping of at least `bytes` holding `old`'s contents: `old` extended in place when the pages after it
 * are free (by at least `step` of its length: see GROWTH_IN_PLACE), else a new growable
 * mapping (at least twice as large) with a copy. `old` stays valid until
 * the caller ends the growth with `keepGrowth` (or takes it back with `undoGrowth`), so a table that
 * grows with another can give its growth back when the other's fails. If no mmap succeeds, `old` is
 * left untouched and the error propagates.
 */
export function growMapping(
  old: Mapping,
  bytes: number,
  tally: OsCounters,
  step = old.length < DOUBLING_LIMIT ? 1 : GROWTH_IN_PLACE,
): Mapping {
  const length = roundToOsPages(Math.max(bytes, old.length * (1 + step)));
  // A slice of the first mapping has the next slice or the first region after it: it moves.
  if (old.owner === undefined && mapMemoryAt(old.address + old.length, length - old.length, tally, true)) {
    return { address: old.address, length, buffer: bufferOver(old.address, length) };
  }

  const grown = createMapping(Math.max(bytes, old.length * 2), tally, true, false);
  new Uint8Array(grown.buffer).set(new Uint8Array(old.buffer));
  return grown;
}

/** Ends a growth: the old mapping's buffer is detached, and the old mapping unmapped if the table moved. */
export function keepGrowth(old: Mapping, grown: Mapping, tally: OsCounters): void {
  if (grown.address === old.address) detachBuffer(old.buffer);
  else releaseMapping(old, tally);
}

/** Takes a growth back: the pages it added (or the copy) are unmapped, and `old` is as it was. */
export function undoGrowth(old: Mapping, grown: Mapping, tally: OsCounters): void {
  detachBuffer(grown.buffer);
  if (grown.address === old.address) unmapMemory(old.address + old.length, grown.length - old.length, tally);
  else unmapMemory(grown.address, grown.length, tally);
}

/** A growth of a table that a later step may still take back: `keep` ends it, `undo` restores the table. */
export interface PendingGrowth {
  keep(): void;
  undo(): void;
}

/** A table's growth under way: its new `mapping`, and `keep` or `undo` to end it. */
export interface TableGrowth extends PendingGrowth {
  readonly mapping: Mapping;
}

/**
 * Makes a growable table's mapping (`old` null), or grows it, to at least `bytes`; the caller ends the
 * growth with `keep`, or takes it back with `undo` (a first mapping is then unmapped). A table's first
 * mapping is a slice of `firstBytes` of the heap's first mapping (`first`) when that has room.
 */
export function startTableGrowth(
  old: Mapping | null,
  bytes: number,
  tally: OsCounters,
  first: FirstMapping | null = null,
  firstBytes = bytes,
): TableGrowth {
  const mapping = old === null ? (first?.slice(firstBytes) ?? createMapping(bytes, tally, true, false)) : growMapping(old, bytes, tally);
  return {
    mapping,
    keep: () => {
      if (old !== null) keepGrowth(old, mapping, tally);
    },
    undo: () => {
      if (old === null) releaseMapping(mapping, tally);
      else undoGrowth(old, mapping, tally);
    },
  };
}

/** startTableGrowth, kept at once: the table's mapping of at least `bytes`. */
export function growTable(
  old: Mapping | null,
  bytes: number,
  tally: OsCounters,
  first: FirstMapping | null = null,
  firstBytes = bytes,
): Mapping {
  const growth = startTableGrowth(old, bytes, tally, first, firstBytes);
  growth.keep();
  return growth.mapping;
}

/**
 * Detaches the mapping's buffer (its views read as empty from now on) and gives it back: its first
 * pages, as many as the spares have room for (at most SPARE_TABLE), are kept for the next table of the
 * process and leave `tally`; the rest is unmapped.
 */
export function releaseMapping(mapping: Mapping, tally: OsCounters): void {
  if (mapping.owner !== undefined) {
    mapping.owner.giveBack(mapping);
    return;
  }
  detachBuffer(mapping.buffer);
  const room = Math.floor(Math.min(SPARE_TABLE, spareLimit - spareTotal) / OS_PAGE_SIZE) * OS_PAGE_SIZE;
  const kept = Math.min(mapping.length, room);
  if (kept < mapping.length) unmapMemory(mapping.address + kept, mapping.length - kept, tally);
  if (kept === 0) return;
  spares.push({ address: mapping.address, length: kept });
  spareTotal += kept;
  tally.mappedBytes -= kept;
}
