/**
 * Every source file the project tracks opens with a comment saying its role (issue 23: "an opening
 * comment per file"), after a `#!` line where it has one: TypeScript, C, headers, shell scripts and
 * the AssemblyScript peer. The check asks git for the files, so a new file is held to it at once.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, trackedFiles } from "./repository.ts";

const SOURCE = ["*.ts", "*.c", "*.h", "*.sh", "*.as"];

/** Why `text` does not open with a comment of at least three words (after a `#!` line), or undefined. */
function openingProblem(text: string): string | undefined {
  const lines = text.split("\n");
  let at = lines[0]?.startsWith("#!") ? 1 : 0;
  while (at < lines.length && (lines[at] ?? "").trim() === "") at++;
  const first = (lines[at] ?? "").trim();
  const comment = /^(\/\*\*?|\/\/|#)/.exec(first);
  if (comment === null) return `opens with ${JSON.stringify(first.slice(0, 60))}, not a comment`;
  // The comment's own words: its first line, or the next when the first is only the opener.
  const words = (first === comment[0] ? (lines[at + 1] ?? "") : first.slice(comment[0].length)).replace(/^\s*\*/, "").trim();
  return words.split(/\s+/).filter((word) => word !== "").length >= 3
    ? undefined
    : `its opening comment says too little: ${JSON.stringify(words)}`;
}

test("every tracked source file opens with a comment saying its role", () => {
  const files = trackedFiles(...SOURCE);
  expect(files.length).toBeGreaterThan(100);
  const problems = files.flatMap((path) => {
    const problem = openingProblem(readFileSync(join(ROOT, path), "utf8"));
    return problem === undefined ? [] : [`${path}: ${problem}`];
  });
  expect(problems).toEqual([]);
});

test("the check refuses a file that opens with code, or with an empty comment", () => {
  expect(openingProblem('import { x } from "y";\n')).toContain("not a comment");
  expect(openingProblem("#!/usr/bin/env bun\nconst x = 1;\n")).toContain("not a comment");
  expect(openingProblem("/**\n *\n */\nconst x = 1;\n")).toContain("says too little");
  expect(openingProblem("#!/usr/bin/env bun\n/**\n * The heap's first mapping.\n */\n")).toBeUndefined();
  expect(openingProblem("# Builds the C reference and its tests.\nset -e\n")).toBeUndefined();
});
