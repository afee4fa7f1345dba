/**
 * What the core's tests share: instances finished after each test (the fault injector switched off and
 * the spare tables they leave unmapped, so every test starts from a process that holds none), the code of the MemsError an action throws, and a snapshot of everything observable.
 */
import { afterEach } from "bun:test";
import { Mems, MemsError, type MemsErrorCode, type MemsOptions } from "../core/index.ts";
import { injectMmapFailures, releaseSpareBookkeeping } from "../core/testing.ts";

/** A `make(options)` whose instances are finished after every test of the calling file. */
export function instancesFinishedAfterEachTest(): (options?: MemsOptions) => Mems {
  const open: Mems[] = [];
  afterEach(() => {
    injectMmapFailures(0);
    for (const mems of open.splice(0)) mems.finish();
    releaseSpareBookkeeping();
  });
  return (options) => {
    const mems = new Mems(options);
    open.push(mems);
    return mems;
  };
}

/** The code of the MemsError that `action` throws, or what happened instead. */
export function codeOf(action: () => unknown): MemsErrorCode | "no error" | "not a MemsError" {
  try {
    action();
  } catch (error) {
    return error instanceof MemsError ? error.code : "not a MemsError";
  }
  return "no error";
}

/** Everything observable: the stats text, the chains, the stats, and the bytes of the given blocks. */
export function snapshot(mems: Mems, blocks: readonly number[]): string {
  const bytes = blocks.map((v) => Buffer.from(mems.view(v)).toString("hex"));
  const { mmapCalls: _m, munmapCalls: _u, ...stats } = mems.stats();
  return JSON.stringify({ text: mems.formatStats(), chains: mems.chains(), stats, bytes });
}
