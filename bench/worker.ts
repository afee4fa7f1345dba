/**
 * The child process of `bun bench`: measures one allocator on one workload and prints one JSON line
 * (a Measurement) on stdout. Each allocator runs in a fresh Bun process so that what one allocator
 * leaves in the JIT and the heap (seen with @thi.ng/malloc) cannot move another's figures.
 *
 *   bun bench/worker.ts --allocator NAME --workload NAME (--trace FILE | --blocks N --gets M)
 *                       [--time MS] [--iterations N] [--warmup-time MS] [--warmup-iterations N] [--observe]
 *                       [--lookup-file FILE]
 *
 * `--observe` (MeMS on a trace): after timing, one more replay, observed (strategies.ts), adds the
 * figures of the strategies table the timed replays do not give (HOLE bytes at the peak).
 * `--lookup-file` (with `--allocator mems-NAME`): MeMS with the lookup that file exports (`bun bench --lookup FILE`).
 */
import { parseArgs } from "node:util";
import type { LookupFactory } from "../core/index.ts";
import { releaseSpareBookkeeping } from "../core/testing.ts";
import { parseDecimalInteger } from "../lib/integers.ts";
import { readScenario } from "../trace/format.ts";
import { loadLookupFile } from "../trace/lookup-choice.ts";
import { type AllocatorName, isAllocatorName, memsOptionsOf } from "./allocators.ts";
import { type Measurement, measureGet, measureScenario } from "./measure.ts";
import { exitWithParent } from "./orphan.ts";
import type { Budget } from "./sampling.ts";
import { observeStrategy, withStrategyFigures } from "./strategies.ts";

function integer(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined) return fallback;
  const value = parseDecimalInteger(text);
  if (value === undefined) throw new Error(`--${name} must be a non-negative integer, got ${text}`);
  return value;
}

function parse() {
  return parseArgs({
    options: {
      allocator: { type: "string" },
      workload: { type: "string" },
      trace: { type: "string" },
      blocks: { type: "string" },
      gets: { type: "string" },
      time: { type: "string" },
      iterations: { type: "string" },
      "warmup-time": { type: "string" },
      "warmup-iterations": { type: "string" },
      observe: { type: "boolean" },
      "lookup-file": { type: "string" },
    },
    strict: true,
  }).values;
}

/** The allocator named, and the lookup of its file when it is MeMS with a lookup written outside the project. */
async function allocatorOf(values: ReturnType<typeof parse>): Promise<{ allocator: AllocatorName; custom?: LookupFactory }> {
  const allocator = values.allocator ?? "";
  const file = values["lookup-file"];
  if (file !== undefined) {
    const custom = await loadLookupFile(file);
    if (allocator !== `mems-${custom.name}`) throw new Error(`--allocator ${allocator}: ${file} is the lookup of mems-${custom.name}`);
    return { allocator: `mems-${custom.name}`, custom };
  }
  if (!isAllocatorName(allocator) || allocator === "c-reference") throw new Error(`--allocator: no in-process allocator ${allocator}`);
  return { allocator };
}

async function main(): Promise<void> {
  const values = parse();
  const { allocator, custom } = await allocatorOf(values);
  const workload = values.workload ?? "";
  const budget: Budget = {
    timeMs: integer(values.time, 500, "time"),
    iterations: integer(values.iterations, 5, "iterations"),
    warmupMs: integer(values["warmup-time"], 100, "warmup-time"),
    warmupIterations: integer(values["warmup-iterations"], 2, "warmup-iterations"),
  };
  let measurement: Measurement;
  if (values.trace !== undefined) {
    const scenario = readScenario(values.trace);
    measurement = await measureScenario(allocator, workload, scenario, budget, custom);
    if (values.observe === true) {
      const options = memsOptionsOf(allocator, custom);
      if (options === undefined) throw new Error(`--observe: ${allocator} is no MeMS allocator`);
      // Observed as the first replay was, in a process that keeps no finished heap's tables (core/mapping.ts):
      // its mmap calls are then the same.
      releaseSpareBookkeeping();
      measurement = withStrategyFigures(measurement, observeStrategy(scenario, options));
    }
  } else {
    const blocks = integer(values.blocks, 0, "blocks");
    const gets = integer(values.gets, 0, "gets");
    if (blocks < 1 || gets < 1) throw new Error("give --trace FILE, or --blocks N and --gets M");
    if (custom !== undefined) throw new Error("--lookup-file: the get workload is not run with a lookup of your own");
    measurement = await measureGet(allocator, blocks, gets, budget);
  }
  measurement.process = "bun-child";
  process.stdout.write(`${JSON.stringify(measurement)}\n`);
}

exitWithParent(); // a worker left behind by a killed `bun bench` would measure on, at 100% CPU
try {
  await main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
