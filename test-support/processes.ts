/**
 * The processes still running as given uids, from /proc: what the grader's tests look at to show that a
 * sandboxed run left nothing behind. Zombies are left out: a process that has ended holds no memory and
 * runs nothing, and only its parent's wait (or init's, once orphaned: on the project's machine init
 * reaps lazily) removes its entry; `zombies` counts them too.
 */
import { processFiles } from "../lib/processes.ts";

/**
 * The pids of the processes, zombies aside unless `zombies`, whose real uid is one of `uids` (`proc`:
 * /proc, or a test's copy). Zombies count against a uid's process limit until reaped: a run must leave
 * none once it has returned (its reaper waits for them).
 */
export function processesOf(uids: readonly number[], proc = "/proc", { zombies = false } = {}): number[] {
  return processFiles("status", proc)
    .filter(({ text }) => uids.includes(Number(/^Uid:\s+(\d+)/m.exec(text)?.[1])) && (zombies || !/^State:\s+Z/m.test(text)))
    .map(({ pid }) => pid);
}
