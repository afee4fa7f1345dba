/**
 * `mems gen`: writes a seeded random MeMS scenario (.mtrace) or a churn trace (malloc-lab .rep), from
 * trace/generate.ts, to stdout or to a file. The same seed gives the same text.
 */
import { writeFileSync } from "node:fs";
import type { Argv } from "yargs";
import { Prng } from "../lib/prng.ts";
import { generateChurnTrace, generateRandomScenario } from "../trace/generate.ts";
import { CommandError, describeFileError, EXIT, integerArg, outputFileProblem, UsageError } from "./io.ts";
import { writeErr, writeOut } from "./output.ts";

const KINDS = ["random", "churn"] as const;

export function genCommand(y: Argv): Argv {
  return y.command(
    "gen",
    "Write a random scenario (--kind random) or a churn trace (--kind churn) to stdout or --out",
    (c) =>
      c
        .option("kind", { choices: KINDS, default: "random" as (typeof KINDS)[number], describe: "what to generate" })
        .option("ops", {
          ...integerArg("ops", 0),
          default: 1000,
          describe: "random: operations; churn: replacements (each a free and a malloc, after --live mallocs)",
        })
        .option("live", { ...integerArg("live", 1), describe: "churn: blocks live throughout (default 100)" })
        .option("seed", {
          ...integerArg("seed", 0, 0xffffffff),
          describe: "seed (default: from the clock, printed on stderr)",
        })
        .option("out", { type: "string", describe: "file to write instead of stdout" })
        .check((argv) => {
          if (argv.live !== undefined && argv.kind !== "churn") throw new UsageError("--live applies to --kind churn only");
          const problem = argv.out === undefined ? undefined : outputFileProblem(argv.out);
          if (problem !== undefined) throw new UsageError(`--out: ${problem}`);
          return true;
        }),
    async (argv) => {
      let seed = argv.seed;
      if (seed === undefined) {
        seed = Prng.seedFrom("MEMS_GEN_SEED");
        writeErr(`mems gen: seed ${seed}\n`);
      }
      const text =
        argv.kind === "churn"
          ? generateChurnTrace(seed, { live: argv.live ?? 100, replacements: argv.ops })
          : generateRandomScenario(seed, { ops: argv.ops });
      if (argv.out === undefined) {
        await writeOut(text);
        return;
      }
      try {
        writeFileSync(argv.out, text);
      } catch (error) {
        throw new CommandError(`cannot write ${describeFileError(argv.out, error)}`, EXIT.failed);
      }
    },
  );
}
