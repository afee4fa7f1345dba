/**
 * `mems conformance`: argument handling for the conformance harness (conformance/harness.ts), which
 * builds the C reference and runs the golden, differential and malloclab suites.
 */
import type { Argv } from "yargs";
import {
  anyFailed,
  formatFailures,
  formatTable,
  PROFILES,
  type Profile,
  runConformance,
  SUITES,
  type Suite,
} from "../conformance/harness.ts";
import { HarnessError } from "../conformance/reference.ts";
import { fail, integerOptions, writeOut } from "./io.ts";

export function conformanceCommand(y: Argv): Argv {
  return y.command(
    "conformance",
    "Check the TypeScript core against the golden scenarios and the C reference",
    (c) =>
      c
        .option("suite", { choices: SUITES, array: true, describe: "run only these suites (repeatable)" })
        .option("profile", { choices: ["ci", "full"] as const, default: "full" as const, describe: "differential size" })
        .option("cases", { type: "number", describe: "random scenarios (overrides the profile)" })
        .option("ops", { type: "number", describe: "operations per random scenario (overrides the profile)" })
        .option("seed", { type: "number", default: 1, describe: "first random seed" })
        .check(integerOptions({ cases: 0, ops: 1, seed: 0 })),
    async (argv) => {
      const profile = PROFILES[argv.profile as Profile];
      try {
        const results = await runConformance({
          suites: (argv.suite ?? []) as Suite[],
          cases: argv.cases ?? profile.cases,
          ops: argv.ops ?? profile.ops,
          firstSeed: argv.seed,
        });
        const failures = formatFailures(results);
        await writeOut(`${failures === "" ? "" : `${failures}\n\n`}${formatTable(results)}\n`);
        if (anyFailed(results)) process.exitCode = 1;
      } catch (error) {
        if (!(error instanceof HarnessError)) throw error;
        fail(error.message, 1);
      }
    },
  );
}
