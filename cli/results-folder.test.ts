/**
 * Where `bun bench` writes its results folder (issue 22, item 2): by default bench/out/, which git ignores,
 * so the README's main command leaves `git status` clean; the figures the README and docs show are the
 * committed docs/results/, written only by the bench:results script. Asked of git itself (check-ignore,
 * ls-files), so a .gitignore that stops covering the folder fails here.
 */
import { describe, expect, test } from "bun:test";
import { join, relative } from "node:path";
import { OUT_DIR } from "../bench/report/outputs.ts";
import { SCREENSHOTS } from "../test-support/browser.ts";

const ROOT = join(import.meta.dir, "..");

/** Runs git in the checkout: its exit status and stdout. */
function git(...args: string[]): { status: number; stdout: string } {
  const run = Bun.spawnSync(["git", ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  return { status: run.exitCode, stdout: run.stdout.toString() };
}

/** Whether git ignores `path` (relative to the checkout); it need not exist. */
const ignored = (path: string): boolean => git("check-ignore", "--no-index", "-q", path).status === 0;

describe("bench's results folders", () => {
  test("the default one is bench/out/, ignored by git with everything a run writes there", () => {
    expect(relative(ROOT, OUT_DIR)).toBe(join("bench", "out"));
    const written = ["RESULTS.md", "report.html", "bench.json", "charts/cost-curve-scaling.svg"].map((file) => join("bench/out", file));
    expect(written.filter((path) => !ignored(path))).toEqual([]);
    expect(ignored(join(relative(ROOT, SCREENSHOTS), "report.png"))).toBe(true); // the page tests' screenshots
  });

  test("the README's figures are docs/results/, committed and not ignored", () => {
    const tracked = git("ls-files", "docs/results").stdout.split("\n");
    for (const file of ["RESULTS.md", "report.html", "bench.json", "charts/cost-curve-scaling.svg"]) {
      expect(tracked).toContain(`docs/results/${file}`);
      expect(ignored(`docs/results/${file}`)).toBe(false);
    }
  });

  test("they are written only when asked: the bench:results script", async () => {
    const { scripts } = await Bun.file(join(ROOT, "package.json")).json();
    expect(scripts["bench:results"]).toBe("bun cli/main.ts bench --out docs/results");
    expect(scripts.bench).not.toContain("docs/results");
  });
});
