/**
 * The sandbox every build and run of a submission goes through (`mems grade` runs untrusted code).
 *
 * bubblewrap (`bwrap`) gives each command a read-only view of the whole file system but for its own
 * work folder and a private /tmp, fresh namespaces (no network: only a loopback that is down; its own
 * process ids, so killing bwrap kills every process inside), and `--die-with-parent`, so nothing outlives
 * the grader. Above bwrap runs our reaper (grade/reaper.c, built once and cached): bwrap returns before
 * the namespace's first process is reaped, and the reaper waits for it, so a run's processes are gone
 * when the run returns, whatever the machine's init does with orphans (see the reaper's header).
 * Resource limits are prlimits set before bwrap starts, inherited by everything inside: CPU
 * seconds, address space, processes, file size, no core files. Run as root, the limits would bind little
 * (root is above RLIMIT_NPROC), so the command first drops to an unprivileged uid of its own slot
 * (`setpriv`): each parallel slot has its own uid, so one submission's fork bomb does not use up the
 * process count of another. The wall time is ours: past it the sandbox is killed and the run says
 * `timedOut`.
 *
 * Without a working bwrap the grader refuses, unless asked for `--no-sandbox`: then the same limits
 * apply (prlimit) but nothing else is contained; each run is a process group of its own under the reaper
 * (`--group`), killed as a whole (past its wall time, once its first process ends, when the grader exits
 * or dies, even of SIGKILL), as bwrap's namespace is.
 */
import { createHash } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { childPids } from "../lib/processes.ts";
import { makeTemporaryFolder, removeTemporaryFolder } from "../lib/temporary.ts";

/** Limits of one command in the sandbox. */
export interface Limits {
  /** Wall time, ms: past it the command is killed and the run is `timedOut`. */
  readonly wallMs: number;
  /** CPU seconds (RLIMIT_CPU). */
  readonly cpuSeconds: number;
  /** Address space, bytes (RLIMIT_AS); 0 for none (valgrind needs a lot). */
  readonly memoryBytes: number;
  /** Processes of the sandbox's uid (RLIMIT_NPROC). */
  readonly processes: number;
  /** Largest file it may write, bytes (RLIMIT_FSIZE). */
  readonly fileBytes: number;
}

export const BUILD_LIMITS: Limits = {
  wallMs: 60_000,
  cpuSeconds: 30,
  memoryBytes: 2 ** 31,
  processes: 64,
  fileBytes: 64 * 2 ** 20,
};
/** A scenario takes milliseconds; a hang is cut at 2 CPU seconds, or 5 s of wall time when it sleeps. */
export const RUN_LIMITS: Limits = {
  wallMs: 5_000,
  cpuSeconds: 2,
  memoryBytes: 2 ** 30,
  processes: 16,
  fileBytes: 16 * 2 ** 20,
};

/** What one command did. */
export interface RunResult {
  /** Exit status, or null when a signal ended it. */
  readonly status: number | null;
  /** The signal that ended it (SIGSEGV, SIGKILL, ...), or null. */
  readonly signal: string | null;
  /** It ran past its wall time and was killed. */
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/** The signals a program of a submission dies of, by number (Linux x86-64). */
const SIGNAL_NAMES: Readonly<Record<number, string>> = {
  4: "SIGILL",
  5: "SIGTRAP",
  6: "SIGABRT",
  7: "SIGBUS",
  8: "SIGFPE",
  9: "SIGKILL",
  11: "SIGSEGV",
  13: "SIGPIPE",
  15: "SIGTERM",
  24: "SIGXCPU",
  25: "SIGXFSZ",
  31: "SIGSYS",
};

/** Most bytes kept of each of stdout and stderr: a submission printing in a loop cannot fill memory. */
const OUTPUT_CAP = 4 * 2 ** 20;
/** The first uid of the slots (no user of this machine is expected from there to BASE_UID + 64,000). */
const BASE_UID = 61_000;
/** Slots with a uid of their own; more parallel slots than this share uids (and the process limit). */
const SLOT_UIDS = 16;

/**
 * The uid slot `slot` of process `pid` runs as, when the grader runs as root: one per slot, and other
 * for two graders running at once (their processes would otherwise count against one limit).
 */
export function slotUid(pid: number, slot: number): number {
  return BASE_UID + (pid % 4000) * SLOT_UIDS + (slot % SLOT_UIDS);
}

export class SandboxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SandboxError";
  }
}

/** Runs commands contained (bwrap) or not (`--no-sandbox`), each in a work folder of its own. */
export class Sandbox {
  /** The unprivileged uid its commands run as (when the grader runs as root). */
  readonly uid: number | undefined;

