#!/usr/bin/env bun
/**
 * A bare replay of a trace's mallocs and frees on size-indexed MeMS, no bench loop around it: the least
 * and the median ns/op of 15 replays (each ending with finish), in the checkout it is run from or the one
 * named. For A/B of the core alone: alternate checkouts, several rounds, under /tmp/mems-bench.lock.
 *
 *   bun bench/ab/bare.ts TRACE [CHECKOUT]
 *   npm run ab:bare -- TRACE [CHECKOUT] (the same under /tmp/mems-bench.lock)
 */
import { loadCheckout } from "./checkout.ts";

const [trace, checkout] = process.argv.slice(2);
if (trace === undefined) throw new Error("usage: bun bench/ab/bare.ts TRACE [CHECKOUT]");
const { root, Mems, readScenario, Op } = await loadCheckout(checkout);
const scenario = readScenario(trace);
const { count, ops, a, b } = scenario;
const mems = new Mems({ lookup: "size-indexed" });
const handles = new Float64Array(scenario.slotCount);
const times: number[] = [];
for (let replay = 0; replay < 15; replay++) {
  const start = Bun.nanoseconds();
  for (let i = 0; i < count; i++) {
    const op = ops[i];
    if (op === Op.Malloc) handles[a[i] ?? 0] = mems.malloc(b[i] ?? 1);
    else if (op === Op.Free) mems.tryFree(handles[a[i] ?? 0] ?? 0);
  }
  mems.finish();
  times.push((Bun.nanoseconds() - start) / count);
}
times.sort((x, y) => x - y);
console.log(`${root} min ${(times[0] ?? 0).toFixed(1)} median ${(times[7] ?? 0).toFixed(1)}`);
