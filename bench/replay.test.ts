/**
 * The benchmark replays what conformance checks: its loop and the runner go through the same replay rules
 * (trace/rules.ts), so on MeMS they leave the same heap. Compared just before the final finish: which IDs
 * are live and at which address, the blocks leaked, and the heap's chains and stats.
 */

import { describe, expect, test } from "bun:test";
import { LOOKUPS, type Lookup, Mems } from "../core/index.ts";
import { mallocLabTraces } from "../trace/corpus.ts";
import { parseScenario, readScenario, type Scenario } from "../trace/format.ts";
import type { BlockTable } from "../trace/rules.ts";
import { replay } from "../trace/runner.ts";
import { MemsAllocator } from "./allocators.ts";
import { replayOnce, replayState } from "./replay.ts";

/** What a replay leaves just before the final finish. */
function endState(mems: Mems, blocks: BlockTable) {
  const live = [...blocks.live];
  return {
    live,
    handles: [...blocks.handle].map((handle, slot) => (live[slot] === 1 ? handle : null)),
    leaked: [...blocks.leaked],
    // Physical addresses are where the kernel put each segment, which differs between two heaps: compare
    // each piece's offset in its segment instead (the same heap has the same offsets).
    chains: mems.chains().map(({ physicalAddress: base, pieces, ...segment }) => ({
      ...segment,
      pieces: pieces.map(({ physicalAddress, ...piece }) => ({ ...piece, offset: physicalAddress - base })),
    })),
    stats: mems.stats(),
  };
}

type EndState = ReturnType<typeof endState>;

function runnerEnd(scenario: Scenario, lookup: Lookup): EndState | undefined {
  let end: EndState | undefined;
  const afterOp = (i: number, mems: Mems, blocks: BlockTable): void => {
    if (i === scenario.count - 1) end = endState(mems, blocks);
  };
  replay(scenario, { lookup, afterOp });
  return end;
}

function benchEnd(scenario: Scenario, lookup: Lookup): EndState | undefined {
  const mems = new Mems({ lookup });
  const blocks = replayState(scenario);
  let end: EndState | undefined;
  // The loop reads the stats of an observed replay just before each finish: the moment to look.
  class Observed extends MemsAllocator {
    override stats() {
      end = endState(mems, blocks);
      return super.stats();
    }
  }
  replayOnce(new Observed(lookup, mems), scenario, blocks, true);
  return end;
}

/** An `a` on a live ID (the old block leaks), with reallocs, NULLs, translations and frees around it. */
const LIVE_ID_REUSED = [
  "a 0 100",
  "a 1 50",
  "w 0 0 7",
  "a 0 200", // ID 0 is live: its 100-byte block leaks
  "g 0 0",
  "a 2 0",
  "f 2",
  "f -1",
  "r 1 300",
  "a 1 24", // again, after a realloc
  "r 3 40",
  "r 3 0",
  "p 0 8",
  "a 4 4000",
  "f 4",
  "a 5 16",
].join("\n");

describe.each(LOOKUPS)("%s: the bench loop ends where the runner ends", (lookup) => {
  test("on a scenario with an `a` of a live ID", () => {
    const scenario = parseScenario(LIVE_ID_REUSED, "live-id.mtrace");
    const runner = runnerEnd(scenario, lookup);
    expect(runner?.leaked.length).toBe(2);
    expect(runner?.stats.liveBlocks).toBe(5); // IDs 0, 1 and 5, and the two leaked blocks
    expect(benchEnd(scenario, lookup)).toEqual(runner);
  });

  // realloc-bal.rep takes longer than the other twelve together: in first-fit alone, as in the runner's
  // verify test (trace/runner.test.ts); the other traces have reallocs too (realloc2-bal.rep).
  test(`on every malloc-lab trace${lookup === "first-fit" ? "" : " but realloc-bal.rep"}`, () => {
    const traces = mallocLabTraces();
    expect(traces.length).toBe(13);
    const chosen = lookup === "first-fit" ? traces : traces.filter((trace) => !trace.endsWith("/realloc-bal.rep"));
    expect(chosen.length).toBe(lookup === "first-fit" ? 13 : 12);
    for (const trace of chosen) {
      const scenario = readScenario(trace);
      const runner = runnerEnd(scenario, lookup);
      expect(runner?.chains.length).toBeGreaterThan(0);
      expect({ trace, end: benchEnd(scenario, lookup) }).toEqual({ trace, end: runner });
    }
  }, 30_000);
});
