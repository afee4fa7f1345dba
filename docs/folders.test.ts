/**
 * docs/design.md's map of the folders ("Where things are") matches the repository (issue 23, item 6):
 * every top-level folder that git tracks has a row, and every row names a folder git tracks, so a new
 * room is placed on the map when it is made and a moved one leaves no stale row.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, trackedFiles } from "../test-support/repository.ts";

/** The folders the map's table names, in its first column (`core/` -> core). */
function mappedFolders(markdown: string): string[] {
  const lines = markdown.slice(markdown.indexOf("## Where things are")).split("\n");
  const first = lines.findIndex((line) => line.startsWith("|"));
  const end = lines.findIndex((line, index) => index > first && !line.startsWith("|"));
  const table = first === -1 ? [] : lines.slice(first, end === -1 ? undefined : end);
  return table.flatMap((row) => /^\| `([^`/]+)\/` \|/.exec(row)?.[1] ?? []);
}

/** The top-level folders of the files git tracks here. */
function trackedFolders(): string[] {
  const paths = trackedFiles().filter((path) => path.includes("/"));
  return [...new Set(paths.map((path) => path.slice(0, path.indexOf("/"))))].sort();
}

test("mappedFolders reads the first column of the map's table only", () => {
  const page = [
    "## Where things are",
    "",
    "| folder | what |",
    "| --- | --- |",
    "| `core/` | `lookups/` |",
    "| `.ci/` | CI |",
    "",
    "| `later/` | x |",
  ];
  expect(mappedFolders(page.join("\n"))).toEqual(["core", ".ci"]);
});

test("docs/design.md's map has a row for every top-level folder, and no row for a folder that is not there", () => {
  const mapped = mappedFolders(readFileSync(join(ROOT, "docs/design.md"), "utf8"));
  const tracked = trackedFolders();
  expect(tracked).toContain("core");
  expect(tracked.filter((folder) => !mapped.includes(folder))).toEqual([]);
  expect(mapped.filter((folder) => !tracked.includes(folder))).toEqual([]);
});
