/**
 * `mems record [--out FILE] [--pick main|largest] -- COMMAND [ARGS...]`: runs COMMAND with the
 * recorder preloaded (record/record.c) and writes the heap calls of one of its programs as a malloc-lab trace.
 * A command of a checkout only (cli/repository.ts): the package ships without record/ and this file.
 *
 * Exit status: 2 for bad usage, found before anything runs (no command, a command that does not
 * exist, an --out that cannot be written); otherwise the program's own status: its exit code, or
 * 128 + the signal number when a signal ended it (as a shell reports it). When the program was killed,
 * or the recorder had to stop, the trace up to there is written as FILE.partial (never as FILE) and
 * ends with a `# partial:` comment. While the program runs, Ctrl-C is left to it and SIGTERM or SIGHUP
 * sent to `mems record` is passed on to it, so its trace up to there is still written. A run that recorded nothing (a statically linked program ignores
 * LD_PRELOAD) writes no file and exits 1 unless the program itself failed.
 */
import { closeSync, constants as fsConstants, openSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { basename, dirname, join } from "node:path";
import type { Argv } from "yargs";
import {
  largestLog,
  mainLog,
  type ProcessLog,
  type Recording,
  RecordUsageError,
  recorderLibrary,
  resolveCommand,
  runRecorded,
  toTrace,
} from "../record/record.ts";
import { outputFileProblem } from "./io.ts";
import { writeErr } from "./output.ts";

export const PICKS = ["main", "largest"] as const;
export type ProcessPick = (typeof PICKS)[number];

export interface RecordArgs {
  command: string[];
  out?: string;
  pick?: ProcessPick;
  /** Where the program's standard streams go (inherit: the terminal; ignore: tests). */
  stdio?: "inherit" | "ignore";
}

/** Messages go to `say` (stderr in the CLI). */
export type Say = (line: string) => void;

const USAGE = "mems record [--out FILE] [--pick main|largest] -- COMMAND [ARGS...]";

/** Fails with a usage error unless `out` can be created and written (checked with a probe file beside it). */
function checkWritable(out: string): void {
  const problem = outputFileProblem(out);
  if (problem !== undefined) throw new RecordUsageError(`--out: ${problem}`);
  const probe = join(dirname(out), `.${basename(out)}.${process.pid}.probe`);
  try {
    closeSync(openSync(probe, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL));
    rmSync(probe);
  } catch (error) {
    const reason = error instanceof Error && "code" in error ? String(error.code) : String(error);
    throw new RecordUsageError(`--out ${out}: cannot write there (${reason})`);
  }
}

/** The exit status a shell would give for `recording`. */
export function exitStatus(recording: Pick<Recording, "exitCode" | "signal">): number {
  if (recording.exitCode !== null) return recording.exitCode;
  const number = recording.signal === null ? undefined : osConstants.signals[recording.signal as keyof typeof osConstants.signals];
  return 128 + (number ?? 0);
}

/** Writes `text` to `file` through a temporary file beside it, so no half-written file carries the name. */
function writeAtomically(file: string, text: string): void {
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

/** Runs the command, writes the trace, returns the exit status. */
export async function recordMain(args: RecordArgs, say: Say): Promise<number> {
  let recording: Recording;
  let out: string;
  try {
    const [name, ...rest] = args.command;
    if (name === undefined || name === "") throw new RecordUsageError(`name a command to record: ${USAGE}`);
    out = args.out ?? `${basename(name)}.rep`;
    checkWritable(out);
    const program = resolveCommand(name);
    recording = await runRecorded([program, ...rest], await recorderLibrary(), { stdio: args.stdio ?? "inherit", forwardSignals: true });
  } catch (error) {
    say(`mems record: ${error instanceof Error ? error.message : String(error)}`);
    return error instanceof RecordUsageError ? 2 : 1;
  }

  const status = exitStatus(recording);
  const log: ProcessLog | undefined = args.pick === "largest" ? largestLog(recording) : mainLog(recording);
  if (log === undefined) {
    say(
      `mems record: nothing was recorded: ${args.command[0]} did not load the recorder (a statically linked program ignores LD_PRELOAD); no trace written`,
    );
    return status === 0 ? 1 : status;
  }
  const partial =
    recording.signal !== null
      ? `${args.command[0]} was killed by ${recording.signal}; the trace ends with the last call before that`
      : log.stoppedEarly
        ? "the recorder could not grow its log and stopped recording; the trace ends there"
        : undefined;
  const file = partial === undefined ? out : `${out}.partial`;
  const { text, summary } = toTrace(log, [`recorded by: mems record -- ${args.command.join(" ")}`], partial);
  try {
    writeAtomically(file, text);
  } catch (error) {
    say(`mems record: cannot write ${file}: ${error instanceof Error ? error.message : String(error)}`);
    return status === 0 ? 1 : status;
  }
  const others = recording.logs.length - 1;
  say(
    `mems record: ${summary.ops.toLocaleString("en")} operations (${summary.mallocs} a, ${summary.frees} f, ${summary.reallocs} r), ` +
      `${summary.ids} IDs, ${log.unknownFrees} frees of unknown pointers dropped, from ${log.exe} -> ${file}` +
      (others > 0 ? ` (${others} other process${others === 1 ? "" : "es"} not in this trace)` : ""),
  );
  if (partial !== undefined) say(`mems record: PARTIAL trace: ${partial}; written as ${file}`);
  return status;
}

export function recordCommand(y: Argv): Argv {
  return y.command(
    "record",
    "Run a program with the recorder preloaded and write its malloc/free calls as a malloc-lab trace",
    (c) =>
      c
        .usage(USAGE)
        .option("out", { type: "string", describe: "the trace file (default: COMMAND.rep here)" })
        .option("pick", {
          choices: PICKS,
          default: "main" as ProcessPick,
          describe: "which process: the command's own (main) or the one with the most calls (largest)",
        })
        .epilogue(
          "Exit status: 2 for bad usage; otherwise the program's own (128 + N when signal N ended it). A killed program's trace is written as FILE.partial.",
        ),
    async (argv) => {
      const args: RecordArgs = { command: argv._.slice(1).map(String), pick: argv.pick };
      if (argv.out !== undefined) args.out = argv.out;
      process.exitCode = await recordMain(args, (line) => writeErr(`${line}\n`));
    },
  );
}
