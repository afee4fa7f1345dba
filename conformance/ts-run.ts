/**
 * The TypeScript side of a conformance case: a replay that never throws (its error is part of its
 * result, after the output printed before it), the heap walk after every operation, and the comparison
 * of a TS run with what it must print.
 */
import type { Mems } from "../core/index.ts";
import type { Scenario } from "../trace/format.ts";
import { type ReplayOptions, replay } from "../trace/runner.ts";
import { compareOutputs } from "./compare.ts";

/** The output of a TS replay, or the error it stopped with (after the output printed before it). */
export interface TsRun {
  readonly output: string;
  readonly error?: string;
}

/** A TS replay; `quiet` when only its error counts: then nothing is formatted (the output is empty). */
export function replayTs(scenario: Scenario, options: ReplayOptions, quiet = false): TsRun {
  const chunks: string[] = [];
  try {
    replay(scenario, quiet ? options : { ...options, out: (text) => chunks.push(text) });
    return { output: chunks.join("") };
  } catch (error) {
    return { output: chunks.join(""), error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/** The heap walk after every operation (core's one invariant checker). */
export const checkEveryOp = (_index: number, mems: Mems): void => mems.checkInvariants();

/** A TS run against the output it must print: undefined when equal and it did not throw. */
export function compareTs(expectedName: string, expected: string, tsName: string, run: TsRun): string | undefined {
  const difference = compareOutputs(expectedName, expected, tsName, run.output);
  if (run.error === undefined) return difference;
  return `${tsName} threw ${run.error}${difference === undefined ? "" : `\n${difference}`}`;
}

export const errorText = (error: unknown): string => (error instanceof Error ? error.toString() : String(error));
