/**
 * A heap's first mapping (first-mapping.ts): by default a small heap opens with one mmap and finishes
 * with one munmap, every byte given back; tables that outgrow their first slices move out, a first
 * segment larger than the first region maps on its own, and a failure leaves nothing behind.
 */
import { afterEach, expect, test } from "bun:test";
import { codeOf, snapshot } from "../test-support/core.ts";
import { keepSpareBookkeeping, LOOKUPS, Mems } from "./index.ts";
import { FIRST_REGION, injectMmapFailures, osCounters, releaseSpareBookkeeping } from "./testing.ts";

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
