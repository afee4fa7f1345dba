/**
 * Grading: one submission through every check (grade/checks.ts), and a class of them in parallel, one
 * per core, each slot in a sandbox of its own (grade/sandbox.ts). Our reference is built once and its
 * runs are shared by every submission. The score is the share of checks passed among those that could
 * be judged (a `skipped` check counts neither way; `speed` is reported, never scored).
 */
import { availableParallelism } from "node:os";
import { basename, resolve } from "node:path";
import { Stopped } from "../lib/stopped.ts";
import { generateChurnTrace } from "../trace/generate.ts";
import { type BuildResult, definesPageSize, forbiddenSymbols, REFERENCE, type Submission } from "./build.ts";
import {
  CHECK_NAMES,
  type CheckName,
  type CheckResult,
  finishCheck,
  getCheck,
  osCallsCheck,
  SCENARIO_CHECKS,
  scenarioCheck,
  startAddressCheck,
  statsAreReadable,
} from "./checks.ts";
import { firstDifference } from "./compare.ts";
import { differentialCheck } from "./differential.ts";
import { ModuleSubject } from "./module.ts";
import { howStopped } from "./run.ts";
import { Sandbox } from "./sandbox.ts";
import { EXAMPLE, PAGE_SIZE_SCENARIO, randomScenario } from "./scenarios.ts";
import { CSubject, ReferenceSubject, type Subject } from "./subject.ts";

export interface SubmissionResult {
  readonly path: string;
  /** `error`: the grader could not build it (its fault, not the submission's). */
  readonly build: "ok" | "failed" | "error";
  readonly checks: readonly CheckResult[];
  readonly score: number;
}

export interface GradeOptions {
  /** Run uncontained (--no-sandbox). */
  readonly contained: boolean;
  /** Where minimal diverging scenarios are written. */
  readonly scenariosDir: string;
  readonly seed: number;
  /** Parallel slots (default: one per core). */
  readonly jobs?: number;
  /** Checks to leave out (tests, and `--skip`). */
  readonly skip?: readonly CheckName[];
  /** Only these checks (and builds) when given (tests, and `--only`). */
  readonly only?: readonly CheckName[];
  /** Most runs of each side the differential's shrinking may make (default 40). */
  readonly shrinkBudget?: number;
  /** Called at each safe point (SIGINT stops there). */
  readonly checkpoint?: () => void;
  /** Called as each submission is done. */
  readonly onResult?: (result: SubmissionResult, index: number) => void;
}

/** 100 times the share of judged checks (not skipped, not speed) that passed. */
export function scoreOf(checks: readonly CheckResult[]): number {
  const judged = checks.filter((c) => c.verdict !== "skipped" && c.verdict !== "error" && c.name !== "speed");
  if (judged.length === 0) return 0;
  return Math.round((100 * judged.filter((c) => c.verdict === "pass").length) / judged.length);
}

/** The churn trace of the speed check (a malloc-lab trace, generated: the same on every machine). */
const SPEED_TRACE = generateChurnTrace(24, { live: 200, replacements: 4000 });

/** Page sizes the page-size check rebuilds with. */
const PAGE_SIZES = [1024, 8192] as const;

/** Rebuilt with PAGE_SIZE 1024 and 8192 through the macro, the behaviour scales as the reference's. */
async function pageSizeCheck(subject: Subject, reference: Subject, statsReadable: boolean): Promise<CheckResult> {
  if (subject.kind === "module")
    return { name: "page-size", verdict: "skipped", detail: "a module has no PAGE_SIZE macro to rebuild with" };
  const macro = subject instanceof CSubject && definesPageSize(subject.dir) ? "" : " (mems.h defines no PAGE_SIZE macro)";
  for (const pageSize of PAGE_SIZES) {
    const built = await subject.build(pageSize);
    if (!built.ok)
      return { name: "page-size", verdict: "fail", detail: `does not build with PAGE_SIZE ${pageSize}: ${built.errors.split("\n")[0]}` };
    const [expected, actual] = await Promise.all([
      reference.run(PAGE_SIZE_SCENARIO, { pageSize }),
      subject.run(PAGE_SIZE_SCENARIO, { pageSize }),
    ]);
    const difference = firstDifference(expected, actual, { addresses: true, stats: statsReadable });
    if (difference !== undefined)
      return { name: "page-size", verdict: difference.verdict, detail: `with PAGE_SIZE ${pageSize}${macro}, ${difference.reason}` };
  }
  return { name: "page-size", verdict: "pass", detail: `the behaviour scales with PAGE_SIZE ${PAGE_SIZES.join(" and ")}` };
}

