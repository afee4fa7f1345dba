#!/usr/bin/env bun
/**
 * malloc and free timed apart: a replay of a trace's mallocs and frees on size-indexed MeMS with a clock
 * read around every call, so the two costs can be compared between checkouts one at a time. Each figure
 * includes the clock's own cost (Bun.nanoseconds, the same in every checkout), so only differences
 * between checkouts mean anything. Prints the replay (of 15) with the least malloc + free.
 *
 *   bun bench/ab/split.ts TRACE [CHECKOUT]
 *   npm run ab:split -- TRACE [CHECKOUT] (the same under /tmp/mems-bench.lock)
 */
import { loadCheckout } from "./checkout.ts";

const [trace, checkout] = process.argv.slice(2);
if (trace === undefined) throw new Error("usage: bun bench/ab/split.ts TRACE [CHECKOUT]");
const { root, Mems, readScenario, Op } = await loadCheckout(checkout);
const scenario = readScenario(trace);
const { count, ops, a, b } = scenario;
const mems = new Mems({ lookup: "size-indexed" });
const handles = new Float64Array(scenario.slotCount);
const now = Bun.nanoseconds;
let best = { malloc: Number.POSITIVE_INFINITY, free: Number.POSITIVE_INFINITY };
for (let replay = 0; replay < 15; replay++) {
  let mallocTime = 0;
  let freeTime = 0;
  let mallocs = 0;
  let frees = 0;
  for (let i = 0; i < count; i++) {
    const op = ops[i];
    const start = now();
    if (op === Op.Malloc) {
      handles[a[i] ?? 0] = mems.malloc(b[i] ?? 1);
      mallocTime += now() - start;
      mallocs++;
    } else if (op === Op.Free) {
      mems.tryFree(handles[a[i] ?? 0] ?? 0);
      freeTime += now() - start;
      frees++;
    }
  }
  mems.finish();
  const figures = { malloc: mallocTime / mallocs, free: freeTime / frees };
  if (figures.malloc + figures.free < best.malloc + best.free) best = figures;
}
console.log(`${root} malloc ${best.malloc.toFixed(1)} free ${best.free.toFixed(1)} ns (clock included)`);
