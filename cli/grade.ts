/**
 * `mems grade PATH...`: argument handling for grading MeMS submissions (grade/). PATH is a folder holding
 * mems.h (a class folder: one of such folders each), a mems.h, or a TypeScript/JavaScript module. The
 * report goes to stdout, progress to stderr; `--json FILE` and `--html FILE` write the class's report.
 * Exit 0 when every check of every submission passed, 1 when any did not, 2 for usage. Without a
 * working sandbox (bubblewrap) it refuses, unless `--no-sandbox`. SIGINT or SIGTERM stops it cleanly:
 * the sandboxes die with their parent and every work folder is removed (cli/signals.ts).
 */
import { writeFileSync } from "node:fs";
import type { Argv } from "yargs";
import { findSubmissions, SubmissionError } from "../grade/build.ts";
import { CHECK_NAMES, type CheckName } from "../grade/checks.ts";
import { gradeAll } from "../grade/grade.ts";
import { htmlReport } from "../grade/html.ts";
import { allPassed, jsonReport, terminalReport } from "../grade/report.ts";
import { killEveryRun, requireSandbox, SandboxError } from "../grade/sandbox.ts";
import { CommandError, describeFileError, EXIT, integerArg, outputFileProblem, UsageError } from "./io.ts";
import { writeErr, writeOut } from "./output.ts";
import { signalChildren, stoppable } from "./signals.ts";

interface GradeArgs {
  paths: string[];
  json?: string;
  html?: string;
  sandbox: boolean;
  jobs?: number;
  seed: number;
  scenarios: string;
  skip?: string[];
}

/** `--skip`, repeatable or comma-separated: check names. */
function skipList(value: unknown): CheckName[] {
  const values = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(","));
  return values.map((name) => {
    const check = CHECK_NAMES.find((c) => c === name);
    if (check === undefined || check === "builds")
      throw new UsageError(`--skip: no check named ${name} (checks: ${CHECK_NAMES.slice(1).join(", ")})`);
    return check;
  });
}

function writeReport(file: string | undefined, text: string): void {
  if (file === undefined) return;
  try {
    writeFileSync(file, text);
  } catch (error) {
    throw new CommandError(describeFileError(file, error), EXIT.failed);
  }
}

async function grade(argv: GradeArgs): Promise<void> {
  for (const file of [argv.json, argv.html]) {
    const problem = file === undefined ? undefined : outputFileProblem(file);
    if (problem !== undefined) throw new UsageError(problem);
  }
  let submissions: ReturnType<typeof findSubmissions>;
  try {
    submissions = findSubmissions(argv.paths);
  } catch (error) {
    if (error instanceof SubmissionError) throw new CommandError(error.message, EXIT.usage);
    throw error;
  }
  try {
    await requireSandbox(!argv.sandbox);
  } catch (error) {
    if (error instanceof SandboxError) throw new CommandError(error.message, EXIT.failed);
    throw error;
  }
  if (!argv.sandbox) writeErr("mems grade: --no-sandbox: the submissions' code runs uncontained\n");
  let done = 0;
  const results = await stoppable(
    (stop) =>
      gradeAll(submissions, {
        contained: argv.sandbox,
        scenariosDir: argv.scenarios,
        seed: argv.seed,
        ...(argv.jobs === undefined ? {} : { jobs: argv.jobs }),
        ...(argv.skip === undefined ? {} : { skip: argv.skip as CheckName[] }),
        checkpoint: () => stop.check(),
        onResult: (result) => {
          done++;
          if (submissions.length > 1) writeErr(`mems grade: ${done}/${submissions.length} ${result.path}: ${result.score}\n`);
        },
      }),
    // A stop kills the sandboxed runs and their namespaces (grade/sandbox.ts), then signals what else runs.
    {
      stopChildren: (signal) => {
        killEveryRun();
        signalChildren(signal);
      },
    },
  );
  writeReport(argv.json, jsonReport(results));
  writeReport(argv.html, htmlReport(results));
  await writeOut(terminalReport(results));
  if (!allPassed(results)) process.exitCode = EXIT.failed;
}

const GRADE =
  "Grade MeMS submissions (a folder holding mems.h, a mems.h, a module, or a class folder of such folders) against the course's behaviour";

export function gradeCommand(y: Argv): Argv {
  return y.command(
    // [paths..], demanded by us, as replay's FILE... (cli/io.ts's FILES_ARG says why).
    "grade [paths..]",
    GRADE,
    (c) =>
      c
        .usage(`$0 grade <paths..>\n\n${GRADE}`)
        .positional("paths", { type: "string", array: true, default: undefined, describe: "submissions" })
        .option("json", { type: "string", requiresArg: true, describe: "write the report as JSON to FILE" })
        .option("html", { type: "string", requiresArg: true, describe: "write the class's report as one self-contained page to FILE" })
        .option("sandbox", { type: "boolean", default: true, describe: "run each build and run in bubblewrap (--no-sandbox: uncontained)" })
        .option("jobs", { ...integerArg("jobs", 1, 256), describe: "submissions graded at once", defaultDescription: "one per core" })
        .option("seed", {
          ...integerArg("seed", 0, 2 ** 32 - 1),
          default: 1,
          describe: "first seed of the differential check's random scenarios",
        })
        .option("scenarios", {
          type: "string",
          requiresArg: true,
          default: "mems-grade-scenarios",
          describe: "folder for the minimal diverging scenarios (.mtrace) of the differential check",
        })
        .option("skip", { coerce: skipList, requiresArg: true, describe: `checks to leave out: ${CHECK_NAMES.slice(1).join(", ")}` }),
    async (argv) => {
      const paths = Array.isArray(argv.paths) ? argv.paths.filter((path): path is string => typeof path === "string") : [];
      if (paths.length === 0) throw new UsageError("name at least one submission (a folder holding mems.h, a mems.h or a module)");
      await grade({ ...(argv as unknown as GradeArgs), paths });
    },
  );
}
