/**
 * Stopping leaves nothing behind (issue 11, item 5), with real processes and signals.
 *
 * Each run gets a TMPDIR of its own: its temporary folders are made there, and every process it starts
 * carries that TMPDIR in its environment, so the processes it left behind are found by their
 * environment (/proc/PID/environ) whoever their parent is by then, and other runs on the machine are
 * not mistaken for ours.
 *
 * - SIGTERM to `bench` alone, once a worker runs: the command ends as killed by SIGTERM (143 in the
 *   shell), and 3 s later at the most no process of the run is alive and its TMPDIR is empty.
 * - SIGINT to the whole process group of `bench` (Ctrl-C in a terminal): the same, with 130.
 * - `conformance` stopped by SIGINT mid-suite: 130, its scenario folder removed.
 * - `soak` (nothing to clean up) ends at once on SIGTERM: 143.
 * - A bench worker whose parent is killed with SIGKILL (no cleanup possible) ends by itself.
 * - Ctrl-C through the commands the README gives (`npx bun bench`, `bun bench`, `npx bun mems bench`,
 *   the same for conformance, `npx bun mems soak` and `bun mems soak`), SIGINT to the whole process group
 *   once and twice: 130, no process of the group left, TMPDIR empty. `bun run` passes the terminal's
 *   SIGINT on to its child, which so gets two (issue 22, item 3).
 *
 * This file imports nothing of the project, so the same tests can be run against an older checkout.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");
const MAIN = join(ROOT, "cli/main.ts");
const WORKER = join(ROOT, "bench/worker.ts");
const base = mkdtempSync(join(tmpdir(), "mems-stop-test-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const SIGNALS: Record<string, number> = { SIGINT: 2, SIGKILL: 9, SIGPIPE: 13, SIGTERM: 15 };

/** The status a shell reports: the exit code, or 128 + the signal that ended the process. */
function shellStatus(child: { exitCode: number | null; signalCode: string | number | null }): number {
  return child.exitCode ?? 128 + (typeof child.signalCode === "number" ? child.signalCode : (SIGNALS[child.signalCode ?? ""] ?? 0));
}

/** Live (not zombie) processes whose environment holds `VAR=value`, with their command lines. */
function processesWith(variable: string): { pid: number; command: string }[] {
  const found: { pid: number; command: string }[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, "latin1").split("\0").includes(variable)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, "latin1");
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      found.push({ pid: Number(entry), command: readFileSync(`/proc/${entry}/cmdline`, "latin1").split("\0").join(" ") });
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** Polls `condition` every 20 ms until it holds or `ms` pass; returns whether it held. */
async function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await Bun.sleep(20);
  }
  return true;
}

/** `bun cli/main.ts ARGS...`. */
const cli = (...args: string[]): string[] => [process.execPath, MAIN, ...args];

/** A run with a TMPDIR of its own (the CLI unless `command` says otherwise); its stderr so far in `err()`. */
function start(name: string, args: string[], detached = false, command = cli(...args)) {
  const dir = join(base, name);
  mkdirSync(dir);
  const marker = `TMPDIR=${dir}`;
  const child = Bun.spawn(command, {
    cwd: ROOT,
    env: { ...process.env, TMPDIR: dir },
    stdout: "pipe",
    stderr: "pipe",
    detached,
  });
  let err = "";
  const stderr = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) err += chunk;
    return err;
  })();
  void new Response(child.stdout).text();
  /** What the run left: live processes, and files in its TMPDIR. */
  const left = () => ({ processes: processesWith(marker).map((p) => p.command), files: readdirSync(dir) });
  return { child, dir, marker, stderr, err: () => err, left };
}

/** Live (not zombie) members of process group `pgid`, with their command lines. */
function groupMembers(pgid: number): string[] {
  const found: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "latin1");
      // after "PID (COMM) ": STATE PPID PGRP ...
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (state !== "Z" && Number(pgrp) === pgid) found.push(readFileSync(`/proc/${entry}/cmdline`, "latin1").split("\0").join(" "));
    } catch {
      // gone since the listing
    }
  }
  return found;
}

/**
 * Signals the run `times` times once `ready` holds (the whole process group when `group`: the run was
 * started detached, so it leads one), then checks that 3 s later at the most nothing is left.
 */
async function stopAndCheck(run: ReturnType<typeof start>, ready: () => boolean, signal: "SIGINT" | "SIGTERM", group: boolean, times = 1) {
  expect(await waitFor(ready, 20_000)).toBe(true);
  const signalled = performance.now();
  for (let k = 0; k < times; k++) process.kill(group ? -run.child.pid : run.child.pid, signal);
  await run.child.exited;
  const exitMs = performance.now() - signalled;
  const members = () => (group ? groupMembers(run.child.pid) : []);
  const nothingLeft = () => {
    const left = run.left();
    return left.processes.length === 0 && left.files.length === 0 && members().length === 0;
  };
  await waitFor(nothingLeft, 3000);
  expect({ status: shellStatus(run.child), ...run.left(), group: members() }).toEqual({
    status: 128 + (SIGNALS[signal] ?? 0),
    processes: [],
    files: [],
    group: [],
  });
  return { exitMs, stderr: await run.stderr };
}

const workerRuns = (run: ReturnType<typeof start>) => () => processesWith(run.marker).some((p) => p.command.includes("bench/worker.ts"));

