/**
 * `mems record` and its library, driven on small programs built here with cc: every kind of call
 * lands in the trace with its size, a forked child's calls do not, two threads' calls interleave
 * into a trace that replays and verifies, a free of a pointer never seen is counted, a crash leaves
 * FILE.partial (never FILE), and the exit status is the program's. Bad usage is exit 2.
 */
import { afterAll, beforeAll, describe, expect, spyOn, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yargs from "yargs";
import { largestLog, mainLog, readLog, recorderLibrary, resolveCommand, runRecorded, summarize, toTrace } from "../record/record.ts";
import { readScenario } from "../trace/format.ts";
import { replay } from "../trace/runner.ts";
import { exitStatus, recordCommand, recordMain } from "./record.ts";
import { recordCommands } from "./repository.ts";

const ROOT = join(import.meta.dir, "..");
const dir = mkdtempSync(join(tmpdir(), "mems-record-test-"));
const HEAPCALLS = join(dir, "heapcalls");
const STATIC = join(dir, "static");

beforeAll(async () => {
  await recorderLibrary();
  const build = Bun.spawnSync(["cc", "-O0", "-fno-builtin", "-pthread", "-o", HEAPCALLS, join(ROOT, "record/testdata/heapcalls.c")]);
  if (build.exitCode !== 0) throw new Error(`cc failed: ${build.stderr.toString()}`);
  writeFileSync(join(dir, "static.c"), "int main(void) { return 4; }\n");
  Bun.spawnSync(["cc", "-static", "-o", STATIC, join(dir, "static.c")]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs recordMain quietly; returns the status and what it said. */
async function record(command: string[], out?: string, pick?: "main" | "largest"): Promise<{ status: number; said: string }> {
  const lines: string[] = [];
  const args: Parameters<typeof recordMain>[0] = { command, stdio: "ignore" };
  if (out !== undefined) args.out = out;
  if (pick !== undefined) args.pick = pick;
  const status = await recordMain(args, (line) => lines.push(line));
  return { status, said: lines.join("\n") };
}

function operations(text: string): string[][] {
  const lines = text.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
  return lines.slice(4).map((line) => line.split(" "));
}

/** The trace replays in both lookups with every block's bytes checked (in-process: the CLI's replay is tested in trace/). */
function replayVerifies(file: string): void {
  const scenario = readScenario(file);
  for (const lookup of ["first-fit", "size-indexed"] as const) {
    expect(replay(scenario, { verify: true, lookup }).ops).toBe(scenario.count);
  }
}

describe("mems record on a program that makes every kind of call", () => {
  test("each call is a line with its size and ID; the fork's child is not in the trace; the threads' calls are", async () => {
    const out = join(dir, "heapcalls.rep");
    const { status, said } = await record([HEAPCALLS, "0"], out);
    expect(status).toBe(0);
    expect(said).toContain(`-> ${out}`);
    const text = readFileSync(out, "utf8");
    expect(text).toContain(`# program: ${HEAPCALLS}`);
    const ops = operations(text);
    const header = text
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith("#"))
      .slice(0, 4)
      .map(Number);
    const [, ids, count] = header;
    expect(count).toBe(ops.length);
    if (ids === undefined) throw new Error("the trace has no header");
    const find = (op: string, size: string) => ops.find((fields) => fields[0] === op && fields[2] === size);
    const first = find("a", "1001");
    expect(first).toBeDefined();
    expect(find("r", "2002")?.[1]).toBe(first?.[1]); // realloc keeps the ID
    for (const size of ["3003", "4004", "5120", "6006", "9009"]) expect(find("a", size)).toBeDefined();
    expect(text).not.toContain(" 7007"); // the fork's child
    for (const size of ["8101", "8202"]) expect(ops.filter((fields) => fields[0] === "a" && fields[2] === size).length).toBe(500);
    // Every ID is below the header's count, and frees name live IDs only.
    const live = new Set<string>();
    for (const [op, id] of ops) {
      expect(Number(id)).toBeLessThan(ids);
      if (op === "f") {
        expect(live.has(id as string)).toBe(true);
        live.delete(id as string);
      } else {
        live.add(id as string);
      }
    }
    replayVerifies(out);
  }, 30_000);

  test("a free of a pointer never handed out through the recorder is counted and dropped", async () => {
    const library = await recorderLibrary();
    const plain = await runRecorded([HEAPCALLS], library, { stdio: "ignore" });
    const unknown = await runRecorded([HEAPCALLS], library, { stdio: "ignore", env: { ...process.env, HEAPCALLS_UNKNOWN: "1" } });
    const [before, after] = [mainLog(plain), mainLog(unknown)];
    const unknownBefore = before?.unknownFrees;
    if (unknownBefore === undefined) throw new Error("the plain run wrote no log of its main process");
    expect(after?.unknownFrees).toBe(unknownBefore + 1);
    expect(summarize(after?.body ?? "").ops).toBe(summarize(before?.body ?? "").ops); // 77 bytes: neither a nor f
  });

  test("the program's exit status passes through", async () => {
    const { status } = await record([HEAPCALLS, "3"], join(dir, "three.rep"));
    expect(status).toBe(3);
    expect(existsSync(join(dir, "three.rep"))).toBe(true);
    expect((await record(["sh", "-c", "exit 5"], join(dir, "sh.rep"))).status).toBe(5);
    expect((await record(["true"], join(dir, "true.rep"))).status).toBe(0);
  });

  // A recorded program, then its trace replayed twice: seconds on a loaded machine, not the default 5.
  test("a crash writes the trace up to it as FILE.partial, says so, and exits 128 + SIGSEGV", async () => {
    const out = join(dir, "crash.rep");
    const { status, said } = await record([HEAPCALLS, "crash"], out);
    expect(status).toBe(139);
    expect(existsSync(out)).toBe(false);
    const text = readFileSync(`${out}.partial`, "utf8");
    expect(text.trimEnd().split("\n").at(-1)).toStartWith("# partial:");
    expect(text).toContain("SIGSEGV");
    expect(operations(text).some((fields) => fields[0] === "a" && fields[2] === "9009")).toBe(true);
    expect(said).toContain("PARTIAL");
    replayVerifies(`${out}.partial`);
  }, 20_000);

  test("a SIGTERM to mems record goes to the program; its trace up to there is FILE.partial", async () => {
    const out = join(dir, "terminated.rep");
    const ready = join(dir, "terminated.ready");
    const pending = record(["sh", "-c", `ls / > /dev/null; : > ${ready}; sleep 30`], out);
    // Signalled once the program has made its calls (the handlers are installed before it starts), however
    // long that takes on a loaded machine: polled up to 20 s, only so that a program that never gets there
    // fails the test instead of hanging it.
    for (let polls = 0; polls < 2000 && !existsSync(ready); polls++) await Bun.sleep(10);
    expect(existsSync(ready)).toBe(true);
    expect(process.listenerCount("SIGTERM")).toBe(1);
    process.kill(process.pid, "SIGTERM");
    const { status, said } = await pending;
    // What mems record said is shown whenever the status is not the one expected.
    expect({ status, said: said.includes("killed by SIGTERM") ? "says killed by SIGTERM" : said }).toEqual({
      status: 143,
      said: "says killed by SIGTERM",
    });
    expect(readFileSync(`${out}.partial`, "utf8")).toContain("# partial: sh was killed by SIGTERM");
    expect(process.listenerCount("SIGTERM")).toBe(0);
  }, 30_000);

  test("--pick largest takes the process with the most calls; main the command's own", async () => {
    const script = `${HEAPCALLS} 0; true`;
    const library = await recorderLibrary();
    const recording = await runRecorded(["sh", "-c", script], library, { stdio: "ignore" });
    expect(recording.logs.length).toBeGreaterThanOrEqual(2);
    expect(largestLog(recording)?.exe).toBe(HEAPCALLS);
    expect(mainLog(recording)?.exe).not.toBe(HEAPCALLS);
    const out = join(dir, "largest.rep");
    const { status, said } = await record(["sh", "-c", script], out, "largest");
    expect(status).toBe(0);
    expect(said).toMatch(/other process/);
    expect(readFileSync(out, "utf8")).toContain(`# program: ${HEAPCALLS}`);
  });
});

describe("when the recorder cannot write its log", () => {
  test("a file-size limit stops the recorder: the trace is FILE.partial and says why", async () => {
    const out = join(dir, "limited.rep");
    // SIGXFSZ ignored (inherited through exec): the log's growth fails with EFBIG instead of killing the program.
    const { status, said } = await record(["sh", "-c", `trap "" XFSZ; ulimit -f 100; exec ${HEAPCALLS}`], out);
    expect(status).toBe(0);
    expect(existsSync(out)).toBe(false);
    expect(readFileSync(`${out}.partial`, "utf8")).toContain("# partial: the recorder could not grow its log");
    expect(said).toContain("PARTIAL");
  });
});

describe("bad input", () => {
  test("no command: exit 2 with the usage", async () => {
    const { status, said } = await record([]);
    expect(status).toBe(2);
    expect(said).toContain("name a command to record");
  });

  test("a command that does not exist, or a path that is not an executable: exit 2, nothing written", async () => {
    const out = join(dir, "missing.rep");
    expect(await record(["no-such-command-mems"], out)).toEqual({
      status: 2,
      said: "mems record: no-such-command-mems: command not found",
    });
    expect((await record([join(dir, "nothing-here")], out)).status).toBe(2);
    expect((await record([dir], out)).said).toContain("no such executable file");
    expect(existsSync(out)).toBe(false);
  });

  test("an --out that cannot be written: exit 2 before the program runs", async () => {
    const marker = join(dir, "ran");
    const { status, said } = await record(["sh", "-c", `touch ${marker}`], join(dir, "no/such/dir/x.rep"));
    expect(status).toBe(2);
    expect(said).toContain("--out: ");
    expect(said).toContain("no such directory");
    expect(existsSync(marker)).toBe(false);
    expect((await record(["true"], dir)).said).toBe(`mems record: --out: ${dir} is a directory`);
    expect((await record(["true"], "")).said).toBe("mems record: --out: needs a file name");
    // A folder that exists but cannot be written (a read-only mount; root ignores mode bits).
    expect((await record(["true"], "/proc/x.rep")).said).toContain("cannot write there");
  });

  test("a statically linked program records nothing: no file, exit 1 (or its own failure)", async () => {
    if (!existsSync(STATIC)) throw new Error("cc -static did not build (libc6-dev's libc.a missing)");
    const out = join(dir, "static.rep");
    const { status, said } = await record([STATIC], out);
    expect(status).toBe(4);
    expect(said).toContain("nothing was recorded");
    expect(existsSync(out)).toBe(false);
  });

  test("a trace that cannot be written after the run: a message, and no file", async () => {
    const out = join(dir, "becomes-dir.rep");
    // The folder disappears while the program runs.
    const sub = join(dir, "vanishing");
    mkdirSync(sub);
    const { status, said } = await record(["sh", "-c", `rm -r ${sub}`], join(sub, "x.rep"));
    expect(status).toBe(1);
    expect(said).toContain("cannot write");
    expect(existsSync(out)).toBe(false);
  });

  // Three CLI processes: seconds on a loaded machine, not the default 5.
  test("the CLI: no command is exit 2 with nothing on stdout; --help documents the exit status", () => {
    const run = Bun.spawnSync([process.execPath, join(ROOT, "cli/main.ts"), "record"]);
    expect([run.exitCode, run.stdout.toString()]).toEqual([2, ""]);
    expect(run.stderr.toString()).toContain("name a command to record");
    const help = Bun.spawnSync([process.execPath, join(ROOT, "cli/main.ts"), "record", "--help"]);
    expect(help.exitCode).toBe(0);
    expect(help.stdout.toString()).toContain("Exit status: 2 for bad usage");
    const passed = Bun.spawnSync([
      process.execPath,
      join(ROOT, "cli/main.ts"),
      "record",
      "--out",
      join(dir, "cli.rep"),
      "--",
      "sh",
      "-c",
      "exit 7",
    ]);
    expect(passed.exitCode).toBe(7);
  }, 20_000);
});

describe("the yargs command", () => {
  test("runs the recording and sets the exit status", async () => {
    const out = join(dir, "yargs.rep");
    const saved = process.exitCode;
    try {
      await recordCommand(yargs(["record", "--out", out, "--", "sh", "-c", "exit 0"]))
        .strict()
        .parseAsync();
      expect(process.exitCode).toBe(0);
      expect(readFileSync(out, "utf8")).toContain("# recorded by: mems record -- sh -c exit 0");
    } finally {
      process.exitCode = saved;
    }
  });
});

describe("where it runs", () => {
  test("in a checkout, mems record is this command", async () => {
    expect(await recordCommands()).toEqual([recordCommand]);
  });

  test("without cli/record.ts (the installed package), it says it runs from a checkout and exits 2", async () => {
    const empty = mkdtempSync(join(dir, "package-"));
    let cli = yargs([]).strict();
    for (const register of await recordCommands(empty)) cli = register(cli);
    const written: string[] = [];
    const stderr = spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const saved = process.exitCode;
    try {
      await cli.parseAsync(["record", "--out", "x.rep", "--", "true"]);
      expect(process.exitCode).toBe(2);
    } finally {
      stderr.mockRestore();
      process.exitCode = saved;
    }
    expect(written.join("")).toStartWith("mems record is not part of the installed package: it builds its LD_PRELOAD library");
  });
});

describe("pieces", () => {
  test("exitStatus: the code, or 128 + the signal's number", () => {
    expect(exitStatus({ exitCode: 9, signal: null })).toBe(9);
    expect(exitStatus({ exitCode: null, signal: "SIGKILL" })).toBe(137);
    expect(exitStatus({ exitCode: null, signal: null })).toBe(128);
  });

  test("resolveCommand finds programs in PATH and refuses what is not there", () => {
    expect(resolveCommand("sh")).toMatch(/\/sh$/);
    expect(() => resolveCommand("no-such-command-mems")).toThrow("command not found");
  });

  test("summarize counts operations, IDs and the peak of live bytes; toTrace writes the header and a partial trailer", () => {
    const body = "a 0 100\na 1 50\nr 0 300\nf 1\na 1 10\nf 0\nf 1\n";
    expect(summarize(body)).toEqual({ ops: 7, ids: 2, mallocs: 3, frees: 3, reallocs: 1, peakLiveBytes: 350 });
    expect(summarize("a 5000 8\n").ids).toBe(5001);
    const log = { file: "x/1.log", pid: 1, sequence: 1, exe: "/bin/x", cmdline: "x", unknownFrees: 2, stoppedEarly: false, body };
    const { text } = toTrace(log, ["note"], "it stopped");
    expect(text).toStartWith("# note\n# program: /bin/x (x)\n# frees of pointers never seen (dropped): 2\n");
    expect(text).toContain("\n350\n2\n7\n1\na 0 100\n");
    expect(text).toEndWith("f 1\n# partial: it stopped\n");
  });

  test("readLog refuses a file that is not a recorder log, and passes over one whose header is not written yet", () => {
    const bad = join(dir, "12.log");
    writeFileSync(bad, "hello\n");
    expect(() => readLog(bad)).toThrow("not a recorder log");
    // A process that had opened its log (empty, then the zeros of its ftruncate) but not written its header
    // when the command ended: seen once as the orphan of a terminated sh, which made mems record exit 1.
    const opened = join(dir, "13.log");
    writeFileSync(opened, "");
    expect(readLog(opened)).toBeUndefined();
    writeFileSync(opened, Buffer.alloc(4096));
    expect(readLog(opened)).toBeUndefined();
    writeFileSync(opened, Buffer.concat([Buffer.alloc(1000, " "), Buffer.alloc(3096)]));
    expect(readLog(opened)).toBeUndefined();
    expect(() => readLog(join(dir, "notes.txt"))).toThrow("not a recorder log name");
    const exec = join(dir, "12-3.log");
    writeFileSync(exec, `${"#mems-record 1\n#unknown-frees 5\n#error 1\n#exe /bin/y\n#cmdline y z\n".padEnd(4096, " ")}a 0 1\n\0\0`);
    expect(readLog(exec)).toMatchObject({
      pid: 12,
      sequence: 3,
      exe: "/bin/y",
      cmdline: "y z",
      unknownFrees: 5,
      stoppedEarly: true,
      body: "a 0 1\n",
    });
  });
});
