/**
 * What the scenario tests share: the error a bad scenario gives, replays of scenario text to its output
 * (4096-byte pages from 1000 unless the text or the options say otherwise), and a stray write.
 */
import type { Mems } from "../core/index.ts";
import { parseScenario, ScenarioError } from "../trace/format.ts";
import { type ReplayOptions, type ReplayResult, replay } from "../trace/runner.ts";
import { thrown } from "./thrown.ts";

/** The error a bad scenario gives, as the CLI prints it. */
export function errorOf(text: string, file = "t.mtrace"): string {
  return thrown(() => parseScenario(text, file), ScenarioError).toString();
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

/** Flips every bit of the byte at virtual address `v`, as a stray write would. */
export function flipByte(mems: Mems, v: number): void {
  const view = mems.view(v, 1);
  view[0] = (view[0] ?? 0) ^ 0xff;
}
