/**
 * `mems conformance`: argument handling for the conformance harness (conformance/harness.ts), which
 * builds the C reference and runs the golden, differential and malloclab suites. Progress goes to
 * stderr (per suite: done, to go and the time left; a redrawn line on a terminal, plain lines
 * elsewhere); the failures and the table to stdout at the end. SIGINT or SIGTERM stops it cleanly (cli/signals.ts).
 */
import { isatty } from "node:tty";
import type { Argv } from "yargs";
import {
  anyFailed,
  DEFAULT_JOBS,
  DEFAULT_PROFILE,
  DIFFERENTIAL_ALIGNMENTS,
  formatFailures,
  formatTable,
  PROFILES,
  type Profile,
  runConformance,
  SUITES,
  type Suite,
} from "../conformance/harness.ts";
import { HarnessError, REFERENCE_ALIGNMENTS } from "../conformance/reference.ts";
import { timingsHelp } from "../conformance/timings.ts";
import { goldenCases, mallocLabTraces } from "../trace/corpus.ts";
import { progressText } from "./conformance-progress.ts";
import { CommandError, EXIT, integerArg, UsageError } from "./io.ts";
import { writeErr, writeOut } from "./output.ts";
import { ProgressLine } from "./progress.ts";
import { stoppable } from "./signals.ts";

/** `--align`, repeatable: each value one the C reference is built for. */
function alignments(value: unknown): number[] {
  const values: unknown[] = Array.isArray(value) ? value : [value];
  return values.map((text) => {
    const align = (REFERENCE_ALIGNMENTS as readonly number[]).find((a) => String(a) === String(text));
    if (align === undefined) throw new UsageError(`--align must be one of ${REFERENCE_ALIGNMENTS.join(", ")}, got ${String(text)}`);
    return align;
  });
}

export function conformanceCommand(y: Argv): Argv {
  return y.command(
    "conformance",
    "Check the TypeScript core against the golden scenarios and the C reference",
    (c) =>
      c
        .option("suite", { choices: SUITES, array: true, describe: "run only these suites (repeatable)" })
        .option("profile", {
          choices: Object.keys(PROFILES) as Profile[],
          default: DEFAULT_PROFILE,
          describe: `differential size, each seed at every --align: ${(Object.keys(PROFILES) as Profile[])
            .map((name) => `${name} (${PROFILES[name].cases} seeds of ${PROFILES[name].ops} operations)`)
            .join(", ")}; how long each takes: below`,
        })
        .option("cases", { ...integerArg("cases", 0), describe: "random scenarios (overrides the profile)" })
        .option("ops", { ...integerArg("ops", 1), describe: "operations per random scenario (overrides the profile)" })
        .option("seed", { ...integerArg("seed", 0), default: 1, describe: "first random seed" })
        .option("align", {
          array: true,
          requiresArg: true,
          coerce: alignments,
          describe: "alignments the differential suite runs each seed at (repeatable)",
          defaultDescription: DIFFERENTIAL_ALIGNMENTS.join(" and "),
        })
        .option("jobs", {
          ...integerArg("jobs", 1),
          describe: "differential cases run at once, each in a worker process (1: in this process)",
          defaultDescription: `${DEFAULT_JOBS}, the CPUs available`,
        })
        .epilog(timingsHelp()),
    async (argv) => {
      const suites = (argv.suite ?? []) as Suite[];
      // Their files are listed now, so that a clone without scenarios/ or scenarios/malloclab/ stops here
      // (main.ts names the missing folder, exit 2) rather than after building the C reference.
      if (suites.length === 0 || suites.includes("golden")) goldenCases();
      if (suites.length === 0 || suites.includes("malloclab")) mallocLabTraces();
      const profile = PROFILES[argv.profile as Profile];
      const line = new ProgressLine({ write: writeErr, tty: isatty(2) });
      const results = await stoppable(async (stop) => {
        try {
          return await runConformance({
            suites,
            cases: argv.cases ?? profile.cases,
            ops: argv.ops ?? profile.ops,
            firstSeed: argv.seed,
            ...(argv.align !== undefined && { aligns: argv.align }),
            ...(argv.jobs !== undefined && { jobs: argv.jobs }),
            progress: (progress) => {
              stop.check();
              line.update(progressText(progress), progress.done === progress.total);
            },
          });
        } catch (error) {
          if (error instanceof HarnessError) throw new CommandError(error.message, EXIT.failed);
          throw error;
        } finally {
          line.end();
        }
      });
      const failures = formatFailures(results);
      await writeOut(`${failures === "" ? "" : `${failures}\n\n`}${formatTable(results)}\n`);
      if (anyFailed(results)) process.exitCode = EXIT.failed;
    },
  );
}
