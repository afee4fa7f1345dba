/**
 * Minor page faults of the calling thread, read with getrusage(RUSAGE_THREAD) through bun:ffi (about a
 * microsecond a read): a replay's faults are the difference of two reads around it. The thread's own
 * count leaves out what Bun's garbage collector and JIT threads fault in meanwhile; the C replay
 * programs read the same counter the same way.
 */
import { dlopen, FFIType } from "bun:ffi";

const RUSAGE_THREAD = 1;
/** struct rusage on 64-bit Linux: two timevals, then 14 longs; ru_minflt is the fifth long. */
const RUSAGE_LONGS = 18;
const MINFLT_INDEX = 8;

const libc = dlopen("libc.so.6", { getrusage: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.i32 } }).symbols;
const usage = new BigInt64Array(RUSAGE_LONGS);

/** The calling thread's minor page faults so far. */
export function minorFaults(): number {
  if (libc.getrusage(RUSAGE_THREAD, usage) !== 0) throw new Error("getrusage(RUSAGE_THREAD) failed");
  return Number(usage[MINFLT_INDEX]);
}
