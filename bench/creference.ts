/**
 * The `c-reference` allocator: the C reference's own replay binary (conformance/reference/replay) in
 * `--bench --repeat K` mode, which parses the trace first and then times K quiet replays itself. Its
 * figures come from its own process by nature; we take the median of its K runs.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DeadlineError } from "./family.ts";
import { median, percentile } from "./latency.ts";
import type { Measurement } from "./measure.ts";

const REFERENCE_DIR = fileURLToPath(new URL("../conformance/reference", import.meta.url));
export const REFERENCE_BINARY = join(REFERENCE_DIR, "replay");

/** What `replay --bench` prints. */
interface ReferenceLine {
  ops: number;
  ns: number;
  runs: number[];
  /** Minor page faults of each run (getrusage around it; the binary has one thread). */
  faults?: number[];
  mmapCalls: number;
  peakMappedBytes: number;
}

/** The binary's path, building it with make when it is missing; or a reason it is not there. */
export async function referenceBinary(): Promise<{ path: string } | { reason: string }> {
  if (existsSync(REFERENCE_BINARY)) return { path: REFERENCE_BINARY };
  const make = Bun.spawn(["make", "-C", REFERENCE_DIR, "replay"], { stdout: "ignore", stderr: "pipe" });
  const stderr = await new Response(make.stderr).text();
  if ((await make.exited) !== 0 || !existsSync(REFERENCE_BINARY)) {
    return { reason: `cannot build conformance/reference/replay: ${stderr.trim().split("\n").pop() ?? "make failed"}` };
  }
  return { path: REFERENCE_BINARY };
}

async function runReference(binary: string, file: string, repeat: number, deadlineMs?: number): Promise<ReferenceLine> {
  const child = Bun.spawn([binary, "--bench", "--repeat", String(repeat), file], {
    stdout: "pipe",
    stderr: "pipe",
    ...(deadlineMs !== undefined && { timeout: deadlineMs }),
  });
  const [stdout, stderr, status] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (status !== 0 && deadlineMs !== undefined && child.signalCode !== null) throw new DeadlineError(deadlineMs);
  if (status !== 0) throw new Error(`replay --bench exited with ${status}: ${stderr.trim()}`);
  return JSON.parse(stdout) as ReferenceLine;
}

/**
 * Times `file` with the C binary: one run first to learn its length, then enough repeats to fill about
 * `targetMs` (from 3 to `maxRepeat`); a replay longer than the target is timed once. With `deadlineMs`,
 * a run still going then is killed (DeadlineError).
 */
export async function measureReference(
  binary: string,
  workload: string,
  file: string,
  targetMs: number,
  maxRepeat: number,
  deadlineMs?: number,
): Promise<Measurement> {
  let line = await runReference(binary, file, 1, deadlineMs);
  const once = line.ns;
  const coldFaults = line.faults?.[0];
  if (once < targetMs * 1e6) {
    const repeat = Math.max(3, Math.min(maxRepeat, Math.ceil((targetMs * 1e6) / Math.max(once, 1))));
    line = await runReference(binary, file, repeat, deadlineMs);
  }
  const sorted = [...line.runs].sort((x, y) => x - y);
  const mean = line.runs.reduce((sum, ns) => sum + ns, 0) / line.runs.length;
  const ops = Math.max(line.ops, 1);
  return {
    allocator: "c-reference",
    workload,
    ops: line.ops,
    nsPerOp: line.ns / ops,
    p99NsPerOp: percentile(sorted, 0.99) / ops,
    meanNsPerOp: mean / ops,
    samples: line.runs.length,
    coldNsPerOp: once / ops,
    ...(coldFaults === undefined ? {} : { coldFaults }),
    ...(line.faults !== undefined && line.faults.length > 1 ? { warmFaults: median(line.faults.slice(1)) } : {}),
    peakMappedBytes: line.peakMappedBytes,
    mmapCalls: line.mmapCalls,
    process: "c-binary",
  };
}