  /**
   * `checkpoint` is called before each command starts (SIGINT's safe point: it throws once a stop was
   * asked for, so no new command starts and the grading unwinds, removing its work folders).
   */
  constructor(
    readonly contained: boolean,
    readonly slot = 0,
    private readonly checkpoint: () => void = () => undefined,
  ) {
    this.uid = process.getuid?.() === 0 ? slotUid(process.pid, slot) : undefined;
  }

  /** A fresh work folder the sandboxed commands may write (and nothing else). */
  makeWorkDir(prefix = "mems-grade-"): string {
    // Remembered until removed, so a grader dying of a second signal removes it too (cli/signals.ts).
    const dir = makeTemporaryFolder(prefix);
    if (this.uid !== undefined) chownSync(dir, this.uid, this.uid);
    chmodSync(dir, 0o755);
    return dir;
  }

  /** Removes a work folder and all in it. */
  removeWorkDir(dir: string): void {
    removeTemporaryFolder(dir);
  }

  /**
   * Where `path` (read-only, to be seen in the sandbox) is bound from: itself, or, when the sandbox's uid
   * cannot reach it (a folder above it that others may not enter: /root), a stage the reaper binds it on.
   */
  private stagedFrom(path: string, stage: Stage): { from: string; hidden?: string } {
    // A path that is not there is bwrap's to report ("Can't find source path").
    const own = this.uid === undefined ? undefined : statSync(path, { throwIfNoEntry: false });
    if (own === undefined) return { from: path };
    // A bind keeps the mode of what it binds: a folder of its own that others may not enter stays closed.
    if ((own.mode & (own.isDirectory() ? 0o001 : 0o004)) === 0)
      throw new SandboxError(
        `the sandbox's unprivileged uid cannot ${own.isDirectory() ? "enter" : "read"} ${path} (mode ${(own.mode & 0o777).toString(8)}): let others ${own.isDirectory() ? "enter and read it (chmod o+rx)" : "read it (chmod o+r)"}, or grade as another user than root`,
      );
    const hidden = closedAncestor(path);
    if (hidden === undefined) return { from: path };
    return { from: stage.target(own.isDirectory()), hidden };
  }

  /** The full command line: the reaper, limits, the uid drop, bwrap, then `argv`. */
  commandLine(argv: readonly string[], workDir: string, limits: Limits, readOnly: readonly string[], stage: Stage): string[] {
    const prlimit = [
      "prlimit",
      // Soft below hard: the CPU limit ends a spinning hang with SIGXCPU (with both equal, SIGKILL).
      `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 1}`,
      `--nproc=${limits.processes}`,
      `--fsize=${limits.fileBytes}`,
      "--core=0",
      ...(limits.memoryBytes > 0 ? [`--as=${limits.memoryBytes}`] : []),
      "--",
    ];
    const drop = this.uid === undefined ? [] : ["setpriv", `--reuid=${this.uid}`, `--regid=${this.uid}`, "--clear-groups"];
    // Uncontained, the run is a session (and process group) of its own, whose id is the pid of the
    // reaper's child (each tool execs the next, and setsid does not fork in a child that leads no group):
    // the reaper kills the group once that child ends, or when the grader dies; killRun, past the wall time.
    if (!this.contained) return [reaperPath(), "--group", "--", ...prlimit, "setsid", ...drop, ...argv];
    const binds = readOnly.map((path) => ({ path, ...this.stagedFrom(path, stage) }));
    // A closed folder becomes an empty tmpfs in the sandbox, where bwrap makes the staged paths' mount points.
    const closed = [...new Set(binds.flatMap((bind) => (bind.hidden === undefined ? [] : [bind.hidden])))];
    const staging = binds.flatMap((bind) => (bind.hidden === undefined ? [] : ["--stage", bind.path, bind.from]));
    const bwrap = [
      "bwrap",
      "--ro-bind",
      "/",
      "/",
      "--dev",
      "/dev",
      "--proc",
      "/proc",
      "--tmpfs",
      "/tmp",
      // bwrap mounts in order: what must be seen is bound over the private /tmp (a checkout under /tmp),
      // and the work folder last, writable even inside a read-only folder (TMPDIR inside the checkout).
      ...closed.flatMap((folder) => ["--tmpfs", folder]),
      ...binds.flatMap((bind) => ["--ro-bind", bind.from, bind.path]),
      "--bind",
      workDir,
      workDir,
      "--chdir",
      workDir,
      "--unshare-all",
      "--die-with-parent",
      "--new-session",
      "--",
    ];
    return [reaperPath(), ...staging, "--", ...prlimit, ...drop, ...bwrap, ...argv];
  }

