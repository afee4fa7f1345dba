/**
 * The OS layer: the only module of MeMS that talks to the kernel for memory.
 *
 * Memory comes from libc's `mmap` (PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS) and goes back through
 * `munmap`, both called through bun:ffi. A mapping is seen from JavaScript through one ArrayBuffer made
 * with `toArrayBuffer` (not free: callers make one per mapping and slice views from it; docs/experiments.md).
 *
 * A failed mmap is an `OUT_OF_MEMORY` error, never a bogus pointer. Tests can make mmap fail on purpose
 * with `injectMmapFailures`, to prove that a failure leaves every block as it was.
 *
 * Linux only: the constants below are Linux's, and libc is glibc's `libc.so.6`. On any other platform,
 * loading this module (and so importing MeMS) throws `UNSUPPORTED_PLATFORM` before libc is opened.
 */
import { dlopen, FFIType, type Pointer, toArrayBuffer } from "bun:ffi";
import { MemsError } from "./errors.ts";

/* Platform */

/** The C library MeMS (and the benchmarks' libc allocator) opens with bun:ffi. */
export const LIBC = "libc.so.6";

/** Throws `UNSUPPORTED_PLATFORM` unless `platform` (a `process.platform` value) is Linux. */
export function checkPlatform(platform: string): void {
  if (platform !== "linux") {
    throw new MemsError(
      "UNSUPPORTED_PLATFORM",
      `MeMS runs on Linux only (it calls mmap with Linux's constants through ${LIBC}); this is ${platform}`,
    );
  }
}

checkPlatform(process.platform);

/* Constants */

const PROT_NONE = 0x0;
const PROT_READ = 0x1;
const PROT_WRITE = 0x2;
const MAP_PRIVATE = 0x02;
const MAP_ANONYMOUS = 0x20;
const MAP_NORESERVE = 0x4000;
/** Linux 4.17+: map at exactly the address given, or fail with EEXIST if anything is mapped there. */
const MAP_FIXED_NOREPLACE = 0x100000;
/**
 * Fault the pages in during the mmap itself. For bookkeeping, which is written as soon as it is mapped:
 * one call faulting a run of pages costs a fraction of a fault each on a first write (docs/design.md,
 * "Segments and OS mappings").
 */
const MAP_POPULATE = 0x8000;
const SC_PAGESIZE = 30; // _SC_PAGESIZE on Linux

/** Lengths above this are refused before asking the kernel (no 64-bit length fits a double exactly). */
const MAX_MAP_LENGTH = 2 ** 52;

/* libc */

const libc = dlopen(LIBC, {
  // mmap's result typed as i64_fast: a number for every real address, -1 for MAP_FAILED.
  mmap: {
    args: [FFIType.ptr, FFIType.u64, FFIType.i32, FFIType.i32, FFIType.i32, FFIType.i64],
    returns: FFIType.i64_fast,
  },
  munmap: { args: [FFIType.ptr, FFIType.u64], returns: FFIType.i32 },
  sysconf: { args: [FFIType.i32], returns: FFIType.i64_fast },
});

/** The operating system's own page size (what the kernel rounds every mapping up to). */
export const OS_PAGE_SIZE = Number(libc.symbols.sysconf(SC_PAGESIZE));

/* Counters: the process's (every MeMS instance together), and an instance's own tally when one is passed */

export interface OsCounters {
  mmapCalls: number;
  munmapCalls: number;
  mappedBytes: number;
}

const counters: OsCounters = { mmapCalls: 0, munmapCalls: 0, mappedBytes: 0 };

/** Nanoseconds the process has spent inside mmap and munmap (every call, the probes included). */
let callNanoseconds = 0;
const now = Bun.nanoseconds;

/** Nanoseconds the process has spent inside mmap and munmap calls so far (the bench reads it per replay). */
export function osNanoseconds(): number {
  return callNanoseconds;
}

/** A copy of the process-wide counters of mmap and munmap calls and of bytes mapped now. */
export function osCounters(): OsCounters {
  return { ...counters };
}

/* Fault injection */

let failuresToInject = 0;
let callsBeforeFailure = 0;

/**
 * Makes the next `count` mmap calls fail as if the kernel refused them, after letting `after` calls
 * through. A call is one request for memory: growing a table in place, or mapping a new region; the
 * probes for free address space (findAddressSpace) take no memory and are not counted. `injectMmapFailures(0)` switches injection off. For tests of the out-of-memory paths.
 */
export function injectMmapFailures(count: number, after = 0): void {
  failuresToInject = count;
  callsBeforeFailure = after;
}

/* mmap / munmap */

/**
 * Maps `length` bytes of fresh zeroed memory and returns its address; `populate`: its pages faulted in
 * now (for bookkeeping, written at once), else on first touch (segments).
 * Throws `OUT_OF_MEMORY` when the kernel (or the fault injector) refuses.
 */
