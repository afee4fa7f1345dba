#!/usr/bin/env bun
/**
 * The churn traces bench/ab/ab.sh times, written into the folder given: churn-10k, scaling-100k and
 * churn-1m, as `bun bench` generates them (its seed, 16-512 byte blocks).
 *
 *   bun bench/ab/traces.ts DIR
 *   npm run ab:traces -- DIR
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateChurnTrace } from "../../trace/generate.ts";
import { SEED } from "../workloads.ts";

const dir = process.argv[2] ?? "/tmp/mems-ab";
mkdirSync(dir, { recursive: true });
const traces: [string, number, number][] = [
  ["churn-10k", 10_000, 200_000],
  ["scaling-100k", 100_000, 200_000],
  ["churn-1m", 1_000_000, 1_000_000],
];
for (const [name, live, replacements] of traces) {
  writeFileSync(join(dir, `${name}.rep`), generateChurnTrace(SEED, { live, replacements, minSize: 16, maxSize: 512 }));
}
