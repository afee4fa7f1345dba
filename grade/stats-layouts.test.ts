/**
 * Each stats layout of grade/testdata/layouts/ is a correct MeMS printing its stats another way: built
 * into the reference's example program, every stats block reads to the meaning of the reference's own
 * output (scenarios/example.expected), with only the fields the layout omits missing. This is the test
 * that the reader reads real printf output, not only hand-written fixtures.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REFERENCE_DIR } from "../conformance/reference.ts";
import { LayoutError, statsLayouts, withStatsLayout } from "./stats-layouts.ts";
import {
  compareStats,
  missingSummaryFields,
  type ReadStats,
  readStatsBlocks,
  readStatsBlocksDetailed,
  SUMMARY_LABELS,
} from "./stats-reader.ts";

const EXPECTED = readStatsBlocks(readFileSync(join(import.meta.dir, "..", "scenarios", "example.expected"), "utf8")).map((r) => {
  if (!r.ok) throw new Error(r.problem);
  return r.stats;
});
const HEADER = readFileSync(join(REFERENCE_DIR, "mems.h"), "utf8");

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mems-stats-layouts-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Builds the example against the header with `layout` as its stats, runs it, returns its stdout. */
function runExample(name: string, layout: string): string {
  const at = join(dir, name);
  rmSync(at, { recursive: true, force: true });
  Bun.spawnSync(["mkdir", "-p", at]);
  writeFileSync(join(at, "mems.h"), withStatsLayout(HEADER, layout));
  copyFileSync(join(REFERENCE_DIR, "example.c"), join(at, "example.c"));
  const build = Bun.spawnSync(["gcc", "-O0", "-Wall", "-Wextra", "-Werror", "-std=gnu11", "-o", "example", "example.c"], { cwd: at });
  if (build.exitCode !== 0) throw new Error(`${name}: gcc failed:\n${build.stderr.toString()}`);
  const run = Bun.spawnSync([join(at, "example")], { cwd: at });
  if (run.exitCode !== 0) throw new Error(`${name}: exit ${run.exitCode}`);
  return run.stdout.toString();
}

describe("each layout's example output reads to the reference's meaning", () => {
  expect(EXPECTED).toHaveLength(3);
  for (const layout of statsLayouts()) {
    test(layout.file, () => {
      const output = runExample(layout.file, layout.source);
      expect(output).not.toBe(readFileSync(join(import.meta.dir, "..", "scenarios", "example.expected"), "utf8"));
      const blocks = readStatsBlocksDetailed(output);
      expect(blocks).toHaveLength(EXPECTED.length);
      for (const [i, block] of blocks.entries()) {
        if (!block.reading.ok) throw new Error(`${layout.file}: block ${i + 1}: ${block.reading.problem}`);
        const actual: ReadStats = block.reading.stats;
        const expected = EXPECTED[i] as ReadStats;
        const missing = missingSummaryFields(actual);
        expect(missing).toEqual([...layout.omits]);
        const differences = compareStats(expected, actual, { relative: layout.relative });
        // Only the omitted fields differ, each said as not printed.
        const shown = (v: number | readonly number[] | undefined) => (typeof v === "object" ? `[${v.join(", ")}]` : String(v));
        expect(differences).toEqual(layout.omits.map((f) => `${SUMMARY_LABELS[f]} is not printed (${shown(expected[f])} expected)`));
        if (!layout.relative) expect(actual.segments[0]?.start).toBe(1000);
        expect(block.notes.some((n) => n.startsWith("pieces read"))).toBe(layout.pieceBounds !== "inclusive");
      }
    }, 30_000);
  }
});

describe("withStatsLayout", () => {
  test("replaces exactly the definition, and refuses a header without one", () => {
    const header = "a\nMEMS_API void mems_print_stats(void) {\n    old();\n}\nb\n}\n";
    expect(withStatsLayout(header, "MEMS_API void mems_print_stats(void) {\n    new();\n}\n")).toBe(
      "a\nMEMS_API void mems_print_stats(void) {\n    new();\n}\nb\n}\n",
    );
    expect(() => withStatsLayout("a\nb\n", "x")).toThrow(LayoutError);
  });
});
