/**
 * `mems viz` as a user runs it: bad usage is exit status 2 with a message and no file; a good run writes
 * the page (or the SVG) and says where.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveLookups } from "../trace/lookup-choice.ts";
import { parseAt } from "../viz/page.ts";

// Each test runs the CLI as a process, some several: seconds on a loaded machine, not the default 5.
setDefaultTimeout(20_000);

const ROOT = join(import.meta.dir, "..");
const EXAMPLE = join(ROOT, "scenarios/example.mtrace");
const dir = mkdtempSync(join(tmpdir(), "mems-viz-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function viz(args: string[]) {
  const run = Bun.spawnSync([process.execPath, join(ROOT, "cli/main.ts"), "viz", ...args], { cwd: dir });
  return { status: run.exitCode, stdout: run.stdout.toString(), stderr: run.stderr.toString() };
}

describe("mems viz usage", () => {
  const bad = join(dir, "bad.mtrace");
  writeFileSync(bad, "a 0 8\nq 1\n");
  const cases: [string, string[], string][] = [
    [
      "an unknown lookup",
      [EXAMPLE, "--lookup", "first-fit,fastest-fit"],
      "--lookup: no lookup fastest-fit (known: first-fit, size-indexed, best-fit, next-fit, worst-fit, or a file that exports one)",
    ],
    ["no lookup", [EXAMPLE, "--lookup", ","], "--lookup: name at least one lookup"],
    ["--at that is no count", [EXAMPLE, "--at", "3,x"], "--at: x is not an operation count"],
    ["--at past the end", [EXAMPLE, "--at", "41"], "--at 41:"],
    ["a missing file", [join(dir, "missing.mtrace")], "missing.mtrace: no such file"],
    ["a bad scenario", [bad], "bad.mtrace:2:"],
    ["no file", [], "name at least one scenario file"],
  ];
  for (const [name, args, message] of cases) {
    test(`${name}: exit 2, the reason on stderr, nothing written`, () => {
      const out = join(dir, `${name.replaceAll(" ", "-")}.html`);
      const run = viz([...args, "--out", out]);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(message);
      expect(run.stdout).toBe("");
      expect(existsSync(out)).toBe(false);
    });
  }

  test("a page by default, an SVG for a .svg name, one lookup alone", () => {
    const run = viz([EXAMPLE]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(""); // the page is the output; where it went is a message
    expect(run.stderr).toBe("wrote heap.html\n");
    expect(readFileSync(join(dir, "heap.html"), "utf8")).toContain("<!doctype html>");
    const svg = join(dir, "example.svg");
    expect(viz([EXAMPLE, "--lookup", "size-indexed", "--at", "20", "--out", svg]).status).toBe(0);
    const text = readFileSync(svg, "utf8");
    expect(text).toStartWith("<svg");
    expect(text).toContain("size-indexed");
    expect(text).not.toContain("first-fit");
  }, 20_000);

  test("any two lookups side by side: two of the core's, or one of the core's and a file's", () => {
    for (const pair of ["best-fit,next-fit", `worst-fit,${join(ROOT, "docs/examples/lifo-first-fit.ts")}`]) {
      const out = join(dir, "pair.html");
      expect(viz([EXAMPLE, "--lookup", pair, "--out", out]).status).toBe(0);
      const html = readFileSync(out, "utf8");
      const names = pair.split(",").map((name) => (name.endsWith(".ts") ? "lifo-first-fit" : name));
      const panels = [...html.matchAll(/<div class="panel"[^>]* data-lookup="([^"]+)"/g)].map((match) => match[1]);
      // Every point of the page shows the two, in the order given, side by side.
      expect(panels.length).toBeGreaterThanOrEqual(4);
      for (let i = 0; i < panels.length; i += 2) expect(panels.slice(i, i + 2)).toEqual(names);
    }
  }, 20_000); // two runs, each loading vega: seconds on a busy machine

  test("lists are parsed strictly", async () => {
    expect(await resolveLookups(" size-indexed , first-fit,size-indexed")).toEqual(["size-indexed", "first-fit"]);
    expect(parseAt("0, 12")).toEqual([0, 12]);
    expect(() => parseAt("")).toThrow("--at: (empty) is not an operation count");
    expect(() => parseAt("-1")).toThrow("--at: -1 is not an operation count");
  });
});
