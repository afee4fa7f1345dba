/**
 * Every script a user or developer runs is a package.json script named in the docs (issue 23): each file
 * that runs as a script (`import.meta.main`, a `#!` line, a shell script) is the file of a package.json
 * script, and each package.json script that runs such a file is named as `npm run NAME` in README.md or
 * a page of docs/, so that none is found only by reading the code.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { docPages, ROOT, trackedFiles } from "../test-support/repository.ts";

/** Scripts run otherwise than by a person: the installed package's command, and a check `make check` runs. */
const NOT_NPM_SCRIPTS: Readonly<Record<string, string>> = {
  "bin/mems.ts": "the package's `mems` command (package.json's bin)",
  "conformance/reference/tests/run.sh": "run by the C reference's `make check`",
};

/** Whether a file runs as a script: a shell script, a `#!` line, or a TypeScript module's `import.meta.main`. */
function isScript(path: string, text: string): boolean {
  if (path.endsWith(".sh") || text.startsWith("#!")) return true;
  return path.endsWith(".ts") && !path.endsWith(".test.ts") && /^if \(import\.meta\.main\)/m.test(text);
}

/** Whether to read a file for isScript: source and shell files, and files with no extension (`.ci/run`). */
function mayBeScript(path: string): boolean {
  return /\.(ts|sh)$/.test(path) || !/\.[^/]+$/.test(path.slice(path.lastIndexOf("/") + 1));
}

const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

/** The repository files a package.json script's command names. */
function filesOf(command: string, files: ReadonlySet<string>): string[] {
  return command.split(/\s+/).filter((word) => files.has(word));
}

test("isScript: shell scripts, #! lines and import.meta.main, not modules or tests; mayBeScript: no extension too", () => {
  expect([".ci/run", "a/b.ts", "a/b.sh", "LICENSE", "a/b.json", "a.b/c.md"].map(mayBeScript)).toEqual([
    true,
    true,
    true,
    true,
    false,
    false,
  ]);
  expect(isScript("a/b.sh", "echo")).toBe(true);
  expect(isScript("a/b.ts", "#!/usr/bin/env bun\nx")).toBe(true);
  expect(isScript("a/b.ts", "/** x */\nif (import.meta.main) main();\n")).toBe(true);
  expect(isScript("a/b.ts", "export const x = 1; // import.meta.main\n")).toBe(false);
  expect(isScript("a/b.test.ts", "if (import.meta.main) x;\n")).toBe(false);
});

test("every file that runs as a script is the file of a package.json script", () => {
  const files = trackedFiles();
  const run = new Set(Object.values(scripts).flatMap((command) => filesOf(command, new Set(files))));
  const found = files.filter((path) => mayBeScript(path) && isScript(path, readFileSync(join(ROOT, path), "utf8")));
  expect(found).toContain("bench/report/standing.ts");
  expect(found).toContain(".ci/run");
  expect(found).toContain("bench/ab/open.ts");
  expect(found.filter((path) => !run.has(path) && NOT_NPM_SCRIPTS[path] === undefined)).toEqual([]);
});

test("every package.json script that runs a file of the repository is named as `npm run NAME` in the docs", () => {
  const files = new Set(trackedFiles());
  const docs = docPages()
    .map((page) => readFileSync(join(ROOT, page), "utf8"))
    .join("\n");
  const unnamed = Object.entries(scripts)
    .filter(([, command]) => filesOf(command, files).some((file) => file !== "cli/main.ts" && !file.endsWith(".json")))
    .map(([name]) => name)
    .filter((name) => !new RegExp(`\\b(?:npm|bun) run ${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w:-])`).test(docs));
  expect(unnamed).toEqual([]);
});
