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
