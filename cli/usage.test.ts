/**
 * What the CLI says, and with which status, when the input or the arguments are wrong, and what it
 * says while it works (issue 11, items 3, 4 and 6), one process per case:
 *
 * - bad usage (unknown command or option, bad option value) is status 2 with the hint to run --help;
 *   `--page-size abc` names `abc`; an unknown option is named by every command even where it took the
 *   file as its value (`replay --verfiy FILE`), and no help shows an empty default;
 * - a file that cannot be read is one line naming it and why, status 2, no usage hint;
 * - a binary file is refused at its first line, on one printable line (an excerpt of at most 60
 *   characters), not kilobytes of control bytes;
 * - `bench --filter` naming nothing, or a `--json` path that cannot be written, is status 2 before any
 *   work (nothing measured, no folder made);
 * - `replay` of a .rep keeps stdout as the runner prints it (nothing) and says on stderr what happened;
 *   `replay --help` shows the default of --lookup;
 * - `conformance` reports its progress on stderr: plain lines into a file or a pipe, a line redrawn in
 *   place on a terminal.
 *
 * This file imports nothing of the project, so the same tests can be run against an older checkout.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { timingsHelp } from "../conformance/timings.ts";

// Each test runs the CLI as a process, some several: seconds on a loaded machine, not the default 5.
setDefaultTimeout(20_000);

const ROOT = join(import.meta.dir, "..");
const MAIN = join(ROOT, "cli/main.ts");
const dir = mkdtempSync(join(tmpdir(), "mems-usage-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HINT = 'Run "mems --help" for usage.';
const ESC = "\x1b";

/** Runs the CLI; a run that goes on past `timeout` ms (work that should not have started) is killed. */
function cli(args: string[], timeout = 15_000) {
  const run = Bun.spawnSync([process.execPath, MAIN, ...args], { cwd: ROOT, timeout, env: { ...process.env, TMPDIR: dir } });
  return { status: run.exitCode, stdout: run.stdout.toString(), stderr: run.stderr.toString() };
}

describe("usage errors: status 2 and the hint", () => {
  test.each([
    ["an unknown command", ["frobnicate"], "Unknown argument: frobnicate"],
    ["an unknown option", ["gen", "--size", "3"], "Unknown argument: size"],
    [
      "--page-size abc names abc",
      ["replay", "scenarios/example.mtrace", "--page-size", "abc"],
      "--page-size must be an integer >= 1, got abc",
    ],
    ["--ops 1e3 is not read as 1000", ["gen", "--ops", "1e3"], "--ops must be an integer >= 0, got 1e3"],
    ["conformance --align 3", ["conformance", "--align", "3"], "--align must be one of 1, 8, 16, got 3"],
    ["conformance --align with no value", ["conformance", "--align"], "Not enough arguments following: align"],
  ])("%s", (_name, args, message) => {
    const run = cli(args);
    expect([run.status, run.stdout]).toEqual([2, ""]);
    expect(run.stderr).toBe(`${message}\n\n${HINT}\n`);
  });
});

describe("an unknown option is named, whatever follows it (issue 22, item 5)", () => {
  // Every command `mems --help` lists. An unknown option takes the next word as its value, so a command
  // that needs a file still has none left: the option must be named before the missing file is noticed.
  const commands = [...cli(["--help"]).stdout.matchAll(/^ {2}mems (\S+)/gm)].map((match) => match[1] ?? "");
  const FILE = "scenarios/example.mtrace";

  test("mems --help lists the commands", () => {
    expect(commands).toEqual(expect.arrayContaining(["example", "replay", "soak", "gen", "conformance", "bench", "record", "viz"]));
  });

  test.each(commands)("%s --verfiy FILE: Unknown argument: verfiy, status 2, nothing run", (command) => {
    const run = cli([command, "--verfiy", FILE]);
    expect([run.status, run.stdout, run.stderr]).toEqual([2, "", `Unknown argument: verfiy\n\n${HINT}\n`]);
  });

  test.each([
    [["replay", "-v", FILE], "v"],
    [["replay", "--bogus", FILE], "bogus"],
    [["replay", FILE, "--bogus"], "bogus"],
    [["--verfiy", FILE], "verfiy"],
  ])("%p names %s", (args, name) => {
    const run = cli(args);
    expect([run.status, run.stdout, run.stderr]).toEqual([2, "", `Unknown argument: ${name}\n\n${HINT}\n`]);
  });

  test.each(commands)('%s --help: status 0, no empty default ([], "") and no [required] beside an operand', (command) => {
    const run = cli([command, "--help"]);
    expect([run.status, run.stderr]).toEqual([0, ""]);
    expect(run.stdout).toStartWith(`mems ${command}`);
    expect(run.stdout).not.toMatch(/\[default: (\[\]|"")\]|\[required\]/);
  });
});

