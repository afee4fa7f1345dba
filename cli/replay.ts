/**
 * `mems example` and `mems replay`: scenario files through the one runner (trace/runner.ts).
 */
import { fileURLToPath } from "node:url";
import type { Argv } from "yargs";
import { LOOKUPS, type Lookup, MemsError } from "../core/index.ts";
import { readScenario, type Scenario, ScenarioError } from "../trace/format.ts";
import { type ReplayOptions, replay, reportLine } from "../trace/runner.ts";
import { fail, integerOptions, writeOut } from "./io.ts";

const EXAMPLE = fileURLToPath(new URL("../scenarios/example.mtrace", import.meta.url));

interface ReplayArgs {
  files: string[];
  lookup?: Lookup;
  pageSize?: number;
  start?: number;
  verify: boolean;
  report?: "json";
  finalStats: boolean;
}

/** Parses every file first: one bad file means nothing runs. */
function parseAll(files: readonly string[]): Scenario[] | undefined {
  try {
    return files.map(readScenario);
  } catch (error) {
    if (error instanceof ScenarioError) {
      fail(error.toString(), 2);
      return undefined;
    }
    if (error instanceof Error && "code" in error && error.code === "ENOENT") {
      fail(`${(error as Error & { path?: string }).path ?? "file"}: no such file`, 2);
      return undefined;
    }
    throw error;
  }
}

async function replayAll(args: ReplayArgs): Promise<void> {
  const scenarios = parseAll(args.files);
  if (scenarios === undefined) return;
  for (const scenario of scenarios) {
    const chunks: string[] = [];
    const options: ReplayOptions = { verify: args.verify, finalStats: args.finalStats };
    if (args.report === undefined) options.out = (text) => chunks.push(text);
    if (args.lookup !== undefined) options.lookup = args.lookup;
    if (args.pageSize !== undefined) options.pageSize = args.pageSize;
    if (args.start !== undefined) options.startAddress = args.start;
    try {
      const result = replay(scenario, options);
      await writeOut(args.report === "json" ? `${reportLine(result)}\n` : chunks.join(""));
    } catch (error) {
      await writeOut(chunks.join("")); // what ran before the failure, as the C reference prints it
      // A bad PAGE_SIZE or start address (option, directive or environment) is bad input: nothing of this file ran.
      fail(error instanceof Error ? error.message : String(error), error instanceof MemsError && error.code === "INVALID_OPTION" ? 2 : 1);
      return;
    }
  }
}

export function exampleCommand(y: Argv): Argv {
  return y.command(
    "example",
    "Replay the course's example program (scenarios/example.mtrace)",
    (c) => c,
    async () => replayAll({ files: [EXAMPLE], verify: false, finalStats: false }),
  );
}

export function replayCommand(y: Argv): Argv {
  return y.command(
    "replay <files..>",
    "Replay scenarios (.mtrace) and malloc-lab traces (.rep), printing their output",
    (c) =>
      c
        .positional("files", { type: "string", array: true, demandOption: true, describe: "scenario files" })
        .option("lookup", { choices: LOOKUPS, describe: "how a HOLE is chosen" })
        .option("page-size", { type: "number", describe: "PAGE_SIZE where the scenario has no @page_size" })
        .option("start", { type: "number", describe: "first virtual address where the scenario has no @start" })
        .option("verify", { type: "boolean", default: false, describe: "fill and check every block's bytes" })
        .option("report", { choices: ["json"] as const, describe: "print one JSON report line per file instead" })
        .option("final-stats", { type: "boolean", default: false, describe: "print the stats before the final finish" })
        .check(integerOptions({ "page-size": 1, start: 0 })),
    async (argv) => {
      const args: ReplayArgs = {
        files: argv.files as string[],
        verify: argv.verify,
        finalStats: argv["final-stats"],
      };
      if (argv.lookup !== undefined) args.lookup = argv.lookup;
      if (argv["page-size"] !== undefined) args.pageSize = argv["page-size"];
      if (argv.start !== undefined) args.start = argv.start;
      if (argv.report !== undefined) args.report = argv.report;
      await replayAll(args);
    },
  );
}
