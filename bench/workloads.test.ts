/**
 * The workload list: what the quick run and the full run hold, the traces they write, who sits out what.
 */
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mallocLabTraces } from "../trace/corpus.ts";
import type { WorkloadSpec } from "./types.ts";
import { EVERY_WORKLOAD, EXAMPLE_TRACE, forEveryLookup, SCALING_DEADLINE_MS, skipReason, traceFile, workloadSpecs } from "./workloads.ts";

const dir = mkdtempSync(join(tmpdir(), "mems-workloads-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("quick: churn-100 and the two smallest sizes of the cost curve; full: every workload and the whole curve", () => {
  expect(workloadSpecs(true).map((s) => s.name)).toEqual(["churn-100", "scaling-100", "scaling-1k"]);
  const full = workloadSpecs(false);
  const names = full.map((s) => s.name);
  expect(names.slice(0, 7)).toEqual(["churn-100", "churn-10k", "churn-1m", "get", "large", "example", "heap-open"]);
  expect(names.filter((name) => name.startsWith("malloclab-"))).toHaveLength(mallocLabTraces().length);
  expect(names.slice(-5)).toEqual(["scaling-100", "scaling-1k", "scaling-10k", "scaling-100k", "scaling-1m"]);
  for (const spec of full.slice(-5)) expect("family" in spec && spec.family?.deadlineMs).toBe(SCALING_DEADLINE_MS);
  // The full list asks each real-* program its version (a process each): time for a loaded machine.
}, 60_000);

test("trace files: generated churn written once per run, files as they are, none for get", () => {
  const [churn] = workloadSpecs(true);
  if (churn === undefined) throw new Error("no quick workload");
  const file = traceFile(churn, dir);
  expect(file).toBe(join(dir, "churn-100.rep"));
  expect(existsSync(file ?? "")).toBe(true);
  expect(
    readFileSync(file ?? "", "utf8")
      .split("\n")
      .slice(0, 4),
  ).toEqual(["51200", "100", "40200", "1"]);
  const example: WorkloadSpec = { name: "example", kind: "trace", file: EXAMPLE_TRACE, describe: "" };
  expect(traceFile(example, dir)).toBe(EXAMPLE_TRACE);
  expect(traceFile({ name: "get", kind: "get", blocks: 1, gets: 1, describe: "" }, dir)).toBeUndefined();
});

test("who sits out: the C reference and MemPool at a million blocks, the C binary and Uint8Array on get", () => {
  const million: WorkloadSpec = { name: "m", kind: "churn", live: 1_000_000, replacements: 1, minSize: 16, maxSize: 512, describe: "" };
  const get: WorkloadSpec = { name: "get", kind: "get", blocks: 1, gets: 1, describe: "" };
  expect(skipReason("c-reference", million)).toContain("hours");
  expect(skipReason("thi.ng-malloc", million)).toContain("hours");
  expect(skipReason("mems-first-fit", million)).toBeUndefined();
  expect(skipReason("c-reference", get)).toContain("get-only");
  expect(skipReason("uint8array", get)).toContain("no address");
  expect(skipReason("libc-ffi", get)).toBeUndefined();
});

test("every lookup runs the strategy traces and the small churn; the others are first-fit's and size-indexed's alone", () => {
  const full = workloadSpecs(false);
  const everyLookup = full.filter(forEveryLookup).map((spec) => spec.name);
  expect(everyLookup.slice(0, 3)).toEqual(["churn-100", "churn-10k", "large"]);
  expect(everyLookup.filter((name) => name.startsWith("malloclab-"))).toHaveLength(mallocLabTraces().length);
  expect(everyLookup.filter((name) => /^(churn-1m|get|example|scaling-)/.test(name))).toEqual([]);
  for (const spec of full) {
    const strategy = spec.kind === "trace" && spec.strategy === true;
    expect({ name: spec.name, strategy }).toEqual({ name: spec.name, strategy: /^(malloclab|real)-/.test(spec.name) });
  }
  const scaling = full.find((spec) => spec.name === "scaling-1k");
  const churn = full.find((spec) => spec.name === "churn-100");
  if (scaling === undefined || churn === undefined) throw new Error("no scaling-1k or churn-100");
  expect(skipReason("mems-best-fit", scaling)).toContain("strategy traces and the small churn workloads only");
  expect(skipReason("mems-my-lookup", scaling)).toContain("strategy traces");
  expect(skipReason("mems-best-fit", churn)).toBeUndefined();
  for (const allocator of EVERY_WORKLOAD) expect(skipReason(allocator, scaling)).toBeUndefined();
});
