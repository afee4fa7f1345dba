/**
 * The typed error of MeMS. Every bad input to the idiomatic API throws one of these, and leaves every
 * block, every byte and the free list as they were.
 */

/**
 * What went wrong, as a stable code a caller can switch on. MISALIGNED: a typed view asked for at an
 * address that is not a multiple of its element size (`viewAs`).
 */
export type MemsErrorCode =
  | "INVALID_SIZE"
  | "ADDRESS_NOT_FOUND"
  | "OUT_OF_MEMORY"
  | "INVALID_OPTION"
  | "MISALIGNED"
  | "UNSUPPORTED_PLATFORM"
  | "BROKEN_LOOKUP";

export class MemsError extends Error {
  readonly code: MemsErrorCode;

  constructor(code: MemsErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = "MemsError";
    this.code = code;
  }
}

/** At most this many characters of a text are quoted in an error message: a 300-character value is not echoed whole. */
const EXCERPT_CHARACTERS = 40;

/** `text` as an error message quotes it: JSON-escaped (control bytes visible), cut short with its length said. */
export function quoted(text: string): string {
  if (text.length <= EXCERPT_CHARACTERS) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, EXCERPT_CHARACTERS))}... (${text.length} characters)`;
}

/**
 * What a value that should have been a number is, for an error message: its type and, for a primitive,
 * its value (`string "1000"`, `bigint 1000n`, `undefined`). An object is named by its kind only: its
 * own code (a valueOf, a getter) is not run while an error is made.
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case "string":
      return `string ${quoted(value)}`;
    case "bigint": {
      const digits = String(value);
      return digits.length <= EXCERPT_CHARACTERS ? `bigint ${digits}n` : `a bigint of ${digits.length} digits`;
    }
    case "number":
    case "boolean":
      return `${typeof value} ${String(value)}`;
    case "symbol":
      return "a symbol";
    case "function":
      return "a function";
    case "undefined":
      return "undefined";
    default:
      return value === null ? "null" : Array.isArray(value) ? "an array" : "an object";
  }
}

/** The Error checkInvariants throws, naming the invariant that broke (also the walk's, on a cycle). */
export function invariantBroken(message: string): Error {
  return new Error(`MeMS invariant broken: ${message}`);
}
