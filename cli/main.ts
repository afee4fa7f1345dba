/**
 * The `mems` command line: argument handling only; each command lives in its own module and the work
 * in core/, scenarios/, conformance/ and bench/.
 *
 * Exit status: 0 done, 1 MeMS or a check failed while running, 2 bad usage or bad input (reported
 * before anything runs).
 */
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import packageJson from "../package.json" with { type: "json" };
import { genCommand } from "./gen.ts";
import { exampleCommand, replayCommand } from "./replay.ts";
import { repositoryCommands } from "./repository.ts";
import { soakCommand } from "./soak.ts";

let cli = yargs(hideBin(process.argv)).scriptName("mems").usage("$0 <command> [options]");
for (const register of [exampleCommand, replayCommand, soakCommand, genCommand, ...(await repositoryCommands())]) cli = register(cli);

await cli
  .demandCommand(1, "name a command")
  .strict()
  .version(packageJson.version)
  .help()
  .fail((message, error) => {
    process.stderr.write(`${message ?? error?.message}\n\nRun "mems --help" for usage.\n`);
    process.exit(2);
  })
  .parseAsync();