/** valgrind, where installed, on the example and one random scenario. */
async function memcheckCheck(subject: Subject, seed: number): Promise<CheckResult> {
  if (subject.kind === "module") return { name: "memcheck", verdict: "skipped", detail: "valgrind checks C code, not a module" };
  if (Bun.which("valgrind") === null) return { name: "memcheck", verdict: "skipped", detail: "valgrind is not installed" };
  const wrapper = ["valgrind", "-q", "--error-exitcode=99", "--leak-check=no"];
  const limits = { wallMs: 60_000, cpuSeconds: 60, memoryBytes: 0, processes: 16, fileBytes: 16 * 2 ** 20 };
  // One run (valgrind starts slowly): the example, a restart, then a random scenario.
  const trace = await subject.run([...EXAMPLE, "x", ...randomScenario(seed)], { wrapper, limits });
  if (trace.run.status === 99) {
    const lines = trace.run.stderr.split("\n").map((line) => line.replace(/^==\d+== ?/, "").trim());
    const error = lines.find((line) => line !== "") ?? "an error";
    const frame = lines.find((line) => line.startsWith("at "));
    return { name: "memcheck", verdict: "fail", detail: `valgrind: ${error}${frame === undefined ? "" : ` (${frame})`}` };
  }
  if (!trace.completed) {
    const stopped = howStopped(trace);
    return { name: "memcheck", verdict: stopped.verdict, detail: `under valgrind: ${stopped.reason}` };
  }
  return { name: "memcheck", verdict: "pass", detail: "valgrind finds no invalid read or write on the example and a random scenario" };
}

/** ns per operation on a churn trace beside our reference's: reported, never failed. */
async function speedCheck(subject: Subject, reference: Subject): Promise<CheckResult> {
  const [ours, theirs] = await Promise.all([reference.speed(SPEED_TRACE, 3), subject.speed(SPEED_TRACE, 3)]);
  if (typeof theirs === "string") return { name: "speed", verdict: "skipped", detail: theirs };
  const ratio = typeof ours === "number" && ours > 0 ? `, ${(theirs / ours).toFixed(2)}x our C reference (${ours.toFixed(0)} ns)` : "";
  return { name: "speed", verdict: "pass", detail: `${theirs.toFixed(0)} ns per operation on a churn trace${ratio}` };
}

/** No malloc, calloc, realloc, free or relative named by the submission's own code. */
async function forbiddenCheck(subject: Subject): Promise<CheckResult> {
  if (!(subject instanceof CSubject))
    return { name: "forbidden-calls", verdict: "skipped", detail: "a module's heap use is the runtime's" };
  const built = await subject.build();
  if (!built.ok) return { name: "forbidden-calls", verdict: "skipped", detail: "does not build" };
  const found = await forbiddenSymbols(subject.sandbox, built.binary, subject.workDir);
  if (!found.ok) return { name: "forbidden-calls", verdict: "fail", detail: `does not compile alone: ${found.errors.split("\n")[0]}` };
  if (found.named.length === 0) return { name: "forbidden-calls", verdict: "pass", detail: "names no heap function of libc" };
  return { name: "forbidden-calls", verdict: "fail", detail: `calls ${found.named.join(", ")}: MeMS takes memory only through mmap` };
}

/** Each check of a built submission, in CHECK_NAMES order. */
function checkRunners(
  subject: Subject,
  reference: Subject,
  statsReadable: boolean,
  options: GradeOptions,
  name: string,
): [CheckName, () => Promise<CheckResult>][] {
  const module = (check: CheckName, why: string) => async (): Promise<CheckResult> => ({ name: check, verdict: "skipped", detail: why });
  const runners: [CheckName, () => Promise<CheckResult>][] = [
    ["forbidden-calls", () => forbiddenCheck(subject)],
    ["os-calls", subject.kind === "module" ? module("os-calls", "a module's mmap calls are the runtime's") : () => osCallsCheck(subject)],
    ["start-address", () => startAddressCheck(subject)],
    ...SCENARIO_CHECKS.map((check): [CheckName, () => Promise<CheckResult>] => [
      check.name,
      () => scenarioCheck(check, subject, reference, statsReadable),
    ]),
    ["finish", () => finishCheck(subject, reference, statsReadable)],
    ["get", () => getCheck(subject)],
    ["page-size", () => pageSizeCheck(subject, reference, statsReadable)],
    [
      "differential",
      () =>
        differentialCheck(subject, reference, statsReadable, {
          seed: options.seed,
          scenarios: 4,
          ops: 30,
          outDir: options.scenariosDir,
          name,
        }),
    ],
    ["memcheck", () => memcheckCheck(subject, options.seed)],
    ["speed", () => speedCheck(subject, reference)],
  ];
  return runners;
}

