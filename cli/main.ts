/**
 * The `mems` command line: argument handling only; each command lives in its own module of cli/ and the
 * work in core/, trace/, viz/, conformance/, bench/, grade/ and record/, none of which imports cli/
 * (cli/rooms.test.ts).
 *
 * Every byte printed goes through cli/output.ts, help and version included (yargs hands them over
 * through the parse callback instead of printing them). Exit statuses: cli/io.ts and the README.
 */
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { Stopped } from "../lib/stopped.ts";
import packageJson from "../package.json" with { type: "json" };
import { genCommand } from "./gen.ts";
import { gradeCommand } from "./grade.ts";
import { CommandError, EXIT, missingDataMessage, missingPath, UsageError } from "./io.ts";
import { OutputClosed, OutputError, writeErr, writeOut } from "./output.ts";
import { exampleCommand, replayCommand } from "./replay.ts";
import { recordCommands, repositoryCommands } from "./repository.ts";
import { dieOf } from "./signals.ts";
import { soakCommand } from "./soak.ts";
import { vizCommand } from "./viz.ts";

const args = hideBin(process.argv);
// Integer options are read by cli/io.ts's integerOption from the text given, not by yargs' own parsing.
let cli = yargs(args).scriptName("mems").usage("$0 <command> [options]").parserConfiguration({ "parse-numbers": false });
for (const register of [
  exampleCommand,
  replayCommand,
  soakCommand,
  genCommand,
  ...(await repositoryCommands()),
  ...(await recordCommands()),
  vizCommand,
  gradeCommand,
])
  cli = register(cli);

/** Says `message` on stderr, unless stderr is gone too. */
function say(message: string): void {
  try {
    writeErr(`${message}\n`);
  } catch {
    // nowhere left to say it
  }
}

try {
  let output = "";
  await cli
    .strict()
    // Not demandCommand: yargs counts operands before it looks for unknown options, so `mems --verfiy`
    // would say "name a command" rather than name `verfiy` (a check runs after yargs' own).
    .check((argv) => {
      if (argv._.length === 0 && argv.help !== true && argv.version !== true) throw new UsageError("name a command");
      return true;
    })
    .version(packageJson.version)
    .help()
    .exitProcess(false)
    .fail((message, error) => {
      // yargs' own validation, and errors thrown by our coerce and check functions: bad usage.
      throw new UsageError(message ?? error?.message ?? "bad usage");
    })
    .parseAsync(args, {}, (_error, _argv, text) => {
      output = text; // --help or --version, or nothing
    });
  if (output !== "") await writeOut(`${output}\n`);
} catch (error) {
  if (error instanceof OutputClosed) dieOf("SIGPIPE"); // `| head`: end quietly, as cat does
  if (error instanceof Stopped) dieOf(error.signal);
  if (error instanceof UsageError) {
    say(`${error.message}\n\nRun "mems --help" for usage.`);
    process.exitCode = EXIT.usage;
  } else if (error instanceof CommandError) {
    say(error.message);
    process.exitCode = error.status;
  } else if (missingPath(error) !== undefined) {
    say(missingDataMessage(missingPath(error) ?? ""));
    process.exitCode = EXIT.usage;
  } else if (error instanceof OutputError) {
    say(`mems: ${error.message}`);
    process.exitCode = EXIT.failed;
  } else {
    say(error instanceof Error ? error.message : String(error));
    process.exitCode = EXIT.failed;
  }
}
