/**
 * Records how long each conformance profile takes here (the figures of conformance/timings.json, which
 * `mems conformance --help` and docs/conformance.md's block are written from: timings.ts):
 *
 *   flock /tmp/mems-bench.lock bun conformance/record-timings.ts [PROFILE...]   (npm run conformance:timings)
 *
 * A script apart from timings.ts, which the CLI and the tests load: this one only runs.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { withMarkedBlock } from "../lib/marked-block.ts";
import { PROFILES, type Profile } from "./harness.ts";
import {
  DOC_END,
  DOC_FILE,
  DOC_START,
  type ProfileTiming,
  profileCommand,
  profileNames,
  readTimings,
  TIMINGS_FILE,
  type Timings,
  timingsBlock,
  timingsHelp,
} from "./timings.ts";

const ROOT = join(import.meta.dir, "..");

/** Runs one profile as a user would, and times it. */
function timeProfile(profile: Profile): ProfileTiming {
  const date = new Date().toISOString();
  const loadBefore = loadavg()[0] ?? 0;
  const started = performance.now();
  const run = Bun.spawnSync([process.execPath, join(ROOT, "cli/main.ts"), "conformance", "--profile", profile], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "inherit",
  });
  const seconds = (performance.now() - started) / 1000;
  if (run.exitCode !== 0) throw new Error(`${profileCommand(profile)} exited ${run.exitCode}:\n${run.stdout.toString()}`);
  const cpu = run.resourceUsage?.cpuTime;
  const cpuSeconds = cpu === undefined ? Number.NaN : Number(cpu.user + cpu.system) / 1e6;
  const machine = { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, bun: Bun.version };
  const { cases, ops } = PROFILES[profile];
  return { command: profileCommand(profile), cases, ops, date, machine, seconds, cpuSeconds, loadBefore, loadAfter: loadavg()[0] ?? 0 };
}

if (import.meta.main) {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !profileNames().includes(name as Profile));
  if (unknown.length > 0) {
    process.stderr.write(`record-timings.ts: no profile ${unknown.join(", ")} (profiles: ${profileNames().join(", ")})\n`);
    process.exit(2);
  }
  const timings: Timings = { ...readTimings() };
  for (const profile of asked.length === 0 ? profileNames() : (asked as Profile[])) {
    timings[profile] = timeProfile(profile);
    writeFileSync(TIMINGS_FILE, `${JSON.stringify(timings, null, 2)}\n`); // each run kept as soon as it is done
    writeFileSync(DOC_FILE, withMarkedBlock(readFileSync(DOC_FILE, "utf8"), DOC_START, DOC_END, timingsBlock(timings)));
  }
  process.stderr.write(`${timingsHelp(timings)}\n`);
}