  /**
   * Runs `argv` in `workDir` under `limits`; never throws for what the command does. `readOnly` paths
   * (real paths: folders or files) are seen inside too, also under /tmp, which is otherwise the sandbox's own.
   */
  async run(argv: readonly string[], workDir: string, limits: Limits, readOnly: readonly string[] = []): Promise<RunResult> {
    // A sandbox that could not start for want of a process or namespace (EAGAIN, a busy machine) is
    // tried again a little later before the grader gives up.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.runOnce(argv, workDir, limits, readOnly);
      } catch (error) {
        if (!(error instanceof SandboxError) || !error.message.includes("temporarily unavailable") || attempt >= 4) throw error;
        await Bun.sleep(200 * attempt);
      }
    }
  }

  private async runOnce(argv: readonly string[], workDir: string, limits: Limits, readOnly: readonly string[]): Promise<RunResult> {
    this.checkpoint();
    const stage = new Stage();
    try {
      const child = Bun.spawn(this.commandLine(argv, workDir, limits, readOnly, stage), {
        cwd: workDir,
        stdin: "ignore",
        stdout: "pipe",
        stderr: "pipe",
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C" },
      });
      // Contained, the namespace's first process and bwrap are killed; uncontained, the run's process
      // group (see killRun). The reaper reaps them and exits.
      running.set(child.pid, this.contained);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        killRun(child.pid, this.contained);
      }, limits.wallMs);
      try {
        const [stdout, stderr] = await Promise.all([capped(child.stdout), capped(child.stderr), child.exited]);
        // Contained, the command's death by a signal reaches us as bwrap's exit status 128 + its number.
        const bySignal = this.contained && child.exitCode !== null && child.exitCode > 128 ? SIGNAL_NAMES[child.exitCode - 128] : undefined;
        const signal = child.signalCode === null ? (bySignal ?? null) : String(child.signalCode);
        // The sandbox's own tools failing (not the command they ran) is the grader's fault, not the submission's.
        if (child.exitCode !== 0 && /^(bwrap|prlimit|setpriv|mems-reaper): /.test(stderr) && !timedOut)
          throw new SandboxError(`the sandbox failed: ${stderr.split("\n")[0]}`);
        return { status: signal === null ? child.exitCode : null, signal, timedOut, stdout, stderr };
      } finally {
        clearTimeout(timer);
        running.delete(child.pid);
      }
    } finally {
      stage.remove();
    }
  }
}

/**
 * The empty folders and files one run's reaper binds the paths its uid cannot reach on (--stage): in a
 * folder anyone may enter, made on first need and removed when the run has ended (the binds live only
 * in the reaper's mount namespace, gone with it).
 */
class Stage {
  private folder: string | undefined;
  private count = 0;

  /** A new empty folder (or file) to bind a path on. */
  target(directory: boolean): string {
    if (this.folder === undefined) {
      this.folder = makeTemporaryFolder("mems-stage-");
      chmodSync(this.folder, 0o755);
    }
    const target = join(this.folder, String(this.count++));
    if (directory) mkdirSync(target);
    else writeFileSync(target, "");
    return target;
  }

  remove(): void {
    if (this.folder !== undefined) removeTemporaryFolder(this.folder);
    this.folder = undefined;
  }
}

/**
 * The first folder above `path` that users other than its owner and group may not enter (the sandbox's
 * uid is such a user to every file but its work folder's), or undefined when every one is open.
 */
export function closedAncestor(path: string, modeOf: (folder: string) => number = (folder) => statSync(folder).mode): string | undefined {
  const parts = path.split("/").filter((part) => part !== "");
  let folder = "";
  for (const part of parts.slice(0, -1)) {
    folder += `/${part}`;
    if ((modeOf(folder) & 0o001) === 0) return folder;
  }
  return undefined;
}

/** The reaper's source, beside this file (shipped with the package). */
const REAPER_SOURCE = join(import.meta.dir, "reaper.c");
let reaper: string | undefined;

/**
 * The reaper's binary: built with gcc on first use (a few hundred ms) into the user's cache
 * ($XDG_CACHE_HOME/mems, or ~/.cache/mems), named by a hash of its source, and reused from there by
 * later gradings; into a temporary folder removed at exit where there is no such cache. Throws
 * SandboxError when it does not build.
 */
export function reaperPath(): string {
  if (reaper !== undefined) return reaper;
  const home = process.env.XDG_CACHE_HOME || (process.env.HOME ? join(process.env.HOME, ".cache") : undefined);
  let folder: string | undefined;
  if (home !== undefined) {
    try {
      folder = join(home, "mems");
      mkdirSync(folder, { recursive: true });
    } catch {
      folder = undefined; // not writable: a temporary folder instead
    }
  }
  if (folder === undefined) {
    const temporary = makeTemporaryFolder("mems-reaper-");
    process.on("exit", () => removeTemporaryFolder(temporary));
    folder = temporary;
  }
  reaper = buildReaper(REAPER_SOURCE, folder);
  return reaper;
}

