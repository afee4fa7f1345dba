/** The TS side of a conformance case: a replay's error is part of its result, and a case whose C side cannot run says so. */
import { expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseScenario } from "../trace/format.ts";
import { runDifferentialCase } from "./differential.ts";
import { compareTs, replayTs } from "./ts-run.ts";

test("a replay that throws keeps the output before it and names the error; compareTs says it threw", () => {
  const scenario = parseScenario("a 0 8\nf 0\na 1 8\nw 0 4 1\nv 1\n", "t.mtrace");
  const run = replayTs(scenario, { lookup: "first-fit", verify: true });
  expect(run.error).toStartWith("StaleWriteError: t.mtrace:4:");
  expect(compareTs("C reference", run.output, "TS first-fit", run)).toBe(`TS first-fit threw ${run.error}`);
  expect(compareTs("C reference", "x\n", "TS first-fit", run)).toContain("line 1 differs");
  expect(compareTs("C reference", run.output, "TS first-fit", { output: run.output })).toBeUndefined();
});

test("a case whose C reference cannot start is one problem naming why, and its scenario is kept", async () => {
  const dir = mkdtempSync(join(tmpdir(), "mems-ts-run-"));
  try {
    const file = join(dir, "case.mtrace");
    // No replay is built for alignment 2 (make builds 1, 8 and 16): the C side fails to start while the TS side runs.
    const problems = await runDifferentialCase({ seed: 1, align: 2, ops: 40, file });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toBe("HarnessError: no C reference is built for alignment 2 (make builds 1, 8, 16)");
    expect(existsSync(file)).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
