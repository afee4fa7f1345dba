/**
 * Where the trace files are: the golden scenarios in the repository's scenarios/ (each `NAME.mtrace`
 * with the `NAME.expected` output beside it) and the CS:APP malloc-lab traces in scenarios/malloclab/
 * (where they come from: scenarios/malloclab/README.md), which conformance replays and `bun bench` times.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";

export const SCENARIOS_DIR = join(import.meta.dir, "../scenarios");
export const MALLOCLAB_DIR = join(import.meta.dir, "../scenarios/malloclab");

export interface GoldenCase {
  readonly name: string;
  readonly file: string;
  readonly expectedFile: string;
}

/** Every `NAME.mtrace` in `dir` that has a `NAME.expected` beside it, in name order. */
export function goldenCases(dir: string = SCENARIOS_DIR): GoldenCase[] {
  const names = new Set(readdirSync(dir));
  return [...names]
    .filter((name) => name.endsWith(".mtrace") && names.has(name.replace(/\.mtrace$/, ".expected")))
    .sort()
    .map((name) => ({ name, file: join(dir, name), expectedFile: join(dir, name.replace(/\.mtrace$/, ".expected")) }));
}

/** The path of every `.rep` trace of `dir`, in name order. */
export function mallocLabTraces(dir: string = MALLOCLAB_DIR): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".rep"))
    .sort()
    .map((name) => join(dir, name));
}
