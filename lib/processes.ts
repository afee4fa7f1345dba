/**
 * The processes of this machine as /proc shows them: the children of a process, for the commands that
 * stop what they started (cli/signals.ts) and for the grader's sandboxes (grade/sandbox.ts), and one
 * file of each process for whoever needs another of its fields (the tests' processesOf).
 */
import { readdirSync, readFileSync } from "node:fs";

/** One process's pid and the text of one of its /proc files. */
export interface ProcessFile {
  pid: number;
  text: string;
}

/**
 * The text of file `name` (`stat`, `status`, ...) of every process in `proc` (/proc, or a test's copy);
 * a process gone since the listing is left out, and there are none where there is no /proc.
 */
export function processFiles(name: string, proc = "/proc"): ProcessFile[] {
  let entries: string[];
  try {
    entries = readdirSync(proc);
  } catch {
    return [];
  }
  const files: ProcessFile[] = [];
  for (const entry of entries) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      files.push({ pid: Number(entry), text: readFileSync(`${proc}/${entry}/${name}`, "utf8") });
    } catch {
      // gone since the listing
    }
  }
  return files;
}

/** The processes whose parent is `pid`, from /proc (empty where there is no /proc). */
export function childPids(pid: number = process.pid, proc = "/proc"): number[] {
  // "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses, so read after the last ")".
  const parentOf = (stat: string): number => Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  return processFiles("stat", proc)
    .filter((file) => parentOf(file.text) === pid)
    .map((file) => file.pid);
}
