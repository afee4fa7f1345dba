/**
 * Where bench/conformance's modules are absent (the installed package), both commands say what they
 * need and exit 2; in the repository they are the real commands.
 */
import { afterAll, afterEach, describe, expect, spyOn, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yargs from "yargs";
import { repositoryCommands } from "./repository.ts";

afterEach(() => {
  process.exitCode = 0;
});

/** Runs `args` through a yargs made of `repositoryCommands(cliDir)`; what it wrote to stderr and the exit status. */
async function run(cliDir: string, args: string[]): Promise<{ stderr: string; status: typeof process.exitCode }> {
  let cli = yargs([]).strict();
  for (const register of await repositoryCommands(cliDir)) cli = register(cli);
  const written: string[] = [];
  const stderr = spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await cli.parseAsync(args);
  } finally {
    stderr.mockRestore();
  }
  const status = process.exitCode;
  process.exitCode = 0;
  return { stderr: written.join(""), status };
}

describe("without their modules (as installed from the package)", () => {
  const empty = mkdtempSync(join(tmpdir(), "mems-cli-repository-"));
  afterAll(() => rmSync(empty, { recursive: true, force: true }));

  test.each([
    ["bench", ["bench", "--quick", "--json", "out.json"]],
    ["conformance", ["conformance", "--profile", "ci"]],
  ])("%s says it runs from a checkout, what it needs, and exits 2", async (name, args) => {
    const { stderr, status } = await run(empty, args);
    expect(status).toBe(2);
    expect(stderr).toStartWith(`mems ${name} is not part of the installed package: it builds the C reference`);
    expect(stderr).toContain("gcc and make");
    expect(stderr).toEndWith(`Run it from a checkout of the MeMS repository: npm install && npx bun mems ${name}\n`);
  });

  test("both are listed in the help, saying where they run", async () => {
    const help = await helpOf(empty);
    expect(help).toContain(
      "mems conformance  Check the TypeScript core against the C reference (from a checkout of the MeMS repository only)",
    );
    expect(help).toContain("mems bench        Time MeMS beside other allocators (from a checkout of the MeMS repository only)");
  });
});

describe("with their modules", () => {
  // Stand-ins for cli/conformance.ts and cli/bench.ts (the real ones are run by cli.test.ts and bench.e2e.test.ts),
  // in the repository: a module loaded from a temporary folder is listed in the coverage table under its path.
  const fixtures = join(import.meta.dir, "../test-support/fixtures/commands");

  test("the commands are the ones the modules export, in the order conformance, bench", async () => {
    const help = await helpOf(join(fixtures, "both"));
    expect(help).toContain("mems conformance  the conformance module's own command\n  mems bench        the bench module's own command");
    expect(help).not.toContain("repository only");
  });

  test("one module missing is the installed package", async () => {
    expect(await helpOf(join(fixtures, "conformance-only"))).toContain("(from a checkout of the MeMS repository only)");
  });
});

async function helpOf(cliDir: string): Promise<string> {
  let cli = yargs([]).scriptName("mems").wrap(null);
  for (const register of await repositoryCommands(cliDir)) cli = register(cli);
  return cli.getHelp();
}
