/**
 * Test submissions of ours for `mems grade` (issue 24, item 7): mutants of our C reference, each with one
 * known fault made by a small textual edit of a copy of conformance/reference/mems.h, and the check
 * named for that fault; the ten stats layouts of grade/testdata/layouts (correct MeMS printing stats
 * another way, which must score 100); a submission split into mems.h and mems.c that needs -lm.
 * No student's code: every edit is written here.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REFERENCE_HEADER } from "./build.ts";
import type { CheckName } from "./checks.ts";
import type { SubmissionResult } from "./grade.ts";
import { statsLayouts, withStatsLayout } from "./stats-layouts.ts";

export interface Mutant {
  readonly name: string;
  /** [text in the reference, its replacement], each found exactly once. */
  readonly edits: readonly (readonly [string, string])[];
  /** The check named for the fault; undefined: a correct MeMS, which must score 100. */
  readonly caughtBy: CheckName | undefined;
}

const FREE_MERGE_NEXT = `    mems_sub_node *next = piece->next;
    if (next != NULL && next->type == MEMS_HOLE) {
        piece->size += next->size;
        mems_unlink_piece(next);
    }`;
const FREE_MERGE_PREV = `    mems_sub_node *prev = piece->prev;
    if (prev != NULL && prev->type == MEMS_HOLE) {
        prev->size += piece->size;
        mems_unlink_piece(piece); /* never the head: it has a prev */
    }`;
const FIRST_FIT_LOOP = `    for (mems_main_node *m = mems_state.head; m != NULL; m = m->next) {
        for (mems_sub_node *s = m->sub_chain_head; s != NULL; s = s->next) {
            if (s->type == MEMS_HOLE && s->size >= size) {
                mems_status status = mems_split_hole(s, size);
                if (status == MEMS_OK) *virtual_out = s->virtual_address;
                return status;
            }
        }
    }`;
const BEST_FIT_LOOP = `    mems_sub_node *best = NULL;
    for (mems_main_node *m = mems_state.head; m != NULL; m = m->next)
        for (mems_sub_node *s = m->sub_chain_head; s != NULL; s = s->next)
            if (s->type == MEMS_HOLE && s->size >= size && (best == NULL || s->size < best->size)) best = s;
    if (best != NULL) {
        mems_status status = mems_split_hole(best, size);
        if (status == MEMS_OK) *virtual_out = best->virtual_address;
        return status;
    }`;
const FREE_NOT_FOUND = `    if (piece == NULL || piece->virtual_address != v) {
        mems_report_not_found();
        return;
    }`;

export const MUTANTS: readonly Mutant[] = [
  {
    name: "exact-fit-refused",
    edits: [["s->type == MEMS_HOLE && s->size >= size", "s->type == MEMS_HOLE && s->size > size"]],
    caughtBy: "split",
  },
  {
    name: "no-merge",
    edits: [
      [FREE_MERGE_NEXT, ""],
      [FREE_MERGE_PREV, ""],
    ],
    caughtBy: "merge",
  },
  { name: "merge-next-only", edits: [[FREE_MERGE_PREV, ""]], caughtBy: "merge" },
  { name: "best-fit", edits: [[FIRST_FIT_LOOP, BEST_FIT_LOOP]], caughtBy: "first-fit" },
  { name: "wrong-space-unused", edits: [["if (s->type == MEMS_HOLE) unused += s->size;", "unused += s->size;"]], caughtBy: "stats" },
  {
    name: "silent-bad-free",
    edits: [[FREE_NOT_FOUND, "    if (piece == NULL || piece->virtual_address != v) return;"]],
    caughtBy: "bad-free",
  },
  {
    name: "segfault-in-free",
    edits: [[FREE_NOT_FOUND, "    if (piece == NULL || piece->virtual_address != v) *(volatile int *)0 = 1;"]],
    caughtBy: "bad-free",
  },
  {
    name: "get-ignores-offset",
    edits: [["return piece->physical_address + (v - piece->virtual_address);", "return piece->physical_address;"]],
    caughtBy: "get",
  },
  {
    name: "hang-in-stats",
    edits: [
      [
        "if (s->type == MEMS_HOLE) unused += s->size;",
        'if (s->type == MEMS_HOLE) unused += s->size;\n            while (s->next == NULL && s->type == MEMS_HOLE && s->prev != NULL) __asm__ volatile("");',
      ],
    ],
    caughtBy: "stats",
  },
  {
    name: "malloc-inside",
    edits: [
      ["#include <stddef.h>", "#include <stddef.h>\n#include <stdlib.h>"],
      ["    mems_state.initialised = 1;\n}", "    mems_state.initialised = 1;\n    free(malloc(16));\n}"],
    ],
    caughtBy: "forbidden-calls",
  },
  {
    name: "mmap-not-whole-pages",
    edits: [["#define MEMS_POOL_CHUNK_BYTES ((size_t)64 * 1024)", "#define MEMS_POOL_CHUNK_BYTES ((size_t)64 * 1024 + 64)"]],
    caughtBy: "os-calls",
  },
  { name: "no-munmap-in-finish", edits: [["        mems_os_unmap(m->physical_base, m->total_size);\n", ""]], caughtBy: "os-calls" },
  { name: "start-at-0", edits: [["#define MEMS_START_ADDRESS 1000", "#define MEMS_START_ADDRESS 0"]], caughtBy: "start-address" },
  { name: "start-at-4000", edits: [["#define MEMS_START_ADDRESS 1000", "#define MEMS_START_ADDRESS 4000"]], caughtBy: "start-address" },
  {
    name: "finish-keeps-counting",
    edits: [
      [
        "    mems_pool_unmap_all();\n    memset(&mems_state, 0, sizeof mems_state);",
        "    if (mems_state.tail) mems_configured_start_address = mems_state.tail->start_virtual_address + mems_state.tail->total_size;\n    mems_pool_unmap_all();\n    memset(&mems_state, 0, sizeof mems_state);",
      ],
    ],
    caughtBy: "finish",
  },
  {
    name: "page-size-ignored",
    edits: [["static size_t mems_configured_page_size = PAGE_SIZE;", "static size_t mems_configured_page_size = 4096;"]],
    caughtBy: "page-size",
  },
  {
    name: "uninitialised-space-unused",
    edits: [
      [
        '    size_t mapped = 0, unused = 0;\n    unsigned long segments = 0;\n    printf("----- MeMS',
        '    size_t mapped = 0, unused;\n    unsigned long segments = 0;\n    printf("----- MeMS',
      ],
    ],
    caughtBy: "memcheck",
  },
  {
    name: "main-in-header",
    edits: [["#endif /* MEMS_H */", "int main(void) {\n    mems_init();\n    return 0;\n}\n\n#endif /* MEMS_H */"]],
    caughtBy: undefined,
  },
];

