/**
 * Running the differential suite's cases on every core: `jobs` worker processes (worker.ts), each given
 * the next case as soon as it answers, so a slow case holds up no other. Processes rather than threads:
 * a crash of the core (touching unmapped memory kills the process) then fails the one case it hit, with
 * how its worker died and the end of its stderr, and a fresh worker takes the next case. With one job
 * the cases run in the harness's own process, one after the other.
 */
import { join } from "node:path";
import type { Subprocess } from "bun";
import { PARENT_ENV } from "../bench/orphan.ts";
import { type DifferentialJob, runDifferentialCase } from "./differential.ts";

/** What the harness sends a worker: one case. */
export interface WorkerRequest {
  readonly id: number;
  readonly job: DifferentialJob;
}

/** What a worker answers: the case's problems (none: it passed). */
export interface WorkerReply {
  readonly id: number;
  readonly problems: string[];
}

/** The worker's script. */
export const WORKER_SCRIPT = join(import.meta.dir, "worker.ts");

/** How much of a dead worker's stderr its case's report quotes (the end of it). */
const STDERR_TAIL = 2000;

/** Runs cases one at a time. */
interface CaseRunner {
  run(job: DifferentialJob): Promise<string[]>;
  /** Stops it; a case it was running resolves as stopped. */
  close(): void;
}

/** One worker process at a time, started on first use and again after one dies. */
class WorkerRunner implements CaseRunner {
  #child: Subprocess<"ignore", "ignore", "pipe"> | undefined;
  #stderr: Promise<string> = Promise.resolve("");
  #pending: { readonly id: number; readonly resolve: (problems: string[]) => void } | undefined;
  #nextId = 0;

  constructor(private readonly script: string) {}

  run(job: DifferentialJob): Promise<string[]> {
    const child = this.#child ?? this.#start();
    const id = ++this.#nextId;
    return new Promise((resolve) => {
      this.#pending = { id, resolve };
      try {
        child.send({ id, job } satisfies WorkerRequest);
      } catch (error) {
        this.#settle([`could not hand the case to a worker process: ${error instanceof Error ? error.message : String(error)}`]);
      }
    });
  }

  close(): void {
    const child = this.#child;
    this.#child = undefined;
    child?.kill();
    this.#settle(["stopped before it finished"]);
  }

  #start(): Subprocess<"ignore", "ignore", "pipe"> {
    const child = Bun.spawn([process.execPath, this.script], {
      stdio: ["ignore", "ignore", "pipe"],
      serialization: "json",
      env: { ...process.env, [PARENT_ENV]: String(process.pid) }, // it ends should this process die (orphan.ts)
      ipc: (reply: WorkerReply) => {
        if (reply.id === this.#pending?.id) this.#settle(reply.problems);
      },
    });
    this.#child = child;
    this.#stderr = new Response(child.stderr).text();
    child.exited.then(() => this.#died(child));
    return child;
  }

  /** The worker ended without being asked: the case it was running fails, saying how it died. */
  async #died(child: Subprocess<"ignore", "ignore", "pipe">): Promise<void> {
    if (this.#child !== child) return; // closed, or already replaced
    this.#child = undefined;
    const stderr = (await this.#stderr.catch(() => "")).trim();
    const how = child.signalCode !== null ? `killed by ${child.signalCode}` : `exit code ${child.exitCode}`;
    const tail = stderr === "" ? "" : `; its stderr ended with:\n${stderr.slice(-STDERR_TAIL)}`;
    this.#settle([`the worker process running this case died (${how})${tail}`]);
  }

  #settle(problems: string[]): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.resolve(problems);
  }
}

/** The cases in this process. */
const inProcess: CaseRunner = { run: runDifferentialCase, close: () => undefined };

export interface PoolOptions {
  /** Cases run at once: worker processes, or 1 for this process alone. */
  readonly jobs: number;
  /** The workers' script (tests give one that dies); WORKER_SCRIPT when absent. */
  readonly script?: string;
}

/**
 * Runs every job, `options.jobs` at a time; calls `done` after each (in the order they finish) and
 * resolves with each job's problems, in job order. When `done` throws, the workers are stopped at once
 * and the run rejects with what it threw.
 */
export async function runCases(jobs: readonly DifferentialJob[], options: PoolOptions, done: () => void): Promise<string[][]> {
  const count = Math.max(1, Math.min(options.jobs, jobs.length));
  const runners = options.jobs <= 1 ? [inProcess] : Array.from({ length: count }, () => new WorkerRunner(options.script ?? WORKER_SCRIPT));
  const results: string[][] = new Array(jobs.length);
  let next = 0;
  let stop: { readonly error: unknown } | undefined;
  const drain = async (runner: CaseRunner): Promise<void> => {
    while (stop === undefined && next < jobs.length) {
      const index = next++;
      const job = jobs[index] as DifferentialJob;
      results[index] = await runner.run(job);
      if (stop !== undefined) return;
      try {
        done();
      } catch (error) {
        stop = { error };
        for (const other of runners) other.close();
      }
    }
  };
  try {
    await Promise.all(runners.map(drain));
  } finally {
    for (const runner of runners) runner.close();
  }
  if (stop !== undefined) throw stop.error;
  return results;
}
