/**
 * A lookup named on the command line (`mems replay`, `soak`, `viz`) or in `bun bench`: one of the core's,
 * by name, or a file whose default export is a LookupFactory, a lookup written outside the project
 * (docs/strategies.md; docs/examples/lifo-first-fit.ts is one).
 *
 * A file is loaded, and its factory tried on a new instance (which maps nothing until its first malloc),
 * before anything runs, so a bad one is a usage error rather than a failure half-way through a replay.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { LOOKUPS, type Lookup, type LookupFactory, Mems, MemsError } from "../core/index.ts";

/** What a `--lookup` value stands for: a core lookup's name, or a lookup written outside the project. */
export type LookupChoice = Lookup | LookupFactory;

/** The name a lookup goes by (a file's is the factory's `name`). */
export function lookupName(choice: LookupChoice): string {
  return typeof choice === "string" ? choice : choice.name;
}

function isCoreLookup(text: string): text is Lookup {
  return LOOKUPS.some((name) => name === text);
}

/** A value that names a file rather than a lookup: it has a slash, or ends in .ts, .js or .mjs. */
export function isLookupFile(text: string): boolean {
  return text.includes("/") || /\.(ts|js|mjs)$/.test(text);
}

/**
 * Loads the lookup a file exports by default and checks it makes one.
 * @throws Error saying what is wrong with the file (for the CLI's usage error).
 */
export async function loadLookupFile(file: string): Promise<LookupFactory> {
  let module: unknown;
  try {
    module = await import(pathToFileURL(resolve(file)).href);
  } catch (error) {
    throw new Error(`--lookup ${file}: cannot load it: ${error instanceof Error ? error.message : String(error)}`);
  }
  const factory: unknown = typeof module === "object" && module !== null ? Reflect.get(module, "default") : undefined;
  if (!looksLikeFactory(factory)) {
    throw new Error(`--lookup ${file}: its default export must be a lookup factory { name, create(records) } (docs/strategies.md)`);
  }
  try {
    // The constructor checks the factory and the lookup it makes; nothing is mapped before a malloc.
    new Mems({ lookup: factory }).finish();
  } catch (error) {
    if (error instanceof MemsError) throw new Error(`--lookup ${file}: ${error.message}`);
    throw error;
  }
  return factory;
}

/** An object with a string `name` and a `create` function; the Mems constructor checks the rest. */
function looksLikeFactory(value: unknown): value is LookupFactory {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof Reflect.get(value, "name") === "string" &&
    typeof Reflect.get(value, "create") === "function"
  );
}

/**
 * One `--lookup` value: a core lookup by name, or a file.
 * @throws Error naming the known lookups, or what is wrong with the file.
 */
export async function resolveLookup(text: string): Promise<LookupChoice> {
  if (isCoreLookup(text)) return text;
  if (isLookupFile(text)) return loadLookupFile(text);
  throw new Error(`--lookup: no lookup ${text} (known: ${LOOKUPS.join(", ")}, or a file that exports one)`);
}

/** A comma-separated list of `--lookup` values (`mems viz`); each once, in order. */
export async function resolveLookups(text: string): Promise<LookupChoice[]> {
  const names = [
    ...new Set(
      text
        .split(",")
        .map((name) => name.trim())
        .filter((name) => name !== ""),
    ),
  ];
  if (names.length === 0) throw new Error("--lookup: name at least one lookup");
  const choices: LookupChoice[] = [];
  for (const name of names) choices.push(await resolveLookup(name));
  return choices;
}
