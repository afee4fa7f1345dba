/**
 * The OS layer: the only module of MeMS that talks to the kernel for memory.
 *
 * Memory comes from libc's `mmap` (PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS) and goes back through
 * `munmap`, both called through bun:ffi. A mapping is seen from JavaScript through one ArrayBuffer made
 * with `toArrayBuffer` (about 200 ns each, so callers make one per mapping and slice views from it).
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

const PROT_READ = 0x1;
const PROT_WRITE = 0x2;
const MAP_PRIVATE = 0x02;
const MAP_ANONYMOUS = 0x20;
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

/** A copy of the process-wide counters of mmap and munmap calls and of bytes mapped now. */
export function osCounters(): OsCounters {
  return { ...counters };
}

/* Fault injection */

let failuresToInject = 0;
let callsBeforeFailure = 0;

/**
 * Makes the next `count` mmap calls fail as if the kernel refused them, after letting `after` calls
 * through. `injectMmapFailures(0)` switches injection off. For tests of the out-of-memory paths.
 */
export function injectMmapFailures(count: number, after = 0): void {
  failuresToInject = count;
  callsBeforeFailure = after;
}

/* mmap / munmap */

/**
 * Maps `length` bytes of fresh zeroed memory and returns its address.
 * Throws `OUT_OF_MEMORY` when the kernel (or the fault injector) refuses.
 */
export function mapMemory(length: number, tally?: OsCounters): number {
  if (!(length > 0 && length <= MAX_MAP_LENGTH)) {
    throw new MemsError("OUT_OF_MEMORY", `mmap of ${length} bytes is not possible`);
  }
  if (failuresToInject > 0) {
    if (callsBeforeFailure > 0) {
      callsBeforeFailure--;
    } else {
      failuresToInject--;
      throw new MemsError("OUT_OF_MEMORY", `mmap of ${length} bytes failed (injected failure)`);
    }
  }
  const address = libc.symbols.mmap(null, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (typeof address !== "number" || address === -1) {
    throw new MemsError("OUT_OF_MEMORY", `mmap of ${length} bytes failed`);
  }
  counters.mmapCalls++;
  counters.mappedBytes += length;
  if (tally) {
    tally.mmapCalls++;
    tally.mappedBytes += length;
  }
  return address;
}

/** Gives back a mapping made by `mapMemory`, whole. */
export function unmapMemory(address: number, length: number, tally?: OsCounters): void {
  const rc = libc.symbols.munmap(address as Pointer, length);
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
