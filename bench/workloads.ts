/**
 * The workloads `bun bench` runs, and which allocator sits out which workload (with the reason).
 *
 * Every trace workload is a file: the churn traces are generated once per run (fixed seeds) into a
 * temporary folder, so every allocator, the C reference included, replays the very same operations.
 * The `get` workload is not a trace: it is built in the measuring process (measureGet in measure.ts).
 */
import { writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { mallocLabTraces } from "../trace/corpus.ts";
import { generateChurnTrace } from "../trace/generate.ts";
import { type AllocatorName, BASELINE, isMemsAllocator } from "./allocators.ts";
import { realWorkloadSpecs } from "./real.ts";
import type { WorkloadSpec } from "./types.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const EXAMPLE_TRACE = join(ROOT, "scenarios/example.mtrace");
/** One malloc, its free and finish: the cost of opening and closing a heap. */
export const HEAP_OPEN_TRACE = join(ROOT, "bench/heap-open.mtrace");

/** Seed of every generated trace: the same operations on every run and every machine. */
export const SEED = 20240601;

/** The cost curve: churn at these live-block counts (the quick run: the first two). */
export const SCALING_SIZES = [100, 1_000, 10_000, 100_000, 1_000_000] as const;
/** An allocator that takes longer than this on one size of `scaling` stops there. */
export const SCALING_DEADLINE_MS = 30_000;

/** `scaling-100` ... `scaling-1m`: 16-512 byte blocks, at least 200,000 replacements (as many as blocks at 1,000,000). */
export function scalingSpecs(quick: boolean): WorkloadSpec[] {
  const sizes = quick ? SCALING_SIZES.slice(0, 2) : SCALING_SIZES;
  return sizes.map((live) => {
    const label = live >= 1_000_000 ? `${live / 1_000_000}m` : live >= 1000 ? `${live / 1000}k` : String(live);
    const spec = churn(`scaling-${label}`, live, quick ? 20_000 : Math.max(200_000, live), 16, 512);
    return { ...spec, family: { name: "scaling", liveBlocks: live, deadlineMs: SCALING_DEADLINE_MS } };
  });
}

/** The default list; `quick` is churn-100 alone, smaller. */
export function workloadSpecs(quick: boolean): WorkloadSpec[] {
  if (quick) {
    return [churn("churn-100", 100, 20_000, 16, 512), ...scalingSpecs(true)];
  }
  const specs: WorkloadSpec[] = [
    churn("churn-100", 100, 200_000, 16, 512),
    churn("churn-10k", 10_000, 200_000, 16, 512),
    churn("churn-1m", 1_000_000, 1_000_000, 16, 512),
    { name: "get", kind: "get", blocks: 10_000, gets: 1_000_000, describe: "1,000,000 translations into 10,000 live blocks" },
    churn("large", 1_000, 50_000, 1024, 65_536),
    { name: "example", kind: "trace", file: EXAMPLE_TRACE, describe: "scenarios/example.mtrace, quiet" },
    {
      name: "heap-open",
      kind: "trace",
      file: HEAP_OPEN_TRACE,
      describe: "a heap's first malloc (100 bytes), its free and finish: 3 operations, ns/op is a third of the round",
    },
  ];
  for (const file of mallocLabTraces()) {
    const name = basename(file);
    specs.push({ name: `malloclab-${name.replace(/\.rep$/, "")}`, kind: "trace", file, describe: name, strategy: true });
  }
  specs.push(...realWorkloadSpecs());
  specs.push(...scalingSpecs(false));
  return specs;
}

function churn(name: string, live: number, replacements: number, minSize: number, maxSize: number): WorkloadSpec & { kind: "churn" } {
  return {
    name,
    kind: "churn",
    live,
    replacements,
    minSize,
    maxSize,
    describe: `${live.toLocaleString("en")} live blocks of ${minSize}-${maxSize} bytes, ${replacements.toLocaleString("en")} replacements`,
  };
}

/** The trace file of a workload (writing generated traces into `dir`), or undefined for `get`. */
export function traceFile(spec: WorkloadSpec, dir: string): string | undefined {
  switch (spec.kind) {
    case "trace":
      return spec.file;
    case "churn": {
      const file = join(dir, `${spec.name}.rep`);
      const text = generateChurnTrace(SEED, {
        live: spec.live,
        replacements: spec.replacements,
        minSize: spec.minSize,
        maxSize: spec.maxSize,
      });
      writeFileSync(file, text);
      return file;
    }
    case "get":
      return undefined;
  }
}

/** The lookups that run every workload; MeMS with any other runs the strategy traces and the small churn only. */
export const EVERY_WORKLOAD: readonly AllocatorName[] = [BASELINE, "mems-size-indexed-a16", "mems-first-fit"];
/** The most live blocks of a churn workload every lookup runs. */
const SMALL_CHURN_LIVE = 10_000;

/** A workload every lookup runs: a trace of the strategies table, or a small churn that is no size of a family. */
export function forEveryLookup(spec: WorkloadSpec): boolean {
  if (spec.kind === "trace") return spec.strategy === true;
  return spec.kind === "churn" && spec.family === undefined && spec.live <= SMALL_CHURN_LIVE;
}

/** Why `allocator` sits out `spec`, or undefined when it runs. */
export function skipReason(allocator: AllocatorName, spec: WorkloadSpec): string | undefined {
  if (isMemsAllocator(allocator) && !EVERY_WORKLOAD.includes(allocator) && !forEveryLookup(spec)) {
    return "runs the strategy traces and the small churn workloads only (keeps bun bench short)";
  }
  const live = spec.kind === "churn" ? spec.live : 0;
  if (live >= 1_000_000) {
    if (allocator === "c-reference") return "the C reference walks the chains (first-fit, no address map): hours at 1,000,000 live blocks";
    if (allocator === "thi.ng-malloc") return "MemPool's first-fit free list and linear free: hours at 1,000,000 live blocks";
  }
  if (spec.kind === "get") {
    if (allocator === "c-reference") return "replay --bench times whole traces only; it has no get-only mode";
    if (allocator === "uint8array") return "a Uint8Array has no address to translate (indexing is the engine's)";
  }
  return undefined;
}
