/**
 * Every list of the lookups a user can choose from, in README.md and docs/*.md, names all of them: the
 * core's LOOKUPS, so a lookup added to the core fails this test until the docs name it too.
 *
 * A list of choices is (1) a usage line's alternatives, names joined by `|` (`--lookup a|b`), or (2) on a
 * line that documents the lookup option (`--lookup`, `MEMS_LOOKUP`, the `lookup` option or parameter),
 * two or more names each in a code span of its own (`a` or `b`). Prose that names some lookups on
 * purpose ("best-fit and worst-fit keep...", "every other lookup (...)") and command examples
 * (`--lookup first-fit,best-fit`) are not lists of choices.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LOOKUPS } from "../core/index.ts";
import { docPages, ROOT } from "../test-support/repository.ts";

const PAGES = docPages();

const NAME = `(?:${LOOKUPS.join("|")})`;
/** Names joined by `|` with no space around it (a table's ` | ` is a cell border, not an alternative). */
const ALTERNATIVES = new RegExp(`(?<![\\w-])${NAME}(?:\\|${NAME})+(?![\\w.-])`, "g");
/** A code span holding exactly a lookup's name, quoted or not: `first-fit`, `"first-fit"`. */
const NAME_SPAN = new RegExp(`\`"?(${NAME})"?\``, "g");
/** A line that documents the lookup option. */
const LOOKUP_OPTION = /--lookup\b|MEMS_LOOKUP|`lookup`|^\|\s*lookup\s*\||\blookup\?:/;

interface List {
  line: number;
  text: string;
  names: string[];
}

/** Every list of lookups a user chooses from in `markdown`, with the names it gives. */
function lookupLists(markdown: string): List[] {
  const lists: List[] = [];
  markdown.split("\n").forEach((text, i) => {
    for (const match of text.matchAll(ALTERNATIVES)) lists.push({ line: i + 1, text: match[0], names: match[0].split("|") });
    if (LOOKUP_OPTION.test(text)) {
      const names = [...text.matchAll(NAME_SPAN)].map((match) => match[1] ?? "");
      if (new Set(names).size >= 2) lists.push({ line: i + 1, text, names });
    }
  });
  return lists;
}

/** The lookups a list leaves out. */
function missing(list: List): string[] {
  return LOOKUPS.filter((lookup) => !list.names.includes(lookup));
}

test("the core has the five lookups the docs describe", () => {
  expect([...LOOKUPS].sort()).toEqual(["best-fit", "first-fit", "next-fit", "size-indexed", "worst-fit"]);
});

test("lookupLists finds usage alternatives and option lines, and leaves prose, tables and examples alone", () => {
  const page = [
    "mems soak [--lookup first-fit|size-indexed] [--seed S]", // 1: alternatives
    "| lookup | first-fit | how a HOLE is chosen: `first-fit` (reference) or `size-indexed` |", // 2: the parameter
    "`--lookup` takes a lookup's name (`first-fit`, `next-fit`, `best-fit`, `worst-fit`, `size-indexed`)", // 3
    "best-fit and worst-fit keep every HOLE in one tree; `best-fit` and `worst-fit` share it", // prose
    "| | first-fit | size-indexed |", // a table's columns
    "`mems viz realloc-bal.rep --lookup first-fit,best-fit --at 400` shows it", // an example
    "`MEMS_LOOKUP=best-fit`, `--lookup best-fit`", // one name
    "a lookup file such as ./first-fit|size-indexed.ts", // not a name: a path
  ].join("\n");
  const lists = lookupLists(page);
  expect(lists.map((list) => [list.line, list.names])).toEqual([
    [1, ["first-fit", "size-indexed"]],
    [2, ["first-fit", "size-indexed"]],
    [3, ["first-fit", "next-fit", "best-fit", "worst-fit", "size-indexed"]],
  ]);
  expect(lists.map(missing)).toEqual([["best-fit", "next-fit", "worst-fit"], ["best-fit", "next-fit", "worst-fit"], []]);
});

test("every list of lookups in README.md and docs/*.md names all of the core's LOOKUPS", () => {
  const short: string[] = [];
  let lists = 0;
  for (const page of PAGES) {
    for (const list of lookupLists(readFileSync(join(ROOT, page), "utf8"))) {
      lists++;
      const left = missing(list);
      if (left.length > 0) short.push(`${page}:${list.line}: leaves out ${left.join(", ")}: ${list.text.trim()}`);
    }
  }
  expect(short).toEqual([]);
  // The README's --lookup line, the new Mems options, mems.md's parameter, the soak and replay usage lines.
  expect(lists).toBeGreaterThanOrEqual(5);
});
