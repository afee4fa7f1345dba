/**
 * Stopping cleanly on SIGINT (Ctrl-C) and SIGTERM, for the commands that start processes and write
 * temporary files (`bench`, `conformance`).
 *
 * The first signal stops the children at once and asks the run to stop: the run calls `stop.check()`
 * at its safe points (the CLI does in its progress callbacks), which throws `Stopped` (lib/stopped.ts), so every
 * `finally` on the way out runs and removes what it made. Then the process dies of the signal itself,
 * as git does after its cleanup, so the shell sees 130 (SIGINT) or 143 (SIGTERM) and a loop of commands
 * stops too. A run that does not reach a safe point within a second dies anyway; a second signal
 * ends it at once. Both first remove, synchronously, every temporary folder still open
 * (lib/temporary.ts): `bun run` (so `bun bench`, `npx bun bench`) passes the terminal's Ctrl-C on to
 * its child, which then gets SIGINT twice within a millisecond, and that must not leave the folder.
 *
 * Commands that only compute (`replay`, `soak`, `gen`) keep the default action: a signal ends them on
 * the spot, and they have nothing to clean up.
 */
import { childPids } from "../lib/processes.ts";
import { Stopped, type StopSignal } from "../lib/stopped.ts";
import { removeTemporaryFolders } from "../lib/temporary.ts";

export { childPids };

export type FatalSignal = StopSignal | "SIGPIPE";

/** Signal numbers on Linux (and every POSIX system in use): the shell reports 128 + this. */
export const SIGNAL_NUMBER: Record<FatalSignal, number> = { SIGINT: 2, SIGPIPE: 13, SIGTERM: 15 };

/** What a run polls to learn that it should stop. */
export class StopRequest {
  signal: StopSignal | undefined;

  /** @throws Stopped once a stop signal has arrived. */
  check(): void {
    if (this.signal !== undefined) throw new Stopped(this.signal);
  }
}

/**
 * Ends the process as if `signal` had killed it: puts back the signal's default action (Bun ignores
 * SIGPIPE; adding and removing a listener restores the default) and raises it, which ends the process
 * before `kill` returns; exits with 128 + its number should it somehow still be alive.
 */
export function dieOf(signal: FatalSignal): never {
  const none = (): void => undefined;
  process.removeAllListeners(signal);
  process.on(signal, none);
  process.removeListener(signal, none);
  process.kill(process.pid, signal);
  process.exit(128 + SIGNAL_NUMBER[signal]);
}

/** Sends `signal` to every child of this process; returns their pids. */
export function signalChildren(signal: StopSignal, children: () => number[] = childPids): number[] {
  const pids = children();
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
  return pids;
}

export interface StoppableOptions {
  /** Stops the children (default: the signal to every child process). */
  stopChildren?: (signal: StopSignal) => void;
  /** Ends the process (default: dieOf). */
  die?: (signal: StopSignal) => unknown;
  /** How long the run has to reach a safe point after the first signal, ms. */
  graceMs?: number;
}

/**
 * Runs `run` with SIGINT and SIGTERM turned into a stop request (see the file comment). Resolves with
 * the run's result, or rejects with Stopped when a signal came, after the run has unwound.
 */
export async function stoppable<T>(run: (stop: StopRequest) => Promise<T>, options: StoppableOptions = {}): Promise<T> {
  const stop = new StopRequest();
  const stopChildren = options.stopChildren ?? ((signal: StopSignal) => signalChildren(signal));
  const die = options.die ?? dieOf;
  let deadline: ReturnType<typeof setTimeout> | undefined;
  /** Ends the process now, without the run's `finally` blocks: its temporary folders go first. */
  const endNow = (signal: StopSignal): void => {
    removeTemporaryFolders();
    die(signal);
  };
  const onSignal = (signal: StopSignal): void => {
    if (stop.signal !== undefined) {
      endNow(signal); // a second signal: no more waiting
      return;
    }
    stop.signal = signal;
    stopChildren(signal);
    deadline = setTimeout(() => endNow(signal), options.graceMs ?? 1000);
  };
  const onInt = (): void => onSignal("SIGINT");
  const onTerm = (): void => onSignal("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  try {
    const result = await run(stop);
    // A signal that arrived while the run's last step kept the thread busy is dispatched on a later turn
    // of the event loop: give it that turn, or it would find no listener and be lost (exit 0 after a
    // Ctrl-C, seen once in stop.e2e.test.ts). Then a signal after the last safe point still stops the command.
    await new Promise((resolve) => setImmediate(resolve));
    stop.check();
    return result;
  } finally {
    process.removeListener("SIGINT", onInt);
    process.removeListener("SIGTERM", onTerm);
    if (deadline !== undefined) clearTimeout(deadline);
  }
}
