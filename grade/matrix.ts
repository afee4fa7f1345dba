#!/usr/bin/env bun
/**
 * The mutant matrix of `mems grade` (too long for `bun test`; .ci/run runs it as a step of its own):
 * our reference, every mutant (grade/mutants.ts), the ten stats layouts and the split submission are
 * written to a temporary class folder and graded with every check, in one run, one per core, beside our
 * TypeScript MeMS as a module (core/seed.ts). Each mutant must be caught by the check named for its
 * fault; the reference, the module, the layouts, the split submission and the one with `main` in its
 * header must score 100. Prints a line per submission and
 * `matrix: N passed, N failed`; exits 1 on a failure. `--only NAME,...` grades only those submissions.
 *
 *   npm run grade:matrix -- [--only NAME,...]     (bun grade/matrix.ts)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Submission } from "./build.ts";
import { gradeAll, type SubmissionResult } from "./grade.ts";
import { judge, writeReferenceSubmission, writeTestSubmissions } from "./mutants.ts";

const onlyAt = process.argv.indexOf("--only");
const names = onlyAt > 0 ? (process.argv[onlyAt + 1] ?? "").split(",") : undefined;
const root = mkdtempSync(join(tmpdir(), "mems-grade-matrix-"));
try {
  const submissions = writeTestSubmissions(root, names);
  if (names === undefined || names.includes("reference")) {
    writeReferenceSubmission(join(root, "reference"));
    submissions.unshift({ name: "reference", dir: join(root, "reference"), caughtBy: undefined });
  }
  // Our TypeScript MeMS through the course's functions: graded as a module, by the same checks.
  const seed = join(import.meta.dir, "..", "core", "seed.ts");
  if (names === undefined || names.includes("seed-module")) submissions.push({ name: "seed-module", dir: seed, caughtBy: undefined });
  const started = performance.now();
  const results = await gradeAll(
    submissions.map(
      (s): Submission => (s.dir === seed ? { kind: "module", path: s.name, file: seed } : { kind: "c", path: s.name, dir: s.dir }),
    ),
    { contained: true, scenariosDir: join(root, "scenarios"), seed: 1 },
  );
  let passed = 0;
  let failed = 0;
  submissions.forEach((submission, i) => {
    const result = results[i] as SubmissionResult;
    const problem = judge(submission, result);
    const expected = submission.caughtBy === undefined ? "scores 100" : `caught by ${submission.caughtBy}`;
    const caught = result.checks.find((c) => c.name === submission.caughtBy);
    console.log(
      `${problem === undefined ? "ok  " : "FAIL"} ${submission.name}: ${expected} (score ${result.score}${caught ? `; ${caught.verdict}: ${caught.detail}` : ""})`,
    );
    if (problem !== undefined) console.log(`       ${problem}`);
    if (problem === undefined) passed++;
    else failed++;
  });
  console.log(`matrix: ${submissions.length} submissions graded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(`matrix: ${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
} finally {
  rmSync(root, { recursive: true, force: true });
}
