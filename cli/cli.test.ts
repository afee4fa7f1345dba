/**
 * The CLI as a user runs it, one child process per case (kept to what needs a process): bad usage is
 * exit status 2 with a message on stderr; `gen` writes what trace/generate.ts makes; a replay that
 * runs out of memory under `ulimit -v` exits 1 with OUT_OF_MEMORY after its earlier blocks verified.
 */

import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateChurnTrace, generateRandomScenario } from "../trace/generate.ts";

// Each test runs the CLI as a process, some several: seconds on a loaded machine, not the default 5.
setDefaultTimeout(20_000);

const ROOT = join(import.meta.dir, "..");
const MAIN = join(ROOT, "cli/main.ts");
const dir = mkdtempSync(join(tmpdir(), "mems-cli-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  status: number | null;
  signal: string | number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Run {
  const run = Bun.spawnSync([process.execPath, MAIN, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  return { status: run.exitCode, signal: run.signalCode ?? null, stdout: run.stdout.toString(), stderr: run.stderr.toString() };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("bad usage is exit status 2, a message on stderr, nothing on stdout", () => {
  const noDirectives = file("plain.mtrace", "a 0 8\ns\n");
  const hugePage = file("huge-page.mtrace", "@page_size 2000000000\na 0 8\n");
  const cases: [string, string[], Record<string, string>, string][] = [
    ["an unknown command", ["frobnicate"], {}, "Unknown argument: frobnicate"],
    ["no command", [], {}, "name a command"],
    ["an unknown option of replay", ["replay", noDirectives, "--nope"], {}, "Unknown argument: nope"],
    ["an unknown option of soak", ["soak", "--fast"], {}, "Unknown argument: fast"],
    ["an unknown option of gen", ["gen", "--size", "3"], {}, "Unknown argument: size"],
    ["an unknown option of example", ["example", "--verify"], {}, "Unknown argument: verify"],
    ["replay without files", ["replay"], {}, "name at least one scenario file"],
    ["viz without files", ["viz"], {}, "name at least one scenario file"],
    ["replay of a missing file", ["replay", join(dir, "missing.mtrace")], {}, "missing.mtrace: no such file"],
    ["replay --page-size 0", ["replay", noDirectives, "--page-size", "0"], {}, "--page-size must be an integer >= 1, got 0"],
    ["replay --page-size 1.5", ["replay", noDirectives, "--page-size", "1.5"], {}, "--page-size must be an integer >= 1, got 1.5"],
    ["replay --page-size abc", ["replay", noDirectives, "--page-size", "abc"], {}, "--page-size must be an integer >= 1, got abc"],
    ["replay --page-size huge", ["replay", noDirectives, "--page-size", "2000000000"], {}, "INVALID_OPTION: pageSize"],
    ["replay --start -1", ["replay", noDirectives, "--start", "-1"], {}, "--start must be an integer >= 0, got -1"],
    [
      "replay --lookup fastest-fit",
      ["replay", noDirectives, "--lookup", "fastest-fit"],
      {},
      "--lookup: no lookup fastest-fit (known: first-fit, size-indexed, best-fit, next-fit, worst-fit, or a file that exports one)",
    ],
    [
      "replay --lookup of a missing file",
      ["replay", noDirectives, "--lookup", "./no-such-lookup.ts"],
      {},
      "--lookup ./no-such-lookup.ts: cannot load it",
    ],
    [
      "replay --lookup of a file that exports no lookup",
      ["replay", noDirectives, "--lookup", "./trace/corpus.ts"],
      {},
      "--lookup ./trace/corpus.ts: its default export must be a lookup factory",
    ],
    ["replay with MEMS_PAGE_SIZE=abc", ["replay", noDirectives], { MEMS_PAGE_SIZE: "abc" }, "INVALID_OPTION: MEMS_PAGE_SIZE"],
    ["replay with MEMS_START_ADDRESS=-5", ["replay", noDirectives], { MEMS_START_ADDRESS: "-5" }, "INVALID_OPTION: MEMS_START_ADDRESS"],
    ["replay of @page_size 2000000000", ["replay", hugePage], {}, "INVALID_OPTION: pageSize"],
    ["soak --ops -1", ["soak", "--ops", "-1"], {}, "--ops must be an integer >= 0, got -1"],
    ["soak --ops 1.5", ["soak", "--ops", "1.5"], {}, "--ops must be an integer >= 0, got 1.5"],
    ["soak --check-every 0", ["soak", "--check-every", "0"], {}, "--check-every must be an integer >= 1, got 0"],
    ["soak --seed 2^32", ["soak", "--seed", "4294967296"], {}, "--seed must be an integer from 0 to 4294967295, got 4294967296"],
    ["soak --lookup fastest", ["soak", "--lookup", "fastest"], {}, "--lookup: no lookup fastest"],
    ["replay --align 3", ["replay", noDirectives, "--align", "3"], {}, "--align must be one of 1, 2, 4, 8, 16, got 3"],
    ["replay --align 32", ["replay", noDirectives, "--align", "32"], {}, "--align must be one of 1, 2, 4, 8, 16, got 32"],
    ["soak --align 0", ["soak", "--align", "0"], {}, "--align must be one of 1, 2, 4, 8, 16, got 0"],
    ["viz --align abc", ["viz", noDirectives, "--align", "abc"], {}, "--align must be one of 1, 2, 4, 8, 16, got abc"],
    [
      "replay with MEMS_ALIGN=abc",
      ["replay", noDirectives],
      { MEMS_ALIGN: "abc" },
      'INVALID_OPTION: MEMS_ALIGN must be one of 1, 2, 4, 8, 16, got "abc"',
    ],
    ["soak with MEMS_ALIGN=3", ["soak", "--ops", "10"], { MEMS_ALIGN: "3" }, "INVALID_OPTION: MEMS_ALIGN"],
    ["soak with MEMS_PAGE_SIZE=4k", ["soak", "--ops", "10"], { MEMS_PAGE_SIZE: "4k" }, "INVALID_OPTION: MEMS_PAGE_SIZE"],
    ["gen --kind huge", ["gen", "--kind", "huge"], {}, "Invalid values"],
    ["gen --ops NaN", ["gen", "--ops", "NaN"], {}, "--ops must be an integer >= 0, got NaN"],
    ["gen --live 0", ["gen", "--kind", "churn", "--live", "0"], {}, "--live must be an integer >= 1, got 0"],
    ["gen --live with --kind random", ["gen", "--live", "5"], {}, "--live applies to --kind churn only"],
    ["gen --out in a missing folder", ["gen", "--seed", "1", "--out", join(dir, "no/such/dir.mtrace")], {}, "no such directory"],
  ];
  test.each(cases)("%s", (_name, args, env, message) => {
    const run = cli(args, env);
    expect(run.stderr).toContain(message);
    expect([run.status, run.stdout]).toEqual([2, ""]);
  });
});

describe("--lookup: the core's by name or in MEMS_LOOKUP, and a lookup of your own from a file", () => {
  const example = "docs/examples/lifo-first-fit.ts";

  test("replay: every lookup replays a trace; the file's lookup is named by its name", () => {
    const churn = file("lookups.rep", generateChurnTrace(3, { live: 40, replacements: 200 }));
    for (const lookup of ["best-fit", "next-fit", "worst-fit", example, `./${example}`]) {
      const run = cli(["replay", churn, "--verify", "--report", "json", "--lookup", lookup]);
      expect([lookup, run.status, run.stderr]).toEqual([lookup, 0, ""]);
      expect(JSON.parse(run.stdout)).toMatchObject({ ops: 40 + 400 + 40, bytesLeftMapped: 0 });
    }
    // MEMS_LOOKUP picks a core lookup when --lookup is not given: a different peak than first-fit's, here.
    const peak = (env: Record<string, string>) => JSON.parse(cli(["replay", churn, "--report", "json"], env).stdout).peakMappedBytes;
    expect(peak({ MEMS_LOOKUP: "worst-fit" })).toBe(
      JSON.parse(cli(["replay", churn, "--report", "json", "--lookup", "worst-fit"]).stdout).peakMappedBytes,
    );
    expect(peak({ MEMS_LOOKUP: "worst-fit" })).not.toBe(peak({ MEMS_LOOKUP: "first-fit" }));
  });

  test("soak: a file's lookup, with every check on", () => {
    const run = cli(["soak", "--ops", "3000", "--seed", "5", "--check-every", "100", "--lookup", example]);
    expect([run.status, run.stderr]).toEqual([0, ""]);
    expect(run.stdout).toContain("seed 5, lifo-first-fit");
  });
});

describe("alignment", () => {
  test("replay --align N rounds every block where the scenario has no @align; @align wins; MEMS_ALIGN fills in", () => {
    const plain = file("align-plain.mtrace", "a 0 3\na 1 5\nv 1\n");
    const directive = file("align-directive.mtrace", "@align 4\na 0 3\na 1 5\nv 1\n");
    expect(cli(["replay", plain]).stdout).toBe("Virtual address: 1003\n");
    expect(cli(["replay", plain, "--align", "8"]).stdout).toBe("Virtual address: 1008\n");
    expect(cli(["replay", plain], { MEMS_ALIGN: "16" }).stdout).toBe("Virtual address: 1016\n");
    expect(cli(["replay", directive, "--align", "16"]).stdout).toBe("Virtual address: 1004\n");
  });

  test("soak --align 16 checks every block's physical address and says so in its table", () => {
    const run = cli(["soak", "--ops", "3000", "--seed", "7", "--align", "16", "--check-every", "1000"]);
    expect([run.status, run.stderr]).toEqual([0, ""]);
    expect(run.stdout).toContain("seed 7, first-fit, align 16");
  });
});

describe("help and version", () => {
  test.each(["replay", "soak", "gen", "example"])("%s --help lists its options and exits 0", (command) => {
    const run = cli([command, "--help"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`mems ${command}`);
    expect(run.stdout).toContain("--help");
  });

  test("--version prints the package's version", () => {
    const run = cli(["--version"]);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
  });
});

describe("gen", () => {
  test("--kind random writes generateRandomScenario's text to stdout", () => {
    const run = cli(["gen", "--kind", "random", "--ops", "200", "--seed", "42"]);
    expect([run.status, run.stderr]).toEqual([0, ""]);
    expect(run.stdout).toBe(generateRandomScenario(42, { ops: 200 }));
  });

  test("--kind churn --out writes the trace, which replays and verifies; no seed is printed on stderr", () => {
    const out = join(dir, "churn.rep");
    const run = cli(["gen", "--kind", "churn", "--ops", "300", "--live", "20", "--seed", "9", "--out", out]);
    expect([run.status, run.stdout, run.stderr]).toEqual([0, "", ""]);
    expect(readFileSync(out, "utf8")).toBe(generateChurnTrace(9, { live: 20, replacements: 300 }));
    const replayed = cli(["replay", out, "--verify", "--report", "json"]);
    expect(replayed.status).toBe(0);
    expect(JSON.parse(replayed.stdout)).toMatchObject({ ops: 20 + 600 + 20, mallocs: 320, frees: 320 });
  });

  test("--kind random --ops 2000 --seed 3 (a stale write before issue 22) replays with --verify", () => {
    const out = join(dir, "random-3.mtrace");
    expect(cli(["gen", "--kind", "random", "--ops", "2000", "--seed", "3", "--out", out]).status).toBe(0);
    const replayed = cli(["replay", out, "--verify", "--report", "json"]);
    expect([replayed.status, replayed.stderr]).toEqual([0, ""]);
    expect(JSON.parse(replayed.stdout).ops).toBeGreaterThan(1900); // a w or g of a block under 4 bytes writes no line
  });

  test("without --seed the seed is printed on stderr, and that seed gives the same text", () => {
    const run = cli(["gen", "--ops", "50"]);
    expect(run.status).toBe(0);
    const seed = Number(/^mems gen: seed (\d+)\n$/.exec(run.stderr)?.[1]);
    expect(run.stdout).toBe(generateRandomScenario(seed, { ops: 50 }));
  });
});

describe("out of memory under an address-space limit", () => {
  /** Runs the CLI with `ulimit -v` of `kib` KiB (bash's ulimit, then exec: the limit is the CLI's own). */
  const limited = (kib: number, args: string[]): Run => {
    const run = Bun.spawnSync(["bash", "-c", `ulimit -v ${kib} && exec "$0" "$@"`, process.execPath, MAIN, ...args], { cwd: ROOT });
    return { status: run.exitCode, signal: run.signalCode ?? null, stdout: run.stdout.toString(), stderr: run.stderr.toString() };
  };

  test("a block too large for the limit: exit 1, OUT_OF_MEMORY on stderr, earlier blocks still verify", () => {
    // Bun needs about 2.3 GB of address space for bun:ffi's JIT (README, "Out of memory"): take the first
    // limit from 3 GB up under which a small replay runs.
    const small = file("small.mtrace", "a 0 8\nw 0 0 5\ng 0 0\n");
    const kib = [3_000_000, 4_000_000, 6_000_000, 8_000_000].find((k) => limited(k, ["replay", "--verify", small]).status === 0);
    if (kib === undefined) throw new Error("no limit from 3 GB to 8 GB lets a small replay run");
    const tooLarge = kib * 1024; // the whole limit: more than is left of it
    const scenario = file(
      "oom.mtrace",
      [
        "a 0 1000",
        "w 0 996 11",
        "a 1 100000",
        "w 1 50000 22",
        "a 2 4000000",
        "w 2 3999996 33",
        "g 0 996 before:",
        "g 1 50000 before:",
        "g 2 3999996 before:",
        `a 3 ${tooLarge}`,
        "g 0 996 never printed:",
      ].join("\n"),
    );
    const run = limited(kib, ["replay", "--verify", scenario]);
    expect(run.signal).toBeNull();
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("before: 11\nbefore: 22\nbefore: 33\n");
    // With --verify the runner checks every live block when it stops on OUT_OF_MEMORY: a damaged one would be
    // a "verify:" error instead of this one.
    expect(run.stderr).toBe(`OUT_OF_MEMORY: mmap of ${Math.ceil(tooLarge / 4096) * 4096} bytes failed\n`);
  });
});
