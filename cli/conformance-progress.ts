/**
 * The progress text of `mems conformance`, apart from the command so that a test of the text loads
 * neither the command nor the harness (cli/conformance.ts is not in the package, and a file a test
 * loads but does not run would fail the coverage threshold).
 */
import type { Suite, SuiteProgress } from "../conformance/harness.ts";
import { formatDuration } from "../lib/duration.ts";
import { timeLeft } from "./progress.ts";

/** What a suite counts its inputs in (a differential case: one seed at one alignment). */
const UNITS: Record<Suite, string> = { golden: "scenarios", differential: "cases", malloclab: "traces" };

/**
 * The progress text of a suite: `conformance: differential 120/2000 cases done, 1880 to go, about
 * 2 min 41 s left` (the estimate at the rate so far, once there is one), and at its end
 * `conformance: differential 2000/2000 cases, done in 2 min 50 s`.
 */
export function progressText(progress: SuiteProgress): string {
  const { suite, done, total, elapsedMs } = progress;
  const head = `conformance: ${suite} ${done}/${total} ${UNITS[suite]}`;
  if (done >= total) return `${head}, done in ${formatDuration(elapsedMs)}`;
  const left = timeLeft(done, total, elapsedMs);
  return `${head} done, ${total - done} to go${left === undefined ? "" : `, about ${formatDuration(left)} left`}`;
}
