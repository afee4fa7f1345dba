/**
 * A TypeScript/JavaScript module graded by the same checks as a C submission (issue 24, item 7): our
 * driver's twin, grade/drivers/driver.ts, runs each scenario in Bun, in the sandbox, importing the module.
 * Its "build" is loading it and finding the course's six functions. The checks that cannot apply to a
 * module (forbidden-calls, os-calls, page-size, memcheck) say `skipped` and why, in grade/grade.ts.
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type BuildResult, DRIVERS, firstErrors } from "./build.ts";
import { readTrace, type Trace } from "./run.ts";
import { type Limits, RUN_LIMITS, type Sandbox } from "./sandbox.ts";
import type { RunOptions, Subject } from "./subject.ts";

/** Bun reserves much address space: a module's runs have no RLIMIT_AS, only the other limits. */
const MODULE_LIMITS: Limits = { ...RUN_LIMITS, memoryBytes: 0, processes: 64, wallMs: 20_000 };

export class ModuleSubject implements Subject {
  readonly kind = "module";
  readonly workDir: string;
  private built: Promise<BuildResult> | undefined;
  private count = 0;

  constructor(
    readonly sandbox: Sandbox,
    readonly file: string,
  ) {
    this.workDir = sandbox.makeWorkDir();
  }

  private command(): string[] {
    return [process.execPath, join(DRIVERS, "driver.ts"), this.file];
  }

  private readOnly(): string[] {
    return [dirname(this.file), DRIVERS];
  }

  build(pageSize?: number): Promise<BuildResult> {
    if (pageSize !== undefined) return Promise.resolve({ ok: false, errors: "a module has no PAGE_SIZE macro" });
    this.built ??= (async (): Promise<BuildResult> => {
      const result = await this.sandbox.run([...this.command(), "--check"], this.workDir, MODULE_LIMITS, this.readOnly());
      return result.status === 0 ? { ok: true, binary: this.file } : { ok: false, errors: firstErrors(result) };
    })();
    return this.built;
  }

  async run(ops: readonly string[], options: RunOptions = {}): Promise<Trace> {
    const file = join(this.workDir, `scenario-${this.count++}.txt`);
    writeFileSync(file, `${ops.join("\n")}\n`);
    const argv = [...this.command(), file, ...(options.patterns ? ["p"] : [])];
    return readTrace(await this.sandbox.run(argv, this.workDir, options.limits ?? MODULE_LIMITS, this.readOnly()));
  }

  async speed(): Promise<number | string> {
    return "speed is measured for C submissions only";
  }

  close(): void {
    this.sandbox.removeWorkDir(this.workDir);
  }
}
