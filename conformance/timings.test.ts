/**
 * The profiles' timings (timings.ts): the help's words and docs/conformance.md's block come from
 * conformance/timings.json, and the docs' block is the one that file gives, so neither can drift.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DOC_END,
  DOC_FILE,
  DOC_START,
  type ProfileTiming,
  profileCommand,
  readTimings,
  type Timings,
  timingsBlock,
  timingsHelp,
} from "./timings.ts";

const dir = mkdtempSync(join(tmpdir(), "mems-timings-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const machine = { cpu: "Test CPU", cores: 2, bun: "1.4.4" };
const timings: Timings = {
  ci: {
    command: "bun conformance --profile ci",
    cases: 60,
    ops: 400,
    date: "2026-12-07T06:00:00.000Z",
    machine,
    seconds: 4.2,
    cpuSeconds: 7.9,
    loadBefore: 0.5,
    loadAfter: 0.9,
  },
  standard: {
    command: "bun conformance",
    cases: 450,
    ops: 4000,
    date: "2026-12-07T06:01:00.000Z",
    machine,
    seconds: 170.4,
    cpuSeconds: 331,
    loadBefore: 0.9,
    loadAfter: 2,
  },
};

describe("timings", () => {
  test("the default profile's command has no --profile", () => {
    expect(profileCommand("standard")).toBe("bun conformance");
    expect(profileCommand("full")).toBe("bun conformance --profile full");
  });

  test("the help names each recorded profile with its time, CPU time, load, date and machine", () => {
    expect(timingsHelp(timings)).toBe(
      [
        "How long each profile took here, every suite included (load: the load average",
        "before it; recorded by `flock /tmp/mems-bench.lock bun conformance/record-timings.ts`):",
        "  ci        4.2 s, CPU 7.9 s, load 0.5 (2026-12-07)",
        "  standard  2 min 50 s, CPU 5 min 31 s, load 0.9 (2026-12-07)",
        "on Test CPU, 2 cores, Bun 1.4.4.",
      ].join("\n"),
    );
    const resized = { standard: { ...(timings.standard as ProfileTiming), cases: 600 } };
    expect(timingsHelp(resized)).toContain("  standard  2 min 50 s, CPU 5 min 31 s, load 0.9 (2026-12-07, then 600 × 4,000)");
    expect(timingsBlock(resized)).toContain("| `bun conformance` | 600 × 4,000 |");
    expect(timingsHelp({})).toBe("No timings recorded yet:\n`flock /tmp/mems-bench.lock bun conformance/record-timings.ts` records them.");
  });

  test("the docs' block: one row per recorded profile, between its markers", () => {
    const block = timingsBlock(timings);
    expect(block).toStartWith(DOC_START);
    expect(block).toEndWith(DOC_END);
    expect(block).toContain(
      "| `bun conformance` | 450 × 4,000 | 2 min 50 s | 5 min 31 s | 0.9 → 2.0 | 2026-12-07 06:01 UTC | Test CPU, 2 cores, Bun 1.4.4 |",
    );
    expect(block.split("\n").filter((line) => line.startsWith("| `"))).toHaveLength(2);
  });

  test("a missing or unreadable file has no timings; a record without its seconds or size is left out", () => {
    expect(readTimings(join(dir, "none.json"))).toEqual({});
    writeFileSync(join(dir, "bad.json"), "{");
    expect(readTimings(join(dir, "bad.json"))).toEqual({});
    const { cases: _cases, ...sizeless } = timings.standard as ProfileTiming;
    writeFileSync(join(dir, "part.json"), JSON.stringify({ ci: timings.ci, standard: sizeless, full: { command: "x" } }));
    expect(readTimings(join(dir, "part.json"))).toEqual({ ci: timings.ci } as Timings);
  });

  test("docs/conformance.md holds the block that conformance/timings.json gives", () => {
    const doc = readFileSync(DOC_FILE, "utf8");
    expect(doc.slice(doc.indexOf(DOC_START), doc.indexOf(DOC_END) + DOC_END.length)).toBe(timingsBlock(readTimings()));
  });
});
