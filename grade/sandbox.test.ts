/**
 * The sandbox against hostile submissions we write here (issue 24, item 4): each is a mems.h whose
 * mems_init or mems_malloc tries to write outside its work folder, reach a listener on 127.0.0.1 started
 * outside the sandbox, fork without end, sleep for ever, or fork a sleeper and then hang or return (none
 * of a run's processes may outlive it, contained or not). All are built once, in parallel.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processesOf } from "../test-support/processes.ts";
import { buildDriver } from "./build.ts";
import { howStopped, runScenario, whereStopped } from "./run.ts";
import { probeSandbox, RUN_LIMITS, requireSandbox, Sandbox, SandboxError } from "./sandbox.ts";

/** A mems.h whose functions do `init` in mems_init and `malloc` in mems_malloc, and nothing else. */
function hostile(init: string, malloc = ""): string {
  return `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#define PAGE_SIZE 4096
static void mems_init(void) { ${init} }
static void mems_finish(void) {}
static void *mems_malloc(size_t size) { ${malloc} return (void *)(size_t)1000; }
static void mems_free(void *p) { (void)p; }
static void mems_print_stats(void) {}
static void *mems_get(void *v) { (void)v; return NULL; }
`;
}

const outside = mkdtempSync(join(tmpdir(), "mems-grade-outside-"));
const server = Bun.listen({
  hostname: "127.0.0.1",
  port: 0,
  socket: {
    open() {
      connections++;
    },
    data() {},
  },
});
let connections = 0;

const SUBMISSIONS = {
  write: hostile(`
    const char *paths[] = {"${outside}/escaped", "/etc/mems-escaped", "/root/mems-escaped", "/var/tmp/mems-escaped"};
    for (int i = 0; i < 4; i++) { FILE *f = fopen(paths[i], "w"); printf("%s %s\\n", paths[i], f ? "written" : "refused"); if (f) fclose(f); }`),
  network: hostile(`
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a; memset(&a, 0, sizeof a); a.sin_family = AF_INET; a.sin_port = htons(${server.port});
    a.sin_addr.s_addr = htonl(0x7f000001);
    printf(connect(s, (struct sockaddr *)&a, sizeof a) == 0 ? "connected\\n" : "no network\\n");`),
  forkBomb: hostile("", "for (;;) fork();"),
  sleep: hostile("", "if (size == 7) for (;;) sleep(1000);"),
  spin: hostile("", "if (size == 9) for (volatile int i = 0;; i++) {}"),
  // A child that sleeps for ever, left behind by a run that then hangs (11) or returns (12).
  forkAndHang: hostile("", "if (size >= 11 && fork() == 0) for (;;) sleep(1000); if (size == 11) for (;;) sleep(1000);"),
};
type Name = keyof typeof SUBMISSIONS;

const sandbox = new Sandbox(true, 7);
/** Each built driver, with the work folder it was built in (the only folder of /tmp its runs see). */
const binaries = new Map<Name, { binary: string; dir: string }>();
const buildDirs: string[] = [];

beforeAll(async () => {
  await Promise.all(
    (Object.keys(SUBMISSIONS) as Name[]).map(async (name) => {
      const dir = join(outside, `submission-${name}`);
      mkdirSync(dir);
      writeFileSync(join(dir, "mems.h"), SUBMISSIONS[name]);
      const build = sandbox.makeWorkDir();
      buildDirs.push(build);
      const built = await buildDriver(sandbox, dir, build);
      if (!built.ok) throw new Error(`${name} does not build: ${built.errors}`);
      binaries.set(name, { binary: built.binary, dir: build });
    }),
  );
}, 120_000);

afterAll(() => {
  server.stop(true);
  for (const dir of buildDirs) sandbox.removeWorkDir(dir);
  rmSync(outside, { recursive: true, force: true });
});

/** Runs submission `name`'s driver in its own work folder. */
function run(name: Name, ops: string[], wallMs = RUN_LIMITS.wallMs, contained = sandbox): ReturnType<typeof runScenario> {
  const built = binaries.get(name);
  if (built === undefined) throw new Error(`${name} was not built`);
  return runScenario(contained, built.dir, built.binary, ops, { limits: { ...RUN_LIMITS, wallMs } });
}

