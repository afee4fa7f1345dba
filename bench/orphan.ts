/**
 * A bench worker does not outlive the `bun bench` that started it. Killed with SIGKILL, or dead of a
 * bug, the parent cannot stop its worker, which would go on measuring at 100% CPU for many seconds.
 *
 * On Linux the kernel ends the worker when its parent dies (prctl PR_SET_PDEATHSIG), even in the
 * middle of a synchronous replay. Elsewhere, and as a second line, the worker polls its parent id
 * between tasks. The parent passes its pid in MEMS_BENCH_PARENT, so that a worker whose parent died
 * before the worker could ask the kernel sees it at once.
 */
import { dlopen, FFIType, ptr } from "bun:ffi";

/** The variable through which run.ts tells a worker its parent's pid. */
export const PARENT_ENV = "MEMS_BENCH_PARENT";

const PR_SET_PDEATHSIG = 1;
const PR_GET_PDEATHSIG = 2;
const SIGKILL = 9;

type Prctl = (option: number, arg2: number | bigint, arg3: number, arg4: number, arg5: number) => number;

function loadPrctl(): Prctl | undefined {
  if (process.platform !== "linux") return undefined;
  try {
    const libc = dlopen("libc.so.6", {
      prctl: { args: [FFIType.i32, FFIType.u64, FFIType.u64, FFIType.u64, FFIType.u64], returns: FFIType.i32 },
    });
    return libc.symbols.prctl;
  } catch {
    return undefined;
  }
}

const prctl = loadPrctl();

/** Asks the kernel to send `signal` to this process when its parent dies (0: no signal); false where it cannot. */
export function setParentDeathSignal(signal: number): boolean {
  return prctl !== undefined && prctl(PR_SET_PDEATHSIG, signal, 0, 0, 0) === 0;
}

/** The signal set by setParentDeathSignal (0: none), or undefined where there is no prctl. */
export function parentDeathSignal(): number | undefined {
  if (prctl === undefined) return undefined;
  const out = new Int32Array(1);
  return prctl(PR_GET_PDEATHSIG, ptr(out), 0, 0, 0) === 0 ? out[0] : undefined;
}

export interface ExitWithParentOptions {
  /** The parent's pid (default: MEMS_BENCH_PARENT, else the parent at the time of the call). */
  parent?: number;
  /** The current parent's pid (default: process.ppid). */
  ppid?: () => number;
  /** What to do once the parent is gone (default: exit with status 1). */
  onOrphan?: () => void;
  /** Poll interval, ms. */
  intervalMs?: number;
  /** The signal the kernel sends when the parent dies (default SIGKILL; 0 for none). */
  deathSignal?: number;
}

/**
 * Makes this process end when its parent does: the kernel's SIGKILL where there is one, and a poll of
 * the parent id in any case. Returns a function that stops the poll.
 */
export function exitWithParent(options: ExitWithParentOptions = {}): () => void {
  const ppid = options.ppid ?? (() => process.ppid);
  const fromEnv = Number(process.env[PARENT_ENV]);
  const parent = options.parent ?? (Number.isSafeInteger(fromEnv) && fromEnv > 0 ? fromEnv : ppid());
  const onOrphan = options.onOrphan ?? (() => process.exit(1));
  setParentDeathSignal(options.deathSignal ?? SIGKILL);
  let timer: ReturnType<typeof setInterval> | undefined;
  const stop = (): void => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };
  const check = (): void => {
    if (ppid() === parent) return;
    stop();
    onOrphan();
  };
  timer = setInterval(check, options.intervalMs ?? 250);
  timer.unref();
  check(); // the parent may have died before the kernel was asked
  return stop;
}
