/**
 * A small BenchReport with everything a report must draw: measured cells with and without latency and
 * mapped bytes, a skipped cell, a workload that is another's trace, and a cost curve where one allocator
 * is stopped at the deadline, then skips the larger sizes, and another fails.
 */
import type { AllocatorName } from "../bench/allocators.ts";
import type { Cell } from "../bench/family.ts";
import type { Measurement } from "../bench/measure.ts";
import type { BenchReport, WorkloadReport } from "../bench/run.ts";

const ALLOCATORS: AllocatorName[] = ["mems-size-indexed", "mems-first-fit", "c-reference", "libc-ffi", "uint8array"];

function measurement(
  allocator: AllocatorName,
  workload: string,
  ops: number,
  nsPerOp: number,
  extra: Partial<Measurement> = {},
): Measurement {
  const mapped = allocator.startsWith("mems-") || allocator === "c-reference";
  return {
    allocator,
    workload,
    ops,
    nsPerOp,
    p99NsPerOp: nsPerOp * 1.3,
    meanNsPerOp: nsPerOp * 1.1,
    samples: 5,
    peakLiveBytes: 30_000,
    ...(mapped && { peakMappedBytes: 36_864, mmapCalls: 12, utilization: 30_000 / 36_864 }),
    ...(allocator !== "c-reference" && {
      latency: {
        batchOps: 1000,
        batches: 400,
        p50Ns: nsPerOp * 1000,
        p99Ns: nsPerOp * 2500,
        p999Ns: nsPerOp * 6000,
        maxNs: nsPerOp * 9000,
      },
    }),
    process: allocator === "c-reference" ? "c-binary" : "bun-child",
    wallMs: 400,
    ...extra,
  };
}

/** ns/op of each allocator at each size of the curve (undefined: not measured there). */
const CURVE: Record<string, number[]> = {
  "mems-size-indexed": [57, 60, 62, 90],
  "mems-first-fit": [92, 140, 199, 330],
  "c-reference": [112, 590, 8704],
  "libc-ffi": [11.7, 15, 20.6, 60],
  uint8array: [48, 40],
};
const SIZES = [100, 1000, 10_000, 100_000];
/** Bytes of MeMS's own tables per live block, where the allocator reports them. */
const BOOKKEEPING: Record<string, number[]> = {
  "mems-size-indexed": [1402.4, 160.12, 41.04, 36.96],
  "mems-first-fit": [1500, 170, 45, 40],
};

function curveWorkload(index: number): WorkloadReport {
  const live = SIZES[index] ?? 0;
  const name = `scaling-${live >= 1000 ? `${live / 1000}k` : live}`;
  const ops = 2 * live + 400_000;
  const cells: Cell[] = ALLOCATORS.map((allocator): Cell => {
    const ns = CURVE[allocator]?.[index];
    const bookkeeping = BOOKKEEPING[allocator]?.[index];
    if (ns !== undefined)
      return measurement(allocator, name, ops, ns, bookkeeping === undefined ? {} : { bookkeepingPerBlock: bookkeeping });
    const measured = CURVE[allocator]?.length ?? 0;
    if (index > measured) {
      const at = `scaling-${(SIZES[measured] ?? 0) >= 1000 ? `${(SIZES[measured] ?? 0) / 1000}k` : SIZES[measured]}`;
      return { allocator, workload: name, skipped: `stopped at ${at}`, stoppedAt: at };
    }
    if (allocator === "c-reference") return { allocator, workload: name, skipped: "did not finish within 30 s", deadlineMs: 30_000 };
    return { allocator, workload: name, skipped: "failed: worker exited with 1: out of memory" };
  });
  return {
    name,
    describe: `${live.toLocaleString("en")} live blocks of 16-512 bytes, 200,000 replacements`,
    cells,
    family: { name: "scaling", liveBlocks: live, deadlineMs: 30_000 },
  };
}

