/**
 * Bookkeeping mappings: memory that MeMS maps for its own records, seen through typed arrays, grown by
 * mapping a larger region, copying, and unmapping the old one (so a table stays one contiguous array and
 * its accessors stay one indexed load). Growth at least doubles, so copies cost O(1) amortized.
 */
import { bufferOver, detachBuffer, mapMemory, OS_PAGE_SIZE, type OsCounters, unmapMemory } from "./os.ts";

export interface Mapping {
  readonly address: number;
  readonly length: number;
  readonly buffer: ArrayBuffer;
}

/** Rounds up to whole OS pages, the granularity the kernel maps in anyway. */
export function roundToOsPages(bytes: number): number {
  return Math.ceil(bytes / OS_PAGE_SIZE) * OS_PAGE_SIZE;
}

/** Maps a fresh zeroed bookkeeping region of at least `bytes`, counted in `tally`. */
export function createMapping(bytes: number, tally: OsCounters): Mapping {
  const length = roundToOsPages(bytes);
  const address = mapMemory(length, tally);
  return { address, length, buffer: bufferOver(address, length) };
}

/**
 * A mapping of at least `bytes` (and at least twice `old`) holding a copy of `old`'s contents; `old` is
 * detached and unmapped. If the new mmap fails, `old` is left untouched and the error propagates.
 */
export function growMapping(old: Mapping, bytes: number, tally: OsCounters): Mapping {
  const grown = createMapping(Math.max(bytes, old.length * 2), tally);
  new Uint8Array(grown.buffer).set(new Uint8Array(old.buffer));
  releaseMapping(old, tally);
  return grown;
}

/** Detaches the mapping's buffer (its views read as empty from now on) and unmaps it. */
export function releaseMapping(mapping: Mapping, tally: OsCounters): void {
  detachBuffer(mapping.buffer);
  unmapMemory(mapping.address, mapping.length, tally);
}
