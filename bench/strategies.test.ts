/**
 * The observed figures of the strategies table: worked out by hand on small traces, the same as the bench
 * loop's observed replay gives on the malloc-lab traces, and checked against MeMS's own stats.
 */
import { describe, expect, test } from "bun:test";
import { fileURLToPath } from "node:url";
import { LOOKUPS, Mems } from "../core/index.ts";
import { releaseSpareBookkeeping } from "../core/testing.ts";
import lifoFirstFit from "../docs/examples/lifo-first-fit.ts";
import { mallocLabTraces } from "../trace/corpus.ts";
import { parseScenario, readScenario } from "../trace/format.ts";
import { BlockTable } from "../trace/rules.ts";
import { ALLOCATORS, allocatorNames, createAllocator, MemsAllocator, memsOptionsOf } from "./allocators.ts";
import type { Measurement } from "./measure.ts";
import { replayOnce, replayState, traceWorkload } from "./replay.ts";
import { ObservedHeap, observeStrategy, withStrategyFigures } from "./strategies.ts";

const WORKER = fileURLToPath(new URL("./worker.ts", import.meta.url));

function trace(ids: number, lines: string[]): ReturnType<typeof parseScenario> {
  return parseScenario(["0", String(ids), String(lines.length), "1", ...lines].join("\n"), "hand.rep");
}

describe("observeStrategy", () => {
  test("by hand: a second segment, a HOLE reused, the peak's HOLE bytes", () => {
    // Page 4096: a 100-byte block maps one page; 5000 bytes map a second segment of two pages.
    const scenario = trace(3, ["a 0 100", "a 1 5000", "f 0", "a 2 50", "f 1", "f 2"]);
    for (const lookup of LOOKUPS) {
      const figures = observeStrategy(scenario, { lookup });
      expect(figures).toEqual({
        peakLiveBytes: 5100,
        peakMappedBytes: 4096 + 8192,
        utilization: 5100 / 12_288,
        holeBytesAtPeak: 12_288 - 5100,
        segmentsAtPeak: 2,
        mmapCalls: expect.any(Number),
      });
      expect(figures.mmapCalls).toBeGreaterThanOrEqual(1); // one region for both segments (the tables may be an earlier heap's)
    }
  });

  test("the peak is the first time mapped bytes were highest, across finishes; reallocs and NULL sizes by the rules", () => {
    const scenario = parseScenario(
      [
        "a 1 3000", // 4096 mapped, 3000 live
        "a 2 3000", // a second page: 8192 mapped, 6000 live: the peak (2192 in HOLEs)
        "f 1",
        "r 2 100", // a new block in the first segment's HOLE, the old one freed
        "a 3 0", // NULL: nothing allocated
        "x",
        "a 4 8000", // 8192 again after the finish: not a new peak
        "r 4 0", // freed
      ].join("\n"),
      "peaks.mtrace",
    );
    const figures = observeStrategy(scenario, { lookup: "first-fit" });
    expect(figures).toMatchObject({ peakLiveBytes: 8000, peakMappedBytes: 8192, holeBytesAtPeak: 2192, segmentsAtPeak: 2 });
    expect(figures.utilization).toBeCloseTo(8000 / 8192, 12);
    expect(observeStrategy(parseScenario("", "empty.mtrace"))).toMatchObject({ peakMappedBytes: 0, utilization: 0 });
  });

  test("a size MeMS refuses is NULL, as mems_malloc's", () => {
    const scenario = trace(2, [`a 0 ${2 ** 49}`, "a 1 10", "f 1"]);
    expect(observeStrategy(scenario)).toMatchObject({ peakLiveBytes: 10, peakMappedBytes: 4096 });
  });

  test("a followed figure that disagrees with MeMS's stats stops the replay", () => {
    const mems = new Mems();
    const blocks = new BlockTable(1);
    const heap = new ObservedHeap(mems, blocks);
    blocks.malloc(heap, 0, 100);
    heap.virtualEnd += 4096; // as if the rule of new segments had changed
    expect(() => blocks.finish(heap)).toThrow("strategies: followed 8192 mapped and 100 live bytes, MeMS has 4096 and 100");
    mems.finish();
  });

  const traces = mallocLabTraces().filter((file) => /(random|realloc2|cccp)-bal/.test(file));
  test.each(traces)("the same figures as the bench loop's observed replay: %s", (file) => {
    const scenario = readScenario(file);
    for (const lookup of LOOKUPS) {
      // Both from a process that keeps no finished heap's tables (core/mapping.ts), so their mmap calls compare.
      releaseSpareBookkeeping();
      const figures = observeStrategy(scenario, { lookup });
      releaseSpareBookkeeping();
      const outcome = replayOnce(new MemsAllocator(lookup), scenario, replayState(scenario), true);
      expect(figures.peakMappedBytes).toBe(outcome.stats.peakMappedBytes ?? -1);
      expect(figures.mmapCalls).toBe(outcome.stats.mmapCalls ?? -1);
      expect(figures.peakLiveBytes).toBe(traceWorkload(scenario).peakLiveBytes);
      expect(figures.holeBytesAtPeak).toBeGreaterThan(0);
      expect(figures.holeBytesAtPeak).toBeLessThan(figures.peakMappedBytes);
    }
    // With an alignment the blocks MeMS keeps are the rounded sizes; the peak live bytes stay the trace's.
    const aligned = observeStrategy(scenario, { lookup: "size-indexed", align: 16 });
    const allocator = new MemsAllocator("size-indexed", new Mems({ lookup: "size-indexed", align: 16 }));
    const outcome = replayOnce(allocator, scenario, replayState(scenario), true);
    expect(aligned.peakMappedBytes).toBe(outcome.stats.peakMappedBytes ?? -1);
    expect(aligned.peakLiveBytes).toBe(traceWorkload(scenario).peakLiveBytes);
  });
});

