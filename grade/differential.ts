/**
 * The differential check: seeded random scenarios (grade/scenarios.ts) on the submission and on our
 * reference. The first that diverges is shrunk to a minimal scenario, the fewest operations that still
 * diverge (each operation dropped in turn while the divergence stays, until none can go), and written as
 * a `.mtrace` the student replays with `mems replay`, our side's expected output beside it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseScenario } from "../trace/format.ts";
import { replay } from "../trace/runner.ts";
import type { CheckResult } from "./checks.ts";
import { type Aspects, type Difference, firstDifference } from "./compare.ts";
import { randomScenario, toMtrace, withoutOp } from "./scenarios.ts";
import type { Subject } from "./subject.ts";

export interface DifferentialOptions {
  /** The first seed; scenarios use seed, seed + 1, ... */
  readonly seed: number;
  readonly scenarios: number;
  /** Operations per scenario. */
  readonly ops: number;
  /** Where the minimal scenario goes (a folder; made when needed). */
  readonly outDir: string;
  /** Names the files: `<name>.differential.mtrace` and `.expected`. */
  readonly name: string;
  /** Most runs of each side the shrinking may make. */
  readonly shrinkBudget?: number;
}

/** The divergence of `ops`, or undefined when both sides agree. */
async function diverges(subject: Subject, reference: Subject, ops: readonly string[], aspects: Aspects): Promise<Difference | undefined> {
  const [expected, actual] = await Promise.all([reference.run(ops), subject.run(ops)]);
  return firstDifference(expected, actual, aspects);
}

/** Drops operations while the scenario still diverges; returns the smallest found and its divergence. */
export async function shrink(
  ops: readonly string[],
  difference: Difference,
  still: (ops: readonly string[]) => Promise<Difference | undefined>,
  budget: number,
): Promise<{ ops: readonly string[]; difference: Difference }> {
  let best = { ops, difference };
  let runs = 0;
  let changed = true;
  while (changed && runs < budget) {
    changed = false;
    for (let i = best.ops.length - 1; i >= 0 && runs < budget; i--) {
      const smaller = withoutOp(best.ops, i);
      if (smaller.length === 0) continue;
      runs++;
      const found = await still(smaller);
      // The same kind of divergence only: a crash must not shrink into a mere difference, or back.
      if (found !== undefined && found.verdict === difference.verdict) {
        best = { ops: smaller, difference: found };
        changed = true;
      }
    }
  }
  return best;
}

/** Our side's output of a `.mtrace`, by the project's own runner (what `mems replay` prints). */
export function expectedOutput(mtrace: string): string {
  const chunks: string[] = [];
  replay(parseScenario(mtrace, "minimal.mtrace"), { out: (text) => chunks.push(text) });
  return chunks.join("");
}

export async function differentialCheck(
  subject: Subject,
  reference: Subject,
  statsReadable: boolean,
  options: DifferentialOptions,
): Promise<CheckResult> {
  const aspects: Aspects = { addresses: true, stats: statsReadable, notFound: true };
  for (let k = 0; k < options.scenarios; k++) {
    const seed = options.seed + k;
    const ops = randomScenario(seed, options.ops);
    const difference = await diverges(subject, reference, ops, aspects);
    if (difference === undefined) continue;
    // Nothing after the operation it showed in matters; a hang is not shrunk further (each try would
    // cost the whole CPU limit).
    const prefix = difference.index === undefined ? ops : ops.slice(0, difference.index + 1);
    const budget = difference.verdict === "timeout" ? 0 : (options.shrinkBudget ?? 40);
    const minimal = await shrink(prefix, difference, (o) => diverges(subject, reference, o, aspects), budget);
    const file = writeMinimal(minimal.ops, seed, ops.length, options);
    return {
      name: "differential",
      verdict: minimal.difference.verdict,
      detail: `random scenario ${seed} diverges; shrunk to ${minimal.ops.length} operation${minimal.ops.length === 1 ? "" : "s"} (${file}): ${minimal.difference.reason}`,
    };
  }
  return {
    name: "differential",
    verdict: "pass",
    detail: `${options.scenarios} random scenarios of ${options.ops} operations (seeds ${options.seed}-${options.seed + options.scenarios - 1}) agree with our reference`,
  };
}

/** Writes the minimal scenario and our expected output; returns the scenario's path. */
function writeMinimal(ops: readonly string[], seed: number, from: number, options: DifferentialOptions): string {
  mkdirSync(options.outDir, { recursive: true });
  const base = join(options.outDir, `${options.name}.differential`);
  const mtrace = toMtrace(ops, [
    `mems grade: random scenario ${seed}, shrunk from ${from} to ${ops.length} operations where ${options.name} diverges from the reference.`,
    `Replay: mems replay ${base}.mtrace (our output: ${base}.expected); addresses count from the start, 1000.`,
  ]);
  writeFileSync(`${base}.mtrace`, mtrace);
  writeFileSync(`${base}.expected`, expectedOutput(mtrace));
  return `${base}.mtrace`;
}
