/**
 * The checkout an A/B script measures (bare.ts, split.ts, open.ts, bookkeeping.ts): its core and trace
 * reader, loaded from the folder named on the command line, so one script times any worktree.
 */
import { resolve } from "node:path";

/**
 * A checkout's core and trace reader, for the A/B scripts here that run one checkout against another:
 * the named folder (a worktree at the commit to compare), or this checkout when none is named.
 */
export async function loadCheckout(dir: string | undefined) {
  const root = resolve(dir ?? `${import.meta.dir}/../..`);
  const { Mems } = (await import(`${root}/core/index.ts`)) as typeof import("../../core/index.ts");
  const { readScenario, Op } = (await import(`${root}/trace/format.ts`)) as typeof import("../../trace/format.ts");
  return { root, Mems, readScenario, Op };
}
