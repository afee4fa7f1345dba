/**
 * A run asked to stop by a signal: what cli/signals.ts throws at a run's safe points, and what a run
 * below the CLI (grade/grade.ts) lets through rather than report as a failed check. Here, in lib/, so
 * those layers need not import cli/.
 */

export type StopSignal = "SIGINT" | "SIGTERM";

/** The run was asked to stop by a signal. */
export class Stopped extends Error {
  constructor(readonly signal: StopSignal) {
    super(`stopped by ${signal}`);
    this.name = "Stopped";
  }
}
