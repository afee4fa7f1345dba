/**
 * bench/data/'s README names every committed run (issue 23): each file is matched by a name or pattern
 * of the first column of its folder's table, and each such name or pattern matches a file, so a run
 * added without its line (what wrote it, when, what reads it), or a line left behind by a run removed,
 * fails here.
 */
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const DATA = join(import.meta.dir, "data");

/** The names and patterns of the README's tables' first column, by folder ("" for bench/data/ itself). */
function namedFiles(markdown: string): Map<string, string[]> {
  const named = new Map<string, string[]>();
  let folder = "";
  for (const line of markdown.split("\n")) {
    const heading = /^## `([^`]+)`/.exec(line);
    if (heading?.[1] !== undefined) folder = heading[1].endsWith("/") ? heading[1].slice(0, -1) : "";
    const first = /^\| ([^|]+) \|/.exec(line)?.[1];
    if (first === undefined || /^-+$/.test(first.trim())) continue;
    const tokens = [...first.matchAll(/`([^`]+)`/g)].flatMap((match) => match[1] ?? []);
    named.set(folder, [...(named.get(folder) ?? []), ...tokens]);
  }
  return named;
}

/** The files under bench/data/ but its README, as folder and name. */
function dataFiles(): { folder: string; name: string }[] {
  return readdirSync(DATA, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !(entry.parentPath === DATA && entry.name === "README.md"))
    .map((entry) => ({ folder: entry.parentPath.slice(DATA.length + 1), name: entry.name }));
}

test("namedFiles reads the first column of each table, under its section's folder", () => {
  const page = [
    "## `peers/`: x",
    "",
    "| files | by |",
    "| --- | --- |",
    "| `run-*.json` (1 to 3) | `bun bench` |",
    "## `a.json`: y",
    "| `a.json` | z |",
  ];
  expect(namedFiles(page.join("\n"))).toEqual(
    new Map([
      ["peers", ["run-*.json"]],
      ["", ["a.json"]],
    ]),
  );
});

test("every file of bench/data/ has its line in the README, and every line names a file there", () => {
  const named = namedFiles(readFileSync(join(DATA, "README.md"), "utf8"));
  const files = dataFiles();
  expect(files.length).toBeGreaterThan(0);
  const unnamed = files.filter(({ folder, name }) => !(named.get(folder) ?? []).some((pattern) => new Bun.Glob(pattern).match(name)));
  expect(unnamed).toEqual([]);
  const stale = [...named].flatMap(([folder, patterns]) =>
    patterns
      .filter((pattern) => !files.some((file) => file.folder === folder && new Bun.Glob(pattern).match(file.name)))
      .map((pattern) => `${folder}/${pattern}`),
  );
  expect(stale).toEqual([]);
});