/** Builds `source` into `folder` as reaper-HASH (unless there already), written whole or not at all. */
export function buildReaper(source: string, folder: string): string {
  const text = readFileSync(source);
  const binary = join(folder, `reaper-${createHash("sha256").update(text).digest("hex").slice(0, 16)}`);
  if (existsSync(binary)) return binary;
  const partial = `${binary}.${process.pid}.partial`;
  const built = Bun.spawnSync(["gcc", "-O2", "-Wall", "-x", "c", "-o", partial, source], {
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, LC_ALL: "C" },
  });
  if (built.exitCode !== 0) {
    rmSync(partial, { force: true });
    const lines = built.stderr.toString().trim().split("\n");
    const why = lines.find((line) => line.includes("error")) ?? (lines[0] || `gcc exited with ${built.exitCode}`);
    throw new SandboxError(`the sandbox's reaper (${source}) does not build: ${why}`);
  }
  renameSync(partial, binary);
  return binary;
}

/**
 * The runs under way (their reaper's pid) and whether each is contained. A reaper kills its run when the
 * grader dies (its parent-death signal), but a stop ends the runs with the grader still alive to clean
 * up: so the grader kills them itself on a stop (cli/grade.ts) and at `exit` (the end of the command).
 */
const running = new Map<number, boolean>();
process.on("exit", killEveryRun);

/** Kills every run under way (a stop, or the grader's exit). */
export function killEveryRun(): void {
  for (const [pid, contained] of running) killRun(pid, contained);
}

/**
 * Kills a run (its reaper's `pid`) and everything it started: contained, the first process of its
 * namespace (bwrap's child, or the reaper's once bwrap has returned: SIGKILL of a namespace's first
 * process ends every process in it), then bwrap; uncontained, the process group its reaper's child leads.
 * The reaper, left alive, reaps them all and exits. Gone already is fine.
 */
function killRun(pid: number, contained: boolean): void {
  for (const child of childPids(pid)) {
    if (contained) for (const inner of childPids(child)) kill(inner);
    else killGroup(child);
    kill(child);
  }
}

/** SIGKILL to one process, gone already being fine. */
function kill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // gone
  }
}

/** Kills every process of process group `group` (gone already is fine). */
function killGroup(group: number): void {
  try {
    process.kill(-group, "SIGKILL");
  } catch {
    // no process left in it
  }
}

/** A stream's text, keeping the first OUTPUT_CAP bytes and reading (and dropping) the rest. */
async function capped(stream: ReadableStream<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  let kept = 0;
  for await (const chunk of stream) {
    if (kept >= OUTPUT_CAP) continue;
    const part = chunk.subarray(0, OUTPUT_CAP - kept);
    chunks.push(part);
    kept += part.length;
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/**
 * Why a sandbox cannot be had here, or undefined when bwrap starts a contained `true`. Tried once per
 * process: a missing bwrap, a kernel without user namespaces, a container that forbids them.
 */
export async function probeSandbox(which: (tool: string) => string | null = Bun.which): Promise<string | undefined> {
  if (which("bwrap") === null) return "bubblewrap (bwrap) is not installed: apt-get install bubblewrap";
  for (const tool of ["prlimit", "setpriv"]) if (which(tool) === null) return `${tool} (util-linux) is not installed`;
  if (which("gcc") === null) return "gcc is not installed: the sandbox's reaper (grade/reaper.c) is built with it";
  const sandbox = new Sandbox(true, 0);
  const dir = sandbox.makeWorkDir();
  try {
    const result = await sandbox.run(["true"], dir, RUN_LIMITS);
    if (result.status === 0) return undefined;
    return `bubblewrap cannot run here: ${result.stderr.trim().split("\n")[0] || `exit ${result.status}`}`;
  } catch (error) {
    if (error instanceof SandboxError) return error.message;
    throw error;
  } finally {
    sandbox.removeWorkDir(dir);
  }
}

let probed: Promise<string | undefined> | undefined;
/** probeSandbox, once per process. */
export function sandboxProblem(): Promise<string | undefined> {
  probed ??= probeSandbox();
  return probed;
}

/** Throws SandboxError when no sandbox can be had and `allowUncontained` was not given. */
export async function requireSandbox(
  allowUncontained: boolean,
  probe: () => Promise<string | undefined> = sandboxProblem,
): Promise<boolean> {
  if (allowUncontained) return false;
  const problem = await probe();
  if (problem !== undefined)
    throw new SandboxError(`${problem}; mems grade runs students' code only in a sandbox (--no-sandbox runs it uncontained)`);
  return true;
}