/**
 * What `work` gives, or `fallback(why)` when it throws for another reason than a stop (a fault of the
 * grader's, not of the submission: a check says so in its verdict instead of ending the grading).
 */
export async function unlessStopped<T>(work: Promise<T>, fallback: (why: string) => T): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof Stopped) throw error;
    return fallback(error instanceof Error ? error.message : String(error));
  }
}

/** A check that threw is an `error`: the grader's fault, counted neither way in the score. */
function guarded(name: CheckName, run: () => Promise<CheckResult>): Promise<CheckResult> {
  return unlessStopped(run(), (why) => ({ name, verdict: "error", detail: `the grader could not run this check: ${why}` }));
}

/** A name for a submission's files: its folder's (or module's) name. */
export function submissionName(submission: Submission): string {
  const path = resolve(submission.path);
  return basename(basename(path) === "mems.h" ? resolve(path, "..") : path).replace(/\.[^.]*$/, "") || "submission";
}

/** Grades one submission in `sandbox`; its work folder is gone when this returns or throws. */
export async function gradeSubmission(
  submission: Submission,
  sandbox: Sandbox,
  reference: Subject,
  options: GradeOptions,
): Promise<SubmissionResult> {
  const subject: Subject = submission.kind === "c" ? new CSubject(sandbox, submission.dir) : new ModuleSubject(sandbox, submission.file);
  try {
    const only = options.only === undefined ? undefined : new Set(options.only);
    const skip = new Set(
      (options.skip ?? []).concat(only === undefined ? [] : CHECK_NAMES.filter((name) => !only.has(name) && name !== "builds")),
    );
    // The grader failing to build it (its sandbox, say) is its own fault: an `error`, not a `fail`.
    let graderFault = false;
    const built = await unlessStopped(subject.build(), (why): BuildResult => {
      graderFault = true;
      return { ok: false, errors: `the grader could not build it: ${why}` };
    });
    if (!built.ok) {
      const checks: CheckResult[] = [
        { name: "builds", verdict: graderFault ? "error" : "fail", detail: built.errors.replaceAll("\n", " | ") },
      ];
      const why = graderFault ? "the grader could not build it" : "does not build";
      for (const name of CHECK_NAMES.slice(1)) if (!skip.has(name)) checks.push({ name, verdict: "skipped", detail: why });
      return { path: submission.path, build: graderFault ? "error" : "failed", checks, score: scoreOf(checks) };
    }
    const checks: CheckResult[] = [
      {
        name: "builds",
        verdict: "pass",
        detail: submission.kind === "c" ? "our driver builds against it" : "the module exports the six functions",
      },
    ];
    // When even this run cannot be made, the checks say why; the stats are taken as readable meanwhile.
    const statsReadable = await unlessStopped(statsAreReadable(subject, reference), () => true);
    const runners = checkRunners(subject, reference, statsReadable, options, submissionName(submission));
    for (const [name, run] of runners) {
      options.checkpoint?.();
      if (!skip.has(name)) checks.push(await guarded(name, run));
    }
    checks.sort((a, b) => CHECK_NAMES.indexOf(a.name) - CHECK_NAMES.indexOf(b.name));
    return { path: submission.path, build: "ok", checks, score: scoreOf(checks) };
  } finally {
    subject.close();
  }
}

/** Grades every submission, `jobs` at a time (default one per core); results in the order given. */
export async function gradeAll(submissions: readonly Submission[], options: GradeOptions): Promise<SubmissionResult[]> {
  const jobs = Math.max(1, Math.min(options.jobs ?? availableParallelism(), submissions.length));
  const checkpoint = options.checkpoint ?? (() => undefined);
  const reference = new ReferenceSubject(new Sandbox(options.contained, jobs, checkpoint), REFERENCE);
  try {
    const built = await reference.build();
    if (!built.ok) throw new Error(`our C reference does not build here: ${built.errors}`);
    const results: SubmissionResult[] = new Array(submissions.length);
    let next = 0;
    const worker = async (slot: number): Promise<void> => {
      const sandbox = new Sandbox(options.contained, slot, checkpoint);
      for (let i = next++; i < submissions.length; i = next++) {
        options.checkpoint?.();
        const submission = submissions[i] as Submission;
        const result = await gradeSubmission(submission, sandbox, reference, options);
        results[i] = result;
        options.onResult?.(result, i);
      }
    };
    // Every worker settles (its work folder removed) before a stop or an error goes further.
    const settled = await Promise.allSettled(Array.from({ length: jobs }, (_, slot) => worker(slot)));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed !== undefined) throw failed.reason;
    return results;
  } finally {
    reference.close();
  }
}
