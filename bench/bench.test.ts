/**
 * The benchmark harness stays honest: every in-process allocator replays a small trace to the end with
 * every block freed, and the sampling plan times what it says (the quick run end to end, with its report
 * in Chromium: bench.e2e.test.ts).
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { parseScenario } from "../trace/format.ts";
import { generateChurnTrace } from "../trace/generate.ts";
import { ALLOCATORS, createAllocator, isAllocatorName } from "./allocators.ts";
import { ensureTlsfWasm } from "./peers/wasm.ts";
import { replayOnce, replayState, traceWorkload } from "./replay.ts";
import { COLD_ONLY_MS, samplingPlan, timeTask } from "./sampling.ts";

/**
 * Allocators the in-process tests leave out: the two timed in their own processes, and jemalloc
 * unless this process started with the tunable its dlopen needs (bench/peers/peers.test.ts runs it in
 * a child that has it).
 */
const NOT_IN_THIS_PROCESS = new Set<string>(["c-reference", "glibc-c"]);
if (process.env.GLIBC_TUNABLES?.includes("optional_static_tls") !== true) NOT_IN_THIS_PROCESS.add("jemalloc-ffi");

beforeAll(async () => {
  await ensureTlsfWasm();
});

describe("replay loop", () => {
  // 50 live blocks, a few hundred replacements, then every block freed; and a realloc-heavy trace.
  const churn = parseScenario(generateChurnTrace(7, { live: 50, replacements: 300 }), "churn.rep");
  const realloc = parseScenario(
    ["1", "3", "8", "1", "a 0 100", "a 1 20", "r 0 300", "r 1 10", "a 2 0", "r 0 50", "f 0", "f 1"].join("\n"),
    "realloc.rep",
  );

  for (const name of ALLOCATORS) {
    if (NOT_IN_THIS_PROCESS.has(name)) continue;
    for (const scenario of [churn, realloc]) {
      test(`${name} frees everything on ${scenario.file}`, () => {
        const allocator = createAllocator(name, traceWorkload(scenario));
        if (allocator === undefined) throw new Error(`${name} did not construct`);
        const state = replayState(scenario);
        const mmapCalls: (number | undefined)[] = [];
        for (let run = 0; run < 3; run++) {
          const outcome = replayOnce(allocator, scenario, state, true);
          expect(outcome.liveAtEnd).toBe(0);
          // Where the allocator counts its own live blocks, it must agree.
          if (outcome.stats.liveBlocks !== undefined) expect(outcome.stats.liveBlocks).toBe(0);
          // MeMS reports its tables as they were before the finish (they only grow until then); no peer has any.
          if (name.startsWith("mems-")) expect(outcome.stats.bookkeepingBytes).toBeGreaterThan(0);
          else expect(outcome.stats.bookkeepingBytes).toBeUndefined();
          mmapCalls.push(outcome.stats.mmapCalls);
        }
        // The figures are one replay's, however many replays the allocator has made before; MeMS's first
        // maps its tables, the next ones take them back from the process's spares (core/mapping.ts).
        expect(new Set(mmapCalls.slice(1)).size).toBe(1);
        if (name.startsWith("mems-")) expect(mmapCalls[0] ?? 0).toBeGreaterThanOrEqual(mmapCalls[1] ?? 0);
        else expect(mmapCalls[0]).toBe(mmapCalls[1]);
      });
    }
  }

  // A MeMS scenario with what malloc-lab traces lack: reallocs of dead and live IDs, writes, reads and
  // translations, a finish in the middle, an `a` on a live ID (its old block is leaked, as the runner and
  // C leak it), and blocks left live at the end (the replay's finish gives them back).
  const scenario = parseScenario(
    [
      "a 0 100",
      "r 1 40",
      "w 0 4 7",
      "g 1 0",
      "p 0 99",
      "v 0",
      "s",
      "e hello",
      "r 1 0",
      "r 0 200",
      "x",
      "a 2 0",
      "a 3 64",
      "a 3 32",
      "r 3 16",
    ].join("\n"),
    "mixed.mtrace",
  );

  for (const name of ALLOCATORS) {
    if (NOT_IN_THIS_PROCESS.has(name)) continue;
    test(`${name} replays writes, reads, reallocs and a finish, and frees what is left`, () => {
      const allocator = createAllocator(name, traceWorkload(scenario));
      if (allocator === undefined) throw new Error(`${name} did not construct`);
      const state = replayState(scenario);
      const first = replayOnce(allocator, scenario, state, true);
      expect(first.liveAtEnd).toBe(2); // ID 3's block when the trace ends, and the one `a 3 32` leaked
      if (first.stats.liveBlocks !== undefined) expect(first.stats.liveBlocks).toBe(2);
      if (allocator.translate !== undefined) expect(first.sink).toBeGreaterThan(0);
      // Peaks are merged across the finish inside the scenario: at least the 200-byte realloc was seen.
      if (first.stats.peakMappedBytes !== undefined) expect(first.stats.peakMappedBytes).toBeGreaterThanOrEqual(200);
      expect(replayOnce(allocator, scenario, state).liveAtEnd).toBe(2);
    });
  }

  test("mems-size-indexed-a16 hands out blocks whose addresses are multiples of 16; mems-size-indexed does not", () => {
    const residues = (name: "mems-size-indexed" | "mems-size-indexed-a16") => {
      const allocator = createAllocator(name, traceWorkload(scenario));
      if (allocator?.translate === undefined) throw new Error(`${name} has no addresses`);
      const translate = allocator.translate;
      const handles = [3, 17, 100, 5000, 1, 33].map((size) => allocator.malloc(size));
      const found = new Set(handles.map((handle) => translate(handle, 0) % 16));
      allocator.finish();
      return [...found];
    };
    expect(residues("mems-size-indexed-a16")).toEqual([0]);
    expect(residues("mems-size-indexed").length).toBeGreaterThan(1);
  });

  test("allocator names: all are known, c-reference and glibc-c run out of process, others are refused", () => {
    for (const name of ALLOCATORS) expect(isAllocatorName(name)).toBe(true);
    expect(isAllocatorName("jemalloc")).toBe(false);
    expect(createAllocator("c-reference", traceWorkload(scenario))).toBeUndefined();
    expect(createAllocator("glibc-c", traceWorkload(scenario))).toBeUndefined();
  });

  test("traceWorkload counts the peak of live bytes after each operation", () => {
    expect(traceWorkload(realloc)).toEqual({ peakLiveBytes: 320, peakLiveBlocks: 2 });
  });
});

