/**
 * MeMS's parameters (PAGE_SIZE, start address, lookup), from the constructor's options first and the
 * environment (MEMS_PAGE_SIZE, MEMS_START_ADDRESS, MEMS_LOOKUP) for what the options leave unsaid.
 * A bad value is an INVALID_OPTION error that names the option or the variable.
 */
import { MemsError } from "./errors.ts";
import { LOOKUPS, type Lookup } from "./lookup.ts";

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

/** An option left undefined is unsaid: the environment or the default gives it. */
export interface MemsOptions {
  /** The unit of mapping and of the stats' page count; any positive integer up to 2^30. Default 4096. */
  pageSize?: number | undefined;
  /** The first MeMS virtual address; an integer from 0 to 2^48. Default 1000. */
  startAddress?: number | undefined;
  /** How a HOLE is chosen. Default "first-fit", the reference. */
  lookup?: Lookup | undefined;
}

export interface ResolvedOptions {
  pageSize: number;
  startAddress: number;
  lookup: Lookup;
}

type Environment = Record<string, string | undefined>;

function checkInteger(value: unknown, min: number, max: number, name: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new MemsError("INVALID_OPTION", `${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

function fromEnvironment(text: string, name: string): number {
  // Decimal digits only: "1e3", "0x10", " 12" or "" are refused rather than guessed at.
  if (!/^[0-9]+$/.test(text)) {
    throw new MemsError("INVALID_OPTION", `${name} must be a decimal integer, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

function isLookup(value: unknown): value is Lookup {
  return LOOKUPS.some((name) => name === value);
}

function checkLookup(value: unknown, name: string): Lookup {
  if (!isLookup(value)) {
    throw new MemsError("INVALID_OPTION", `${name} must be one of ${LOOKUPS.join(", ")}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The parameters an instance runs with; throws INVALID_OPTION naming the first bad one. */
export function resolveOptions(options: MemsOptions = {}, env: Environment = process.env): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new MemsError("INVALID_OPTION", `options must be an object, got ${String(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (key !== "pageSize" && key !== "startAddress" && key !== "lookup") {
      throw new MemsError("INVALID_OPTION", `unknown option ${JSON.stringify(key)}`);
    }
  }
  const envPage = env.MEMS_PAGE_SIZE;
  const envStart = env.MEMS_START_ADDRESS;
  const envLookup = env.MEMS_LOOKUP;
  const pageSize =
    options.pageSize !== undefined
      ? checkInteger(options.pageSize, 1, MAX_PAGE_SIZE, "pageSize")
      : envPage !== undefined
        ? checkInteger(fromEnvironment(envPage, "MEMS_PAGE_SIZE"), 1, MAX_PAGE_SIZE, "MEMS_PAGE_SIZE")
        : PAGE_SIZE;
  const startAddress =
    options.startAddress !== undefined
      ? checkInteger(options.startAddress, 0, MAX_ADDRESS, "startAddress")
      : envStart !== undefined
        ? checkInteger(fromEnvironment(envStart, "MEMS_START_ADDRESS"), 0, MAX_ADDRESS, "MEMS_START_ADDRESS")
        : DEFAULT_START_ADDRESS;
  const lookup =
    options.lookup !== undefined
      ? checkLookup(options.lookup, "lookup")
      : envLookup !== undefined
        ? checkLookup(envLookup, "MEMS_LOOKUP")
        : "first-fit";
  return { pageSize, startAddress, lookup };
}
