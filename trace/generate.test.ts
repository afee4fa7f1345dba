/**
 * The generators write scenarios that `replay --verify` passes (issue 22, item 4): no operation names an
 * ID whose block is gone, and no raw `F` frees a block, whatever the lookup and alignment. The stale-ID
 * scenarios of the conformance run (`staleIds`) fail `--verify` only by naming a stale write.
 */
import { describe, expect, test } from "bun:test";
import { ALIGNMENTS, LOOKUPS } from "../core/index.ts";
import { Op, parseScenario } from "./format.ts";
import { generateChurnTrace, generateRandomScenario } from "./generate.ts";
import { replay, StaleWriteError } from "./runner.ts";

const SEEDS = Array.from({ length: 200 }, (_, k) => k);

/** The lines of `text` that name an ID no longer live, by the replay rules read from the text alone. */
function staleLines(text: string): string[] {
  const live = new Set<string>();
  const stale: string[] = [];
  for (const line of text.split("\n")) {
    const [op = "", id = "", size = ""] = line.split(" ");
    if ("fwgvp".includes(op) && op !== "" && id !== "-1" && !live.has(id)) stale.push(line);
    if (op === "a" || (op === "r" && !live.has(id))) {
      if (Number(size) > 0) live.add(id);
      else live.delete(id);
    } else if ((op === "r" && size === "0") || op === "f") live.delete(id);
    else if (op === "x") live.clear();
  }
  return stale;
}

/** Replays `text` with verify, in the seed's lookup and alignment; every raw `F` must leave the blocks as they were. */
function verify(seed: number, text: string, file: string): void {
  const scenario = parseScenario(text, file);
  const lookup = LOOKUPS[seed % LOOKUPS.length] ?? "first-fit";
  const align = ALIGNMENTS[seed % ALIGNMENTS.length] ?? 1;
  let liveBefore = 0;
  const afterOp = (index: number, mems: import("../core/index.ts").Mems) => {
    if (scenario.ops[index] === Op.FreeRaw && mems.stats().liveBlocks !== liveBefore) {
      throw new Error(`${file}:${scenario.lineOf[index]}: a raw F freed a block`);
    }
    if (scenario.ops[index + 1] === Op.FreeRaw) liveBefore = mems.stats().liveBlocks;
  };
  try {
    replay(scenario, { verify: true, lookup, align, afterOp });
  } catch (error) {
    throw new Error(`seed ${seed} (${lookup}, align ${align}): ${error instanceof Error ? error.message : String(error)}`);
  }
}

describe("generated scenarios pass --verify", () => {
  test("random: 200 seeds, each in a lookup and alignment of its own; no line names a stale ID", () => {
    let rawFrees = 0;
    for (const seed of SEEDS) {
      const text = generateRandomScenario(seed, { ops: 400 });
      expect({ seed, stale: staleLines(text) }).toEqual({ seed, stale: [] });
      rawFrees += text.split("\n").filter((line) => line.startsWith("F ")).length;
      verify(seed, text, `random-${seed}.mtrace`);
    }
    expect(rawFrees).toBeGreaterThan(500); // the raw frees are still there, each refused
  }, 30_000);

  test("churn: 200 seeds", () => {
    for (const seed of SEEDS) verify(seed, generateChurnTrace(seed, { live: 20, replacements: 200 }), `churn-${seed}.rep`);
  }, 30_000);
});

describe("staleIds: the conformance run's scenarios", () => {
  test("name stale IDs, and --verify names the stale write where one lands in another block (never a false alarm)", () => {
    let named = 0;
    let withStale = 0;
    for (const seed of SEEDS.slice(0, 40)) {
      const text = generateRandomScenario(seed, { ops: 1000, staleIds: true });
      if (staleLines(text).length > 0) withStale++;
      try {
        replay(parseScenario(text, `stale-${seed}.mtrace`), { verify: true });
      } catch (error) {
        if (!(error instanceof StaleWriteError)) throw new Error(`seed ${seed}: ${String(error)}`);
        named++;
      }
    }
    expect(withStale).toBe(40);
    expect(named).toBeGreaterThan(0);
  }, 30_000);
});