describe("files that cannot be read: one line naming the file and why, status 2, no hint", () => {
  test.each([
    ["a directory", "scenarios", "scenarios: is a directory"],
    ["a missing file", "no-such.mtrace", "no-such.mtrace: no such file"],
    ["a path through a file", "scenarios/example.mtrace/x", "scenarios/example.mtrace/x: a part of the path is not a directory"],
  ])("%s", (_name, file, message) => {
    const run = cli(["replay", file]);
    expect([run.status, run.stdout, run.stderr]).toEqual([2, "", `${message}\n`]);
  });

  test("a binary file is refused at line 1 on one printable line, with an excerpt of at most 60 characters", () => {
    const binary = join(dir, "piece-of-elf.mtrace");
    writeFileSync(binary, readFileSync(process.execPath).subarray(0, 4096)); // the bun executable: an ELF file
    const run = cli(["replay", binary]);
    expect([run.status, run.stdout]).toEqual([2, ""]);
    expect(run.stderr).toMatch(/^[\x20-\x7e]*\n$/); // printable ASCII, one line
    expect(run.stderr.startsWith(`${binary}:1: `)).toBe(true);
    const excerpt = /"(.*)"/.exec(run.stderr)?.[1] ?? "";
    expect(excerpt.length).toBeGreaterThan(0);
    expect(excerpt.length).toBeLessThanOrEqual(60);
    expect(excerpt.startsWith("\\x7fELF")).toBe(true);
  });
});

