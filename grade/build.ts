/**
 * Finding submissions and building our driver programs against them (`mems grade`, item 1 of issue 24).
 *
 * A submission is a folder holding `mems.h` (and `mems.c` or other sources it needs), or a `mems.h`
 * itself, or a TypeScript/JavaScript module exporting the course's six functions; a folder without
 * `mems.h` whose subfolders hold one is a class. The driver (grade/drivers/driver.c) is compiled with the
 * submission's header: a `main` there is renamed away (-Dmain=...), `-lm` is linked, and the submission's
 * other .c files are compiled beside it (mems.c always; another only when it has no `main`, so the
 * course's example.c stays out). Every compiler run happens in the sandbox, in a work folder holding
 * copies of the submission's files (the original is never written).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BUILD_LIMITS, type RunResult, type Sandbox } from "./sandbox.ts";

/** Our driver sources, shipped with the package. */
export const DRIVERS = fileURLToPath(new URL("./drivers/", import.meta.url));
/**
 * Our C reference's folder, conformance/reference/, graded as a course submission is (it scores 100):
 * its mems.h is the reference, and its example.c and replay.c define main, so they are not built with
 * our driver. The package ships that folder's mems.h alone (package.json's "files"), so the grader of an
 * installed package reads the same one file.
 */
export const REFERENCE = fileURLToPath(new URL("../conformance/reference/", import.meta.url));
/** Our C reference: the one mems.h of the project (conformance/reference's Makefile builds it too). */
export const REFERENCE_HEADER = join(REFERENCE, "mems.h");

export interface CSubmission {
  readonly kind: "c";
  /** As given on the command line (or found in a class folder). */
  readonly path: string;
  /** The folder holding mems.h. */
  readonly dir: string;
}
export interface ModuleSubmission {
  readonly kind: "module";
  readonly path: string;
  readonly file: string;
}
export type Submission = CSubmission | ModuleSubmission;

/** A path that is no submission (nothing graded): exit status 2. */
export class SubmissionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SubmissionError";
  }
}

const MODULE_EXTENSIONS = new Set([".ts", ".js", ".mjs", ".mts"]);

/** The submissions named by `paths`, in the order given (a class folder's in name order). */
export function findSubmissions(paths: readonly string[]): Submission[] {
  const found: Submission[] = [];
  for (const path of paths) {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(path);
    } catch {
      throw new SubmissionError(`${path}: no such file or folder`);
    }
    if (stat.isFile()) {
      if (basename(path) === "mems.h") found.push({ kind: "c", path, dir: resolve(dirname(path)) });
      else if (MODULE_EXTENSIONS.has(extname(path))) found.push({ kind: "module", path, file: resolve(path) });
      else throw new SubmissionError(`${path}: neither a mems.h nor a TypeScript/JavaScript module`);
      continue;
    }
    if (existsSync(join(path, "mems.h"))) {
      found.push({ kind: "c", path, dir: resolve(path) });
      continue;
    }
    const members = readdirSync(path, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(path, entry.name, "mems.h")))
      .map((entry) => entry.name)
      .sort();
    if (members.length === 0) throw new SubmissionError(`${path}: holds no mems.h, and no folder in it does`);
    for (const name of members) found.push({ kind: "c", path: join(path, name), dir: resolve(path, name) });
  }
  return found;
}

/** Largest source file copied: anything bigger is not a MeMS. */
const MAX_SOURCE_BYTES = 2 * 2 ** 20;

