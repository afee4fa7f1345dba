/**
 * The processes of this machine as /proc shows them: the children of a process, for the commands that
 * stop what they started (cli/signals.ts) and for the grader's sandboxes (grade/sandbox.ts).
 */
import { readdirSync, readFileSync } from "node:fs";

/** The processes whose parent is `pid`, from /proc (empty where there is no /proc). */
export function childPids(pid: number = process.pid, proc = "/proc"): number[] {
  let entries: string[];
  try {
    entries = readdirSync(proc);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const entry of entries) {
    if (!/^[0-9]+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`${proc}/${entry}/stat`, "utf8");
    } catch {
      continue; // gone since the listing
    }
    // "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses, so read after the last ")".
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === pid) children.push(Number(entry));
  }
  return children;
}
