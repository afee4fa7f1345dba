/**
 * Comparing outputs: physical addresses masked (they differ from run to run), then the first line that
 * differs, with both sides, so a failure report points at the exact line.
 */

import { maskPhysical } from "../trace/output.ts";

/** Where two outputs part: a 1-based line number and each side's line (undefined past its end). */
export interface Difference {
  readonly line: number;
  readonly left: string | undefined;
  readonly right: string | undefined;
}

/** The first differing line of two texts, or undefined when they are equal. Texts are compared as given. */
export function firstDifference(left: string, right: string): Difference | undefined {
  if (left === right) return undefined;
  const a = left.split("\n");
  const b = right.split("\n");
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return { line: i + 1, left: a[i], right: b[i] };
  }
  return undefined; // unreachable: equal line arrays mean equal texts
}

/** A line as a report shows it: JSON-quoted so tabs and trailing spaces are visible. */
function showLine(line: string | undefined): string {
  return line === undefined ? "(end of output)" : JSON.stringify(line);
}

/**
 * Masks both outputs and compares them; undefined when equal, else a few lines saying where they part:
 *
 *   line 12 differs
 *     expected file: "Value: 7"
 *     TS first-fit:  "Value: 8"
 */
export function compareOutputs(leftName: string, left: string, rightName: string, right: string): string | undefined {
  const difference = firstDifference(maskPhysical(left), maskPhysical(right));
  if (difference === undefined) return undefined;
  const width = Math.max(leftName.length, rightName.length) + 1;
  return [
    `line ${difference.line} differs`,
    `  ${`${leftName}:`.padEnd(width)} ${showLine(difference.left)}`,
    `  ${`${rightName}:`.padEnd(width)} ${showLine(difference.right)}`,
  ].join("\n");
}
