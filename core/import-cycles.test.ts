/**
 * No import circle in the core (issue 23): a lookup, the records and the registry that makes lookups
 * import one another in one direction only, type-only imports included, so a new strategy is a file in
 * core/lookups/ and a line in its registry. The finder itself is checked on a small graph first.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { circlesUnder, importCircles, relativeImports } from "../test-support/import-cycles.ts";

test("relativeImports reads static, type-only, re-exported and dynamic relative imports, not packages", () => {
  const source = [
    'import { a } from "./a.ts";',
    'import type { B } from "../b.ts";',
    'export { c } from "./c.ts";',
    'import {\n  d,\n  type D,\n} from "./d.ts";',
    'import "./side.ts";',
    'const lazy = await import("./lazy.ts");',
    'import yargs from "yargs";',
  ].join("\n");
  expect(relativeImports(source).sort()).toEqual(["../b.ts", "./a.ts", "./c.ts", "./d.ts", "./lazy.ts", "./side.ts"]);
});

test("importCircles finds each circle once, a file importing itself, and nothing in a graph without one", () => {
  const graph = new Map([
    ["a", ["b"]],
    ["b", ["c"]],
    ["c", ["a", "d"]],
    ["d", []],
    ["e", ["e"]],
    ["f", ["d"]],
  ]);
  expect(importCircles(graph)).toEqual([["a", "b", "c"], ["e"]]);
  expect(
    importCircles(
      new Map([
        ["a", ["b"]],
        ["b", []],
      ]),
    ),
  ).toEqual([]);
});

test("core/ has no import circle, type-only imports included", () => {
  const root = join(import.meta.dir, "..");
  expect(circlesUnder(join(root, "core"), root)).toEqual([]);
});
