/**
 * Recording real programs' heap calls as malloc-lab traces: runs a command with libmemsrecord.so
 * (record.c) preloaded, reads the log each of its processes wrote, and turns one of them into a
 * `.rep` trace (header, then `a`/`f`/`r` lines) that `mems replay` and `bun bench` replay.
 *
 * `mems record` (cli/record.ts) and the `real-*` bench workloads (bench/real.ts) use this.
 */
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const RECORD_DIR = fileURLToPath(new URL(".", import.meta.url));
export const RECORDER_LIBRARY = join(RECORD_DIR, "libmemsrecord.so");
/** The log's fixed header (record.c's HEADER_BYTES); operations start after it. */
const HEADER_BYTES = 4096;

/** Bad usage or input, found before the program ran (exit status 2). */
export class RecordUsageError extends Error {
  override name = "RecordUsageError";
}

/** The library's path, (re)built by make when record.c is newer (make is quick when nothing changed). */
export async function recorderLibrary(): Promise<string> {
  const make = Bun.spawn(["make", "-C", RECORD_DIR, "libmemsrecord.so"], { stdout: "ignore", stderr: "pipe" });
  const stderr = await new Response(make.stderr).text();
  if ((await make.exited) !== 0 || !existsSync(RECORDER_LIBRARY)) {
    throw new Error(`cannot build record/libmemsrecord.so: ${stderr.trim().split("\n").pop() ?? "make failed"}`);
  }
  return RECORDER_LIBRARY;
}

/** The executable `name` runs (a path, or found in PATH); a usage error when there is none. */
export function resolveCommand(name: string): string {
  if (name.includes("/")) {
    try {
      if (statSync(name).isFile()) {
        accessSync(name, constants.X_OK);
        return name;
      }
    } catch {
      // reported below
    }
    throw new RecordUsageError(`${name}: no such executable file`);
  }
  const found = Bun.which(name);
  if (found === null) throw new RecordUsageError(`${name}: command not found`);
  return found;
}

/** One process's log, as record.c wrote it. */
export interface ProcessLog {
  file: string;
  pid: number;
  /** 1 for the first program of the process, N for the N-th exec'd into it. */
  sequence: number;
  exe: string;
  cmdline: string;
  /** Frees of pointers the recorder never saw handed out (counted and dropped). */
  unknownFrees: number;
  /** The recorder could not grow its log and stopped recording: the log ends early. */
  stoppedEarly: boolean;
  /** The operation lines. */
  body: string;
}

const LOG_NAME = /^(\d+)(?:-(\d+))?\.log$/;

function headerField(header: string, name: string): string {
  const line = header.split("\n").find((text) => text.startsWith(`#${name} `));
  return line === undefined ? "" : line.slice(name.length + 2).trim();
}

/** Reads one log file (up to its first zero byte: the unused tail of its last window). */
export function readLog(file: string): ProcessLog | undefined {
  const name = LOG_NAME.exec(file.slice(file.lastIndexOf("/") + 1));
  if (name === null) throw new Error(`${file}: not a recorder log name`);
  const bytes = readFileSync(file);
  const header = bytes.subarray(0, HEADER_BYTES).toString("latin1");
  // Opened but its header not yet written (empty, the zeros of its ftruncate, the spaces write_header
  // fills it with first): a process that was starting when the command ended (an orphan left running),
  // or was killed right then. Nothing recorded.
  if (bytes.subarray(0, HEADER_BYTES).every((byte) => byte === 0 || byte === 0x20)) return undefined;
  if (!header.startsWith("#mems-record 1\n")) throw new Error(`${file}: not a recorder log`);
  const end = bytes.indexOf(0, HEADER_BYTES);
  return {
    file,
    pid: Number(name[1]),
    sequence: name[2] === undefined ? 1 : Number(name[2]),
    exe: headerField(header, "exe"),
    cmdline: headerField(header, "cmdline"),
    unknownFrees: Number(headerField(header, "unknown-frees")),
    stoppedEarly: headerField(header, "error") !== "0",
    body: bytes.subarray(HEADER_BYTES, end < 0 ? bytes.length : end).toString("latin1"),
  };
}

export interface Recording {
  /** The program's exit code, or null when a signal ended it. */
  exitCode: number | null;
  signal: string | null;
  /** The pid of the command's own process. */
  pid: number;
  /** Every process's log, in pid then exec order. */
  logs: ProcessLog[];
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** "inherit": the program uses our terminal (mems record); "ignore": its output is dropped. */
  stdio?: "inherit" | "ignore";
  /**
   * While the program runs, a SIGINT to us is left to it (the terminal sends it to both) and a SIGTERM
   * or SIGHUP is passed on to it, so that we live to write what it recorded (mems record).
   */
  forwardSignals?: boolean;
}

const FORWARDED = ["SIGTERM", "SIGHUP"] as const;