describe("bench refuses bad arguments before any work", () => {
  test("--filter naming no workload or allocator: status 2 at once, listing the names", () => {
    const run = cli(["bench", "--filter", "nosuchthing"]);
    expect([run.status, run.stdout]).toEqual([2, ""]);
    expect(run.stderr).toContain('"nosuchthing" names no workload or allocator');
    for (const name of ["churn-100", "churn-1m", "get", "mems-size-indexed", "c-reference", "libc-ffi"]) expect(run.stderr).toContain(name);
    expect(run.stderr).not.toContain("[1/"); // nothing measured
  });

  test("--filter selecting no workload of --quick: status 2 at once", () => {
    const run = cli(["bench", "--quick", "--filter", "churn-1m"]);
    expect([run.status, run.stdout]).toEqual([2, ""]);
    expect(run.stderr).toContain("selects no workload of --quick (churn-100, scaling-100, scaling-1k)");
  });

  test("--lookup of a file that is no lookup, or two files of one name: status 2 at once", () => {
    const missing = cli(["bench", "--lookup", "./no-such-lookup.ts"]);
    expect([missing.status, missing.stdout]).toEqual([2, ""]);
    expect(missing.stderr).toContain("--lookup ./no-such-lookup.ts: cannot load it");
    const example = "docs/examples/lifo-first-fit.ts";
    const twice = cli(["bench", "--lookup", example, "--lookup", `./${example}`]);
    expect([twice.status, twice.stdout]).toEqual([2, ""]);
    expect(twice.stderr).toContain(`--lookup ./${example}: ${example} is lookup lifo-first-fit too`);
    expect(twice.stderr).not.toContain("[1/");
  });

  test("--filter may name a lookup given in a file", () => {
    const run = cli(["bench", "--quick", "--filter", "nosuchthing,lifo", "--lookup", "docs/examples/lifo-first-fit.ts"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('"nosuchthing" names no workload or allocator');
    expect(run.stderr).not.toContain('"lifo"');
    expect(run.stderr).toContain("mems-lifo-first-fit");
  });

  test.each([
    ["a directory", () => dir, "is a directory"],
    ["a missing parent", () => join(dir, "no/such/dir/x.json"), "no such directory"],
  ])("--json naming %s: status 2 at once, nothing created", (_name, path, message) => {
    const run = cli(["bench", "--json", path()]);
    expect([run.status, run.stdout]).toEqual([2, ""]);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toContain("[1/");
    expect(existsSync(join(dir, "no"))).toBe(false);
  });
});

describe("replay says what a malloc-lab trace did", () => {
  test("stdout stays empty; stderr has one line: ops, peak live, peak mapped, utilization (as --report json)", () => {
    const trace = join(dir, "churn.rep");
    expect(cli(["gen", "--kind", "churn", "--ops", "300", "--live", "20", "--seed", "3", "--out", trace]).status).toBe(0);
    const run = cli(["replay", trace]);
    const report = JSON.parse(cli(["replay", trace, "--report", "json"]).stdout);
    const count = (n: number) => n.toLocaleString("en-US");
    expect([run.status, run.stdout]).toEqual([0, ""]);
    expect(run.stderr).toBe(
      `${trace}: ${count(report.ops)} ops, peak live ${count(report.peakLiveBytes)} bytes, peak mapped ${count(report.peakMappedBytes)} bytes, utilization ${(100 * report.utilization).toFixed(1)}%\n`,
    );
  });

  test("conformance --help says how long each profile took, from conformance/timings.json", () => {
    const run = cli(["conformance", "--help"]);
    expect(run.status).toBe(0);
    const words = (text: string) => text.replace(/\s+/g, " "); // yargs may wrap a long line
    expect(words(run.stdout)).toContain(words(timingsHelp()));
    expect(run.stdout).toMatch(/\[default: "standard"\]/);
  });

  test("replay --help shows the default of --lookup", () => {
    const run = cli(["replay", "--help"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/--lookup(?:[^\n]*\n){0,3}[^\n]*\[default: first-fit/);
  });
});

describe("conformance reports its progress on stderr", () => {
  test("into a pipe: plain lines, one per finished suite, no redraw codes", () => {
    const run = cli(["conformance", "--suite", "golden"]);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(
      /^conformance: golden 0\/(\d+) scenarios done, \1 to go\n(.*\n)*conformance: golden (\d+)\/\3 scenarios, done in .* s\n$/,
    );
    expect([run.stderr.includes("\r"), run.stderr.includes(ESC)]).toEqual([false, false]);
    expect(run.stdout).toContain("golden");
  });

  test("on a terminal: one line redrawn in place", () => {
    mkdirSync(join(dir, "tty"), { recursive: true });
    // script(1) runs the command on a pseudo-terminal and copies what it printed there.
    const command = `"${process.execPath}" "${MAIN}" conformance --suite golden 2>&1 >/dev/null`;
    const run = Bun.spawnSync(["script", "-qec", command, "/dev/null"], { cwd: ROOT, timeout: 15_000 });
    expect(run.exitCode).toBe(0);
    const shown = run.stdout.toString().split(`\r${ESC}[K`); // each redraw: carriage return, erase to end of line
    expect(shown[0]).toBe("");
    expect(shown[1]).toMatch(/^conformance: golden 0\/(\d+) scenarios done, \1 to go$/);
    expect(shown.at(-1)).toMatch(/^conformance: golden (\d+)\/\1 scenarios, done in .* s\r?\n$/);
  });
});
