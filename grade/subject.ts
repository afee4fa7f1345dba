/**
 * A graded thing that runs scenarios: a C submission (our driver built against its mems.h, rebuilt per
 * PAGE_SIZE on demand), our C reference (the same, its runs kept: every submission is compared with the
 * same traces), or a TypeScript/JavaScript module (grade/drivers/driver.ts in Bun). Each owns one sandbox
 * work folder, removed by `close()`.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type BuildResult, buildDriver } from "./build.ts";
import { runScenario, type Trace } from "./run.ts";
import { type Limits, RUN_LIMITS, type Sandbox } from "./sandbox.ts";

export interface RunOptions {
  readonly patterns?: boolean;
  /** PAGE_SIZE to rebuild with (the page-size check); the submission's own by default. */
  readonly pageSize?: number;
  readonly limits?: Limits;
  /** A command the driver runs under (valgrind). */
  readonly wrapper?: readonly string[];
}

export interface Subject {
  readonly kind: "c" | "module";
  readonly sandbox: Sandbox;
  readonly workDir: string;
  /** The build for `pageSize` (undefined: the submission's own), built once. */
  build(pageSize?: number): Promise<BuildResult>;
  run(ops: readonly string[], options?: RunOptions): Promise<Trace>;
  /** The driver's speed mode on `ops` (a/f lines), `repeat` rounds: ns per operation, or why not. */
  speed(ops: string, repeat: number): Promise<number | string>;
  close(): void;
}

/** A C submission (or our reference) in folder `dir`. */
export class CSubject implements Subject {
  readonly kind = "c";
  readonly workDir: string;
  private readonly builds = new Map<string, Promise<BuildResult>>();

  constructor(
    readonly sandbox: Sandbox,
    readonly dir: string,
  ) {
    this.workDir = sandbox.makeWorkDir();
  }

  build(pageSize?: number): Promise<BuildResult> {
    const key = String(pageSize);
    let build = this.builds.get(key);
    if (build === undefined) {
      build = buildDriver(this.sandbox, this.dir, this.workDir, pageSize);
      this.builds.set(key, build);
    }
    return build;
  }

  async run(ops: readonly string[], options: RunOptions = {}): Promise<Trace> {
    const built = await this.build(options.pageSize);
    if (!built.ok) throw new Error(`the driver does not build: ${built.errors}`);
    return runScenario(this.sandbox, this.workDir, built.binary, ops, options);
  }

  async speed(ops: string, repeat: number): Promise<number | string> {
    const built = await this.build();
    if (!built.ok) return "the driver does not build";
    return speedRun(this.sandbox, this.workDir, [built.binary], ops, repeat);
  }

  close(): void {
    this.sandbox.removeWorkDir(this.workDir);
  }
}

/** Runs a driver's speed mode: ns per operation, or why there is no figure. */
export async function speedRun(
  sandbox: Sandbox,
  workDir: string,
  command: readonly string[],
  ops: string,
  repeat: number,
): Promise<number | string> {
  const file = join(workDir, "speed.rep");
  writeFileSync(file, ops);
  const result = await sandbox.run([...command, "--speed", file, String(repeat)], workDir, {
    ...RUN_LIMITS,
    wallMs: 30_000,
    cpuSeconds: 20,
  });
  const figure = /@@ns-per-op ([0-9.]+)/.exec(result.stdout);
  if (result.status === 0 && figure !== null) return Number(figure[1]);
  if (result.timedOut) return "the speed run ran out of time";
  return `the speed run ended with ${result.signal ?? `status ${result.status}`}`;
}

/** Our reference: a CSubject whose traces are kept, so each scenario runs once per grading. */
export class ReferenceSubject extends CSubject {
  private readonly traces = new Map<string, Promise<Trace>>();
  private readonly speeds = new Map<string, Promise<number | string>>();

  override run(ops: readonly string[], options: RunOptions = {}): Promise<Trace> {
    const key = JSON.stringify([ops, options.patterns, options.pageSize, options.wrapper]);
    let trace = this.traces.get(key);
    if (trace === undefined) {
      trace = super.run(ops, options);
      this.traces.set(key, trace);
    }
    return trace;
  }

  override speed(ops: string, repeat: number): Promise<number | string> {
    const key = `${repeat}\n${ops}`;
    let figure = this.speeds.get(key);
    if (figure === undefined) {
      figure = super.speed(ops, repeat);
      this.speeds.set(key, figure);
    }
    return figure;
  }
}
