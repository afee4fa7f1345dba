#!/usr/bin/env bun
/**
 * The cost of opening and closing a heap: `new Mems`, one malloc of 100 bytes, its free and finish, timed
 * together 2,000 times; prints the median and the least of the last 1,000 (warm), in the checkout it is
 * run from or the one named. For A/B: alternate checkouts, several rounds, under /tmp/mems-bench.lock.
 *
 *   bun bench/ab/open.ts [CHECKOUT]
 *   npm run ab:open -- [CHECKOUT] (the same under /tmp/mems-bench.lock)
 */
import { loadCheckout } from "./checkout.ts";

const { root, Mems } = await loadCheckout(process.argv[2]);
const rounds: number[] = [];
for (let round = 0; round < 2000; round++) {
  const start = Bun.nanoseconds();
  const mems = new Mems({ lookup: "size-indexed" });
  mems.free(mems.malloc(100));
  mems.finish();
  rounds.push(Bun.nanoseconds() - start);
}
const warm = rounds.slice(1000).sort((x, y) => x - y);
const us = (ns: number | undefined) => ((ns ?? Number.NaN) / 1000).toFixed(1);
console.log(`${root} open, malloc, free, finish: median ${us(warm[500])} us, least ${us(warm[0])} us`);
