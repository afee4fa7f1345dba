/**
 * `mems bench`: MeMS against the C reference, glibc, @thi.ng/malloc and plain Uint8Arrays (bench/run.ts).
 * `--filter` and `--json` are checked before any work; SIGINT or SIGTERM stops the worker, removes the
 * temporary folder and ends the command (cli/signals.ts). Every run also writes its results folder
 * (bench/report/outputs.ts: RESULTS.md, report.html, bench.json, charts) to --out, by default to
 * bench/out/, which git ignores (as cargo's target/): a run leaves `git status` clean. The figures the
 * README and docs show are docs/results/, written only when asked (`bun run bench:results`).
 */
import { existsSync, writeFileSync } from "node:fs";
import type { Argv } from "yargs";
import { allocatorNames } from "../bench/allocators.ts";
import { OUT_DIR, writeResults } from "../bench/report/outputs.ts";
import { formatReport } from "../bench/report/text.ts";
import { filterProblem, runBench } from "../bench/run.ts";
import { EXAMPLE_TRACE } from "../bench/workloads.ts";
import { mallocLabTraces } from "../trace/corpus.ts";
import { loadLookupFile } from "../trace/lookup-choice.ts";
import { asUsage, CommandError, describeFileError, EXIT, missingDataMessage, outputFileProblem, UsageError } from "./io.ts";
import { writeErr, writeOut } from "./output.ts";
import { stoppable } from "./signals.ts";

/** The lookups of `--lookup FILE...`, loaded and checked (trace/lookup-choice.ts), by name; a name given twice is refused. */
async function lookupFiles(files: readonly string[]): Promise<{ name: string; file: string }[]> {
  const lookups: { name: string; file: string }[] = [];
  for (const file of files) {
    const { name } = await loadLookupFile(file);
    const twice = lookups.find((lookup) => lookup.name === name);
    if (twice !== undefined) throw new Error(`--lookup ${file}: ${twice.file} is lookup ${name} too`);
    lookups.push({ name, file });
  }
  return lookups;
}

export function benchCommand(y: Argv): Argv {
  return y.command(
    "bench",
    "Time every allocator on every workload, each in its own process, and print one table per workload",
    (c) =>
      c
        .option("quick", {
          type: "boolean",
          default: false,
          describe: "churn-100 and the two smallest sizes of the cost curve, short budgets (for CI)",
        })
        .option("filter", { type: "string", describe: "workloads or allocators: substrings, comma-separated" })
        .option("json", { type: "string", describe: "also write every figure, the machine and the date to this file" })
        .option("lookup", {
          type: "string",
          array: true,
          describe: "also run MeMS with the lookup this file exports (docs/strategies.md), as mems-NAME; may be given more than once",
        })
        .option("out", {
          type: "string",
          describe:
            "results folder: RESULTS.md, report.html, bench.json, charts (default bench/out/, ignored by git; `bun run bench:results` writes the committed docs/results/)",
        })
        .check((argv) => {
          const json = argv.json === undefined ? undefined : outputFileProblem(argv.json);
          if (json !== undefined) throw new UsageError(`--json: ${json}`);
          return true;
        }),
    async (argv) => {
      const lookups = await asUsage(() => lookupFiles(argv.lookup ?? []));
      const filter = argv.filter === undefined ? undefined : filterProblem(argv.filter, argv.quick, allocatorNames(lookups));
      if (filter !== undefined) throw new UsageError(filter);
      // The repository's traces a full run replays (bench/workloads.ts) are checked here, not found missing
      // by a worker mid-run; a missing scenarios/malloclab/ is named by main.ts. --quick replays none.
      if (!argv.quick && !existsSync(EXAMPLE_TRACE)) throw new CommandError(missingDataMessage(EXAMPLE_TRACE), EXIT.usage);
      if (!argv.quick) mallocLabTraces();
      const command = [
        "bun bench",
        argv.quick ? "--quick" : "",
        argv.filter !== undefined ? `--filter ${argv.filter}` : "",
        ...lookups.map((lookup) => `--lookup ${lookup.file}`),
      ]
        .filter((part) => part !== "")
        .join(" ");
      const report = await stoppable((stop) => {
        const progress = (line: string): void => {
          stop.check();
          writeErr(`${line}\n`);
        };
        const options = { quick: argv.quick, progress, lookups };
        return runBench(argv.filter !== undefined ? { ...options, filter: argv.filter } : options, command);
      });
      await writeOut(formatReport(report));
      if (argv.json !== undefined) {
        try {
          writeFileSync(argv.json, `${JSON.stringify(report, null, 2)}\n`);
        } catch (error) {
          throw new CommandError(`cannot write ${describeFileError(argv.json, error)}`, EXIT.failed);
        }
      }
      const out = argv.out ?? OUT_DIR;
      try {
        const files = await writeResults(report, out);
        writeErr(`wrote ${out}: ${files.length} files (RESULTS.md, report.html, charts)\n`);
      } catch (error) {
        throw new CommandError(`cannot write the results folder ${describeFileError(out, error)}`, EXIT.failed);
      }
    },
  );
}
