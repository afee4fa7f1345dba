#!/usr/bin/env bun
/**
 * A/B of checkouts' cores inside ONE process, their runs interleaved (A, B, A, B, ...), so that both see
 * the same machine at the same moments: on a shared, busy machine the only fair comparison of small
 * differences. Each checkout's core is imported from its own path (its own module instances, its own
 * libc handle and counters). Prints per checkout the median and quartiles of the warm runs (the first
 * quarter is warm-up).
 *
 *   bun bench/ab/interleave.ts open CHECKOUT...          a heap's open, malloc(100), free and finish
 *   bun bench/ab/interleave.ts replay TRACE CHECKOUT...  a whole replay of TRACE's a, f and r on size-indexed
 *
 * MEMS_AB_RUNS sets the rounds of a replay (default: about 3 million operations' worth, 20 to 2,000).
 * Run it under /tmp/mems-bench.lock, as every benchmark (never two at once).
 */
import type { Mems as MemsClass } from "../../core/index.ts";
import type { Scenario } from "../../trace/format.ts";

type MemsModule = { Mems: typeof MemsClass };

const usage = "usage: bun bench/ab/interleave.ts open CHECKOUT... | replay TRACE CHECKOUT...";
const [mode, ...rest] = process.argv.slice(2);
if (mode !== "open" && mode !== "replay") throw new Error(usage);
const trace = mode === "replay" ? rest.shift() : undefined;
if (rest.length === 0 || (mode === "replay" && trace === undefined)) throw new Error(usage);
const roots = rest.map((root) => root.replace(/\/$/, ""));
const cores: MemsModule[] = await Promise.all(roots.map((root) => import(`${root}/core/index.ts`)));

/** One timed run of a core: ns per operation. */
let run: (core: MemsModule) => number;
let runs: number;
if (trace === undefined) {
  runs = 6000;
  run = ({ Mems }) => {
    const start = Bun.nanoseconds();
    const mems = new Mems({ lookup: "size-indexed" });
    mems.free(mems.malloc(100));
    mems.finish();
    return Bun.nanoseconds() - start;
  };
} else {
  const format = await import(`${roots[0]}/trace/format.ts`);
  const scenario: Scenario = format.readScenario(trace);
  const { count, ops, a, b } = scenario;
  const handles = new Float64Array(scenario.slotCount);
  const sizes = new Float64Array(scenario.slotCount);
  runs = Number(process.env.MEMS_AB_RUNS ?? Math.max(20, Math.min(2000, Math.floor(3e6 / count))));
  run = ({ Mems }) => {
    const start = Bun.nanoseconds();
    const mems = new Mems({ lookup: "size-indexed" });
    for (let i = 0; i < count; i++) {
      const op = ops[i];
      const slot = a[i] ?? 0;
      if (op === format.Op.Malloc) {
        handles[slot] = mems.malloc(b[i] ?? 1);
        sizes[slot] = b[i] ?? 1;
      } else if (op === format.Op.Free) mems.tryFree(handles[slot] ?? 0);
      else if (op === format.Op.Realloc) {
        // As the bench's MeMS does C's realloc (bench/allocators.ts): a new block, the bytes kept, the old freed.
        const size = b[i] ?? 1;
        const fresh = mems.malloc(size);
        const kept = Math.min(sizes[slot] ?? 0, size);
        if (kept > 0) mems.view(fresh, kept).set(mems.view(handles[slot] ?? 0, kept));
        if (kept > 0) mems.tryFree(handles[slot] ?? 0);
        handles[slot] = fresh;
        sizes[slot] = size;
      }
    }
    mems.finish();
    return (Bun.nanoseconds() - start) / count;
  };
}

const times: number[][] = roots.map(() => []);
for (let round = 0; round < runs; round++) {
  for (let k = 0; k < cores.length; k++) {
    // The order rotates each round, so no checkout always runs first.
    const index = (k + round) % cores.length;
    const core = cores[index];
    if (core === undefined) continue;
    const ns = run(core);
    if (round >= runs / 4) times[index]?.push(ns);
  }
}
const what = trace === undefined ? "open, malloc, free, finish: us" : `${trace.split("/").pop()}: ns/op`;
const scale = trace === undefined ? 1000 : 1;
for (const [k, root] of roots.entries()) {
  const sorted = (times[k] ?? []).sort((x, y) => x - y);
  const at = (p: number) => ((sorted[Math.floor(p * (sorted.length - 1))] ?? Number.NaN) / scale).toFixed(1);
  console.log(`${what} ${root}  median ${at(0.5)}  quartiles ${at(0.25)}-${at(0.75)}  (${sorted.length} runs)`);
}