describe("stopping leaves nothing behind", () => {
  test.concurrent("bench: SIGTERM to the parent alone while a worker runs", async () => {
    const run = start("bench-term", ["bench", "--quick"]);
    const { stderr } = await stopAndCheck(run, workerRuns(run), "SIGTERM", false);
    expect(stderr).toMatch(/\[1\/\d+\] churn-100/);
  }, 30_000);

  test.concurrent("bench: SIGINT to the whole process group (Ctrl-C) while a worker runs", async () => {
    const run = start("bench-int", ["bench", "--quick"], true);
    await stopAndCheck(run, workerRuns(run), "SIGINT", true);
  }, 30_000);

  test.concurrent("conformance: SIGINT while the differential suite runs", async () => {
    const run = start("conformance", ["conformance", "--suite", "differential", "--profile", "full"]);
    const { stderr } = await stopAndCheck(run, () => readdirSync(run.dir).some((f) => f.startsWith("mems-conformance-")), "SIGINT", false);
    expect(stderr).toContain("conformance: differential 0/2000 cases done, 2000 to go");
  }, 30_000);

  test.concurrent("soak: SIGTERM ends it at once", async () => {
    const run = start("soak", ["soak", "--ops", "1000000000"]);
    expect(await waitFor(() => processesWith(run.marker).length > 0, 20_000)).toBe(true);
    await Bun.sleep(500); // past its start: running operations
    await stopAndCheck(run, () => true, "SIGTERM", false);
  }, 30_000);

  test.concurrent("a bench worker whose parent is killed with SIGKILL ends by itself", async () => {
    // A worker with a budget of a minute under a shell; the shell is killed, as an OOM killer would.
    const dir = join(base, "orphan");
    mkdirSync(dir);
    const trace = join(dir, "t.rep");
    await Bun.write(trace, `1\n2\n4\n1\na 0 16\na 1 32\nf 0\nf 1\n`);
    // MEMS_BENCH_PARENT as run.ts passes it: a worker slow to start under load, reaching exitWithParent
    // after the shell is gone, must still see that its parent died (without it the test raced).
    const worker = `MEMS_BENCH_PARENT=$$ "$0" "$1" --allocator mems-size-indexed --workload t --trace "$2" --time 60000 --iterations 100000000 & wait`;
    const shell = Bun.spawn(["bash", "-c", worker, process.execPath, WORKER, trace], {
      env: { ...process.env, TMPDIR: dir },
      stdout: "ignore",
      stderr: "ignore",
    });
    const marker = `TMPDIR=${dir}`;
    const workers = () => processesWith(marker).filter((p) => p.command.includes("bench/worker.ts"));
    expect(await waitFor(() => workers().length > 0, 20_000)).toBe(true);
    await Bun.sleep(300); // past its start: measuring
    shell.kill("SIGKILL");
    await shell.exited;
    await waitFor(() => workers().length === 0, 3000);
    expect(workers()).toEqual([]);
  }, 30_000);
});

/** The commands the README gives for a CLI command: the package.json scripts through npx and bun. */
function launchers(command: "bench" | "conformance" | "soak"): { name: string; argv: string[] }[] {
  const viaMems = [
    { name: `npx bun mems ${command}`, argv: ["npx", "bun", "mems", command] },
    { name: `bun mems ${command}`, argv: [process.execPath, "mems", command] },
  ];
  if (command === "soak") return viaMems; // no script of its own
  return [
    { name: `npx bun ${command}`, argv: ["npx", "bun", command] },
    { name: `bun ${command}`, argv: [process.execPath, command] },
    viaMems[0] as { name: string; argv: string[] },
  ];
}

/** Each command, the smallest run its options allow, and when it has made what it must clean up. */
const COMMANDS = [
  {
    command: "bench",
    args: ["--quick", "--filter", "churn-100,mems-first-fit"],
    ready: (run: ReturnType<typeof start>) => readdirSync(run.dir).some((f) => f.startsWith("mems-bench-")),
  },
  {
    command: "conformance",
    args: ["--profile", "ci", "--suite", "differential"],
    ready: (run: ReturnType<typeof start>) => readdirSync(run.dir).some((f) => f.startsWith("mems-conformance-")),
  },
  // nothing to clean up: running operations (its first progress line) is enough
  { command: "soak", args: ["--ops", "1000000000"], ready: (run: ReturnType<typeof start>) => run.err().includes("soak: ") },
] as const;

const CASES = COMMANDS.flatMap(({ command, args, ready }) =>
  launchers(command).flatMap(({ name, argv }) =>
    [1, 2].map((times) => ({
      title: `${name} ${args.join(" ")}, ${times === 1 ? "once" : "twice"}`,
      argv: [...argv, ...args],
      ready,
      times,
    })),
  ),
);

// One at a time: each starts npm and two Bun processes, too much at once for a small shared machine.
describe("Ctrl-C through npx and bun run leaves nothing behind", () => {
  test.each(CASES)(
    "$title",
    async ({ title, argv, ready, times }) => {
      const run = start(title.replace(/[^a-z0-9]+/g, "-"), [], true, argv);
      await stopAndCheck(run, () => ready(run), "SIGINT", true, times);
    },
    60_000,
  );
});
