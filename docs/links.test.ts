/**
 * Every relative link in README.md and docs/*.md resolves to a file or folder inside the repository
 * (nothing points at a folder beside the checkout or anywhere else outside it), and the only other links are https pages.
 */
import { expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { docPages, ROOT } from "../test-support/repository.ts";

const PAGES = docPages();

/** The targets of a Markdown page's links (inline and reference-style), code blocks and code spans left out. */
function linkTargets(markdown: string): string[] {
  const prose = markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "").replace(/`[^`\n]*`/g, "");
  const targets: string[] = [];
  for (const match of prose.matchAll(/!?\[[^\]]*\]\(\s*(?:<([^>]+)>|([^)\s]+))(?:\s+"[^"]*")?\s*\)/g)) {
    const target = match[1] ?? match[2];
    if (target !== undefined) targets.push(target);
  }
  for (const match of prose.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm))
    if (match[1] !== undefined) targets.push(match[1]);
  return targets;
}

/** What is wrong with one link of `page`, or undefined when it resolves inside the repository. */
function problem(page: string, target: string): string | undefined {
  if (/^https:\/\//.test(target)) return undefined;
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return "only https links may leave the repository";
  const path = decodeURIComponent(target.replace(/[#?].*$/, ""));
  if (path === "") return undefined; // an anchor in the same page
  if (path.startsWith("/")) return "an absolute path";
  const absolute = resolve(ROOT, dirname(page), path);
  const inside = relative(ROOT, absolute);
  if (inside.startsWith("..")) return "leaves the repository";
  if (!existsSync(absolute)) return "no such file";
  return undefined;
}

test("linkTargets finds inline, image and reference links, and skips code", () => {
  const page = ['[a](docs/a.md) ![b](b.svg) [c](<c d.md> "title")', "`[not](x.md)`", "```", "[no](y.md)", "```", "[ref]: ./r.md"].join(
    "\n",
  );
  expect(linkTargets(page)).toEqual(["docs/a.md", "b.svg", "c d.md", "./r.md"]);
  expect(problem("README.md", "../elsewhere/spec/mems.md")).toBe("leaves the repository");
  expect(problem("docs/design.md", "../core/os.ts")).toBeUndefined();
  expect(problem("docs/design.md", "core/os.ts")).toBe("no such file");
  expect(problem("README.md", "http://example.com")).toBe("only https links may leave the repository");
});

test("every relative link in README.md and docs/*.md resolves to a file in the repository", () => {
  const broken: string[] = [];
  let checked = 0;
  for (const page of PAGES) {
    for (const target of linkTargets(readFileSync(join(ROOT, page), "utf8"))) {
      checked++;
      const why = problem(page, target);
      if (why !== undefined) broken.push(`${page}: ${target}: ${why}`);
    }
  }
  expect(broken).toEqual([]);
  expect(PAGES.length).toBeGreaterThan(5);
  expect(checked).toBeGreaterThan(40);
});
