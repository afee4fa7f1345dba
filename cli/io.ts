/**
 * What every command shares: writing to stdout in one piece, failing with a message and an exit status,
 * and checking numeric options. Exit status: 0 done, 1 MeMS or a check failed while running, 2 bad usage
 * or bad input (reported before anything runs).
 */

/** Writes `text` to stdout and waits until it is written. */
export async function writeOut(text: string): Promise<void> {
  if (text.length > 0) await Bun.write(Bun.stdout, text);
}

/** Prints `message` on stderr and sets the exit status. */
export function fail(message: string, status: number): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = status;
}

export function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** A yargs check that the named options, when given, are integers of at least `min`. */
export function integerOptions(names: Record<string, number>) {
  return (argv: Record<string, unknown>): true => {
    for (const [name, min] of Object.entries(names)) {
      const value = argv[name];
      if (value !== undefined && !(isNonNegativeInteger(value) && value >= min)) {
        throw new Error(`--${name} must be an integer >= ${min}, got ${String(value)}`);
      }
    }
    return true;
  };
}
