/**
 * Bookkeeping tables grow in place where the pages after them are free, move with a copy where they are
 * not, and a growth can be taken back (mapping.ts); a failed mmap for a new segment's tables changes
 * nothing.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { codeOf, snapshot } from "../test-support/core.ts";
import { Mems } from "./index.ts";
import { createMapping, growMapping, keepGrowth, keepSpareBookkeeping, releaseMapping, undoGrowth } from "./mapping.ts";
import { mapMemoryAt, unmapMemory } from "./os.ts";
import { injectMmapFailures, OS_PAGE_SIZE, osCounters, releaseSpareBookkeeping, spareBookkeepingBytes } from "./testing.ts";

// Every test starts from a process that keeps no spare table, so each mapping here is a fresh mmap, and
// that lets the process keep 256 KiB of spares (the default keeps none: the test of the default says so).
beforeEach(() => {
  releaseSpareBookkeeping();
  keepSpareBookkeeping(256 * 1024);
});
afterEach(() => {
  injectMmapFailures(0);
  keepSpareBookkeeping(0);
});

test("by default a table given back is unmapped and a finished heap leaves no byte mapped", () => {
  keepSpareBookkeeping(0);
  const t = tally();
  const table = createMapping(2 * OS_PAGE_SIZE, t);
  releaseMapping(table, t);
  expect({ ...t, spare: spareBookkeepingBytes() }).toEqual({ mmapCalls: 1, munmapCalls: 1, mappedBytes: 0, spare: 0 });
  const before = osCounters().mappedBytes;
  const mems = new Mems({ lookup: "size-indexed" });
  mems.free(mems.malloc(100));
  mems.malloc(9000);
  mems.finish();
  expect(osCounters().mappedBytes).toBe(before);
  expect(spareBookkeepingBytes()).toBe(0);
});

test("keepSpareBookkeeping takes whole bytes from 0 to 2^30; lowering it gives the spares back", () => {
  for (const bad of [-1, 0.5, 2 ** 30 + 1, Number.NaN, "4096" as unknown as number]) {
    expect(codeOf(() => keepSpareBookkeeping(bad))).toBe("INVALID_OPTION");
  }
  const t = tally();
  releaseMapping(createMapping(OS_PAGE_SIZE, t), t);
  expect(spareBookkeepingBytes()).toBe(OS_PAGE_SIZE);
  keepSpareBookkeeping(0);
  expect(spareBookkeepingBytes()).toBe(0);
  expect(t.munmapCalls).toBe(0); // (the spare left this tally when it was given back; its munmap is the process's)
});

function tally() {
  return { mmapCalls: 0, munmapCalls: 0, mappedBytes: 0 };
}

test("a growable table grows in place, keeping its contents: a small one doubles, one of 1 MiB or more grows by an eighth", () => {
  const t = tally();
  const large = createMapping(1024 * 1024, t, true);
  const largeGrown = growMapping(large, large.length + 1, t);
  expect(largeGrown.length).toBe(large.length + (1024 * 1024) / 8);
  keepGrowth(large, largeGrown, t);
  releaseMapping(largeGrown, t);
  releaseSpareBookkeeping();
  t.munmapCalls = 0;

  const table = createMapping(16 * OS_PAGE_SIZE, t, true);
  new Uint8Array(table.buffer).fill(7);
  const grown = growMapping(table, 16 * OS_PAGE_SIZE + 1, t);
  expect(grown.address).toBe(table.address);
  expect(grown.length).toBe(32 * OS_PAGE_SIZE);
  keepGrowth(table, grown, t);
  expect(table.buffer.byteLength).toBe(0); // the old views read as empty
  const bytes = new Uint8Array(grown.buffer);
  expect(bytes[16 * OS_PAGE_SIZE - 1]).toBe(7);
  expect(bytes[16 * OS_PAGE_SIZE]).toBe(0);
  expect(t.mappedBytes).toBe(32 * OS_PAGE_SIZE);
  releaseMapping(grown, t);
  expect(t.mappedBytes).toBe(0);
  // The probe's munmap, and the pages past the 64 KiB the process keeps for its next table.
  expect(t.munmapCalls).toBe(2);
  expect(spareBookkeepingBytes()).toBe(64 * 1024);
});

test("a table given back is kept for the next table of the process: no mmap, zeroed when asked", () => {
  const t = tally();
  const table = createMapping(2 * OS_PAGE_SIZE, t);
  new Uint8Array(table.buffer).fill(3);
  releaseMapping(table, t);
  expect(table.buffer.byteLength).toBe(0);
  expect({ ...t, spare: spareBookkeepingBytes() }).toEqual({ mmapCalls: 1, munmapCalls: 0, mappedBytes: 0, spare: 2 * OS_PAGE_SIZE });
  const kept = createMapping(OS_PAGE_SIZE, t, false, false); // the smallest spare that holds it, as it was left
  expect(kept.address).toBe(table.address);
  expect(new Uint8Array(kept.buffer)[2 * OS_PAGE_SIZE - 1]).toBe(3);
  expect({ ...t, spare: spareBookkeepingBytes() }).toEqual({ mmapCalls: 1, munmapCalls: 0, mappedBytes: 2 * OS_PAGE_SIZE, spare: 0 });
  releaseMapping(kept, t);
  const zeroed = createMapping(OS_PAGE_SIZE, t);
  expect(new Uint8Array(zeroed.buffer).every((byte) => byte === 0)).toBe(true);
  expect(createMapping(OS_PAGE_SIZE, t).address).not.toBe(table.address); // no spare left: a fresh mmap
  expect(t.mmapCalls).toBe(2);
});

test("a table whose next pages are taken moves: twice as large, copied, the old one unmapped", () => {
  const t = tally();
  const table = createMapping(4 * OS_PAGE_SIZE, t, true);
  new Uint8Array(table.buffer).fill(9);
  expect(mapMemoryAt(table.address + table.length, OS_PAGE_SIZE)).toBe(true); // someone else's mapping
  const grown = growMapping(table, 5 * OS_PAGE_SIZE, t);
  expect(grown.address).not.toBe(table.address);
  expect(grown.length).toBe(8 * OS_PAGE_SIZE);
  keepGrowth(table, grown, t);
  expect(new Uint8Array(grown.buffer)[4 * OS_PAGE_SIZE - 1]).toBe(9);
  expect(t.mappedBytes).toBe(8 * OS_PAGE_SIZE);
  releaseMapping(grown, t);
  unmapMemory(table.address + table.length, OS_PAGE_SIZE);
});

test("a growth taken back leaves the table as it was, in place or moved", () => {
  for (const taken of [false, true]) {
    const t = tally();
    const table = createMapping(4 * OS_PAGE_SIZE, t, true);
    new Uint8Array(table.buffer).fill(5);
    if (taken) mapMemoryAt(table.address + table.length, OS_PAGE_SIZE);
    const grown = growMapping(table, 6 * OS_PAGE_SIZE, t);
    undoGrowth(table, grown, t);
    expect(t.mappedBytes).toBe(4 * OS_PAGE_SIZE);
    expect(new Uint8Array(table.buffer)[4 * OS_PAGE_SIZE - 1]).toBe(5);
    if (!taken) expect(mapMemoryAt(table.address + table.length, OS_PAGE_SIZE)).toBe(true); // the pages are free again
    unmapMemory(table.address + table.length, OS_PAGE_SIZE);
    releaseMapping(table, t);
  }
});

test("an injected failure refuses a growth in place and its fallback as one call, and changes nothing", () => {
  const t = tally();
  const table = createMapping(4 * OS_PAGE_SIZE, t, true);
  injectMmapFailures(1);
  expect(codeOf(() => growMapping(table, 5 * OS_PAGE_SIZE, t))).toBe("OUT_OF_MEMORY");
  expect(t.mappedBytes).toBe(4 * OS_PAGE_SIZE);
  const grown = growMapping(table, 5 * OS_PAGE_SIZE, t); // the injection is spent
  expect(grown.address).toBe(table.address);
  keepGrowth(table, grown, t);
  releaseMapping(grown, t);
});

test("each mmap a new segment needs (the segment, the address map, the page table) can fail and change nothing", () => {
  const pageSize = 64 * 128;
  let failures = 0;
  for (let passing = 0; passing < 6; passing++) {
    releaseSpareBookkeeping(); // the last heap's tables would spare the growths their mmaps
    const mems = new Mems({ lookup: "size-indexed", pageSize });
    const freed = mems.malloc(100);
    const blocks = [mems.malloc(pageSize * 3), mems.malloc(5000)];
    mems.free(freed);
    const before = mems.stats();
    const chains = snapshot(mems, blocks);
    injectMmapFailures(1, passing);
    const code = codeOf(() => mems.malloc(pageSize * 5000)); // a segment far larger than the tables cover
    injectMmapFailures(0);
    if (code !== "no error") {
      expect(code).toBe("OUT_OF_MEMORY");
      failures++;
      const after = mems.stats();
      expect(after.heldBytes).toBe(before.heldBytes);
      expect({ ...after, mmapCalls: 0, munmapCalls: 0 }).toEqual({ ...before, mmapCalls: 0, munmapCalls: 0 });
      expect(snapshot(mems, blocks)).toBe(chains);
    }
    mems.checkInvariants();
    expect(mems.malloc(pageSize * 5000)).toBeGreaterThan(0);
    mems.checkInvariants();
    mems.finish();
  }
  expect(failures).toBe(3); // the segment, the address map, the page table; then the injection comes too late
});
