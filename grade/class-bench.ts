#!/usr/bin/env bun
/**
 * The class benchmark of `mems grade` (issue 24, item 6: 100 submissions on a 2-core machine in at most
 * 10 minutes): N submissions (default 100) written to a temporary class folder, cycling through our
 * reference, the mutants, the stats layouts and the split submission (grade/mutants.ts), then graded
 * with every check, one per core, as `mems grade CLASS` does. Prints the wall time, the time per
 * submission and the verdict counts. A benchmark: run it only under `flock /tmp/mems-bench.lock`.
 *
 *   flock /tmp/mems-bench.lock bun grade/class-bench.ts [N]     (npm run grade:class-bench -- [N])
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { Submission } from "./build.ts";
import { gradeAll } from "./grade.ts";
import { writeReferenceSubmission, writeTestSubmissions } from "./mutants.ts";

const count = Number(process.argv[2] ?? 100);
const root = mkdtempSync(join(tmpdir(), "mems-grade-class-"));
try {
  const kinds = writeTestSubmissions(join(root, "kinds"));
  writeReferenceSubmission(join(root, "kinds", "reference"));
  const names = ["reference", ...kinds.map((k) => k.name)];
  const submissions: Submission[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${String(i).padStart(3, "0")}-${names[i % names.length]}`;
    const dir = join(root, "class", name);
    mkdirSync(dir, { recursive: true });
    cpSync(join(root, "kinds", names[i % names.length] ?? "reference"), dir, { recursive: true });
    submissions.push({ kind: "c", path: name, dir });
  }
  const load = loadavg()[0]?.toFixed(1);
  const started = performance.now();
  let done = 0;
  const results = await gradeAll(submissions, {
    contained: true,
    scenariosDir: join(root, "scenarios"),
    seed: 1,
    onResult: () => {
      done++;
      if (done % 10 === 0) console.error(`class-bench: ${done}/${count} graded, ${((performance.now() - started) / 1000).toFixed(0)} s`);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const verdicts = new Map<string, number>();
  for (const r of results) for (const c of r.checks) verdicts.set(c.verdict, (verdicts.get(c.verdict) ?? 0) + 1);
  console.log(
    `class-bench: ${count} submissions (${names.length} kinds) graded with every check in ${seconds.toFixed(1)} s ` +
      `(${(seconds / count).toFixed(2)} s each) on ${availableParallelism()} cores, load average ${load} at the start; ` +
      `verdicts: ${[...verdicts].map(([v, n]) => `${v} ${n}`).join(", ")}`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
