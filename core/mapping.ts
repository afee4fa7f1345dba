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
 */
import { bufferOver, detachBuffer, findAddressSpace, mapMemory, mapMemoryAt, OS_PAGE_SIZE, type OsCounters, unmapMemory } from "./os.ts";

export interface Mapping {
  readonly address: number;
  readonly length: number;
  readonly buffer: ArrayBuffer;
}

/** Address space looked for behind a growable table: it grows in place up to this size. */
const GROWTH_ROOM = 2 ** 36;
/** Each growth in place maps at least this fraction of the table more. */
const GROWTH_IN_PLACE = 1 / 8;

/** Rounds up to whole OS pages, the granularity the kernel maps in anyway. */
export function roundToOsPages(bytes: number): number {
  return Math.ceil(bytes / OS_PAGE_SIZE) * OS_PAGE_SIZE;
}

/**
 * Maps a fresh zeroed bookkeeping region of at least `bytes`, counted in `tally`; `growable`: at the
 * start of free address space, so that growMapping can extend it in place.
 */
export function createMapping(bytes: number, tally: OsCounters, growable = false): Mapping {
  const length = roundToOsPages(bytes);
  if (growable) {
    const address = findAddressSpace(GROWTH_ROOM, tally);
    if (address !== -1 && mapMemoryAt(address, length, tally)) return { address, length, buffer: bufferOver(address, length) };
  }
  const address = mapMemory(length, tally);
  return { address, length, buffer: bufferOver(address, length) };
}

/**
 * A mapping of at least `bytes` holding `old`'s contents: `old` extended in place when the pages after it
 * are free (by at least `step` of its length, an eighth unless the caller sizes it), else a new growable
 * mapping (at least twice as large) with a copy. `old` stays valid until
 * the caller ends the growth with `keepGrowth` (or takes it back with `undoGrowth`), so a table that
 * grows with another can give its growth back when the other's fails. If no mmap succeeds, `old` is
 * left untouched and the error propagates.
 */
export function growMapping(old: Mapping, bytes: number, tally: OsCounters, step = GROWTH_IN_PLACE): Mapping {
  const length = roundToOsPages(Math.max(bytes, old.length * (1 + step)));
  if (mapMemoryAt(old.address + old.length, length - old.length, tally)) {
    return { address: old.address, length, buffer: bufferOver(old.address, length) };
  }

  const grown = createMapping(Math.max(bytes, old.length * 2), tally, true);
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
 * growth with `keep`, or takes it back with `undo` (a first mapping is then unmapped).
 */
export function startTableGrowth(old: Mapping | null, bytes: number, tally: OsCounters): TableGrowth {
  const mapping = old === null ? createMapping(bytes, tally, true) : growMapping(old, bytes, tally);
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
export function growTable(old: Mapping | null, bytes: number, tally: OsCounters): Mapping {
  const growth = startTableGrowth(old, bytes, tally);
  growth.keep();
  return growth.mapping;
}

/** Detaches the mapping's buffer (its views read as empty from now on) and unmaps it. */
export function releaseMapping(mapping: Mapping, tally: OsCounters): void {
  detachBuffer(mapping.buffer);
  unmapMemory(mapping.address, mapping.length, tally);
}
