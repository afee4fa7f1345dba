/**
 * `mems gen`: writes a seeded random MeMS scenario (.mtrace) or a churn trace (malloc-lab .rep), from
 * trace/generate.ts, to stdout or to a file. The same seed gives the same text.
 */
import { writeFileSync } from "node:fs";
import type { Argv } from "yargs";
import { Prng } from "../lib/prng.ts";
import { generateChurnTrace, generateRandomScenario } from "../trace/generate.ts";
import { fail, integerOptions, writeOut } from "./io.ts";

const KINDS = ["random", "churn"] as const;

export function genCommand(y: Argv): Argv {
  return y.command(
    "gen",
    "Write a random scenario (--kind random) or a churn trace (--kind churn) to stdout or --out",
    (c) =>
      c
        .option("kind", { choices: KINDS, default: "random" as (typeof KINDS)[number], describe: "what to generate" })
        .option("ops", {
          type: "number",
          default: 1000,
          describe: "random: operations; churn: replacements (each a free and a malloc, after --live mallocs)",
        })
        .option("live", { type: "number", describe: "churn: blocks live throughout (default 100)" })
        .option("seed", { type: "number", describe: "seed (default: from the clock, printed on stderr)" })
        .option("out", { type: "string", describe: "file to write instead of stdout" })
        .check(integerOptions({ ops: 0, live: 1, seed: 0 }))
        .check((argv) => {
          if (argv.live !== undefined && argv.kind !== "churn") throw new Error("--live applies to --kind churn only");
          if (argv.seed !== undefined && argv.seed > 0xffffffff) throw new Error(`--seed must be below 2^32, got ${argv.seed}`);
          if (argv.out === "") throw new Error("--out needs a file name");
          return true;
        }),
    async (argv) => {
      let seed = argv.seed;
      if (seed === undefined) {
        seed = Prng.seedFrom("MEMS_GEN_SEED");
        process.stderr.write(`mems gen: seed ${seed}\n`);
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
        fail(`${argv.out}: cannot write: ${error instanceof Error ? error.message : String(error)}`, 2);
      }
    },
  );
}
