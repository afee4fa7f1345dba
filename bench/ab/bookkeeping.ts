#!/usr/bin/env bun
/**
 * MeMS's bookkeeping per live block at the moment a trace has every block allocated (after its last
 * malloc): stats().bookkeepingBytes / liveBlocks, with the HOLEs and segments behind it, for size-indexed
 * at the alignment given. Reads the checkout it is run from, or the one named.
 *
 *   bun bench/ab/bookkeeping.ts TRACE [ALIGN] [CHECKOUT]
 *   npm run ab:bookkeeping -- TRACE [ALIGN] [CHECKOUT]
 */
import { loadCheckout } from "./checkout.ts";

const [trace, alignText, checkout] = process.argv.slice(2);
if (trace === undefined) throw new Error("usage: bun bench/ab/bookkeeping.ts TRACE [ALIGN] [CHECKOUT]");
const { root, Mems, readScenario, Op } = await loadCheckout(checkout);
const scenario = readScenario(trace);
const align = Number(alignText ?? 1) as 1 | 2 | 4 | 8 | 16;
const mems = new Mems({ lookup: "size-indexed", align });
const handles = new Float64Array(scenario.slotCount);
let last = 0;
for (let i = 0; i < scenario.count; i++) if (scenario.ops[i] === Op.Malloc) last = i;
for (let i = 0; i <= last; i++) {
  const slot = scenario.a[i] ?? 0;
  if (scenario.ops[i] === Op.Malloc) handles[slot] = mems.malloc(scenario.b[i] ?? 1);
  else if (scenario.ops[i] === Op.Free) mems.free(handles[slot] ?? 0);
}
const stats = mems.stats();
console.log(
  JSON.stringify({
    checkout: root,
    align,
    liveBlocks: stats.liveBlocks,
    holes: stats.holes,
    segments: stats.mainChainLength,
    bookkeepingBytes: stats.bookkeepingBytes,
    perLiveBlock: Number((stats.bookkeepingBytes / stats.liveBlocks).toFixed(1)),
  }),
);
mems.finish();
