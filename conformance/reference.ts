/**
 * The C reference (conformance/reference/): building it with make and running its `replay` program.
 * This is the only module of the harness that starts processes.
 */
import { join } from "node:path";

export const REFERENCE_DIR = join(import.meta.dir, "reference");
export const REPLAY_BINARY = join(REFERENCE_DIR, "replay");

/** What one `replay` process did. */
export interface ReferenceRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A step of the harness that could not run at all (as opposed to a case that failed). */
export class HarnessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HarnessError";
  }
}

/**
 * Builds the reference quietly (`make -s -C DIR`; nothing to do is the usual case).
 * @throws HarnessError with make's output when make fails or cannot be started.
 */
export function buildReference(dir: string = REFERENCE_DIR): void {
  let result: ReturnType<typeof Bun.spawnSync>;
  try {
    result = Bun.spawnSync(["make", "-s", "-C", dir], { stdout: "pipe", stderr: "pipe" });
  } catch (error) {
    throw new HarnessError(`cannot run make: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (result.exitCode !== 0) {
    const output = `${result.stdout?.toString() ?? ""}${result.stderr?.toString() ?? ""}`.trim();
    throw new HarnessError(`make -C ${dir} failed (exit ${result.exitCode}):\n${output}`);
  }
}

/** Runs `replay ARGS...` and collects its output; the promise settles when the process has exited. */
export async function runReference(args: readonly string[]): Promise<ReferenceRun> {
  const child = Bun.spawn([REPLAY_BINARY, ...args], { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const [stdout, stderr, status] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { status, stdout, stderr };
}

/** A one-line account of a reference run that did not exit 0. */
export function describeExit(run: ReferenceRun): string {
  const reason = run.status === 3 ? "an invariant broke (--check)" : run.status === 2 ? "bad scenario" : "error";
  return `C reference exited ${run.status} (${reason}): ${run.stderr.trim() || "(no message)"}`;
}
