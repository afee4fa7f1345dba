/**
 * Bookkeeping tables grow in place where the pages after them are free, move with a copy where they are
 * not, and a growth can be taken back (mapping.ts); a failed growth of the record pool's second table
 * changes nothing (layout.ts Records.grow).
 */
import { afterEach, expect, test } from "bun:test";
import { codeOf, snapshot } from "../test-support/core.ts";
import { Mems } from "./index.ts";
import { createMapping, growMapping, keepGrowth, releaseMapping, undoGrowth } from "./mapping.ts";
import { mapMemoryAt, unmapMemory } from "./os.ts";
import { injectMmapFailures, OS_PAGE_SIZE } from "./testing.ts";

afterEach(() => injectMmapFailures(0));

function tally() {
  return { mmapCalls: 0, munmapCalls: 0, mappedBytes: 0 };
}

test("a growable table grows in place, keeping its contents, by at least an eighth", () => {
  const t = tally();
  const table = createMapping(16 * OS_PAGE_SIZE, t, true);
  new Uint8Array(table.buffer).fill(7);
  const grown = growMapping(table, 16 * OS_PAGE_SIZE + 1, t);
  expect(grown.address).toBe(table.address);
  expect(grown.length).toBe(18 * OS_PAGE_SIZE);
  keepGrowth(table, grown, t);
  expect(table.buffer.byteLength).toBe(0); // the old views read as empty
  const bytes = new Uint8Array(grown.buffer);
  expect(bytes[16 * OS_PAGE_SIZE - 1]).toBe(7);
  expect(bytes[16 * OS_PAGE_SIZE]).toBe(0);
  expect(t.mappedBytes).toBe(18 * OS_PAGE_SIZE);
  releaseMapping(grown, t);
  expect(t.mappedBytes).toBe(0);
  expect(t.munmapCalls).toBe(t.mmapCalls - 1); // one munmap for the table grown in two mmaps
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

/** mallocs of 8 bytes into one large HOLE: only the record pool grows. */
function filled(count: number): Mems {
  const mems = new Mems({ lookup: "size-indexed" });
  mems.free(mems.malloc(4 * 1024 * 1024));
  for (let i = 0; i < count; i++) mems.malloc(8);
  return mems;
}

test("the record pool's column failing to grow after its slots did takes the slots' growth back", () => {
  // Find a malloc whose pool growth maps both tables (two mmap calls), by counting on one instance.
  const probe = filled(0);
  let at = -1;
  for (let i = 0; i < 200_000 && at < 0; i++) {
    const calls = probe.stats().mmapCalls;
    probe.malloc(8);
    if (probe.stats().mmapCalls - calls === 2 && i > 10_000) at = i;
  }
  probe.finish();
  expect(at).toBeGreaterThan(0);
  const mems = filled(at);
  const before = mems.stats();
  const chains = snapshot(mems, []);
  injectMmapFailures(1, 1); // the slots grow, the column does not
  expect(codeOf(() => mems.malloc(8))).toBe("OUT_OF_MEMORY");
  const after = mems.stats();
  // Calls were made (the slots' mmap, a probe for the column's new room, and a munmap for each); every
  // one was given back, and nothing else differs.
  expect(after.mmapCalls).toBeGreaterThan(before.mmapCalls);
  expect(after.mmapCalls - after.munmapCalls).toBe(before.mmapCalls - before.munmapCalls);
  expect({ ...after, mmapCalls: 0, munmapCalls: 0 }).toEqual({ ...before, mmapCalls: 0, munmapCalls: 0 });
  expect(snapshot(mems, [])).toBe(chains);
  mems.checkInvariants();
  injectMmapFailures(0);
  mems.malloc(8);
  mems.checkInvariants();
  mems.finish();
});