/** The top-level .c and .h files of a submission's folder. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.[ch]$/.test(entry.name) && statSync(join(dir, entry.name)).size <= MAX_SOURCE_BYTES)
    .map((entry) => entry.name)
    .sort();
}

/** The .c files compiled beside the driver: mems.c always, another only when it defines no main. */
export function compiledSources(dir: string): string[] {
  return sourceFiles(dir).filter(
    (name) => name.endsWith(".c") && (name === "mems.c" || !/\bmain\s*\(/.test(readFileSync(join(dir, name), "utf8"))),
  );
}

const PAGE_SIZE_LINE = /^([ \t]*#[ \t]*define[ \t]+PAGE_SIZE)\b.*$/gm;

/** Whether a submission's header defines PAGE_SIZE as a macro (the course's template does). */
export function definesPageSize(dir: string): boolean {
  return sourceFiles(dir).some((name) => new RegExp(PAGE_SIZE_LINE.source, "m").test(readFileSync(join(dir, name), "utf8")));
}

/**
 * Copies a submission's sources into `into`, with every `#define PAGE_SIZE` line set to `pageSize`
 * when one is given (the course's macro "so that this size can be modified ... for evaluation").
 */
function copySources(dir: string, into: string, pageSize: number | undefined): void {
  mkdirSync(into, { recursive: true });
  for (const name of sourceFiles(dir)) {
    if (pageSize === undefined) copyFileSync(join(dir, name), join(into, name));
    else writeFileSync(join(into, name), readFileSync(join(dir, name), "utf8").replace(PAGE_SIZE_LINE, `$1 ${pageSize}`));
  }
}

export type BuildResult = { readonly ok: true; readonly binary: string } | { readonly ok: false; readonly errors: string };

/** The compiler's first error lines (or what ended it), for a one-line verdict and the detail. */
export function firstErrors(result: RunResult, lines = 3): string {
  if (result.timedOut) return "the compiler ran out of time";
  const errors = result.stderr.split("\n").filter((line) => /\berror\b|undefined reference|cannot /.test(line));
  const chosen = (errors.length > 0 ? errors : result.stderr.split("\n").filter((line) => line.trim() !== "")).slice(0, lines);
  return chosen.join("\n").trim() || `the compiler exited with ${result.status ?? result.signal}`;
}

/** -O0, as a student's plain `gcc example.c` builds it (and the quickest to compile). */
const CFLAGS = ["-O0", "-w", "-fno-strict-aliasing", "-Dmain=mems_student_main"];

/**
 * Builds our driver against the submission in `dir`, in `workDir` (a sandbox work folder): the binary
 * `driver-<variant>`. `pageSize` rebuilds it with PAGE_SIZE set (the page-size check).
 */
export async function buildDriver(sandbox: Sandbox, dir: string, workDir: string, pageSize?: number): Promise<BuildResult> {
  const variant = pageSize === undefined ? "default" : String(pageSize);
  const src = join(workDir, `src-${variant}`);
  copySources(dir, src, pageSize);
  copyFileSync(join(DRIVERS, "driver.c"), join(workDir, "driver.c"));
  const binary = join(workDir, `driver-${variant}`);
  const define = pageSize === undefined ? [] : [`-DPAGE_SIZE=${pageSize}`];
  const sources = compiledSources(dir).map((name) => join(src, name));
  const result = await sandbox.run(
    ["gcc", ...CFLAGS, ...define, "-I", src, "-o", binary, join(workDir, "driver.c"), ...sources, "-lm", "-Wl,--wrap=mmap,--wrap=munmap"],
    workDir,
    BUILD_LIMITS,
  );
  return result.status === 0 ? { ok: true, binary } : { ok: false, errors: firstErrors(result) };
}

/** Heap functions of libc a MeMS must not use (it takes memory only through mmap). */
export const FORBIDDEN = [
  "malloc",
  "calloc",
  "realloc",
  "reallocarray",
  "free",
  "aligned_alloc",
  "posix_memalign",
  "memalign",
  "valloc",
  "pvalloc",
  "strdup",
  "strndup",
  "sbrk",
  "brk",
];

export type ForbiddenResult = { readonly ok: true; readonly named: readonly string[] } | { readonly ok: false; readonly errors: string };

/**
 * The heap functions the submission's own code references: the undefined symbols of our driver built
 * against it (`nm -u`). Our driver names none, and libc's own use of them (printf's buffer) is inside
 * libc, not among the program's imports.
 */
export async function forbiddenSymbols(sandbox: Sandbox, binary: string, workDir: string): Promise<ForbiddenResult> {
  const nm = await sandbox.run(["nm", "-u", binary], workDir, BUILD_LIMITS);
  if (nm.status !== 0) return { ok: false, errors: firstErrors(nm) };
  const symbols = new Set(nm.stdout.split("\n").map((line) => (line.trim().split(/\s+/).pop() ?? "").replace(/@.*$/, "")));
  return { ok: true, named: FORBIDDEN.filter((name) => symbols.has(name)) };
}
