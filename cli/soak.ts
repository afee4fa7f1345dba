/**
 * `mems soak`: a long seeded run of random operations with checks (trace/soak.ts), a progress line
 * on stderr about once a second, and a summary table at the end. A failure prints the seed and the
 * operation number, and exits with status 1.
 */
import Table from "cli-table3";
import type { Argv } from "yargs";
import { LOOKUPS, type Lookup, MemsError } from "../core/index.ts";
import { Prng } from "../lib/prng.ts";
import { DEFAULT_MAX_LIVE, SoakError, type SoakOptions, type SoakResult, soak } from "../trace/soak.ts";
import { fail, integerOptions, writeOut } from "./io.ts";

const number = (n: number): string => Math.round(n).toLocaleString("en-US");

/** The summary table: one row per figure. */
export function summaryTable(result: SoakResult): string {
  const table = new Table({ head: ["soak", `seed ${result.seed}, ${result.lookup}`], style: { head: [], border: [] } });
  table.push(
    ["ops", number(result.ops)],
    ["mallocs", number(result.mallocs)],
    ["frees", number(result.frees)],
    ["gets", number(result.gets)],
    ["writes / reads", `${number(result.writes)} / ${number(result.reads)}`],
    ["bad frees refused", number(result.badFrees)],
    ["peak live blocks", number(result.peakLiveBlocks)],
    ["peak mapped", `${number(result.peakMappedBytes)} bytes`],
    ["mmap calls", number(result.mmapCalls)],
    ["munmap calls", number(result.munmapCalls)],
    ["bytes left mapped", number(result.bytesLeftMapped)],
    ["invariant checks", number(result.invariantChecks)],
    ["block checks", number(result.blockChecks)],
    ["seconds", result.seconds.toFixed(2)],
    ["ops/s", number(result.opsPerSecond)],
  );
  return `${table.toString()}\n`;
}

export function soakCommand(y: Argv): Argv {
  return y.command(
    "soak",
    "Run random operations with every check on (invariants, every live byte); exit 1 at the first failure",
    (c) =>
      c
        .option("ops", { type: "number", default: 1_000_000, describe: "operations to run" })
        .option("seed", { type: "number", describe: "seed of the run (default: from MEMS_SOAK_SEED or the clock)" })
        .option("lookup", { choices: LOOKUPS, default: "first-fit" as Lookup, describe: "how a HOLE is chosen" })
        .option("check-every", { type: "number", default: 10_000, describe: "heap walk and check of every live block every K operations" })
        .option("max-live", { type: "number", default: DEFAULT_MAX_LIVE, describe: "most blocks live at once" })
        .option("corrupt-at", { type: "number", hidden: true, describe: "test hook: flip a byte of a live block after operation N" })
        .check(integerOptions({ ops: 0, seed: 0, "check-every": 1, "max-live": 1, "corrupt-at": 0 }))
        .check((argv) => {
          if (argv.seed !== undefined && argv.seed > 0xffffffff) throw new Error(`--seed must be below 2^32, got ${argv.seed}`);
          return true;
        }),
    async (argv) => {
      const options: SoakOptions = {
        ops: argv.ops,
        seed: argv.seed ?? Prng.seedFrom("MEMS_SOAK_SEED"),
        lookup: argv.lookup,
        checkEvery: argv["check-every"],
        maxLive: argv["max-live"],
        progress: (p) =>
          process.stderr.write(
            `soak: ${number(p.op)} / ${number(p.ops)} ops, ${number(p.liveBlocks)} live blocks, ${number(p.mappedBytes)} bytes mapped, ${number(p.op / p.seconds)} ops/s\n`,
          ),
      };
      if (argv["corrupt-at"] !== undefined) options.corruptAt = argv["corrupt-at"];
      try {
        await writeOut(summaryTable(soak(options)));
      } catch (error) {
        if (error instanceof MemsError && error.code === "INVALID_OPTION") {
          fail(error.message, 2); // from the environment (MEMS_PAGE_SIZE, MEMS_START_ADDRESS)
        } else {
          fail(
            error instanceof SoakError
              ? `${error.message}\nrepeat with: mems soak --seed ${error.seed} --lookup ${error.lookup} --ops ${argv.ops} --check-every ${argv["check-every"]} --max-live ${argv["max-live"]}`
              : String(error),
            1,
          );
        }
      }
    },
  );
}
