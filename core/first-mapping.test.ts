/**
 * A heap's first mapping (first-mapping.ts): by default a small heap opens with one mmap and finishes
 * with one munmap, every byte given back; tables that outgrow their first slices move out, a first
 * segment larger than the first region maps on its own, and a failure leaves nothing behind.
 */

import { dlopen, FFIType, type Pointer } from "bun:ffi";
import { afterEach, expect, test } from "bun:test";
import { codeOf, snapshot } from "../test-support/core.ts";
import { CORE_BYTES, FirstMapping, TABLE_BYTES } from "./first-mapping.ts";
import { keepSpareBookkeeping, LOOKUPS, Mems } from "./index.ts";
import { FIRST_REGION, injectMmapFailures, OS_PAGE_SIZE, osCounters, releaseSpareBookkeeping } from "./testing.ts";

const { symbols: kernel } = dlopen("libc.so.6", { mincore: { args: [FFIType.ptr, FFIType.u64, FFIType.ptr], returns: FFIType.i32 } });

/** How many OS pages of `length` bytes at `address` (a page boundary) are in memory: written, or read. */
function pagesInMemory(address: number, length: number): number {
  const vector = new Uint8Array(Math.ceil(length / OS_PAGE_SIZE));
  if (kernel.mincore(address as Pointer, length, vector) !== 0) throw new Error(`mincore(${address}, ${length}) failed`);
  return vector.reduce((sum, byte) => sum + (byte & 1), 0);
}

afterEach(() => {
  injectMmapFailures(0);
  keepSpareBookkeeping(0);
});

test("size-indexed: open, one malloc, its free and finish take one mmap and one munmap, and leave nothing mapped", () => {
  releaseSpareBookkeeping();
  const before = osCounters();
  const mems = new Mems({ lookup: "size-indexed" });
  mems.free(mems.malloc(100));
  const stats = mems.stats();
  expect([stats.mmapCalls, stats.munmapCalls]).toEqual([1, 0]);
  expect(stats.regionBytes).toBe(FIRST_REGION);
  mems.finish();
  const after = osCounters();
  expect([after.mmapCalls - before.mmapCalls, after.munmapCalls - before.munmapCalls]).toEqual([1, 1]);
  expect(after.mappedBytes).toBe(before.mappedBytes);
});

test.each([...LOOKUPS])("%s: tables that outgrow their first slices move out; finish still unmaps every byte", (lookup) => {
  const before = osCounters().mappedBytes;
  const mems = new Mems({ lookup });
  const blocks: number[] = [];
  // 3,000 blocks of 100 bytes: far past the pool's first 64 records and the address map's first 16 KiB.
  for (let i = 0; i < 3000; i++) blocks.push(mems.malloc(100));
  for (let i = 0; i < blocks.length; i += 2) mems.free(blocks[i] ?? -1);
  mems.checkInvariants();
  expect(mems.stats().regionBytes).toBeGreaterThan(FIRST_REGION);
  mems.finish();
  expect(osCounters().mappedBytes).toBe(before);
  // The instance opens again from a fresh first mapping.
  expect(mems.malloc(100)).toBe(mems.startAddress);
  mems.finish();
  expect(osCounters().mappedBytes).toBe(before);
});

test("a first segment larger than the first region maps its own; the region's pages are unmapped at once", () => {
  const before = osCounters();
  const mems = new Mems({ lookup: "size-indexed" });
  const a = mems.malloc(FIRST_REGION + 1);
  mems.view(a).fill(9);
  const stats = mems.stats();
  expect(stats.regionBytes).toBeGreaterThan(FIRST_REGION);
  // The first mapping's region (not written, never a segment's) is unmapped, not left counted as bookkeeping.
  expect(stats.bookkeepingBytes).toBeLessThan(FIRST_REGION);
  expect(stats.munmapCalls).toBeGreaterThan(0);
  mems.checkInvariants();
  mems.finish();
  expect(osCounters().mappedBytes).toBe(before.mappedBytes);
});

