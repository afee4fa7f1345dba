/**
 * No JS object per block: the free list lives in mapped memory, so a million live blocks leave the
 * JavaScript heap (measured by JavaScriptCore's own statistics after a full collection) almost as it was.
 * JavaScriptCore counts the bytes of ArrayBuffers over MeMS's own mappings as "extra memory" in its
 * heap size; those are bookkeeping pages outside the GC heap (reported by stats().bookkeepingBytes), so
 * they are subtracted.
 */
import { heapStats } from "bun:jsc";
import { expect, test } from "bun:test";
import { LOOKUPS, Mems } from "./index.ts";

function jsHeap(): { bytes: number; objects: number } {
  Bun.gc(true);
  const stats = heapStats();
  return { bytes: stats.heapSize - stats.extraMemorySize, objects: stats.objectCount };
}

test.each(LOOKUPS)(
  "%s: 1,000,000 live blocks, with frees, translations (and refills), grow the JS heap by less than 2 MB",
  (lookup) => {
    // Large pages keep first-fit's main chain short; the point here is memory, not speed.
    const mems = new Mems({ lookup, pageSize: 1 << 16 });
    const count = 1_000_000;
    const addresses = new Float64Array(count);
    try {
      const before = jsHeap();
      for (let i = 0; i < count; i++) addresses[i] = mems.malloc(16 + (i & 15));
      let translated = 0;
      for (let i = 0; i < count; i += 2) {
        mems.free(addresses[i] ?? -1); // a missing entry would be a bad free, and throw
        translated += mems.get((addresses[i + 1] ?? -1) + 3);
      }
      // first-fit would rescan the long sub-chains for every refill (quadratic); the point is memory.
      if (lookup === "size-indexed") for (let i = 0; i < count; i += 2) addresses[i] = mems.malloc(16 + (i & 15));
      const after = jsHeap();
      expect(translated).toBeGreaterThan(0);
      expect(mems.stats().liveBlocks).toBe(lookup === "size-indexed" ? count : count / 2);
      expect(after.bytes - before.bytes).toBeLessThan(2 * 1024 * 1024);
      expect(after.objects - before.objects).toBeLessThan(10_000); // compiled code and such, not blocks
    } finally {
      mems.finish();
    }
  },
  60_000,
);
