/**
 * The `real-*` workloads: heap calls of real programs, recorded with `mems record`'s library
 * (record/) at bench setup and cached (cache.ts) under a hash of the program's version, the command,
 * its input and the recorder's source, so a run records only what changed. The report names each
 * program and its version.
 *
 * - real-cc: the compiler proper (cc1, the process with the most calls) of `cc -O2 -c` on
 *   conformance/reference/replay.c.
 * - real-python: python3 (PYTHONMALLOC=malloc, so every object goes through malloc rather than
 *   Python's own small-object pools) building a dict of 100,000 random string keys and sorting it.
 * - real-sort: GNU sort with a 64 KiB buffer (so it sorts in runs and merges them) over 200,000
 *   generated lines.
 *
 * `npm run bench:real` (`bun bench/real.ts`) records them all and prints one trace path a line (CI replays each).
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Prng } from "../lib/prng.ts";
import { largestLog, mainLog, type ProcessLog, type Recording, recorderLibrary, runRecorded, toTrace } from "../record/record.ts";
import type { AllocatorName } from "./allocators.ts";
import { cacheKey, cachePath } from "./cache.ts";
import type { WorkloadSpec } from "./types.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RECORDER_SOURCE = join(ROOT, "record/record.c");
const REFERENCE_DIR = join(ROOT, "conformance/reference");
const REFERENCE_SOURCES = ["replay.c", "mems.h"];

/** A program to record: how to learn its version, how to run it in a scratch folder, which process to keep. */
export interface RealProgram {
  name: string;
  /** What the workload is, without the version. */
  describe: string;
  /** The command whose first line of output names the program and its version. */
  version: string[];
  /** Writes its inputs into `dir` and returns the command to record (argv[0] resolved by PATH). */
  setup: (dir: string) => string[];
  env?: Record<string, string>;
  pick: "main" | "largest";
  /** Text that changes the recording when it changes (scripts, inputs' recipe). */
  recipe: string;
}

const PYTHON_SCRIPT = `import random
random.seed(20240601)
d = {}
for i in range(100000):
    d[f"{random.getrandbits(48):012x}-{i}"] = "v" * random.randint(1, 64)
items = sorted(d.items())
print(len(items), sum(len(k) + len(v) for k, v in items))
`;

const SORT_LINES = 200_000;

function sortInput(): string {
  const rng = new Prng(20240601);
  const lines: string[] = [];
  for (let i = 0; i < SORT_LINES; i++) lines.push(`${rng.int(0, 0x7fffffff).toString(16).padStart(8, "0")} ${i}`);
  return `${lines.join("\n")}\n`;
}

export const REAL_PROGRAMS: readonly RealProgram[] = [
  {
    name: "real-cc",
    describe: "cc1 of `cc -O2 -c conformance/reference/replay.c`",
    version: ["cc", "--version"],
    // Compiled from a copy in the scratch folder, by a relative name: the same trace from any checkout.
    setup: (dir) => {
      for (const file of REFERENCE_SOURCES) copyFileSync(join(REFERENCE_DIR, file), join(dir, file));
      return ["cc", "-O2", "-c", "replay.c", "-o", "replay.o"];
    },
    pick: "largest",
    recipe: `cc -O2 -c replay.c\n${REFERENCE_SOURCES.map((file) => readFileSync(join(REFERENCE_DIR, file), "utf8")).join("\n")}`,
  },
  {
    name: "real-python",
    describe: "python3 (PYTHONMALLOC=malloc) building and sorting a dict of 100,000 strings",
    version: ["python3", "--version"],
    setup: (dir) => {
      writeFileSync(join(dir, "dict.py"), PYTHON_SCRIPT);
      return [pythonExecutable(), join(dir, "dict.py")];
    },
    env: { PYTHONMALLOC: "malloc", PYTHONHASHSEED: "0", PYTHONDONTWRITEBYTECODE: "1" },
    pick: "main",
    recipe: PYTHON_SCRIPT,
  },
  {
    name: "real-sort",
    describe: `sort -S 64K over ${SORT_LINES.toLocaleString("en")} generated lines`,
    version: ["sort", "--version"],
    setup: (dir) => {
      writeFileSync(join(dir, "in.txt"), sortInput());
      return ["sort", "-S", "64K", "-T", dir, "-o", join(dir, "out.txt"), join(dir, "in.txt")];
    },
    env: { LC_ALL: "C" },
    pick: "main",
    recipe: `sort -S 64K ${SORT_LINES} lines of Prng(20240601)`,
  },
];

/**
 * python3 itself, not a wrapper script in front of it (pyenv's shim runs a dozen bash processes first):
 * the interpreter's own path, asked of it.
 */
function pythonExecutable(): string {
  const run = Bun.spawnSync(["python3", "-c", "import sys; print(sys.executable)"]);
  const path = run.stdout.toString().trim();
  return run.exitCode === 0 && path !== "" ? path : "python3";
}

