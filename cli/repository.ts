/**
 * `mems conformance`, `mems bench` and `mems record` run from a checkout of the MeMS repository only:
 * they build the C reference or the recorder (make, cc) and time MeMS beside allocators the package
 * does not install. The package
 * ships without their modules (package.json `files`); there each command says what it needs and exits
 * with status 2, as for any other command this installation cannot run.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Argv } from "yargs";

type Register = (y: Argv) => Argv;

const CLI_DIR = import.meta.dir;

const WHAT = {
  conformance: {
    describe: "Check the TypeScript core against the C reference",
    needs: "it builds the C reference (conformance/reference/) with gcc and make, and compares the two",
  },
  bench: {
    describe: "Time MeMS beside other allocators",
    needs: "it builds the C reference with gcc and make, and times MeMS beside allocators the package does not install",
  },
  record: {
    describe: "Record a program's malloc/free calls as a malloc-lab trace",
    needs: "it builds its LD_PRELOAD library (record/) with gcc and make",
  },
} as const;

/**
 * The conformance and bench commands: the real ones where their modules are present in `cliDir`, else
 * ones that say why not. (The modules are imported by path, typed as the real ones.)
 */
export async function repositoryCommands(cliDir: string = CLI_DIR): Promise<Register[]> {
  const conformancePath = join(cliDir, "conformance.ts");
  const benchPath = join(cliDir, "bench.ts");
  if (!existsSync(conformancePath) || !existsSync(benchPath)) return [notInstalled("conformance"), notInstalled("bench")];
  const conformance: typeof import("./conformance.ts") = await import(conformancePath);
  const bench: typeof import("./bench.ts") = await import(benchPath);
  return [conformance.conformanceCommand, bench.benchCommand];
}

/** `mems record`: the real command where record.ts is present in `cliDir`, else one that says why not. */
export async function recordCommands(cliDir: string = CLI_DIR): Promise<Register[]> {
  const path = join(cliDir, "record.ts");
  if (!existsSync(path)) return [notInstalled("record")];
  const record: typeof import("./record.ts") = await import(path);
  return [record.recordCommand];
}

/** A command that takes any options and only says where it runs (exit status 2). */
function notInstalled(name: keyof typeof WHAT): Register {
  const { describe, needs } = WHAT[name];
  return (y) =>
    y.command(
      name,
      `${describe} (from a checkout of the MeMS repository only)`,
      (c) => c.strict(false),
      () => {
        process.stderr.write(
          `mems ${name} is not part of the installed package: ${needs}.\n` +
            `Run it from a checkout of the MeMS repository: npm install && npx bun mems ${name}\n`,
        );
        process.exitCode = 2;
      },
    );
}
