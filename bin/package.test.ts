/**
 * What the package is, checked fast from this checkout (`npm pack --dry-run`, no install): a publishable
 * package.json, the `mems` bin file, exports with declarations emitted from their sources, and shipped
 * code that imports only shipped files and exactly the runtime dependencies and optional peers. The install itself (npm
 * pack, bun add, bunx mems, a strict tsc over a consumer) is `.ci/package-check.ts`, a CI step.
 */
import { describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";

const ROOT = join(import.meta.dir, "..");

interface Manifest {
  name: string;
  private?: boolean;
  license?: string;
  os?: string[];
  engines?: Record<string, string>;
  bin?: Record<string, string>;
  types?: string;
  exports: Record<string, string | { types: string; default: string }>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Manifest;

/** The files `npm pack` puts in the tarball (without running prepack, so without dist/). */
function packedFiles(): string[] {
  const run = Bun.spawnSync(["npm", "pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  expect(run.exitCode).toBe(0);
  const stdout = run.stdout.toString();
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf("["))) as { files: { path: string }[] }[];
  if (packed === undefined) throw new Error("npm pack --dry-run printed no package");
  return packed.files.map((file) => file.path).sort();
}

/** The module specifiers a TypeScript file imports at run time (type-only imports left out). */
function runtimeImports(source: string): string[] {
  const specifiers: string[] = [];
  for (const match of source.matchAll(/^\s*(import|export)\s+(type\s+)?(?:[^;'"]*?\s+from\s+)?["']([^"']+)["']/gm)) {
    if (match[2] === undefined && match[3] !== undefined) specifiers.push(match[3]);
  }
  for (const match of source.matchAll(/(typeof\s+)?\bimport\(\s*["']([^"']+)["']\s*\)/g)) {
    if (match[1] === undefined && match[2] !== undefined) specifiers.push(match[2]);
  }
  return specifiers;
}

/** The npm package a bare specifier names (`yargs/helpers` -> `yargs`, `@scope/a/b` -> `@scope/a`). */
function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return (specifier.startsWith("@") ? parts.slice(0, 2) : parts.slice(0, 1)).join("/");
}

test("runtimeImports finds static, side-effect and dynamic imports, and skips type-only ones", () => {
  const source = [
    `import yargs from "yargs";`,
    `import { hideBin } from "yargs/helpers";`,
    `import type { Argv } from "only-types";`,
    `import {\n  a,\n  type B,\n} from "./layout.ts";`,
    `export { C } from "./c.ts";`,
    `export type { D } from "./d.ts";`,
    `import "../cli/main.ts";`,
    `const m = await import("./lazy.ts");`,
    `const t: typeof import("./typed.ts") = m;`,
    ` * import { Mems } from "a-comment"`,
  ].join("\n");
  expect(runtimeImports(source).sort()).toEqual(["../cli/main.ts", "./c.ts", "./layout.ts", "./lazy.ts", "yargs", "yargs/helpers"]);
  expect(packageOf("yargs/helpers")).toBe("yargs");
  expect(packageOf("@thi.ng/malloc")).toBe("@thi.ng/malloc");
});

describe("package.json", () => {
  test("is publishable: not private, MIT with its LICENSE, Linux only, for Bun", () => {
    expect(manifest.name).toBe("mems");
    expect(manifest.private).toBeUndefined();
    expect(manifest.license).toBe("MIT");
    expect(readFileSync(join(ROOT, "LICENSE"), "utf8")).toStartWith("MIT License\n\nCopyright (c) ");
    expect(manifest.os).toEqual(["linux"]);
    expect(manifest.engines?.bun).toMatch(/^>=\d+\.\d+\.\d+$/);
  });

  test("bin mems is an executable file that Bun runs (#!/usr/bin/env bun) and that loads the CLI", () => {
    const bin = manifest.bin?.mems;
    expect(bin).toBe("bin/mems.ts");
    const path = join(ROOT, bin ?? "");
    expect(readFileSync(path, "utf8")).toStartWith("#!/usr/bin/env bun\n");
    expect(statSync(path).mode & 0o111).toBe(0o111);
    const run = Bun.spawnSync([process.execPath, path, "--version"], { cwd: ROOT });
    expect(run.stdout.toString()).toBe(`${(manifest as { version?: string }).version}\n`);
    expect(run.exitCode).toBe(0);
  });

  test("exports: the allocator, the seed API and the test hooks, each typed by declarations tsc emits from its source", () => {
    expect(Object.keys(manifest.exports)).toEqual([".", "./seed", "./testing", "./package.json"]);
    const emitted = (JSON.parse(readFileSync(join(ROOT, "tsconfig.types.json"), "utf8")) as { files: string[] }).files;
    const sources: string[] = [];
    for (const [entry, target] of Object.entries(manifest.exports)) {
      if (entry === "./package.json") continue;
      if (typeof target === "string") throw new Error(`${entry} has no types condition`);
      expect(Object.keys(target)).toEqual(["types", "default"]); // types first, as TypeScript requires
      const source = target.default.replace(/^\.\//, "");
      expect(statSync(join(ROOT, source)).isFile()).toBe(true);
      expect(target.types).toBe(`./dist/types/${source.replace(/\.ts$/, ".d.ts")}`);
      sources.push(source);
    }
    expect(sources).toEqual(["core/index.ts", "core/seed.ts", "core/testing.ts"]);
    expect([...emitted].sort()).toEqual([...sources].sort());
    expect(manifest.types).toBe("./dist/types/core/index.d.ts");
  });

  test("our tools (Biome, TypeScript, Bun, type packages) are dev dependencies only", () => {
    for (const tool of ["@biomejs/biome", "typescript", "bun", "@types/bun"]) {
      expect(manifest.devDependencies[tool]).toBeDefined();
      expect(manifest.dependencies[tool]).toBeUndefined();
    }
    expect(Object.keys(manifest.dependencies).filter((name) => name.startsWith("@types/"))).toEqual([]);
  });

  test("vega and vega-lite (mems viz's charts) are optional peers, dev dependencies of the checkout at the same range", () => {
    const peers = manifest.peerDependencies ?? {};
    expect(Object.keys(peers).sort()).toEqual(["vega", "vega-lite"]);
    for (const [name, range] of Object.entries(peers)) {
      expect(manifest.peerDependenciesMeta?.[name]?.optional).toBe(true); // bun add and npm install leave them out
      expect(manifest.devDependencies[name]).toBe(range);
      expect(manifest.dependencies[name]).toBeUndefined();
    }
  });
});

describe("what npm pack ships", () => {
  const files = packedFiles();

  test("without vega and vega-lite: the library, replay and viz's SVG work; viz's page exits 2 with the line that adds them", () => {
    // The shipped files in a folder of their own, beside the runtime dependencies only (linked from this checkout).
    const app = mkdtempSync(join(tmpdir(), "mems-no-peers-"));
    try {
      for (const file of files) {
        mkdirSync(dirname(join(app, file)), { recursive: true });
        copyFileSync(join(ROOT, file), join(app, file));
      }
      mkdirSync(join(app, "node_modules"));
      for (const name of Object.keys(manifest.dependencies)) symlinkSync(join(ROOT, "node_modules", name), join(app, "node_modules", name));
      const mems = (...args: string[]) => {
        const run = Bun.spawnSync([process.execPath, join(app, "bin/mems.ts"), ...args], { cwd: app, stdout: "pipe", stderr: "pipe" });
        return { status: run.exitCode, stdout: run.stdout.toString(), stderr: run.stderr.toString() };
      };
      const library = Bun.spawnSync(
        [
          process.execPath,
          "-e",
          'const { Mems } = await import("./core/index.ts"); const m = new Mems(); m.free(m.malloc(8)); console.log(m.stats().liveBlocks);',
        ],
        {
          cwd: app,
        },
      );
      expect(library.stdout.toString()).toBe("0\n");
      const replayed = mems("replay", "scenarios/merge.mtrace");
      expect(replayed.status).toBe(0);
      expect(replayed.stdout).toBe(readFileSync(join(ROOT, "scenarios/merge.expected"), "utf8"));
      const page = mems("viz", "scenarios/example.mtrace", "--out", "heap.html");
      expect(page.status).toBe(2);
      expect(page.stdout).toBe("");
      expect(page.stderr).toContain("missing: vega, vega-lite");
      expect(page.stderr).toContain("\n  bun add vega vega-lite\n");
      expect(existsSync(join(app, "heap.html"))).toBe(false);
      const svg = mems("viz", "scenarios/example.mtrace", "--out", "heap.svg");
      expect(svg.status).toBe(0);
      expect(readFileSync(join(app, "heap.svg"), "utf8")).toStartWith("<svg");
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  }, 20_000);

  test("the CLI, the allocator, the trace tools, mems viz, the scenarios, the docs, mems grade's C reference; no tests, bench or conformance code", () => {
    for (const file of [
      "LICENSE",
      "README.md",
      "package.json",
      "bin/mems.ts",
      "cli/main.ts",
      "core/index.ts",
      "core/seed.ts",
      "core/testing.ts",
      "viz/page.ts", // mems viz, with the chart renderer it shares with the bench report
      "lib/vega.ts",
      "conformance/reference/mems.h", // mems grade's reference, the one file of conformance/ shipped
    ]) {
      expect(files).toContain(file);
    }
    expect(files).toContain("scenarios/example.mtrace"); // mems example replays it
    for (const page of ["docs/README.md", "docs/mems.md", "docs/trace-format.md", "docs/design.md"]) expect(files).toContain(page);
    const unwanted = files.filter(
      (file) =>
        file !== "conformance/reference/mems.h" &&
        /\.test\.ts$|^(test-support|bench|conformance|node_modules|\.ci)\/|^cli\/(bench|conformance)\.ts$|^tsconfig|^biome/.test(file),
    );
    expect(unwanted).toEqual([]);
  });

  test("shipped code imports only shipped files, and its bare imports are exactly the runtime dependencies", () => {
    const shipped = new Set(files);
    const missing: string[] = [];
    const packages = new Set<string>();
    for (const file of files.filter((name) => name.endsWith(".ts") && !name.endsWith(".d.ts"))) {
      for (const specifier of runtimeImports(readFileSync(join(ROOT, file), "utf8"))) {
        if (specifier.startsWith(".")) {
          const target = normalize(join(dirname(file), specifier));
          if (!shipped.has(target)) missing.push(`${file} imports ${specifier}`);
        } else if (!specifier.startsWith("bun:") && !specifier.startsWith("node:") && specifier !== "bun" && specifier !== manifest.name) {
          // (the package's own name is no dependency: docs/examples/lifo-first-fit.ts imports "mems" as a user would)
          packages.add(packageOf(specifier));
        }
      }
    }
    expect(missing).toEqual([]);
    // The optional peers are imported too, lazily (lib/vega.ts), by the page of mems viz alone.
    expect([...packages].sort()).toEqual([...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies ?? {})].sort());
  });

  test("the optional peers are loaded lazily: no shipped file imports them but lib/vega.ts, and it with import()", () => {
    const peers = Object.keys(manifest.peerDependencies ?? {});
    const importers: string[] = [];
    for (const file of files.filter((name) => name.endsWith(".ts") && !name.endsWith(".d.ts"))) {
      const source = readFileSync(join(ROOT, file), "utf8");
      const bare = runtimeImports(source).filter((specifier) => peers.includes(packageOf(specifier)));
      if (bare.length === 0) continue;
      importers.push(file);
      const lazy = [...source.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((match) => match[1]);
      for (const specifier of bare) expect(lazy).toContain(specifier);
    }
    expect(importers).toEqual(["lib/vega.ts"]);
  });
});