const versions = new Map<string, string | undefined>();

/** The first line `program.version` prints, or undefined when the program is not there. */
export function programVersion(program: RealProgram): string | undefined {
  if (!versions.has(program.name)) {
    let version: string | undefined;
    if (Bun.which(program.version[0] as string) !== null) {
      // No input to wait for, and a bound: once in CI a version query hung past bun test's 5 s (cause not
      // found; python3 is a pyenv shim there, which runs bash scripts first). Not answering is "not installed".
      const run = Bun.spawnSync(program.version, { stdin: "ignore", stderr: "pipe", timeout: 20_000 });
      const text = `${run.stdout.toString()}\n${run.stderr.toString()}`.trim();
      version = run.exitCode === 0 ? text.split("\n")[0]?.trim() : undefined;
    }
    versions.set(program.name, version);
  }
  return versions.get(program.name);
}

/** The cached trace's path for the program as installed here (whether recorded yet or not). */
export function realTracePath(program: RealProgram): string {
  const key = cacheKey(
    program.name,
    program.recipe,
    programVersion(program) ?? "missing",
    readFileSync(RECORDER_SOURCE),
    JSON.stringify(program.env ?? {}),
  );
  return cachePath(`${program.name}-${key}.rep`);
}

/** What the report says of a recorded trace, kept beside it. */
interface TraceFacts {
  program: string;
  ids: number;
  ops: number;
}

function factsOf(trace: string): TraceFacts | undefined {
  const file = `${trace}.json`;
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as TraceFacts) : undefined;
}

/** The bench's workload specs for the real programs (listed even when a program is missing). */
export function realWorkloadSpecs(programs: readonly RealProgram[] = REAL_PROGRAMS): WorkloadSpec[] {
  return programs.map((program) => {
    const version = programVersion(program);
    return {
      name: program.name,
      kind: "trace",
      file: realTracePath(program),
      strategy: true,
      describe: `${program.describe}, recorded with mems record (${version ?? `${program.version[0]} not installed`})`,
    };
  });
}

function pickLog(program: RealProgram, recording: Recording): ProcessLog | undefined {
  return program.pick === "largest" ? largestLog(recording) : mainLog(recording);
}

/**
 * Records `program` into the cache unless it is there already. Returns the reason it cannot be
 * recorded (not installed, failed), or undefined when the trace is ready.
 */
export async function prepareRealTrace(program: RealProgram): Promise<string | undefined> {
  const version = programVersion(program);
  if (version === undefined) return `${program.version[0]} is not installed`;
  const trace = realTracePath(program);
  if (existsSync(trace) && factsOf(trace) !== undefined) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "mems-real-"));
  try {
    const command = program.setup(dir);
    const recording = await runRecorded(command, await recorderLibrary(), {
      cwd: dir,
      env: { ...process.env, ...program.env },
      stdio: "ignore",
    });
    if (recording.exitCode !== 0) return `${command.join(" ")} failed (status ${recording.exitCode ?? recording.signal})`;
    const log = pickLog(program, recording);
    if (log === undefined || log.stoppedEarly) return `${program.name}: the recorder wrote no complete log`;
    const { text, summary } = toTrace(log, [
      `${program.name}: ${program.describe}`,
      `version: ${version}`,
      `recorded by bun bench (bench/real.ts)`,
    ]);
    writeFileSync(trace, text);
    const facts: TraceFacts = { program: `${log.exe} (${version})`, ids: summary.ids, ops: summary.ops };
    writeFileSync(`${trace}.json`, `${JSON.stringify(facts)}\n`);
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The program of a `real-*` workload name, or undefined for other workloads. */
export function realProgram(name: string, programs: readonly RealProgram[] = REAL_PROGRAMS): RealProgram | undefined {
  return programs.find((program) => program.name === name);
}

/** Allocators that walk lists (the C reference's chains, MemPool's free list) take hours from this many live blocks. */
const SLOW_FROM_IDS = 100_000;

/** Why `allocator` sits out a recorded trace (too many live blocks for a list walker), or undefined. */
export function realSkipReason(allocator: AllocatorName, trace: string): string | undefined {
  if (allocator !== "c-reference" && allocator !== "thi.ng-malloc") return undefined;
  const facts = factsOf(trace);
  if (facts === undefined || facts.ids < SLOW_FROM_IDS) return undefined;
  return `${facts.ids.toLocaleString("en")} IDs (blocks live at once): a list walk per call takes minutes to hours`;
}

if (import.meta.main) {
  for (const program of REAL_PROGRAMS) {
    const reason = await prepareRealTrace(program);
    if (reason !== undefined) {
      process.stderr.write(`${program.name}: ${reason}\n`);
      process.exitCode = 1;
    } else {
      process.stdout.write(`${realTracePath(program)}\n`);
    }
  }
}