test("the first mapping failing is OUT_OF_MEMORY and changes nothing; the next malloc succeeds", () => {
  const mems = new Mems({ lookup: "size-indexed" });
  const before = osCounters().mappedBytes;
  const empty = snapshot(mems, []);
  injectMmapFailures(1);
  expect(codeOf(() => mems.malloc(100))).toBe("OUT_OF_MEMORY");
  expect(snapshot(mems, [])).toBe(empty);
  expect(osCounters().mappedBytes).toBe(before);
  expect(mems.malloc(100)).toBe(mems.startAddress);
  mems.finish();
  expect(osCounters().mappedBytes).toBe(before);
});

test("with spare tables kept, the tables come from the spares and the first region is mapped on its own, as before", () => {
  keepSpareBookkeeping(256 * 1024);
  const warm = new Mems({ lookup: "size-indexed" });
  warm.free(warm.malloc(100));
  warm.finish(); // its tables are spares now
  const mems = new Mems({ lookup: "size-indexed" });
  mems.free(mems.malloc(100));
  const stats = mems.stats();
  expect([stats.mmapCalls, stats.regionBytes]).toEqual([1, FIRST_REGION]); // the region only
  mems.checkInvariants();
  mems.finish();
});

test("slices come from their zones, are zeroed when reused, and the last one given back unmaps it all", () => {
  const t = { mmapCalls: 0, munmapCalls: 0, mappedBytes: 0 };
  const first = new FirstMapping(t, FIRST_REGION, () => true);
  const lookup = first.slice(1000, true);
  const table = first.slice(100);
  if (lookup === null || table === null) throw new Error("the table part has room for both");
  expect([lookup.length, table.length]).toEqual([1000, 104]); // whole 8 bytes
  expect(lookup.address - table.address).toBe(CORE_BYTES); // the core zone first, the lookup zone after it
  expect(t).toEqual({ mmapCalls: 1, munmapCalls: 0, mappedBytes: TABLE_BYTES + FIRST_REGION });
  new Uint8Array(table.buffer).fill(7);
  first.giveBack(table);
  expect(table.buffer.byteLength).toBe(0); // detached
  const again = first.slice(104);
  expect(again?.address).toBe(table.address);
  expect(new Uint8Array(again?.buffer ?? new ArrayBuffer(1)).every((byte) => byte === 0)).toBe(true);
  expect(first.slice(CORE_BYTES)).toBeNull(); // no room left in the core zone: the table maps on its own
  expect(first.slice(TABLE_BYTES - CORE_BYTES, true)).toBeNull(); // nor in the lookup zone
  const region = first.takeRegion(FIRST_REGION);
  expect(region).toBe(table.address + TABLE_BYTES);
  expect(first.takeRegion(4096)).toBe(-1); // taken
  first.giveBack(lookup);
  if (again !== null) first.giveBack(again);
  expect(t.munmapCalls).toBe(0); // the region is still taken
  first.giveBackRegion();
  expect(t).toEqual({ mmapCalls: 1, munmapCalls: 1, mappedBytes: 0 });
  expect(first.mapped).toBe(false);
});

test("size-indexed: a heap's first block, its free and a second small segment write one page of bookkeeping", () => {
  const mems = new Mems({ lookup: "size-indexed" });
  const a = mems.malloc(100);
  // The first segment lies at the start of the first region, right after the table part.
  const tables = mems.get(a) - TABLE_BYTES;
  expect(pagesInMemory(tables, TABLE_BYTES)).toBe(1);
  mems.free(a);
  mems.free(mems.malloc(5000)); // a second segment and a HOLE of 3 KiB: heads from 1 KiB up
  mems.free(mems.malloc(2 * 4096));
  expect(pagesInMemory(tables, TABLE_BYTES)).toBe(1);
  // A HOLE below 1 KiB is listed in the heads of the exact classes, in the next pages.
  mems.malloc(4000);
  expect(pagesInMemory(tables, TABLE_BYTES)).toBe(2);
  mems.checkInvariants();
  mems.finish();
});