export function mapMemory(length: number, tally?: OsCounters, populate = false): number {
  if (!(length > 0 && length <= MAX_MAP_LENGTH)) {
    throw new MemsError("OUT_OF_MEMORY", `mmap of ${length} bytes is not possible`);
  }
  if (injectedFailure()) throw new MemsError("OUT_OF_MEMORY", `mmap of ${length} bytes failed (injected failure)`);
  const started = now();
  const flags = MAP_PRIVATE | MAP_ANONYMOUS | (populate ? MAP_POPULATE : 0);
  const address = libc.symbols.mmap(null, length, PROT_READ | PROT_WRITE, flags, -1, 0);
  callNanoseconds += now() - started;
  if (typeof address !== "number" || address === -1) {
    throw new MemsError("OUT_OF_MEMORY", `mmap of ${length} bytes failed`);
  }
  count(length, tally);
  return address;
}

/** True when the fault injector refuses this mmap call (see injectMmapFailures). */
function injectedFailure(): boolean {
  if (failuresToInject === 0) return false;
  if (callsBeforeFailure > 0) {
    callsBeforeFailure--;
    return false;
  }
  failuresToInject--;
  return true;
}

/** True when the fault injector will refuse the next mmap call (nothing is counted). */
function failureDue(): boolean {
  return failuresToInject > 0 && callsBeforeFailure === 0;
}

function count(length: number, tally: OsCounters | undefined): void {
  counters.mmapCalls++;
  counters.mappedBytes += length;
  if (tally) {
    tally.mmapCalls++;
    tally.mappedBytes += length;
  }
}

/**
 * Maps `length` bytes of fresh zeroed memory at exactly `address` (a multiple of OS_PAGE_SIZE), if no
 * mapping of the process holds any of those pages; answers false otherwise, or when the kernel or the
 * fault injector refuses, having mapped nothing. What grows a bookkeeping table in place (mapping.ts);
 * `populate` as for mapMemory.
 */
export function mapMemoryAt(address: number, length: number, tally?: OsCounters, populate = false): boolean {
  // An injected failure is left for the mapMemory a caller falls back on, so that one growth is one call to fail.
  if (!(length > 0 && address + length <= MAX_MAP_LENGTH) || failureDue()) return false;
  const flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | (populate ? MAP_POPULATE : 0);
  const started = now();
  const got = libc.symbols.mmap(address as Pointer, length, PROT_READ | PROT_WRITE, flags, -1, 0);
  callNanoseconds += now() - started;
  if (typeof got !== "number" || got === -1) return false;
  if (got !== address) {
    // A kernel older than 4.17 takes MAP_FIXED_NOREPLACE for a hint and may map elsewhere.
    libc.symbols.munmap(got as Pointer, length);
    return false;
  }
  injectedFailure(); // counts as a call that went through
  count(length, tally);
  return true;
}

/**
 * The start of `length` bytes of address space that nothing of the process holds now, or -1: found by
 * mapping them PROT_NONE and MAP_NORESERVE (no memory is committed, nothing can touch them) and
 * unmapping them at once. Both calls are counted (the fault injector leaves them alone: they take no
 * memory). A table mapped at the start can then grow in place (mapMemoryAt) until some later mapping of
 * the process lands in the range.
 */
export function findAddressSpace(length: number, tally?: OsCounters): number {
  const flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
  const started = now();
  const address = libc.symbols.mmap(null, length, PROT_NONE, flags, -1, 0);
  callNanoseconds += now() - started;
  if (typeof address !== "number" || address === -1) return -1;
  count(length, tally);
  unmapMemory(address, length, tally);
  return address;
}

/** Gives back a mapping made by `mapMemory`, whole. */
export function unmapMemory(address: number, length: number, tally?: OsCounters): void {
  const started = now();
  const rc = libc.symbols.munmap(address as Pointer, length);
  callNanoseconds += now() - started;
  if (rc !== 0) {
    // Only a programming error inside MeMS gets here (munmap of a range it did not map).
    throw new Error(`munmap(${address}, ${length}) failed`);
  }
  counters.munmapCalls++;
  counters.mappedBytes -= length;
  if (tally) {
    tally.munmapCalls++;
    tally.mappedBytes -= length;
  }
}

/**
 * One ArrayBuffer over a whole mapping. Detach it (`detachBuffer`) before the mapping is unmapped, so
 * that views sliced from it read as empty instead of touching unmapped memory.
 */
export function bufferOver(address: number, length: number): ArrayBuffer {
  return toArrayBuffer(address as Pointer, 0, length);
}

/** Detaches a buffer made by `bufferOver`: every view on it then has length 0. */
export function detachBuffer(buffer: ArrayBuffer): void {
  if (buffer.byteLength > 0) buffer.transfer(0);
}
