/**
 * `mems viz`: replays scenarios and traces and writes one self-contained page of pictures of the heap
 * (viz/): its maps at chosen operations, every lookup side by side, and its bytes over the operations.
 *
 * The drawing code (viz/) ships with the package and is loaded when the command runs, so that the other
 * commands start without it; vega and vega-lite, which draw the page's charts, are optional peers that
 * a user adds: without them the command says how (exit 2). Arguments are checked before any replay.
 */
import type { Argv } from "yargs";
import { LOOKUPS } from "../core/index.ts";
import { ADD_CHART_PACKAGES, missingChartPackages } from "../lib/vega.ts";
import { resolveLookups } from "../trace/lookup-choice.ts";
import {
  ALIGN_ARG,
  asUsage,
  CommandError,
  describeFileError,
  EXIT,
  FILES_ARG,
  outputFileProblem,
  readScenarios,
  requireFiles,
  UsageError,
} from "./io.ts";
import { writeErr } from "./output.ts";

const VIZ = "Draw the heap of scenarios or traces: maps at chosen operations, lookups side by side, bytes over time (one HTML page)";

/** What `mems viz` says when the chart packages are not installed: which, and the line that adds them. */
export function chartsMissingMessage(missing: readonly string[]): string {
  return [
    `mems viz: the page's charts are drawn with vega and vega-lite, which are not installed (missing: ${missing.join(", ")}). Add them with:`,
    `  ${ADD_CHART_PACKAGES}`,
    "(--out FILE.svg draws the heap maps alone, without them.)",
  ].join("\n");
}

export function vizCommand(y: Argv): Argv {
  return y.command(
    "viz [files..]",
    VIZ,
    (c) =>
      c
        .usage(`$0 viz <files..>\n\n${VIZ}`)
        .positional("files", FILES_ARG)
        .option("lookup", {
          type: "string",
          default: LOOKUPS.join(","),
          describe: `lookups side by side, comma-separated (${LOOKUPS.join(", ")}, or files that export one)`,
        })
        .option("at", {
          type: "string",
          describe:
            "picture the heap after these operation counts, comma-separated, and at the end (default: at every s line, the peak of live bytes and the end)",
        })
        .option("align", ALIGN_ARG)
        .option("out", {
          type: "string",
          default: "heap.html",
          describe: "the page to write; a name ending in .svg writes the maps alone as SVG",
        }),
    async (argv) => {
      const named = requireFiles(argv.files);
      const viz = await import("../viz/page.ts");
      const lookups = await asUsage(() => resolveLookups(String(argv.lookup)));
      let at: number[] | undefined;
      try {
        at = argv.at === undefined ? undefined : viz.parseAt(String(argv.at));
      } catch (error) {
        throw new UsageError(error instanceof Error ? error.message : String(error));
      }
      const outProblem = outputFileProblem(argv.out);
      if (outProblem !== undefined) throw new UsageError(`--out: ${outProblem}`);
      // The page's bytes charts need vega and vega-lite, optional peers of the package; the SVG of the maps alone does not.
      if (!argv.out.toLowerCase().endsWith(".svg")) {
        const missing = missingChartPackages();
        if (missing.length > 0) throw new CommandError(chartsMissingMessage(missing), EXIT.usage);
      }
      const scenarios = readScenarios(named);
      for (const scenario of scenarios) {
        const beyond = at?.find((op) => op > scenario.count);
        if (beyond !== undefined) throw new UsageError(`--at ${beyond}: ${scenario.file} has ${scenario.count} operations`);
      }
      const files = viz.recordFiles(scenarios, {
        lookups,
        ...(at !== undefined && { at }),
        ...(argv.align !== undefined && { align: argv.align }),
      });
      try {
        await Bun.write(argv.out, await viz.vizOutput(files, argv.out));
      } catch (error) {
        throw new CommandError(`cannot write ${describeFileError(argv.out, error)}`, EXIT.failed);
      }
      writeErr(`wrote ${argv.out}\n`); // a message, as bench says it: stdout carries output only
      const failed = files.flatMap((file) =>
        file.recordings.filter((r) => r.error !== undefined).map((r) => `${file.file} (${r.lookup}): ${r.error}`),
      );
      if (failed.length > 0) throw new CommandError(`stopped early: ${failed.join("; ")}`, EXIT.failed);
    },
  );
}
