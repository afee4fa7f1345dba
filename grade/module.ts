/**
 * A TypeScript/JavaScript module graded by the same checks as a C submission (issue 24, item 7): our
 * driver's twin, grade/drivers/driver.ts, runs each scenario in Bun, in the sandbox, importing the module.
 * Its "build" is loading it and finding the course's six functions. The checks that cannot apply to a
 * module (forbidden-calls, os-calls, page-size, memcheck) say `skipped` and why, in grade/grade.ts.
 */
import { existsSync, realpathSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type BuildResult, DRIVERS, firstErrors } from "./build.ts";
import { readTrace, type Trace } from "./run.ts";
import { type Limits, RUN_LIMITS, type Sandbox } from "./sandbox.ts";
import type { RunOptions, Subject } from "./subject.ts";

/**
 * What a module's runs must see of the file system, whatever shadows it in the sandbox (a checkout
 * under /tmp, hidden by the sandbox's private /tmp): the Bun that runs the driver, our driver, and the
 * module's package (the nearest folder above it holding a package.json, where its relative imports and
 * node_modules are), or its own folder without one. Never "/" or "/tmp" themselves (that would give the
 * sandbox the grader's /tmp): then the module file alone. Real paths, as bwrap binds them.
 */
export function moduleReadOnly(file: string, bun = process.execPath): string[] {
  const real = realpathSync(file);
  let root = dirname(real);
  for (let dir = root; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) {
      root = dir;
      break;
    }
  }
  const shadowing = root === "/" || root === "/tmp";
  return [shadowing ? real : root, realpathSync(bun), realpathSync(DRIVERS)];
}

/** Bun reserves much address space: a module's runs have no RLIMIT_AS, only the other limits. */
const MODULE_LIMITS: Limits = { ...RUN_LIMITS, memoryBytes: 0, processes: 64, wallMs: 20_000 };

export class ModuleSubject implements Subject {
  readonly kind = "module";
  readonly workDir: string;
  /** The module's real path: the one the sandbox binds. */
  private readonly real: string;
  private built: Promise<BuildResult> | undefined;
  private count = 0;

  constructor(
    readonly sandbox: Sandbox,
    readonly file: string,
  ) {
    this.real = realpathSync(file);
    this.workDir = sandbox.makeWorkDir();
  }

  private command(): string[] {
    return [realpathSync(process.execPath), join(realpathSync(DRIVERS), "driver.ts"), this.real];
  }

  private readOnly(): string[] {
    return moduleReadOnly(this.real);
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
