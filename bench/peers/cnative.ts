/**
 * The `glibc-c` peer: glibc's malloc called from C (replay_malloc.c) on the same parsed trace, in its
 * own process, timing its own replays. Beside libc-ffi (the same calls through bun:ffi) it shows what
 * the FFI crossing costs. The trace goes to the C program as the parser's typed arrays (MEMSOPS1), so
 * both replay the very same operations by the same rules.
 */
import { closeSync, existsSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Scenario } from "../../trace/format.ts";
import { median, percentile } from "../latency.ts";
import type { Measurement } from "../measure.ts";

const PEERS_DIR = fileURLToPath(new URL(".", import.meta.url));
export const REPLAY_MALLOC = join(PEERS_DIR, "replay-malloc");

/** What `replay-malloc` prints. */
interface ReplayLine {
  ops: number;
  runs: number[];
  faults: number[];
}

/** Writes a parsed scenario as MEMSOPS1 (see replay_malloc.c). */
export function writeOpsFile(scenario: Scenario, path: string): void {
  const count = scenario.count;
  const header = new ArrayBuffer(24);
  new Uint8Array(header).set(new TextEncoder().encode("MEMSOPS1"));
  const view = new DataView(header);
  view.setBigUint64(8, BigInt(count), true);
  view.setBigUint64(16, BigInt(scenario.slotCount), true);
  const ops = new Uint8Array((count + 7) & ~7);
  ops.set(scenario.ops.subarray(0, count));
  const fd = openSync(path, "w");
  try {
    for (const part of [new Uint8Array(header), ops, scenario.a.subarray(0, count), scenario.b.subarray(0, count)]) {
      writeSync(fd, new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
    }
  } finally {
    closeSync(fd);
  }
}

/** The binary's path, (re)built by make when its source is newer; or the reason it cannot be built. */
export async function replayMallocBinary(): Promise<{ path: string } | { reason: string }> {
  const make = Bun.spawn(["make", "-C", PEERS_DIR, "replay-malloc"], { stdout: "ignore", stderr: "pipe" });
  const stderr = await new Response(make.stderr).text();
  if ((await make.exited) !== 0 || !existsSync(REPLAY_MALLOC)) {
    return { reason: `cannot build bench/peers/replay-malloc: ${stderr.trim().split("\n").pop() ?? "make failed"}` };
  }
  return { path: REPLAY_MALLOC };
}

async function run(binary: string, file: string, repeat: number): Promise<ReplayLine> {
  const child = Bun.spawn([binary, "--repeat", String(repeat), file], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, status] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (status !== 0) throw new Error(`replay-malloc exited with ${status}: ${stderr.trim()}`);
  return JSON.parse(stdout) as ReplayLine;
}

/**
 * Times the ops file with the C binary: its first replay in a fresh process is the cold figure; then
 * enough replays to fill about `targetMs` (3 to `maxRepeat`), of which all but the first are the warm
 * samples (median, p99 and mean, as tinybench's are for the Bun allocators).
 */
export async function measureGlibcC(
  binary: string,
  workload: string,
  opsFile: string,
  targetMs: number,
  maxRepeat: number,
): Promise<Measurement> {
  const first = await run(binary, opsFile, 1);
  const [coldNs] = first.runs;
  const [coldFaults] = first.faults;
  if (coldNs === undefined || coldFaults === undefined) throw new Error("replay-malloc --repeat 1 printed no run");
  const repeat = Math.max(3, Math.min(maxRepeat, 1 + Math.ceil((targetMs * 1e6) / Math.max(coldNs, 1))));
  const line = await run(binary, opsFile, repeat);
  const warm = line.runs.slice(1);
  const sorted = [...warm].sort((x, y) => x - y);
  const ops = Math.max(line.ops, 1);
  return {
    allocator: "glibc-c",
    workload,
    ops: line.ops,
    nsPerOp: median(warm) / ops,
    p99NsPerOp: percentile(sorted, 0.99) / ops,
    meanNsPerOp: warm.reduce((sum, ns) => sum + ns, 0) / warm.length / ops,
    samples: warm.length,
    coldNsPerOp: coldNs / ops,
    coldFaults,
    warmFaults: median(line.faults.slice(1)),
    process: "c-binary",
  };
}
