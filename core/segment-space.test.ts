/**
 * Segments carved out of OS mappings (segment-space.ts): one after the other from page boundaries,
 * a region mapped only when a segment does not fit what is left, a carve taken back exactly, and every
 * region unmapped at release, those side by side in one call.
 */
import { afterEach, expect, test } from "bun:test";
import { codeOf } from "../test-support/core.ts";
import { SegmentSpace } from "./segment-space.ts";
import { FIRST_REGION, injectMmapFailures, OS_PAGE_SIZE } from "./testing.ts";

afterEach(() => injectMmapFailures(0));

function tally() {
  return { mmapCalls: 0, munmapCalls: 0, mappedBytes: 0 };
}

test("segments follow each other in a region from OS page boundaries; a region is mapped only when one does not fit", () => {
  const t = tally();
  const space = new SegmentSpace(t, 1000); // PAGE_SIZE 1000: segments are rounded up to OS pages in the region
  const first = space.carve(3000);
  expect(first.mapped).toBe(true);
  expect(first.base % OS_PAGE_SIZE).toBe(0);
  const second = space.carve(5000);
  expect(second).toEqual({ base: first.base + OS_PAGE_SIZE, mapped: false });
  expect(space.carve(1000).base).toBe(second.base + 2 * OS_PAGE_SIZE);
  expect(t.mmapCalls).toBe(1);
  expect(space.mappedBytes % 1000).toBe(0); // a whole number of PAGE_SIZE
  expect(space.mappedBytes).toBeGreaterThanOrEqual(FIRST_REGION);
  const big = space.carve(FIRST_REGION * 2);
  expect(big.mapped).toBe(true);
  expect(space.regionCount).toBe(2);
  expect(t.mmapCalls).toBe(2);
  space.release();
  expect(t.mappedBytes).toBe(0);
  expect(t.munmapCalls).toBeGreaterThanOrEqual(1);
  expect(t.munmapCalls).toBeLessThanOrEqual(2);
  expect(space.mappedBytes).toBe(0);
});

test("a carve taken back is carved again at the same base; a region mapped for it is unmapped", () => {
  const t = tally();
  const space = new SegmentSpace(t, 4096);
  space.carve(4096);
  const carved = space.carve(8192);
  space.undo(carved);
  expect(space.carve(8192).base).toBe(carved.base);
  const held = t.mappedBytes;
  const mapped = space.carve(FIRST_REGION * 4);
  expect(mapped.mapped).toBe(true);
  space.undo(mapped);
  expect(t.mappedBytes).toBe(held);
  expect(space.regionCount).toBe(1);
  expect(space.carve(FIRST_REGION * 4).mapped).toBe(true); // the region before is not carved past its end
  space.release();
  expect(t.mappedBytes).toBe(0);
});

test("a refused mmap is OUT_OF_MEMORY and changes nothing", () => {
  const t = tally();
  const space = new SegmentSpace(t, 4096);
  const first = space.carve(4096);
  injectMmapFailures(1);
  expect(codeOf(() => space.carve(FIRST_REGION * 2))).toBe("OUT_OF_MEMORY");
  expect(space.regionCount).toBe(1);
  expect(space.carve(4096).base).toBe(first.base + 4096);
  space.release();
  expect(t.mappedBytes).toBe(0);
});
