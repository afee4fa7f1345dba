/**
 * The processes still running as given uids, from /proc: what the grader's tests look at to show that a
 * sandboxed run left nothing behind. Zombies are left out: a process that has ended holds no memory and
 * runs nothing, and only its parent's wait (or init's, once orphaned: on the project's machine init
 * reaps lazily) removes its entry.
 */
import { readdirSync, readFileSync } from "node:fs";

/** The pids of the processes, zombies aside, whose real uid is one of `uids` (`proc`: /proc, or a test's copy). */
export function processesOf(uids: readonly number[], proc = "/proc"): number[] {
  return readdirSync(proc)
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      let status: string;
      try {
        status = readFileSync(`${proc}/${pid}/status`, "utf8");
      } catch {
        return false; // gone since the listing
      }
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      const zombie = /^State:\s+Z/m.test(status);
      return uids.includes(uid) && !zombie;
    })
    .map(Number);
}
