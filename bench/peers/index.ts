/**
 * What `bun bench` needs to know about the peers beyond the BenchAllocator interface: which sit out
 * here and why, what their child process needs in its environment, what is built before any child
 * starts (the wasm module, the glibc-c binary), and how `glibc-c` is measured. run.ts calls these.
 */
import { join } from "node:path";
import { readScenario } from "../../trace/format.ts";
import type { AllocatorName } from "../allocators.ts";
import type { Measurement } from "../measure.ts";
import { prepareRealTrace, realProgram, realSkipReason } from "../real.ts";
import type { WorkloadSpec } from "../types.ts";
import { measureGlibcC, replayMallocBinary, writeOpsFile } from "./cnative.ts";
import { isNativePeer, JEMALLOC_ENV, nativeSkipReason } from "./native.ts";
import { ensureTlsfWasm } from "./wasm.ts";

export const PEER_NOTES = [
  "Peers: glibc-c is glibc's malloc called from C (bench/peers/replay_malloc.c) on the same parsed trace; beside libc-ffi it shows what a bun:ffi crossing costs. mimalloc-ffi, tcmalloc-ffi and jemalloc-ffi are Debian's libmimalloc2.0, libtcmalloc-minimal4 and libjemalloc2 through bun:ffi (mi_malloc, tc_malloc, mallocx); as-tlsf-wasm is AssemblyScript's TLSF compiled to wasm (--runtime minimal --noAssert), a fresh instance per replay.",
  "Warm: the figure of the tables (repeated replays in one process). Cold: the first replay in a fresh process, where every allocator pays its first page touches (and a Bun allocator its unoptimized JIT code); the observed replay, so it includes one stats() read. Faults: minor page faults of the replaying thread (getrusage RUSAGE_THREAD) in that cold replay and in a warm one.",
  "MeMS unmaps everything at finish and as-tlsf-wasm starts every replay in a fresh instance, so they fault their pages in on every replay; the process-wide native allocators keep theirs from the second replay on. Compare warm with warm and cold with cold.",
];

/** Why a peer sits out on this machine or this workload, or undefined when it runs. */
export function peerSkipReason(allocator: AllocatorName, spec: WorkloadSpec): string | undefined {
  if (isNativePeer(allocator)) return nativeSkipReason(allocator);
  if (spec.kind === "get" && allocator === "glibc-c") return "replay-malloc times whole traces only; it has no get-only mode";
  if (spec.kind === "trace" && realProgram(spec.name) !== undefined) return realSkipReason(allocator, spec.file);
  return undefined;
}

/** Records a `real-*` workload's trace unless cached; the reason it cannot be, or undefined when ready. */
export async function prepareWorkload(spec: WorkloadSpec): Promise<string | undefined> {
  const program = realProgram(spec.name);
  return program === undefined ? undefined : prepareRealTrace(program);
}

/** Variables the child process measuring `allocator` needs. */
export function peerEnv(allocator: AllocatorName): Record<string, string> {
  if (allocator !== "jemalloc-ffi") return {};
  const current = process.env.GLIBC_TUNABLES;
  return {
    GLIBC_TUNABLES: current === undefined || current === "" ? JEMALLOC_ENV.GLIBC_TUNABLES : `${current}:${JEMALLOC_ENV.GLIBC_TUNABLES}`,
  };
}

/** Builds what the selected peers need before any child runs; returns a failure reason per allocator. */
export async function preparePeers(allocators: readonly AllocatorName[]): Promise<Map<AllocatorName, string>> {
  const failures = new Map<AllocatorName, string>();
  if (allocators.includes("as-tlsf-wasm")) {
    try {
      await ensureTlsfWasm();
    } catch (error) {
      failures.set("as-tlsf-wasm", error instanceof Error ? error.message : String(error));
    }
  }
  if (allocators.includes("glibc-c")) {
    const binary = await replayMallocBinary();
    if ("reason" in binary) failures.set("glibc-c", binary.reason);
  }
  return failures;
}

/** Measures `glibc-c` on a trace file: parses it here, hands the C program the parsed operations. */
export async function measurePeerProcess(workload: string, file: string, dir: string, quick: boolean): Promise<Measurement> {
  const binary = await replayMallocBinary();
  if ("reason" in binary) throw new Error(binary.reason);
  const opsFile = join(dir, `${workload}.memsops`);
  writeOpsFile(readScenario(file), opsFile);
  return measureGlibcC(binary.path, workload, opsFile, quick ? 20 : 200, quick ? 4 : 51);
}