describe("sampling", () => {
  const budget = { timeMs: 300, iterations: 3, warmupMs: 0, warmupIterations: 1 };

  test("a replay of up to a second gets the full budget; a longer one warm samples; a very slow one its cold run", () => {
    expect(samplingPlan(40, budget)).toEqual(budget);
    expect(samplingPlan(1000, budget)).toEqual(budget);
    // 1.3 s (mems at 1,000,000 live blocks): the cold run was the warmup, the figure comes from warm runs.
    const warm = samplingPlan(1300, budget);
    expect(warm?.iterations).toBeGreaterThanOrEqual(3);
    expect(warm?.warmupIterations).toBe(0);
    expect(samplingPlan(COLD_ONLY_MS, budget)).toEqual(warm);
    expect(samplingPlan(COLD_ONLY_MS + 1, budget)).toBeUndefined();
  });

  test("a task runs exactly as often as the plan says: no untimed extra call", async () => {
    // A replay of churn-10k by thi.ng takes 14 s: one hidden call more doubles the cell's time.
    for (const plan of [
      { timeMs: 0, iterations: 1, warmupMs: 0, warmupIterations: 0 },
      { timeMs: 0, iterations: 3, warmupMs: 0, warmupIterations: 0 },
      { timeMs: 0, iterations: 2, warmupMs: 0, warmupIterations: 2 },
    ]) {
      let calls = 0;
      const timing = await timeTask("count", () => calls++, plan);
      expect(timing.samples).toBe(plan.iterations);
      expect(calls).toBe(plan.iterations + plan.warmupIterations);
    }
  });
});
