/**
 * No import circle in bench/ or grade/ (issue 23), nor anywhere else in the repository, type-only imports
 * included: shared types sit in files that import nothing back (bench/types.ts, bench/report/chart-plan.ts,
 * grade/stats-meaning.ts). core/import-cycles.test.ts holds the core to the same and checks the finder.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { circlesUnder } from "./import-cycles.ts";

const ROOT = join(import.meta.dir, "..");

test("bench/ has no import circle, type-only imports included", () => {
  expect(circlesUnder(join(ROOT, "bench"), ROOT)).toEqual([]);
});

test("grade/ has no import circle, type-only imports included", () => {
  expect(circlesUnder(join(ROOT, "grade"), ROOT)).toEqual([]);
});

test("the repository has no import circle, between folders included", () => {
  expect(circlesUnder(ROOT, ROOT)).toEqual([]);
});
