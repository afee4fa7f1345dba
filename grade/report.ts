/**
 * What `mems grade` prints and writes: a table per submission (one row per check: verdict and reason),
 * for a class one row per submission with the checks as columns and the score, the details of what did
 * not pass beneath; `--json FILE` in the issue's shape.
 */
import Table from "cli-table3";
import { CHECK_NAMES, type Verdict } from "./checks.ts";
import type { SubmissionResult } from "./grade.ts";

/** A verdict as a table cell: short, and `-` for a check not run. */
const CELL: Record<Verdict, string> = { pass: "ok", fail: "FAIL", crash: "CRASH", timeout: "TIMEOUT", skipped: "skip", error: "ERROR" };

const plain = { head: [], border: [] };

/** One submission: each check with its verdict and reason. */
export function submissionTable(result: SubmissionResult): string {
  const table = new Table({
    head: [result.path, "verdict", `score ${result.score}`],
    style: plain,
    wordWrap: true,
    colWidths: [18, 9, 90],
  });
  for (const check of result.checks) table.push([check.name, check.verdict, check.detail]);
  return table.toString();
}

/** A class: one row per submission, the checks as columns, the score last. */
export function classTable(results: readonly SubmissionResult[]): string {
  const names = CHECK_NAMES.filter((name) => results.some((r) => r.checks.some((c) => c.name === name)));
  const table = new Table({ head: ["submission", ...names, "score"], style: plain });
  for (const result of results) {
    const verdicts = new Map(result.checks.map((c) => [c.name, CELL[c.verdict]]));
    table.push([result.path, ...names.map((name) => verdicts.get(name) ?? "-"), String(result.score)]);
  }
  return table.toString();
}

/** The reasons of every check that did not pass, one line each, for beneath the class table. */
export function problemLines(results: readonly SubmissionResult[]): string[] {
  const lines: string[] = [];
  for (const result of results)
    for (const check of result.checks)
      if (check.verdict !== "pass" && check.verdict !== "skipped")
        lines.push(`${result.path}: ${check.name} ${check.verdict}: ${check.detail}`);
  return lines;
}

/** The terminal's report: one table for one submission; for several, the class table and the problems. */
export function terminalReport(results: readonly SubmissionResult[]): string {
  if (results.length === 1 && results[0] !== undefined) return `${submissionTable(results[0])}\n`;
  const problems = problemLines(results);
  return `${classTable(results)}\n${problems.length > 0 ? `\n${problems.join("\n")}\n` : ""}`;
}

/** `--json FILE`: {"submissions":[{"path","build","checks":[{"name","verdict","detail"}],"score"}]}. */
export function jsonReport(results: readonly SubmissionResult[]): string {
  const submissions = results.map((r) => ({
    path: r.path,
    build: r.build,
    checks: r.checks.map((c) => ({ name: c.name, verdict: c.verdict, detail: c.detail })),
    score: r.score,
  }));
  return `${JSON.stringify({ submissions }, null, 2)}\n`;
}

/** True when every check of every submission passed (skipped ones aside; an `error` is not a pass). */
export function allPassed(results: readonly SubmissionResult[]): boolean {
  return results.every((r) => r.checks.every((c) => c.verdict === "pass" || c.verdict === "skipped"));
}
