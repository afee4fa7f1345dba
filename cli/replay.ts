/**
 * `mems example` and `mems replay`: scenario files through the one runner (trace/runner.ts).
 *
 * stdout is exactly what the runner prints (the rules at the top of trace/runner.ts, shared with the C
 * reference). A malloc-lab trace prints nothing there, so its replay says on stderr what happened: one
 * line with the operations, the peaks and the utilization.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Argv } from "yargs";
import { type Alignment, LOOKUPS, MemsError } from "../core/index.ts";
import { type LookupChoice, resolveLookup } from "../trace/lookup-choice.ts";
import { type ReplayOptions, type ReplayResult, replay, reportLine } from "../trace/runner.ts";
import { ALIGN_ARG, asUsage, CommandError, EXIT, FILES_ARG, integerArg, missingDataMessage, readScenarios, requireFiles } from "./io.ts";
import { writeErr, writeOut } from "./output.ts";

const EXAMPLE = fileURLToPath(new URL("../scenarios/example.mtrace", import.meta.url));

interface ReplayArgs {
  files: string[];
  lookup?: LookupChoice;
  pageSize?: number;
  start?: number;
  align?: Alignment;
  verify: boolean;
  report?: "json";
  finalStats: boolean;
}

const count = (n: number): string => n.toLocaleString("en-US");

/** The stderr line of a malloc-lab trace's replay: operations, peaks, utilization. */
function summaryLine(result: ReplayResult): string {
  const utilization = result.peakMappedBytes > 0 ? `${((100 * result.peakLiveBytes) / result.peakMappedBytes).toFixed(1)}%` : "-";
  return `${result.file}: ${count(result.ops)} ops, peak live ${count(result.peakLiveBytes)} bytes, peak mapped ${count(result.peakMappedBytes)} bytes, utilization ${utilization}`;
}

async function replayAll(args: ReplayArgs): Promise<void> {
  const scenarios = readScenarios(args.files);
  for (const scenario of scenarios) {
    const chunks: string[] = [];
    const options: ReplayOptions = { verify: args.verify, finalStats: args.finalStats };
    if (args.report === undefined) options.out = (text) => chunks.push(text);
    if (args.lookup !== undefined) options.lookup = args.lookup;
    if (args.pageSize !== undefined) options.pageSize = args.pageSize;
    if (args.start !== undefined) options.startAddress = args.start;
    if (args.align !== undefined) options.align = args.align;
    let result: ReplayResult;
    try {
      result = replay(scenario, options);
    } catch (error) {
      await writeOut(chunks.join("")); // what ran before the failure, as the C reference prints it
      // A bad PAGE_SIZE or start address (option, directive or environment) is bad input: nothing of this file ran.
      const status = error instanceof MemsError && error.code === "INVALID_OPTION" ? EXIT.usage : EXIT.failed;
      throw new CommandError(error instanceof Error ? error.message : String(error), status);
    }
    await writeOut(args.report === "json" ? `${reportLine(result)}\n` : chunks.join(""));
    if (args.report === undefined && scenario.dialect === "malloclab") writeErr(`${summaryLine(result)}\n`);
  }
}

export function exampleCommand(y: Argv): Argv {
  return y.command(
    "example",
    "Replay the course's example program (scenarios/example.mtrace)",
    (c) => c,
    async () => {
      if (!existsSync(EXAMPLE)) throw new CommandError(missingDataMessage(EXAMPLE), EXIT.usage);
      await replayAll({ files: [EXAMPLE], verify: false, finalStats: false });
    },
  );
}

const REPLAY = "Replay scenarios (.mtrace) and malloc-lab traces (.rep), printing their output (a .rep's summary on stderr)";

export function replayCommand(y: Argv): Argv {
  return y.command(
    "replay [files..]",
    REPLAY,
    (c) =>
      c
        .usage(`$0 replay <files..>\n\n${REPLAY}`)
        .positional("files", FILES_ARG)
        .option("lookup", {
          type: "string",
          describe: `how a HOLE is chosen: ${LOOKUPS.join(", ")}, or a file that exports a lookup (docs/strategies.md)`,
          defaultDescription: "first-fit, or $MEMS_LOOKUP",
        })
        .option("page-size", {
          ...integerArg("page-size", 1),
          describe: "PAGE_SIZE where the scenario has no @page_size",
          defaultDescription: "4096, or $MEMS_PAGE_SIZE",
        })
        .option("start", {
          ...integerArg("start", 0),
          describe: "first virtual address where the scenario has no @start",
          defaultDescription: "1000, or $MEMS_START_ADDRESS",
        })
        .option("align", ALIGN_ARG)
        .option("verify", { type: "boolean", default: false, describe: "fill and check every block's bytes" })
        .option("report", { choices: ["json"] as const, describe: "print one JSON report line per file instead" })
        .option("final-stats", { type: "boolean", default: false, describe: "print the stats before the final finish" }),
    async (argv) => {
      const args: ReplayArgs = {
        files: requireFiles(argv.files),
        verify: argv.verify,
        finalStats: argv["final-stats"],
      };
      const lookup = argv.lookup;
      if (lookup !== undefined) args.lookup = await asUsage(() => resolveLookup(lookup));
      if (argv["page-size"] !== undefined) args.pageSize = argv["page-size"];
      if (argv.start !== undefined) args.start = argv.start;
      if (argv.align !== undefined) args.align = argv.align;
      if (argv.report !== undefined) args.report = argv.report;
      await replayAll(args);
    },
  );
}