/** The processes running `binary` (a run's driver, its forks, the bwrap holding it), from /proc. */
function processesRunning(binary: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(binary);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Waits, up to `deadlineMs`, for no process to run `binary`; returns those still running then. */
async function leftBehind(binary: string, deadlineMs = 5_000): Promise<number[]> {
  const deadline = Date.now() + deadlineMs;
  while (processesRunning(binary).length > 0 && Date.now() < deadline) await Bun.sleep(50);
  return processesRunning(binary);
}

describe("the sandbox", () => {
  test("a submission cannot write outside its work folder", async () => {
    const trace = await run("write", ["a 0 10"]);
    expect(trace.completed).toBe(true);
    expect(trace.preamble).toContain(`${outside}/escaped refused`);
    expect(trace.preamble).not.toContain("written");
    for (const path of [`${outside}/escaped`, "/etc/mems-escaped", "/root/mems-escaped", "/var/tmp/mems-escaped"])
      expect(existsSync(path)).toBe(false);
  }, 20_000);

  test("a submission cannot reach a listener on 127.0.0.1 outside", async () => {
    const trace = await run("network", ["a 0 10"]);
    expect(trace.preamble).toBe("no network");
    await Bun.sleep(50);
    expect(connections).toBe(0);
  }, 20_000);

  test("the listener is reachable without the sandbox, so the test above can fail", async () => {
    const open = new Sandbox(false, 7);
    const trace = await run("network", ["a 0 10"], RUN_LIMITS.wallMs, open);
    expect(trace.preamble).toBe("connected");
  }, 20_000);

  test("a fork bomb is held by the process limit and nothing of it outlives its run", async () => {
    const trace = await run("forkBomb", ["a 0 10"], 1_000);
    expect(trace.completed).toBe(false);
    expect(whereStopped(trace)).toBe("mems_malloc(10) of block 0");
    // Killing bwrap ends its process namespace; the kernel reaps the bomb's processes within moments.
    for (let tries = 0; tries < 50 && processesOf([sandbox.uid ?? -1]).length > 0; tries++) await Bun.sleep(100);
    expect(processesOf([sandbox.uid ?? -1])).toEqual([]);
  }, 20_000);

  // As root, runs drop to the slot's uid, whose process limit counts zombies too: bwrap returns before the
  // namespace's first process is reaped, and init may reap it late (seconds, on our VM), so runs in a
  // row failed with "Can't fork" until the reaper (grade/reaper.c) waited for it.
  test.if(process.getuid?.() === 0)(
    "as root, a contained run leaves no process of its uid once it returns, not even a zombie",
    async () => {
      const dir = sandbox.makeWorkDir();
      buildDirs.push(dir);
      const uid = sandbox.uid ?? -1;
      const left: number[][] = [];
      for (let i = 0; i < 40; i++) {
        const result = await sandbox.run(["sh", "-c", "sleep 0.01 & true"], dir, RUN_LIMITS);
        expect(result.status).toBe(0);
        left.push(processesOf([uid], "/proc", { zombies: true }));
      }
      expect(left.filter((pids) => pids.length > 0)).toEqual([]);
    },
    30_000,
  );

  // Each run's processes are gone once it ended, contained or not (--no-sandbox kills the run's process group).
  for (const [how, box] of [
    ["contained", () => sandbox],
    ["uncontained", () => new Sandbox(false, 7)],
  ] as const) {
    test(`a run that times out leaves none of its processes behind (${how})`, async () => {
      const binary = binaries.get("forkAndHang")?.binary ?? "";
      const trace = await run("forkAndHang", ["a 0 10", "a 1 11"], 300, box());
      expect(trace.run.timedOut).toBe(true);
      expect(whereStopped(trace)).toBe("mems_malloc(11) of block 1");
      expect(await leftBehind(binary)).toEqual([]);
    }, 20_000);

    test(`a run that ends leaves none of its processes behind, and is not a timeout (${how})`, async () => {
      const binary = binaries.get("forkAndHang")?.binary ?? "";
      const trace = await run("forkAndHang", ["a 0 12", "a 1 10"], 3_000, box());
      expect(trace.run.timedOut).toBe(false);
      expect(trace.completed).toBe(true);
      expect(await leftBehind(binary)).toEqual([]);
    }, 20_000);
  }

  // The grader exiting runs its exit handler (killEveryRun); dying of SIGKILL runs nothing of ours but
  // the reaper's parent-death signal, which kills the run (uncontained, its whole group).
  for (const [how, ending, expected] of [
    ["exiting", "process.exit(0)", { status: 0, signal: null }],
    ["killed by SIGKILL", 'process.kill(process.pid, "SIGKILL")', { status: null, signal: "SIGKILL" }],
  ] as const) {
    for (const contained of [false, true]) {
      test(`the grader ${how} mid-run leaves none of the run's processes behind (${contained ? "contained" : "uncontained"})`, async () => {
        const built = binaries.get("forkAndHang");
        if (built === undefined) throw new Error("forkAndHang was not built");
        // A grader that starts a run forking a sleeper, and ends once the fork is there.
        const grader = `
          import { RUN_LIMITS, Sandbox } from ${JSON.stringify(join(import.meta.dir, "sandbox.ts"))};
          import { runScenario } from ${JSON.stringify(join(import.meta.dir, "run.ts"))};
          import { readdirSync, readFileSync } from "node:fs";
          void runScenario(new Sandbox(${contained}, 7), ${JSON.stringify(built.dir)}, ${JSON.stringify(built.binary)}, ["a 0 11"], { limits: { ...RUN_LIMITS, wallMs: 60_000 } });
          const running = ${processesRunning.toString()};
          while (running(${JSON.stringify(built.binary)}).length < 2) await Bun.sleep(20);
          ${ending};`;
        const child = Bun.spawn([process.execPath, "-e", grader], { stdout: "ignore", stderr: "pipe" });
        const stderr = await new Response(child.stderr).text();
        await child.exited;
        expect({ status: child.exitCode, signal: child.signalCode ?? null, stderr }).toEqual({ ...expected, stderr: "" });
        expect(await leftBehind(built.binary)).toEqual([]);
      }, 20_000);
    }
  }

  test("a hang becomes a timeout naming the operation it was in", async () => {
    const trace = await run("sleep", ["a 0 10", "a 1 7", "a 2 10"], 1_000);
    expect(trace.run.timedOut).toBe(true);
    expect(trace.ops.map((op) => op.address)).toEqual([1000, undefined]);
    expect(whereStopped(trace)).toBe("mems_malloc(7) of block 1");
  }, 20_000);

  test("a spinning hang is ended by the CPU limit (SIGXCPU) and is a timeout too", async () => {
    const trace = await run("spin", ["a 0 10", "a 1 9"]);
    expect(trace.run.signal).toBe("SIGXCPU");
    expect(trace.run.timedOut).toBe(false);
    expect(howStopped(trace)).toEqual({ verdict: "timeout", reason: "hung in mems_malloc(9) of block 1" });
  }, 30_000);

  test("bwrap works here, and a run printing without end keeps 4 MiB of it", async () => {
    expect(await probeSandbox()).toBeUndefined();
    const dir = sandbox.makeWorkDir();
    buildDirs.push(dir);
    const result = await sandbox.run(["head", "-c", "6000000", "/dev/zero"], dir, RUN_LIMITS);
    expect(result.status).toBe(0);
    expect(result.stdout.length).toBe(4 * 2 ** 20);
  }, 20_000);

  test("the sandbox's own tool failing is the grader's error, not the submission's", async () => {
    const dir = sandbox.makeWorkDir();
    buildDirs.push(dir);
    const missing = join(dir, "missing");
    await expect(sandbox.run(["true"], dir, RUN_LIMITS, [missing])).rejects.toThrow(
      new SandboxError(`the sandbox failed: bwrap: Can't find source path ${missing}: No such file or directory`),
    );
  }, 20_000);

  test("without bwrap the grader refuses, unless --no-sandbox", async () => {
    const problem = await probeSandbox((tool) => (tool === "bwrap" ? null : `/usr/bin/${tool}`));
    expect(problem).toContain("bubblewrap");
    await expect(requireSandbox(false, async () => problem)).rejects.toBeInstanceOf(SandboxError);
    expect(await requireSandbox(true, async () => problem)).toBe(false);
    expect(await requireSandbox(false, async () => undefined)).toBe(true);
  });
});
