#!/usr/bin/env bun
/**
 * A/B of checkouts' cores inside ONE process, their runs interleaved (A, B, A, B, ...), so that both see
 * the same machine at the same moments: on a shared, busy machine the only fair comparison of small
 * differences. Each checkout's core is imported from its own path (its own module instances, its own
 * libc handle and counters). Prints per checkout the median and quartiles of the warm runs (the first
 * quarter is warm-up).
 *
 *   bun bench/ab/interleave.ts open CHECKOUT...          a heap's open, malloc(100), free and finish
 *   bun bench/ab/interleave.ts replay TRACE CHECKOUT...  bun bench's replay of TRACE on size-indexed
 *
 * Both cores go through the same call sites here, where the bench gives each allocator a process of its
 * own: the figures compare the checkouts, and are not the bench's.
 *
 * MEMS_AB_RUNS sets the rounds of a replay (default: about 3 million operations' worth, 20 to 2,000).
 * Run it under /tmp/mems-bench.lock, as every benchmark (never two at once).
 */
import type { Mems as MemsClass } from "../../core/index.ts";
import type { Scenario } from "../../trace/format.ts";
import { MemsAllocator } from "../allocators.ts";
import { replayOnce, replayState } from "../replay.ts";

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
  // The bench's own replay (bench/replay.ts: the replay rules of trace/rules.ts, `r` as bench/allocators.ts's
  // MeMS does it) over one instance of each core, reused from replay to replay as the bench does.
  const { readScenario } = await import(`${roots[0]}/trace/format.ts`);
  const scenario: Scenario = readScenario(trace);
  const blocks = replayState(scenario);
  const allocators = new Map(cores.map((core) => [core, new MemsAllocator("size-indexed", new core.Mems({ lookup: "size-indexed" }))]));
  runs = Number(process.env.MEMS_AB_RUNS ?? Math.max(20, Math.min(2000, Math.floor(3e6 / scenario.count))));
  run = (core) => {
    const allocator = allocators.get(core);
    if (allocator === undefined) return Number.NaN;
    const start = Bun.nanoseconds();
    replayOnce(allocator, scenario, blocks);
    return (Bun.nanoseconds() - start) / scenario.count;
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
