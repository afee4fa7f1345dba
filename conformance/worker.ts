/**
 * A worker process of the differential suite (pool.ts starts one per job): takes cases over Bun's IPC
 * channel, one at a time, runs each (differential.ts) and answers with its problems. It ends when its
 * parent closes the channel, or dies (bench/orphan.ts: the kernel ends it even mid-replay).
 */
import { exitWithParent } from "../bench/orphan.ts";
import { runDifferentialCase } from "./differential.ts";
import type { WorkerReply, WorkerRequest } from "./pool.ts";
import { errorText } from "./ts-run.ts";

exitWithParent();
process.on("disconnect", () => process.exit(0));
process.on("message", async (message: WorkerRequest) => {
  let problems: string[];
  try {
    problems = await runDifferentialCase(message.job);
  } catch (error) {
    problems = [errorText(error)];
  }
  process.send?.({ id: message.id, problems } satisfies WorkerReply);
});
