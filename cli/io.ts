/**
 * What every command shares: the exit statuses, the two kinds of failure, reading integer options, and
 * the messages for files that cannot be read or written.
 *
 * Exit status (README, "The command line"):
 * - 0: done.
 * - 1: something failed while running: MeMS refused an operation of a valid scenario, a check failed
 *   (verify, conformance, soak), or stdout could not be written (a full disk).
 * - 2: the command line or an input is wrong and nothing ran: an unknown command or option or a bad
 *   option value (these add the usage hint), a file that cannot be read, a bad line of a scenario.
 * - 130, 141, 143: ended by SIGINT (Ctrl-C), by the reader of its output going away (SIGPIPE, as
 *   `mems gen | head -1`), by SIGTERM; bench and conformance remove their temporary files and stop
 *   their children first.
 */
import { statSync } from "node:fs";
import { dirname } from "node:path";
import { ALIGNMENTS, type Alignment } from "../core/index.ts";
import { parseDecimalInteger } from "../lib/integers.ts";
import { readScenario, type Scenario, ScenarioError } from "../trace/format.ts";

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A failure that ends the command with a message and a status (1 or 2), without the usage hint. */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "CommandError";
  }
}

/** Bad usage: exit status 2, the message and the hint to run --help. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Why a file named on the command line cannot be read, as `ls`, `rg` and `git` say it, lower case. */
export function describeFileError(file: string, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const reasons: Record<string, string> = {
    ENOENT: "no such file",
    EISDIR: "is a directory",
    ENOTDIR: "a part of the path is not a directory",
    EACCES: "permission denied",
    EPERM: "permission denied",
    ELOOP: "too many symbolic links",
    ENAMETOOLONG: "name too long",
  };
  const reason = typeof code === "string" ? (reasons[code] ?? code) : error instanceof Error ? error.message : String(error);
  return `${file}: ${reason}`;
}

/**
 * The path of a file or folder the command itself needs (scenarios/, the malloc-lab traces, the example)
 * when an error says it does not exist: a clone that lacks it gets one line naming it, not a raw ENOENT.
 */
export function missingPath(error: unknown): string | undefined {
  const { code, path } = (error ?? {}) as { code?: unknown; path?: unknown };
  return code === "ENOENT" && typeof path === "string" ? path : undefined;
}

/** What a command says of a file or folder it needs that is missing (exit status 2: nothing ran). */
export function missingDataMessage(path: string): string {
  return `${path}: no such file or directory (mems needs it; it comes with the MeMS repository)`;
}

/** Why `file` cannot be created or overwritten, checked before any work; undefined when it can be. */
export function outputFileProblem(file: string): string | undefined {
  if (file === "") return "needs a file name";
  const kind = (path: string): "file" | "directory" | "other" | undefined => {
    try {
      const stat = statSync(path);
      return stat.isDirectory() ? "directory" : stat.isFile() ? "file" : "other";
    } catch {
      return undefined;
    }
  };
  if (kind(file) === "directory") return `${file} is a directory`;
  const parent = dirname(file);
  const parentKind = kind(parent);
  if (parentKind === undefined) return `${file}: no such directory ${parent}`;
  if (parentKind !== "directory") return `${file}: ${parent} is not a directory`;
  return undefined;
}

/** The most characters of an option's value a message shows. */
const SHOWN_CHARACTERS = 40;

/** An option's value as a message shows it: control bytes escaped, a long one cut short with its length said. */
function shown(value: unknown): string {
  const text = String(value);
  const escaped = JSON.stringify(text.slice(0, SHOWN_CHARACTERS)).slice(1, -1);
  return text.length > SHOWN_CHARACTERS ? `${escaped}... (${text.length} characters)` : escaped;
}

/**
 * A yargs `coerce` for an integer option, read from the text given (main.ts turns yargs' own number
 * parsing off) by the project's one decimal reader: `--page-size abc` is refused naming `abc`, not
 * NaN, and `1e3` or `0x10` are not guessed at. Given twice, the last value counts (as git and rg do).
 */
export function integerOption(name: string, min: number, max: number = Number.MAX_SAFE_INTEGER): (value: unknown) => number {
  return (value: unknown): number => {
    const last: unknown = Array.isArray(value) ? value[value.length - 1] : value;
    const parsed = typeof last === "number" ? last : typeof last === "string" ? parseDecimalInteger(last, true) : undefined;
    if (parsed === undefined || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
      throw new UsageError(`--${name} must be an integer ${range}, got ${shown(last)}`);
    }
    return parsed;
  };
}

/** `--align N`: one of core's ALIGNMENTS, else a usage error naming them. Given twice, the last counts. */
function alignment(value: unknown): Alignment {
  const last: unknown = Array.isArray(value) ? value[value.length - 1] : value;
  const align = ALIGNMENTS.find((a) => String(a) === String(last));
  if (align === undefined) throw new UsageError(`--align must be one of ${ALIGNMENTS.join(", ")}, got ${shown(last)}`);
  return align;
}

/** The yargs settings of `--align` (replay, soak, viz): a value required, one of core's ALIGNMENTS. */
export const ALIGN_ARG = {
  coerce: alignment,
  requiresArg: true,
  describe: "round every block up to a multiple of N, so each starts N-aligned (a scenario's @align wins)",
  defaultDescription: "1, or $MEMS_ALIGN",
} as const;

/**
 * The FILE... operand of replay and viz. Their command is declared with it optional (`replay [files..]`,
 * its help usage line saying `<files..>`) and requireFiles demands it: yargs counts required operands
 * before it looks for unknown options, so `replay --verfiy FILE`, where the misspelled option took FILE
 * as its value, said "Not enough non-option arguments" instead of naming `verfiy`. No default: help
 * shows none.
 */
export const FILES_ARG = {
  type: "string",
  array: true,
  default: undefined,
  describe: "scenario files (.mtrace) or malloc-lab traces (.rep)",
} as const;

/** The files named (without a default, yargs gives `[undefined]` for none), or a usage error when there are none. */
export function requireFiles(files: unknown): string[] {
  const named = Array.isArray(files) ? files.filter((file): file is string => typeof file === "string") : [];
  if (named.length === 0) throw new UsageError("name at least one scenario file");
  return named;
}

/** The yargs settings of an integer option: its value read by integerOption, and a value required. */
export function integerArg(name: string, min: number, max?: number) {
  return { coerce: integerOption(name, min, max), requiresArg: true } as const;
}

/** The value of `resolve()` (a `--lookup` read by trace/lookup-choice.ts, say), any Error it throws a usage error. */
export async function asUsage<T>(resolve: () => Promise<T>): Promise<T> {
  try {
    return await resolve();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * Parses every file first: one bad file means nothing runs.
 * @throws CommandError (status 2) naming the file that cannot be read, or the file and line that is bad.
 */
export function readScenarios(files: readonly string[]): Scenario[] {
  return files.map((file) => {
    try {
      return readScenario(file);
    } catch (error) {
      if (error instanceof ScenarioError) throw new CommandError(error.toString(), EXIT.usage);
      throw new CommandError(describeFileError(file, error), EXIT.usage);
    }
  });
}
