/**
 * The coverage table lists the repository's own files only (issue 22, item 7): the tests that load modules
 * by path (stand-in commands, --lookup files) load them from test-support/fixtures/, which bunfig.toml
 * leaves out of the table, and not from temporary folders, whose paths (`../mems-cli-repository-W7whu0/
 * bench.ts`) the table used to list. Run in a child `bun test`, which prints the table.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");

test("bun test of the tests that load modules by path: every file of the table is the project's", () => {
  const run = Bun.spawnSync([process.execPath, "test", "cli/repository.test.ts", "trace/lookup-choice.test.ts"], {
    cwd: ROOT,
    timeout: 60_000,
  });
  const output = `${run.stdout.toString()}${run.stderr.toString()}`;
  // Its status is 1: two test files fall short of bunfig.toml's coverage threshold for the whole project.
  expect(output).toMatch(/^ 0 fail$/m);
  // Rows of the table: " path | % Funcs | % Lines | ...".
  const files = [...output.matchAll(/^ (\S+) +\| +[\d.]+ \| +[\d.]+ \|/gm)].map((row) => row[1] ?? "");
  expect(files).toContain("trace/lookup-choice.ts");
  expect(files).toContain("cli/repository.ts");
  expect(files.filter((file) => file.startsWith("../") || file.startsWith("/") || file.startsWith("test-support/fixtures/"))).toEqual([]);
}, 60_000);
