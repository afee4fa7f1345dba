/**
 * Code comments point at the docs as `(docs/PAGE.md, "Section")` (issue 23, item 5: the hot-path rules
 * written once in design.md, a pointer where they apply): every such pointer in a file git tracks names
 * a page that exists and a heading of it, so a renamed section leaves no pointer to nothing.
 */
import { expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, trackedFiles } from "../test-support/repository.ts";

/** The pointers in a source text, as [page, section]; a pointer may wrap onto a comment's next line. */
function pointers(source: string): [string, string][] {
  const found: [string, string][] = [];
  for (const match of source.matchAll(/docs\/([\w.-]+\.md),\s*(?:(?:\*|\/\/|#)\s*)?"([^"\n]+)"/g))
    if (match[1] !== undefined && match[2] !== undefined) found.push([match[1], match[2]]);
  return found;
}

/** The headings of a Markdown page, without their `#`s. */
function headings(markdown: string): Set<string> {
  const prose = markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "");
  return new Set([...prose.matchAll(/^#{1,6} +(.+?) *$/gm)].flatMap((match) => match[1] ?? []));
}

/** The source files git tracks (the pages themselves and data files left out). */
function sourceFiles(): string[] {
  return trackedFiles("*.ts", "*.c", "*.h", "*.sh").filter((path) => path !== "docs/pointers.test.ts");
}

test("pointers finds one-line and wrapped pointers; headings reads Markdown headings outside code", () => {
  const source = [
    '// Hot path: an int32 index (docs/design.md, "Hot paths").',
    " * it is written out (docs/design.md,",
    ' * "Hot paths"); see docs/experiments.md, issue 25.',
  ].join("\n");
  expect(pointers(source)).toEqual([
    ["design.md", "Hot paths"],
    ["design.md", "Hot paths"],
  ]);
  expect([...headings("# Top\n\n## Hot paths\n```\n## not one\n```\ntext ## no\n")]).toEqual(["Top", "Hot paths"]);
});

test('every (docs/PAGE.md, "Section") pointer in the code names a page and one of its headings', () => {
  const broken: string[] = [];
  const pages = new Map<string, Set<string>>();
  let checked = 0;
  for (const file of sourceFiles()) {
    for (const [page, section] of pointers(readFileSync(join(ROOT, file), "utf8"))) {
      checked++;
      const path = join(ROOT, "docs", page);
      if (!pages.has(page)) pages.set(page, existsSync(path) ? headings(readFileSync(path, "utf8")) : new Set());
      if (!pages.get(page)?.has(section)) broken.push(`${file}: docs/${page}, "${section}"`);
    }
  }
  expect(broken).toEqual([]);
  expect(checked).toBeGreaterThan(10); // the hot-path pointers are among them
});
