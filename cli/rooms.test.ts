/**
 * Every command lives in cli/ and nothing below the CLI imports it (issue 23, item 3): no module of
 * core/, trace/, viz/, lib/, conformance/, bench/, grade/, record/ or scenarios/ names a file of cli/,
 * type-only and dynamic imports included. What sits above the CLI may: bin/mems.ts (the package's
 * entry), the tests, test-support/ and the CI's scripts.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { relativeImports, typeScriptFiles } from "../test-support/import-cycles.ts";

const ROOT = join(import.meta.dir, "..");
const ABOVE_THE_CLI = ["cli/", "bin/", "test-support/", ".ci/"];

test("no module below the CLI imports a file of cli/", () => {
  const offenders: string[] = [];
  for (const file of typeScriptFiles(ROOT)) {
    const path = relative(ROOT, file);
    if (path.endsWith(".test.ts") || ABOVE_THE_CLI.some((room) => path.startsWith(room))) continue;
    for (const specifier of relativeImports(readFileSync(file, "utf8"))) {
      const target = relative(ROOT, resolve(dirname(file), specifier));
      if (target.startsWith("cli/")) offenders.push(`${path} imports ${target}`);
    }
  }
  expect(offenders).toEqual([]);
  // The walk saw the rooms below the CLI (a wrong ROOT would pass with no file read).
  expect(typeScriptFiles(ROOT).some((file) => relative(ROOT, file) === "grade/grade.ts")).toBe(true);
});
