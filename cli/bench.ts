/**
 * `mems bench`: MeMS against the C reference, glibc, @thi.ng/malloc and plain Uint8Arrays (bench/run.ts).
 * Prints the tables, writes the results folder (bench/report/outputs.ts) and, with --json, the figures.
 */
import { fileURLToPath } from "node:url";
import type { Argv } from "yargs";
import { writeResults } from "../bench/report/outputs.ts";
import { formatReport } from "../bench/report/text.ts";
import { runBench } from "../bench/run.ts";
import { writeOut } from "./io.ts";

const RESULTS_DIR = fileURLToPath(new URL("../bench/results", import.meta.url));

export function benchCommand(y: Argv): Argv {
  return y.command(
    "bench",
    "Time every allocator on every workload, each in its own process, and print one table per workload",
    (c) =>
      c
        .option("quick", { type: "boolean", default: false, describe: "churn-100 only, short budgets (for CI)" })
        .option("filter", { type: "string", describe: "workloads or allocators: substrings, comma-separated" })
        .option("json", { type: "string", describe: "also write every figure, the machine and the date to this file" })
        .option("out", { type: "string", describe: "results folder: RESULTS.md, report.html, charts (default bench/results)" }),
    async (argv) => {
      const command = ["bun bench", argv.quick ? "--quick" : "", argv.filter !== undefined ? `--filter ${argv.filter}` : ""]
        .filter((part) => part !== "")
        .join(" ");
      const options = { quick: argv.quick, progress: (line: string) => process.stderr.write(`${line}\n`) };
      const report = await runBench(argv.filter !== undefined ? { ...options, filter: argv.filter } : options, command);
      await writeOut(formatReport(report));
      if (argv.json !== undefined) await Bun.write(argv.json, `${JSON.stringify(report, null, 2)}\n`);
      const out = argv.out ?? RESULTS_DIR;
      const files = await writeResults(report, out);
      options.progress(`wrote ${out}: ${files.length} files (RESULTS.md, report.html, charts)`);
    },
  );
}