export function fixtureReport(): BenchReport {
  const churn: WorkloadReport = {
    name: "churn-100",
    describe: "100 live blocks of 16-512 bytes, 200,000 replacements",
    cells: ALLOCATORS.map((allocator) => measurement(allocator, "churn-100", 400_200, CURVE[allocator]?.[0] ?? 1)),
  };
  const get: WorkloadReport = {
    name: "get",
    describe: "1,000,000 translations into 10,000 live blocks",
    cells: ALLOCATORS.map(
      (allocator): Cell =>
        allocator === "c-reference" || allocator === "uint8array"
          ? { allocator, workload: "get", skipped: "replay --bench times whole traces only; it has no get-only mode" }
          : measurement(allocator, "get", 1_000_000, allocator === "libc-ffi" ? 4.1 : 12.7),
    ),
  };
  const first = curveWorkload(0);
  const copy: WorkloadReport = {
    ...first,
    cells: churn.cells.map((cell) => ({ ...cell, workload: first.name })),
    sameTraceAs: "churn-100",
  };
  return {
    date: "2026-11-29T12:00:00.000Z",
    command: "bun bench",
    machine: { cpu: "Test CPU", cores: 2, platform: "linux x64" },
    bun: "1.4.4",
    quick: false,
    notes: ["ns/op: a note.", "Ratios are to mems-size-indexed in the same run."],
    elapsedMs: 95_000,
    workloads: [churn, get, copy, curveWorkload(1), curveWorkload(2), curveWorkload(3)],
  };
}

/**
 * A report of every allocator `bun bench` has, as a full run makes it: fifteen lines on the cost curve's
 * axes (the lookups of the strategies table sit the family out, as an older run wrote it: "stopped at
 * scaling-100" after sitting scaling-100 out), a ratio as small as 0.000218, long names everywhere.
 */
export function crowdedReport(): BenchReport {
  const sitsOut = new Set<AllocatorName>(["mems-best-fit", "mems-next-fit", "mems-worst-fit"]);
  const reason = "runs the strategy traces and the small churn workloads only (keeps bun bench short)";
  const sizes = [100, 1000, 10_000, 100_000, 1_000_000];
  const workloads: WorkloadReport[] = sizes.map((live, index) => {
    const name = `scaling-${live >= 1_000_000 ? "1m" : live >= 1000 ? `${live / 1000}k` : live}`;
    const cells = ALLOCATOR_NAMES.map((allocator, n): Cell => {
      if (sitsOut.has(allocator)) {
        return index === 0
          ? { allocator, workload: name, skipped: reason }
          : { allocator, workload: name, skipped: "stopped at scaling-100", stoppedAt: "scaling-100" };
      }
      return measurement(allocator, name, 2 * live + 200_000, (5 + n * 7) * 1.4 ** index);
    });
    return {
      name,
      describe: `${live.toLocaleString("en")} live blocks of 16-512 bytes`,
      cells,
      family: { name: "scaling", liveBlocks: live, deadlineMs: 30_000 },
    };
  });
  const tiny: WorkloadReport = {
    name: "malloclab-realloc-bal",
    describe: "realloc-bal.rep",
    cells: ALLOCATOR_NAMES.map((allocator) =>
      measurement(allocator, "malloclab-realloc-bal", 10_000, allocator === "glibc-c" ? 0.0218 : 100),
    ),
  };
  return { ...fixtureReport(), workloads: [tiny, ...workloads] };
}

/** Every allocator of a full run, in its order (bench/allocators.ts's, written out: a fixture does not follow core's lookups). */
const ALLOCATOR_NAMES: AllocatorName[] = [
  "mems-size-indexed",
  "mems-size-indexed-a16",
  "mems-first-fit",
  "mems-best-fit",
  "mems-next-fit",
  "mems-worst-fit",
  "c-reference",
  "libc-ffi",
  "thi.ng-malloc",
  "uint8array",
  "glibc-c",
  "mimalloc-ffi",
  "tcmalloc-ffi",
  "jemalloc-ffi",
  "as-tlsf-wasm",
];
