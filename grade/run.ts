/**
 * Running a grading scenario through a built driver and reading what it printed into one record per
 * operation (grade/drivers/driver.c says the markers). Whatever ended the run (a crash, a hang, an early
 * exit), the operation it was in is the last one whose marker came out: stdout is line-buffered there.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Limits, RUN_LIMITS, type RunResult, type Sandbox } from "./sandbox.ts";

/** What one operation printed and returned. */
export interface OpOutput {
  readonly index: number;
  /** The scenario line. */
  readonly op: string;
  /** What the submission printed during it (driver lines taken out). */
  readonly text: string;
  /** mems_malloc's result: an address, null, or undefined for other operations. */
  readonly address: number | null | undefined;
  /** The int `g` read back. */
  readonly value: number | undefined;
  /** The pattern check's findings after it ("null ID OFFSET", "changed ID OFFSET"). */
  readonly get: readonly string[];
  /** The mmap/munmap findings during it ("mmap-length L P", "still-mapped N BYTES", ...). */
  readonly os: readonly string[];
}

export interface Trace {
  /** Printed before the first operation (by mems_init). */
  readonly preamble: string;
  readonly ops: readonly OpOutput[];
  /** The driver printed its end marker: every operation ran and the program exited by itself. */
  readonly completed: boolean;
  readonly run: RunResult;
}

interface Building {
  index: number;
  op: string;
  lines: string[];
  address: number | null | undefined;
  value: number | undefined;
  get: string[];
  os: string[];
}

/** Reads a driver's stdout into operations. */
export function readTrace(run: RunResult): Trace {
  const preamble: string[] = [];
  const ops: Building[] = [];
  let completed = false;
  for (const line of run.stdout.split("\n")) {
    const current = ops[ops.length - 1];
    if (!line.startsWith("@@")) {
      (current?.lines ?? preamble).push(line);
      continue;
    }
    const marker = /^@@ (\d+) (.*)$/.exec(line);
    if (marker !== null) {
      ops.push({ index: Number(marker[1]), op: marker[2] ?? "", lines: [], address: undefined, value: undefined, get: [], os: [] });
    } else if (line === "@@end") completed = true;
    else if (current !== undefined) readDriverLine(line, current);
  }
  const text = (lines: string[]): string => lines.filter((line) => line !== "").join("\n");
  return {
    preamble: text(preamble),
    ops: ops.map((op) => ({
      index: op.index,
      op: op.op,
      text: text(op.lines),
      address: op.address,
      value: op.value,
      get: op.get,
      os: op.os,
    })),
    completed: completed && run.status === 0,
    run,
  };
}

function readDriverLine(line: string, current: Building): void {
  if (line.startsWith("@@= ")) {
    const value = line.slice(4);
    current.address = value === "null" ? null : Number(value);
  } else if (line.startsWith("@@value ")) current.value = Number(line.slice(8));
  else if (line.startsWith("@@get ")) current.get.push(line.slice(6));
  else if (line.startsWith("@@os ")) current.os.push(line.slice(5));
}

let scenarioCount = 0;

/** Runs `ops` (driver lines) through `binary`; `patterns` turns the pattern check on. */
export async function runScenario(
  sandbox: Sandbox,
  workDir: string,
  binary: string,
  ops: readonly string[],
  options: { patterns?: boolean; limits?: Limits; wrapper?: readonly string[] } = {},
): Promise<Trace> {
  const file = join(workDir, `scenario-${process.pid}-${scenarioCount++}.txt`);
  writeFileSync(file, `${ops.join("\n")}\n`);
  const argv = [...(options.wrapper ?? []), binary, file, ...(options.patterns ? ["p"] : [])];
  return readTrace(await sandbox.run(argv, workDir, options.limits ?? RUN_LIMITS));
}

/** The operation a run that did not complete was in: "op 3 (f 1)", or "the end (mems_finish)". */
export function whereStopped(trace: Trace): string {
  const last = trace.ops[trace.ops.length - 1];
  if (last === undefined) return "mems_init";
  return describeOp(last.op);
}

/** An operation in the course's words. */
export function describeOp(op: string): string {
  const [code, ...args] = op.split(" ");
  switch (code) {
    case "a":
      return `mems_malloc(${args[1]}) of block ${args[0]}`;
    case "f":
      return `mems_free of block ${args[0]}`;
    case "F":
      return `mems_free(start + ${args[0]})`;
    case "w":
    case "g":
      return `mems_get of block ${args[0]} at offset ${args[1]}`;
    case "s":
      return "mems_print_stats()";
    case "x":
      return "mems_finish() and mems_init()";
    case "end":
      return "the closing mems_finish()";
    default:
      return op;
  }
}

/** How a run that did not complete ended, for a verdict: crash, timeout or an early exit. */
export function howStopped(trace: Trace): { verdict: "crash" | "timeout" | "fail"; reason: string } {
  const where = whereStopped(trace);
  const { run } = trace;
  // SIGXCPU: the CPU limit, which a spinning hang reaches before the wall time (SIGKILL: its hard limit).
  if (run.timedOut || run.signal === "SIGXCPU" || run.signal === "SIGKILL") return { verdict: "timeout", reason: `hung in ${where}` };
  if (run.signal !== null) return { verdict: "crash", reason: `${run.signal} in ${where}` };
  return { verdict: "fail", reason: `the program exited (status ${run.status}) in ${where}` };
}
