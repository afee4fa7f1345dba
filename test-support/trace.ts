/**
 * What the scenario tests share: the error a bad scenario gives, and replays of scenario text to its
 * output (4096-byte pages from 1000 unless the text or the options say otherwise).
 */
import { parseScenario, ScenarioError } from "../trace/format.ts";
import { type ReplayOptions, type ReplayResult, replay } from "../trace/runner.ts";

/** The error a bad scenario gives, as the CLI prints it. */
export function errorOf(text: string, file = "t.mtrace"): string {
  try {
    parseScenario(text, file);
  } catch (error) {
    if (error instanceof ScenarioError) return error.toString();
    throw error;
  }
  throw new Error("parsed without error");
}

export function runWithResult(text: string, options: ReplayOptions = {}): { output: string; result: ReplayResult } {
  const chunks: string[] = [];
  const result = replay(parseScenario(text, "t.mtrace"), {
    pageSize: 4096,
    startAddress: 1000,
    out: (s) => chunks.push(s),
    ...options,
  });
  return { output: chunks.join(""), result };
}

/** Replays scenario text and returns its output. */
export function run(text: string, options: ReplayOptions = {}): string {
  return runWithResult(text, options).output;
}
