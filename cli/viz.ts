/**
 * `mems viz`: replays scenarios and traces and writes one self-contained page of pictures of the heap
 * (viz/): its maps at chosen operations, every lookup side by side, and its bytes over the operations.
 */
import type { Argv } from "yargs";
import { LOOKUPS } from "../core/index.ts";
import { readScenario, type Scenario, ScenarioError } from "../trace/format.ts";
import { parseAt, parseLookups, recordFiles, vizOutput } from "../viz/page.ts";
import { fail, writeOut } from "./io.ts";

function readAll(files: readonly string[]): Scenario[] | undefined {
  try {
    return files.map(readScenario);
  } catch (error) {
    if (error instanceof ScenarioError) fail(error.toString(), 2);
    else if (error instanceof Error && "code" in error && error.code === "ENOENT")
      fail(`${(error as Error & { path?: string }).path ?? "file"}: no such file`, 2);
    else throw error;
    return undefined;
  }
}

export function vizCommand(y: Argv): Argv {
  return y.command(
    "viz <files..>",
    "Draw the heap of scenarios or traces: maps at chosen operations, lookups side by side, bytes over time (one HTML page)",
    (c) =>
      c
        .positional("files", {
          type: "string",
          array: true,
          demandOption: true,
          describe: "scenario files (.mtrace) or malloc-lab traces (.rep)",
        })
        .option("lookup", {
          type: "string",
          default: LOOKUPS.join(","),
          describe: `lookups side by side, comma-separated (${LOOKUPS.join(", ")})`,
        })
        .option("at", {
          type: "string",
          describe: "also picture the heap after these operation counts, comma-separated (default: at every s line)",
        })
        .option("out", {
          type: "string",
          default: "heap.html",
          describe: "the page to write; a name ending in .svg writes the maps alone as SVG",
        })
        .check((argv) => {
          parseLookups(String(argv.lookup));
          if (argv.at !== undefined) parseAt(String(argv.at));
          return true;
        }),
    async (argv) => {
      const scenarios = readAll(argv.files as string[]);
      if (scenarios === undefined) return;
      const at = argv.at === undefined ? undefined : parseAt(argv.at);
      for (const scenario of scenarios) {
        const beyond = at?.find((op) => op > scenario.count);
        if (beyond !== undefined) {
          fail(`--at ${beyond}: ${scenario.file} has ${scenario.count} operations`, 2);
          return;
        }
      }
      const files = recordFiles(scenarios, { lookups: parseLookups(argv.lookup), ...(at !== undefined && { at }) });
      await Bun.write(argv.out, await vizOutput(files, argv.out));
      const failed = files.flatMap((file) =>
        file.recordings.filter((r) => r.error !== undefined).map((r) => `${file.file} (${r.lookup}): ${r.error}`),
      );
      await writeOut(`wrote ${argv.out}\n`);
      if (failed.length > 0) fail(`stopped early: ${failed.join("; ")}`, 1);
    },
  );
}
