/**
 * TLSF's size mapping (core/lookups/size-indexed.ts): every size lands in the class whose range holds it, and the
 * search class of a request holds only sizes at least as large, on every first level up to 2^53.
 */
import { expect, test } from "bun:test";
import { Prng } from "../../lib/prng.ts";
import { classStart, mappingInsert, mappingSearch } from "./size-indexed.ts";

const seed = Prng.seedFrom("MEMS_TEST_SEED");

test("every size maps into its class, and the search class holds only sizes that fit", () => {
  const rng = new Prng(seed);
  const sizes: number[] = [];
  for (let bit = 0; bit < 53; bit++) for (const delta of [-1, 0, 1]) sizes.push(2 ** bit + delta);
  for (let i = 0; i < 20_000; i++) sizes.push(Math.floor(2 ** (rng.next() * 52)) + 1);
  for (const size of sizes) {
    if (size < 1 || size >= 2 ** 53) continue;
    const cls = mappingInsert(size);
    expect(classStart(cls)).toBeLessThanOrEqual(size);
    expect(classStart(cls + 1)).toBeGreaterThan(size);
    const search = mappingSearch(size);
    expect(classStart(search)).toBeGreaterThanOrEqual(size); // any HOLE of the search class fits
    expect(search === cls || search === cls + 1).toBe(true); // and no class is skipped past it
    if (classStart(cls) === size) expect(search).toBe(cls); // a size on a boundary searches its own class
  }
});
