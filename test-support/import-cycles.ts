/**
 * Import circles among a folder's TypeScript files: every relative import (type-only ones included,
 * `export ... from` and `import("...")` too) is an edge, and a circle is a strongly connected group of
 * two or more files, or a file that imports itself. core/import-cycles.test.ts holds the core to none,
 * import-cycles.test.ts here bench/, grade/ and the repository; `npm run import-circles -- [FOLDER]`
 * (`bun test-support/import-cycles.ts`) lists the circles of a folder (the repository by default).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { writeErr, writeOut } from "../cli/output.ts";

/** The relative module specifiers a TypeScript source names, static, type-only, re-exported or dynamic. */
export function relativeImports(source: string): string[] {
  const specifiers: string[] = [];
  const statement = /^\s*(?:import|export)\s+(?:type\s+)?(?:[^;'"]*?\s+from\s+)?["'](\.{1,2}\/[^"']+)["']/gm;
  for (const match of source.matchAll(statement)) if (match[1] !== undefined) specifiers.push(match[1]);
  for (const match of source.matchAll(/\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g))
    if (match[1] !== undefined) specifiers.push(match[1]);
  return specifiers;
}

/** Each file's imports among `files` (absolute paths), by absolute path. */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = relativeImports(readFileSync(file, "utf8"))
      .map((specifier) => resolve(dirname(file), specifier))
      .filter((target) => known.has(target));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** The circles of a graph (Tarjan's strongly connected components), each sorted, in a stable order. */
export function importCircles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const circles: string[][] = [];
  let next = 0;
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next++;
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(target) ?? 0));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(target) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    for (;;) {
      const member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      group.push(member);
      if (member === node) break;
    }
    if (group.length > 1 || (graph.get(node) ?? []).includes(node)) circles.push(group.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return circles.sort((a, b) => (a[0] ?? "").localeCompare(b[0] ?? ""));
}

/** The TypeScript files under `folder` (node_modules and dist left out), absolute paths. */
export function typeScriptFiles(folder: string): string[] {
  const glob = new Bun.Glob("**/*.ts");
  const files: string[] = [];
  for (const path of glob.scanSync({ cwd: folder, dot: true })) {
    if (path.split("/").some((part) => part === "node_modules" || part === "dist")) continue;
    files.push(join(folder, path));
  }
  return files.sort();
}

/** The import circles among a folder's TypeScript files, as paths relative to `root`. */
export function circlesUnder(folder: string, root = folder): string[][] {
  return importCircles(importGraph(typeScriptFiles(folder))).map((group) => group.map((file) => relative(root, file)));
}

/**
 * What the script prints for a folder: a line per circle (stdout), a summary or the error (stderr), and
 * its exit status (0: no circle, 1: circles, 2: no such folder).
 */
export function circleReport(folder: string): { out: string; err: string; status: number } {
  if (!existsSync(folder)) return { out: "", err: `no such folder: ${folder}\n`, status: 2 };
  const circles = circlesUnder(folder);
  const out = circles.map((group) => `${group.join(" <-> ")}\n`).join("");
  return { out, err: `${circles.length} import circle(s) under ${folder}\n`, status: circles.length === 0 ? 0 : 1 };
}

if (import.meta.main) {
  const report = circleReport(resolve(process.argv[2] ?? join(import.meta.dir, "..")));
  await writeOut(report.out);
  writeErr(report.err);
  process.exitCode = report.status;
}