/** Runs `command` (already resolved) with the recorder preloaded and reads every log it left. */
export async function runRecorded(command: readonly string[], library: string, options: RunOptions = {}): Promise<Recording> {
  const dir = mkdtempSync(join(tmpdir(), "mems-record-"));
  try {
    const base = options.env ?? process.env;
    const preload = base.LD_PRELOAD === undefined || base.LD_PRELOAD === "" ? library : `${library}:${base.LD_PRELOAD}`;
    const stdio = options.stdio ?? "inherit";
    const child = Bun.spawn([...command], {
      cwd: options.cwd ?? process.cwd(),
      env: { ...base, LD_PRELOAD: preload, MEMS_RECORD_DIR: dir },
      stdin: stdio === "inherit" ? "inherit" : "ignore",
      stdout: stdio,
      stderr: stdio,
    });
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    const ignore = (): void => {};
    if (options.forwardSignals === true) {
      process.on("SIGINT", ignore);
      for (const signal of FORWARDED) process.on(signal, forward);
    }
    try {
      await child.exited;
    } finally {
      process.off("SIGINT", ignore);
      for (const signal of FORWARDED) process.off(signal, forward);
    }
    const logs = readdirSync(dir)
      .filter((file) => LOG_NAME.test(file))
      .flatMap((file) => readLog(join(dir, file)) ?? [])
      .sort((x, y) => x.pid - y.pid || x.sequence - y.sequence);
    return { exitCode: child.exitCode, signal: child.signalCode === null ? null : String(child.signalCode), pid: child.pid, logs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The command's own program: the last one exec'd into its process (`sh -c 'exec prog'` gives prog). */
export function mainLog(recording: Recording): ProcessLog | undefined {
  return recording.logs.filter((log) => log.pid === recording.pid).at(-1);
}

/** The process with the most operations (cc's is cc1, the compiler proper). */
export function largestLog(recording: Recording): ProcessLog | undefined {
  let best: ProcessLog | undefined;
  let bestLines = -1;
  for (const log of recording.logs) {
    const lines = countLines(log.body);
    if (lines > bestLines) {
      best = log;
      bestLines = lines;
    }
  }
  return best;
}

function countLines(text: string): number {
  let lines = 0;
  for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) lines++;
  return lines;
}

export interface TraceSummary {
  ops: number;
  ids: number;
  mallocs: number;
  frees: number;
  reallocs: number;
  peakLiveBytes: number;
}

/** Counts a log body's operations, IDs and peak live bytes (for the malloc-lab header). */
export function summarize(body: string): TraceSummary {
  const summary: TraceSummary = { ops: 0, ids: 0, mallocs: 0, frees: 0, reallocs: 0, peakLiveBytes: 0 };
  let sizes = new Float64Array(1024);
  let live = 0;
  let start = 0;
  while (start < body.length) {
    let end = body.indexOf("\n", start);
    if (end < 0) end = body.length;
    const op = body.charCodeAt(start);
    const space = body.indexOf(" ", start + 2);
    const id = Number(body.slice(start + 2, space < 0 || space > end ? end : space));
    const size = op === 0x66 ? 0 : Number(body.slice(space + 1, end));
    if (id >= sizes.length) {
      const larger = new Float64Array(Math.max(sizes.length * 2, id + 1));
      larger.set(sizes);
      sizes = larger;
    }
    live += size - (sizes[id] ?? 0);
    sizes[id] = size;
    if (live > summary.peakLiveBytes) summary.peakLiveBytes = live;
    if (id + 1 > summary.ids) summary.ids = id + 1;
    summary.ops++;
    if (op === 0x61) summary.mallocs++;
    else if (op === 0x66) summary.frees++;
    else summary.reallocs++;
    start = end + 1;
  }
  return summary;
}

/**
 * The malloc-lab trace of one log: comment lines (`notes`, then what was dropped), the four-number
 * header (suggested heap size: the peak live bytes; IDs; operations; weight 1), the operations and,
 * when `partial` says why, a closing comment that the trace stops early.
 */
export function toTrace(log: ProcessLog, notes: readonly string[], partial?: string): { text: string; summary: TraceSummary } {
  const summary = summarize(log.body);
  const comments = [
    ...notes,
    `program: ${log.exe} (${log.cmdline})`,
    `frees of pointers never seen (dropped): ${log.unknownFrees}`,
    "aligned allocations (posix_memalign, aligned_alloc, memalign, valloc, pvalloc) are recorded as plain sizes",
  ];
  const head = `${comments.map((line) => `# ${line}`).join("\n")}\n${summary.peakLiveBytes}\n${summary.ids}\n${summary.ops}\n1\n`;
  const tail = partial === undefined ? "" : `# partial: ${partial}\n`;
  return { text: head + log.body + tail, summary };
}
