/**
 * MeMS's parameters (PAGE_SIZE, start address, lookup, alignment), from the constructor's options first
 * and the environment (MEMS_PAGE_SIZE, MEMS_START_ADDRESS, MEMS_LOOKUP, MEMS_ALIGN) for what the options
 * leave unsaid; a variable set empty (`MEMS_LOOKUP= cmd`) counts as unset, as the shell's `${VAR:-default}`
 * has it. A bad value is an INVALID_OPTION error that names the option or the variable, quoting at most
 * an excerpt of a long one.
 */
import { parseDecimalInteger } from "../lib/integers.ts";
import { describeValue, MemsError, quoted } from "./errors.ts";
import type { LookupFactory } from "./lookups/lookup.ts";
import { LOOKUPS, type Lookup } from "./lookups/registry.ts";

/** The course's PAGE_SIZE. */
export const PAGE_SIZE = 4096;
/** The course's first MeMS virtual address. */
export const DEFAULT_START_ADDRESS = 1000;
/** The largest PAGE_SIZE accepted (1 GiB). */
export const MAX_PAGE_SIZE = 2 ** 30;
/**
 * 2^48: the largest start address accepted, and the largest request malloc accepts (so every virtual
 * address and size stays an exact integer in a double).
 */
export const MAX_ADDRESS = 2 ** 48;
/** The alignments MeMS takes (powers of two; 2^48 is a multiple of each, so a rounded request stays <= 2^48). */
export const ALIGNMENTS = [1, 2, 4, 8, 16] as const;
/** One of ALIGNMENTS. */
export type Alignment = (typeof ALIGNMENTS)[number];

/** An option left undefined is unsaid: the environment or the default gives it. */
export interface MemsOptions {
  /** The unit of mapping and of the stats' page count; any positive integer up to 2^30. Default 4096. */
  pageSize?: number | undefined;
  /** The first MeMS virtual address; an integer from 0 to 2^48. Default 1000. */
  startAddress?: number | undefined;
  /**
   * How a HOLE is chosen: one of LOOKUPS by name, or a lookup written outside the project (a
   * LookupFactory, docs/strategies.md). Default "first-fit", the reference.
   */
  lookup?: Lookup | LookupFactory | undefined;
  /**
   * 1, 2, 4, 8 or 16: every request is rounded up to a multiple of it (the stats show the rounded sizes),
   * so every block starts at a physical address that is a multiple of it, and typed views of that element
   * size fit any block. Default 1: the course's exact sizes.
   */
  align?: Alignment | undefined;
}

export interface ResolvedOptions {
  pageSize: number;
  startAddress: number;
  lookup: Lookup | LookupFactory;
  align: Alignment;
}

type Environment = Record<string, string | undefined>;

/** The text of an environment variable, undefined when it is unset or empty. */
function variable(env: Environment, name: string): string | undefined {
  const text = env[name];
  return text === "" ? undefined : text;
}

function checkInteger(value: unknown, min: number, max: number, name: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new MemsError(
      "INVALID_OPTION",
      `${name} must be an integer from ${min} to ${max}, got ${typeof value === "number" ? value : describeValue(value)}`,
    );
  }
  return value;
}

/** An integer option's names, range and default. */
interface IntegerOption {
  readonly option: "pageSize" | "startAddress";
  readonly variable: string;
  readonly min: number;
  readonly max: number;
  readonly fallback: number;
}

const PAGE_SIZE_OPTION: IntegerOption = { option: "pageSize", variable: "MEMS_PAGE_SIZE", min: 1, max: MAX_PAGE_SIZE, fallback: PAGE_SIZE };
const START_ADDRESS_OPTION: IntegerOption = {
  option: "startAddress",
  variable: "MEMS_START_ADDRESS",
  min: 0,
  max: MAX_ADDRESS,
  fallback: DEFAULT_START_ADDRESS,
};

/**
 * An integer option: the constructor's value, else the environment variable's text (decimal digits
 * only, read by the project's one integer reader: "1e3", "0x10" or " 12" are refused rather than
 * guessed at), else the default; either way within [min, max].
 */
