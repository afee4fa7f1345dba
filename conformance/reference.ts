/**
 * The C reference (conformance/reference/): building it with make and running its `replay` program.
 * This is the only module of the harness that starts processes.
 *
 * The reference's alignment is fixed when it is built (mems.h's MEMS_ALIGN): `make` builds `replay`
 * (alignment 1, the course's), `replay-align8` and `replay-align16`, and a run picks the one it needs.
 */
import { join } from "node:path";

export const REFERENCE_DIR = join(import.meta.dir, "reference");
export const REPLAY_BINARY = join(REFERENCE_DIR, "replay");
/** The alignments `make` builds a `replay` for. */
export const REFERENCE_ALIGNMENTS = [1, 8, 16] as const;

/** The `replay` built with MEMS_ALIGN `align` (one of REFERENCE_ALIGNMENTS). */
export function replayBinary(align: number): string {
  if (!(REFERENCE_ALIGNMENTS as readonly number[]).includes(align)) {
    throw new HarnessError(`no C reference is built for alignment ${align} (make builds ${REFERENCE_ALIGNMENTS.join(", ")})`);
  }
  return align === 1 ? REPLAY_BINARY : `${REPLAY_BINARY}-align${align}`;
}

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

/**
 * Runs `replay ARGS...` (the one built for `align`) and collects its output; the promise settles when
 * the process has exited.
 */
export async function runReference(args: readonly string[], align = 1): Promise<ReferenceRun> {
  const child = Bun.spawn([replayBinary(align), ...args], { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const [stdout, stderr, status] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { status, stdout, stderr };
}

/** A one-line account of a reference run that did not exit 0. */
export function describeExit(run: ReferenceRun): string {
  const reason = run.status === 3 ? "an invariant broke (--check)" : run.status === 2 ? "bad scenario" : "error";
  return `C reference exited ${run.status} (${reason}): ${run.stderr.trim() || "(no message)"}`;
}
