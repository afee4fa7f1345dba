/**
 * No import circle in the core (issue 23): a lookup, the records and the registry that makes lookups
 * import one another in one direction only, type-only imports included, so a new strategy is a file in
 * core/lookups/ and a line in its registry. The finder itself is checked on a small graph first.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { circleReport, circlesUnder, importCircles, relativeImports } from "../test-support/import-cycles.ts";

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

test("the script's report: circles on stdout with status 1, none with status 0, a missing folder status 2", () => {
  const root = join(import.meta.dir, "..");
  const core = circleReport(join(root, "core"));
  expect(core).toEqual({ out: "", err: `0 import circle(s) under ${join(root, "core")}\n`, status: 0 });
  const fixture = mkdtempSync(join(tmpdir(), "mems-import-cycles-"));
  try {
    writeFileSync(join(fixture, "a.ts"), 'import type { B } from "./b.ts";\n');
    writeFileSync(join(fixture, "b.ts"), 'export { a } from "./a.ts";\n');
    writeFileSync(join(fixture, "c.ts"), 'import { a } from "./a.ts";\n');
    expect(circleReport(fixture)).toEqual({ out: "a.ts <-> b.ts\n", err: `1 import circle(s) under ${fixture}\n`, status: 1 });
  } finally {
    rmSync(fixture, { recursive: true, force: true });
  }
  expect(circleReport(join(root, "no-such-folder")).status).toBe(2);
});
