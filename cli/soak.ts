/**
 * `mems soak`: a long seeded run of random operations with checks (trace/soak.ts), a progress line
 * on stderr about once a second, and a summary table at the end. A failure prints the seed and the
 * operation number, and exits with status 1.
 */
import Table from "cli-table3";
import type { Argv } from "yargs";
import { LOOKUPS, MemsError } from "../core/index.ts";
import { Prng } from "../lib/prng.ts";
import { resolveLookup } from "../trace/lookup-choice.ts";
import { DEFAULT_MAX_LIVE, SoakError, type SoakOptions, type SoakResult, soak } from "../trace/soak.ts";
import { ALIGN_ARG, asUsage, CommandError, EXIT, integerArg } from "./io.ts";
import { OutputClosed, writeErr, writeOut } from "./output.ts";
import { dieOf } from "./signals.ts";

const number = (n: number): string => Math.round(n).toLocaleString("en-US");

/** The summary table: one row per figure. */
export function summaryTable(result: SoakResult): string {
  const align = result.align === 1 ? "" : `, align ${result.align}`;
  const table = new Table({ head: ["soak", `seed ${result.seed}, ${result.lookup}${align}`], style: { head: [], border: [] } });
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
        .option("ops", { ...integerArg("ops", 0), default: 1_000_000, describe: "operations to run" })
        .option("seed", {
          ...integerArg("seed", 0, 0xffffffff),
          describe: "seed of the run (default: from MEMS_SOAK_SEED or the clock)",
        })
        .option("lookup", {
          type: "string",
          default: "first-fit",
          describe: `how a HOLE is chosen: ${LOOKUPS.join(", ")}, or a file that exports a lookup (docs/strategies.md)`,
        })
        .option("align", { ...ALIGN_ARG, describe: "round every block up to a multiple of N, so each starts N-aligned" })
        .option("check-every", {
          ...integerArg("check-every", 1),
          default: 10_000,
          describe: "heap walk and check of every live block every K operations",
        })
        .option("max-live", {
          ...integerArg("max-live", 1),
          default: DEFAULT_MAX_LIVE,
          describe: "most blocks live at once",
        })
        .option("corrupt-at", {
          ...integerArg("corrupt-at", 0),
          hidden: true,
          describe: "test hook: flip a byte of a live block after operation N",
        }),
    async (argv) => {
      const options: SoakOptions = {
        ops: argv.ops,
        seed: argv.seed ?? Prng.seedFrom("MEMS_SOAK_SEED"),
        lookup: await asUsage(() => resolveLookup(argv.lookup)),
        checkEvery: argv["check-every"],
        maxLive: argv["max-live"],
        progress: (p) => {
          try {
            writeErr(
              `soak: ${number(p.op)} / ${number(p.ops)} ops, ${number(p.liveBlocks)} live blocks, ${number(p.mappedBytes)} bytes mapped, ${number(p.op / p.seconds)} ops/s\n`,
            );
          } catch (error) {
            // soak() would report it as a failure of the run: stderr's reader has gone, so end as `| head` does.
            if (error instanceof OutputClosed) dieOf("SIGPIPE");
            throw error;
          }
        },
      };
      if (argv["corrupt-at"] !== undefined) options.corruptAt = argv["corrupt-at"];
      if (argv.align !== undefined) options.align = argv.align;
      let result: SoakResult;
      try {
        result = soak(options);
      } catch (error) {
        if (error instanceof MemsError && error.code === "INVALID_OPTION") {
          throw new CommandError(error.message, EXIT.usage); // from the environment (MEMS_PAGE_SIZE, MEMS_START_ADDRESS)
        }
        throw new CommandError(
          error instanceof SoakError
            ? `${error.message}\nrepeat with: mems soak --seed ${error.seed} --lookup ${argv.lookup} --ops ${argv.ops} --check-every ${argv["check-every"]} --max-live ${argv["max-live"]}${argv.align === undefined ? "" : ` --align ${argv.align}`}`
            : String(error),
          EXIT.failed,
        );
      }
      await writeOut(summaryTable(result));
    },
  );
}
