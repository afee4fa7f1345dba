/**
 * `--lookup` values: the core's lookups by name, files that export a lookup, and what is wrong with the rest.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import lifoFirstFit from "../docs/examples/lifo-first-fit.ts";
import { isLookupFile, loadLookupFile, lookupName, resolveLookup, resolveLookups } from "./lookup-choice.ts";

const EXAMPLE = join(import.meta.dir, "../docs/examples/lifo-first-fit.ts");
/**
 * Files that are no lookup, in the repository: a module loaded from a temporary folder would be listed in
 * the coverage table under its temporary path.
 */
const dir = join(import.meta.dir, "../test-support/fixtures/lookups");
const module = (name: string): string => join(dir, name);

describe("resolveLookup", () => {
  test("a core lookup by name, a file by its path", async () => {
    expect(await resolveLookup("best-fit")).toBe("best-fit");
    const factory = await resolveLookup(EXAMPLE);
    expect(factory).toBe(lifoFirstFit); // the module's own default export, the one the example test imports
    expect(lookupName(factory)).toBe("lifo-first-fit");
    expect(lookupName("next-fit")).toBe("next-fit");
  });

  test("a name that is neither: the known ones are listed", async () => {
    await expect(resolveLookup("fastest-fit")).rejects.toThrow(
      "--lookup: no lookup fastest-fit (known: first-fit, size-indexed, best-fit, next-fit, worst-fit, or a file that exports one)",
    );
  });

  test("a file is told apart from a name by a slash or its extension", () => {
    expect([isLookupFile("./x"), isLookupFile("my.ts"), isLookupFile("a/b"), isLookupFile("x.mjs"), isLookupFile("best-fit")]).toEqual([
      true,
      true,
      true,
      true,
      false,
    ]);
  });

  test("files that are no lookup: missing, failing, without a default export, or making no lookup", async () => {
    await expect(loadLookupFile(join(dir, "missing.ts"))).rejects.toThrow(`--lookup ${join(dir, "missing.ts")}: cannot load it:`);
    const throws = module("throws.ts");
    await expect(loadLookupFile(throws)).rejects.toThrow(`--lookup ${throws}: cannot load it: broken on purpose`);
    const named = module("named.ts");
    await expect(loadLookupFile(named)).rejects.toThrow(
      `--lookup ${named}: its default export must be a lookup factory { name, create(records) }`,
    );
    const empty = module("empty.ts");
    await expect(loadLookupFile(empty)).rejects.toThrow(
      `--lookup ${empty}: INVALID_OPTION: lookup empty: create() must return a HoleLookup; it lacks`,
    );
    const clash = module("clash.ts");
    await expect(loadLookupFile(clash)).rejects.toThrow("that is none of first-fit");
    const throwing = module("create-throws.ts");
    await expect(loadLookupFile(throwing)).rejects.toThrow(TypeError);
  });
});

describe("resolveLookups", () => {
  test("a comma list, each once, in order; files and names mixed", async () => {
    expect(await resolveLookups(` worst-fit , ${EXAMPLE},worst-fit`)).toEqual(["worst-fit", lifoFirstFit]);
    await expect(resolveLookups(" , ")).rejects.toThrow("--lookup: name at least one lookup");
  });
});