describe("withStrategyFigures", () => {
  const base: Measurement = {
    allocator: "mems-first-fit",
    workload: "w",
    ops: 6,
    nsPerOp: 1,
    p99NsPerOp: 1,
    meanNsPerOp: 1,
    samples: 1,
    peakMappedBytes: 12_288,
    peakLiveBytes: 5100,
    mmapCalls: 4,
    process: "bun-child",
  };
  const figures = {
    peakLiveBytes: 5100,
    peakMappedBytes: 12_288,
    utilization: 5100 / 12_288,
    holeBytesAtPeak: 7188,
    segmentsAtPeak: 2,
    mmapCalls: 4,
  };

  test("adds the HOLE bytes at the peak when the rest agrees", () => {
    expect(withStrategyFigures(base, figures)).toEqual({ ...base, holeBytesAtPeak: 7188, segmentsAtPeak: 2 });
  });

  test("a figure the timed replay saw otherwise is an error naming it", () => {
    expect(() => withStrategyFigures({ ...base, mmapCalls: 5 }, figures)).toThrow(
      "mems-first-fit on w: mmap calls 5 in the timed replay, 4 observed",
    );
  });
});

describe("bench/worker.ts --observe", () => {
  const file = fileURLToPath(new URL("../scenarios/segments.mtrace", import.meta.url));
  const budget = ["--time", "1", "--iterations", "1", "--warmup-time", "0", "--warmup-iterations", "0"];
  /** The worker timing `allocator` on the trace with `--observe`. */
  const observedRun = (allocator: string) =>
    Bun.spawnSync([process.execPath, WORKER, "--allocator", allocator, "--workload", "w", "--trace", file, ...budget, "--observe"]);

  test("MeMS's cell gets the observed figures", () => {
    const run = observedRun("mems-size-indexed");
    expect(run.exitCode).toBe(0);
    const measurement = JSON.parse(run.stdout.toString()) as Measurement;
    const figures = observeStrategy(readScenario(file), { lookup: "size-indexed" });
    expect(measurement.holeBytesAtPeak).toBe(figures.holeBytesAtPeak);
    expect(measurement.segmentsAtPeak).toBe(figures.segmentsAtPeak);
  });

  test("a lookup of your own, from its file: timed and observed as the core's are", () => {
    const example = fileURLToPath(new URL("../docs/examples/lifo-first-fit.ts", import.meta.url));
    const args = ["--workload", "w", "--trace", file, ...budget, "--observe", "--lookup-file", example];
    const run = Bun.spawnSync([process.execPath, WORKER, "--allocator", "mems-lifo-first-fit", ...args]);
    expect([run.exitCode, run.stderr.toString()]).toEqual([0, ""]);
    const measurement = JSON.parse(run.stdout.toString()) as Measurement;
    expect(measurement.allocator).toBe("mems-lifo-first-fit");
    expect(measurement.holeBytesAtPeak).toBe(observeStrategy(readScenario(file), { lookup: lifoFirstFit }).holeBytesAtPeak);
    const wrong = Bun.spawnSync([process.execPath, WORKER, "--allocator", "mems-first-fit", ...args]);
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr.toString()).toContain(`--allocator mems-first-fit: ${example} is the lookup of mems-lifo-first-fit`);
    const get = ["--allocator", "mems-lifo-first-fit", "--blocks", "10", "--gets", "10", ...budget, "--lookup-file", example];
    expect(Bun.spawnSync([process.execPath, WORKER, ...get]).stderr.toString()).toContain(
      "the get workload is not run with a lookup of your own",
    );
  });

  test("a peer has nothing to observe", () => {
    const run = observedRun("libc-ffi");
    expect(run.exitCode).toBe(1);
    expect(run.stderr.toString()).toContain("--observe: libc-ffi is no MeMS allocator");
  });
});

describe("lookups in the bench", () => {
  test("every core lookup is an allocator, and a file's joins them, before the peers", () => {
    expect(ALLOCATORS.slice(0, 6)).toEqual([
      "mems-size-indexed",
      "mems-size-indexed-a16",
      "mems-first-fit",
      "mems-best-fit",
      "mems-next-fit",
      "mems-worst-fit",
    ]);
    const names = allocatorNames([{ name: "lifo-first-fit" }]);
    expect(names.slice(5, 8)).toEqual(["mems-worst-fit", "mems-lifo-first-fit", "c-reference"]);
    expect(allocatorNames()).toEqual([...ALLOCATORS]);
  });

  test("each MeMS allocator's options: a core lookup's, the align-16 variant's, a file's", () => {
    expect(memsOptionsOf("mems-best-fit")).toEqual({ lookup: "best-fit" });
    expect(memsOptionsOf("mems-size-indexed-a16")).toEqual({ lookup: "size-indexed", align: 16 });
    expect(memsOptionsOf("mems-lifo-first-fit", lifoFirstFit)).toEqual({ lookup: lifoFirstFit });
    expect([memsOptionsOf("mems-lifo-first-fit"), memsOptionsOf("libc-ffi")]).toEqual([undefined, undefined]);
  });

  test("MeMS with a lookup that is none of the core's needs its factory", () => {
    const shape = { peakLiveBytes: 1, peakLiveBlocks: 1 };
    expect(() => createAllocator("mems-lifo-first-fit", shape)).toThrow("mems-lifo-first-fit: no lookup lifo-first-fit");
    const allocator = createAllocator("mems-lifo-first-fit", shape, lifoFirstFit);
    expect(allocator?.malloc(10)).toBe(1000);
    allocator?.finish();
  });
});
