/**
 * Golden scenarios: every scenarios/NAME.mtrace with a NAME.expected beside it, replayed through the one
 * runner, must print exactly the expected file (physical addresses masked). The expected files were
 * worked out by hand from the spec. Size-indexed is checked too where the output cannot depend on which
 * HOLE is chosen (no s, v, p, P or F operation).
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { maskPhysical as mask } from "../conformance/compare.ts";
import type { Lookup } from "../core/index.ts";
import { Op, readScenario, type Scenario } from "./format.ts";
import { replay } from "./runner.ts";

const DIR = join(import.meta.dir, "../scenarios");

/** Ops that show addresses or reach blocks by address: their output depends on the HOLE chosen. */
const HOLE_DEPENDENT = new Set<number>([Op.Stats, Op.Virtual, Op.Physical, Op.PhysicalRaw, Op.FreeRaw]);

function holeIndependent(scenario: Scenario): boolean {
  return !Array.from(scenario.ops).some((op) => HOLE_DEPENDENT.has(op));
}

function output(scenario: Scenario, lookup: Lookup): string {
  const chunks: string[] = [];
  replay(scenario, { lookup, out: (text) => chunks.push(text), afterOp: (_i, mems) => mems.checkInvariants() });
  return chunks.join("");
}

const files = new Set(readdirSync(DIR));
const golden = [...files].filter((name) => name.endsWith(".mtrace") && files.has(name.replace(/\.mtrace$/, ".expected"))).sort();

test("the golden set covers the behaviours it is meant to", () => {
  for (const name of [
    "example",
    "split_exact",
    "merge",
    "segments",
    "multipage",
    "not_found",
    "start0",
    "page1024",
    "page8192",
    "empty_stats",
    "realloc",
    "restart",
  ]) {
    expect(golden).toContain(`${name}.mtrace`);
  }
});

describe.each(golden)("%s", (name) => {
  const scenario = readScenario(join(DIR, name));
  const expected = readFileSync(join(DIR, name.replace(/\.mtrace$/, ".expected")), "utf8");

  test("first-fit prints the expected output", () => {
    expect(mask(output(scenario, "first-fit"))).toBe(expected);
  });

  if (holeIndependent(scenario)) {
    test("size-indexed prints the expected output", () => {
      expect(mask(output(scenario, "size-indexed"))).toBe(expected);
    });
  } else {
    // The output shows which HOLE was chosen, so it may differ; every invariant must still hold.
    test("size-indexed keeps every invariant after every operation", () => {
      expect(output(scenario, "size-indexed").length).toBeGreaterThan(0);
    });
  }
});