function integerOption(options: MemsOptions, env: Environment, spec: IntegerOption): number {
  const value = options[spec.option];
  if (value !== undefined) return checkInteger(value, spec.min, spec.max, spec.option);
  const text = variable(env, spec.variable);
  if (text === undefined) return spec.fallback;
  const parsed = parseDecimalInteger(text);
  if (parsed === undefined) throw new MemsError("INVALID_OPTION", `${spec.variable} must be a decimal integer, got ${quoted(text)}`);
  return checkInteger(parsed, spec.min, spec.max, spec.variable);
}

function isLookup(value: unknown): value is Lookup {
  return LOOKUPS.some((name) => name === value);
}

function checkLookup(value: unknown, name: string): Lookup {
  if (!isLookup(value)) {
    const got = typeof value === "string" ? quoted(value) : describeValue(value);
    throw new MemsError("INVALID_OPTION", `${name} must be one of ${LOOKUPS.join(", ")}, got ${got}`);
  }
  return value;
}

/** A lookup's own name: letters, digits, dot, dash, underscore (it names bench allocators and files). */
const LOOKUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The `lookup` option: a core lookup's name, or an object with a name of its own and a `create` function. */
function checkLookupOption(value: unknown): Lookup | LookupFactory {
  if (typeof value !== "object" || value === null) return checkLookup(value, "lookup");
  const name: unknown = Reflect.get(value, "name");
  if (typeof name !== "string" || !LOOKUP_NAME.test(name) || isLookup(name)) {
    throw new MemsError(
      "INVALID_OPTION",
      `lookup: a lookup of your own needs a name of letters, digits, '.', '-' or '_' that is none of ${LOOKUPS.join(", ")}, got ${typeof name === "string" ? quoted(name) : describeValue(name)}`,
    );
  }
  if (!isLookupFactory(value)) throw new MemsError("INVALID_OPTION", `lookup ${name}: create must be a function (records) => HoleLookup`);
  return value;
}

/** An object with a string name and a create function (what checkLookupOption checks, as a type). */
function isLookupFactory(value: object): value is LookupFactory {
  return typeof Reflect.get(value, "name") === "string" && typeof Reflect.get(value, "create") === "function";
}

function isAlignment(value: unknown): value is Alignment {
  return ALIGNMENTS.some((align) => align === value);
}

/** The alignment: the option's, else MEMS_ALIGN's (decimal digits), else 1. */
function alignOption(options: MemsOptions, env: Environment): Alignment {
  const bad = (name: string, got: string): MemsError =>
    new MemsError("INVALID_OPTION", `${name} must be one of ${ALIGNMENTS.join(", ")}, got ${got}`);
  const value: unknown = options.align;
  if (value !== undefined) {
    if (!isAlignment(value))
      throw bad("align", typeof value === "string" ? quoted(value) : typeof value === "number" ? String(value) : describeValue(value));
    return value;
  }
  const text = variable(env, "MEMS_ALIGN");
  if (text === undefined) return 1;
  const parsed = parseDecimalInteger(text);
  if (!isAlignment(parsed)) throw bad("MEMS_ALIGN", quoted(text));
  return parsed;
}

/** The parameters an instance runs with; throws INVALID_OPTION naming the first bad one. */
export function resolveOptions(options: MemsOptions = {}, env: Environment = process.env): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new MemsError("INVALID_OPTION", `options must be an object, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (key !== "pageSize" && key !== "startAddress" && key !== "lookup" && key !== "align") {
      throw new MemsError("INVALID_OPTION", `unknown option ${quoted(key)}`);
    }
  }
  const pageSize = integerOption(options, env, PAGE_SIZE_OPTION);
  const startAddress = integerOption(options, env, START_ADDRESS_OPTION);
  const envLookup = variable(env, "MEMS_LOOKUP");
  const lookup =
    options.lookup !== undefined
      ? checkLookupOption(options.lookup)
      : envLookup !== undefined
        ? checkLookup(envLookup, "MEMS_LOOKUP")
        : "first-fit";
  return { pageSize, startAddress, lookup, align: alignOption(options, env) };
}
