/**
 * A stand-in for conformance/worker.ts, for the tests of the pool and of how the harness reports what
 * it answers, without running real cases: it speaks the same IPC. An odd seed fails (its scenario file
 * is written, as a real failing case keeps it), an even one passes, and seed 13 crashes its process
 * (SIGSEGV, as a touch of unmapped memory would) after a word on stderr. Smaller seeds answer later,
 * so the cases finish out of order.
 */
import { writeFileSync } from "node:fs";
import type { WorkerReply, WorkerRequest } from "../conformance/pool.ts";

process.on("disconnect", () => process.exit(0));
process.on("message", async ({ id, job }: WorkerRequest) => {
  if (job.seed === 13) {
    process.stderr.write(`seed 13: about to crash\n`);
    process.kill(process.pid, "SIGSEGV");
    return;
  }
  await Bun.sleep(Math.max(0, 20 - job.seed) * 5);
  const failing = job.seed % 2 === 1;
  if (failing) writeFileSync(job.file, `# seed ${job.seed}\n`);
  process.send?.({ id, problems: failing ? [`seed ${job.seed} at ${job.align}: odd`] : [] } satisfies WorkerReply);
});
