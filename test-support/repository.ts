/**
 * The repository as the tests of its house rules read it: its root, the files git tracks there, and
 * the pages of its documentation (README.md and docs/*.md).
 */
import { expect } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";

/** The repository's root. */
export const ROOT = join(import.meta.dir, "..");

/** The files git tracks, relative to ROOT; with `patterns` (git pathspecs such as `*.ts`), those that match one. */
export function trackedFiles(...patterns: string[]): string[] {
  const run = Bun.spawnSync(["git", "ls-files", "-z", "--", ...patterns], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  expect(run.exitCode).toBe(0);
  return run.stdout
    .toString()
    .split("\0")
    .filter((path) => path !== "");
}

/** README.md and every page of docs/, relative to ROOT. */
export function docPages(): string[] {
  return [
    "README.md",
    ...readdirSync(join(ROOT, "docs"))
      .filter((name) => name.endsWith(".md"))
      .map((name) => `docs/${name}`),
  ];
}