/** The reference's header with `edits` made; throws when an edit's text is not found exactly once. */
export function mutate(header: string, mutant: Pick<Mutant, "name" | "edits">): string {
  let text = header;
  for (const [from, to] of mutant.edits) {
    const at = text.indexOf(from);
    if (at < 0 || text.indexOf(from, at + 1) >= 0)
      throw new Error(`mutant ${mutant.name}: its edit's text is not in the reference exactly once: ${from.slice(0, 60)}`);
    text = text.slice(0, at) + to + text.slice(at + from.length);
  }
  return text;
}

export const referenceHeader = (): string => readFileSync(REFERENCE_HEADER, "utf8");

/** Our reference as a student would hand it in: a folder `dir` holding its mems.h only. */
export function writeReferenceSubmission(dir: string): void {
  mkdirSync(dir, { recursive: true });
  copyFileSync(REFERENCE_HEADER, join(dir, "mems.h"));
}

/** A C submission split into mems.h (prototypes) and mems.c (the reference, using libm's ceil). */
function splitSubmission(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "mems.h"),
    `/* A split submission: the API here, the code in mems.c (which needs -lm). */
#include <stddef.h>
#define PAGE_SIZE 4096
void mems_init(void);
void mems_finish(void);
void *mems_malloc(size_t size);
void mems_free(void *ptr);
void mems_print_stats(void);
void *mems_get(void *ptr);
`,
  );
  const code = mutate(referenceHeader(), {
    name: "split-sources",
    edits: [
      ["#define MEMS_API static __attribute__((unused))", "#define MEMS_API"],
      ["#include <stddef.h>", "#include <stddef.h>\n#include <math.h>"],
      ["size_t length = (size + page - 1) / page * page;", "size_t length = (size_t)ceil((double)size / (double)page) * page;"],
    ],
  });
  writeFileSync(join(dir, "mems.c"), code);
}

/** A test submission: its folder's name and what must come of grading it. */
export interface TestSubmission {
  readonly name: string;
  readonly dir: string;
  readonly caughtBy: CheckName | undefined;
}

/** Writes every mutant, layout variant and the split submission under `root`; returns them. */
export function writeTestSubmissions(root: string, names?: readonly string[]): TestSubmission[] {
  const header = referenceHeader();
  const all: TestSubmission[] = [];
  const want = (name: string): boolean => names === undefined || names.includes(name);
  for (const mutant of MUTANTS) {
    if (!want(mutant.name)) continue;
    const dir = join(root, mutant.name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "mems.h"), mutate(header, mutant));
    all.push({ name: mutant.name, dir, caughtBy: mutant.caughtBy });
  }
  for (const layout of statsLayouts()) {
    const name = `layout-${layout.file.replace(/\.c$/, "")}`;
    if (!want(name)) continue;
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "mems.h"), withStatsLayout(header, layout.source));
    // A layout that leaves summary numbers out is a correct MeMS whose stats check says which are missing.
    all.push({ name, dir, caughtBy: layout.omits.length > 0 ? "stats" : undefined });
  }
  if (want("split-sources")) {
    splitSubmission(join(root, "split-sources"));
    all.push({ name: "split-sources", dir: join(root, "split-sources"), caughtBy: undefined });
  }
  return all;
}

/** Whether `result` is what `submission` must give; the reason when not. */
export function judge(submission: TestSubmission, result: SubmissionResult): string | undefined {
  // The grader's own faults judge nothing of the submission: the matrix cannot say it was graded right.
  const errors = result.checks.filter((c) => c.verdict === "error");
  if (errors.length > 0) return `the grader could not run ${errors.map((c) => `${c.name}: ${c.detail}`).join("; ")}`;
  if (submission.caughtBy === undefined) {
    if (result.score === 100) return undefined;
    const bad = result.checks.filter((c) => c.verdict !== "pass" && c.verdict !== "skipped");
    return `scores ${result.score}, 100 expected: ${bad.map((c) => `${c.name} ${c.verdict}: ${c.detail}`).join("; ")}`;
  }
  const check = result.checks.find((c) => c.name === submission.caughtBy);
  if (check === undefined) return `no ${submission.caughtBy} check ran`;
  if (check.verdict === "pass" || check.verdict === "skipped") return `${check.name} says ${check.verdict}: ${check.detail}`;
  return undefined;
}
