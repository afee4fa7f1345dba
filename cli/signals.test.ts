/**
 * cli/signals.ts in-process: a signal to this process becomes a stop request that the run sees at its
 * next safe point, the children are signalled, a run that does not stop in time and a second signal
 * end the process (here a recorded call instead), its temporary folders removed first. With real commands and real signals: stop.e2e.test.ts.
 */
import { afterEach, describe, expect, spyOn, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Stopped, type StopSignal } from "../lib/stopped.ts";
import { makeTemporaryFolder, temporaryFolders } from "../lib/temporary.ts";
import { childPids, dieOf, SIGNAL_NUMBER, signalChildren, stoppable } from "./signals.ts";

afterEach(() => {
  expect(process.listenerCount("SIGINT")).toBe(0); // stoppable always takes its listeners away
  expect(process.listenerCount("SIGTERM")).toBe(0);
});

/** Sends `signal` to this process and lets the event loop deliver it. */
async function raise(signal: StopSignal): Promise<void> {
  process.kill(process.pid, signal);
  await Bun.sleep(20);
}

describe("stoppable", () => {
  test("without a signal the run's result comes back", async () => {
    const stopped: string[] = [];
    const result = await stoppable(
      async (stop) => {
        stop.check();
        return 42;
      },
      { stopChildren: (signal) => stopped.push(signal) },
    );
    expect([result, stopped]).toEqual([42, []]);
  });

  test("a signal delivered as the run ends, before the event loop turns again, still stops it", async () => {
    const stopped: string[] = [];
    const error = await stoppable(
      async () => {
        // Delivered at once, dispatched to the listener only on a later turn of the event loop, which the
        // run's end does not give it (resolving its promise takes microtasks only).
        process.kill(process.pid, "SIGINT");
        return 42;
      },
      { stopChildren: (signal) => stopped.push(signal), die: (signal) => stopped.push(`died ${signal}`) },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stopped);
    expect(stopped).toEqual(["SIGINT"]);
  });

  test.each(["SIGINT", "SIGTERM"] as const)(
    "%s: children stopped at once, Stopped thrown at the next safe point, finally blocks run",
    async (signal) => {
      const events: string[] = [];
      const error = await stoppable(
        async (stop) => {
          try {
            await raise(signal);
            events.push("still running");
            stop.check();
            events.push("never");
          } finally {
            events.push("cleaned up");
          }
        },
        { stopChildren: (s) => events.push(`children ${s}`), die: (s) => events.push(`died ${s}`) },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Stopped);
      expect((error as Stopped).signal).toBe(signal);
      expect(events).toEqual([`children ${signal}`, "still running", "cleaned up"]);
      await Bun.sleep(20);
      expect(events).not.toContain(`died ${signal}`); // the deadline was cleared
    },
  );

  test("a signal after the last safe point still stops the command", async () => {
    const error = await stoppable(async () => raise("SIGTERM"), { stopChildren: () => undefined, die: () => undefined }).catch(
      (e: unknown) => e,
    );
    expect(error).toEqual(new Stopped("SIGTERM"));
  });

  test("a run that does not reach a safe point in time is ended; so is one that gets a second signal", async () => {
    const died: string[] = [];
    await stoppable(
      async () => {
        await raise("SIGINT");
        await Bun.sleep(60); // past the grace period
        await raise("SIGTERM");
      },
      { stopChildren: () => undefined, die: (s) => died.push(s), graceMs: 30 },
    ).catch(() => undefined);
    expect(died).toEqual(["SIGINT", "SIGTERM"]);
  });

  test.each([
    ["a second signal (bun run passes Ctrl-C on: SIGINT twice)", 1000, ["SIGINT", "SIGINT"]],
    ["the end of the grace period", 30, ["SIGINT"]],
  ] as const)("%s removes the temporary folders before the process ends", async (_, graceMs, signals) => {
    const dir = makeTemporaryFolder("mems-signals-test-");
    writeFileSync(join(dir, "trace.rep"), "1\n");
    const atDeath: boolean[] = [];
    await stoppable(
      async () => {
        for (const signal of signals) process.kill(process.pid, signal);
        await Bun.sleep(60); // no safe point: only the way out without the run's finally blocks is left
      },
      { stopChildren: () => undefined, die: () => atDeath.push(existsSync(dir)), graceMs },
    ).catch(() => undefined);
    expect(atDeath).toEqual([false]);
    expect(temporaryFolders()).not.toContain(dir);
  });
});

describe("children", () => {
  test("childPids finds this process's children; signalChildren signals them", async () => {
    const child = Bun.spawn(["sleep", "30"]);
    try {
      expect(childPids()).toContain(child.pid);
      expect(childPids(process.pid, "/no/proc")).toEqual([]);
      expect(signalChildren("SIGTERM", () => [child.pid, 2 ** 22 + 12345])).toEqual([child.pid, 2 ** 22 + 12345]); // the second is no process
      expect(await child.exited).toBe(128 + SIGNAL_NUMBER.SIGTERM);
      expect(child.signalCode).toBe("SIGTERM");
    } finally {
      child.kill("SIGKILL");
    }
  });

  test("the default stops every child with the signal received", async () => {
    const child = Bun.spawn(["sleep", "30"]);
    try {
      await stoppable(
        async (stop) => {
          await raise("SIGINT");
          stop.check();
        },
        { die: () => undefined },
      ).catch(() => undefined);
      await child.exited;
      expect(child.signalCode).toBe("SIGINT");
    } finally {
      child.kill("SIGKILL");
    }
  });
});

describe("dieOf", () => {
  test("puts back the default action, raises the signal, and exits with 128 + its number as a last resort", () => {
    const kill = spyOn(process, "kill").mockImplementation(() => true);
    const exit = spyOn(process, "exit").mockImplementation(() => undefined as never);
    try {
      // SIGINT, not SIGPIPE: its default action is already this process's, so the test runner is left as it was.
      process.on("SIGINT", () => undefined);
      dieOf("SIGINT");
      expect(kill).toHaveBeenCalledWith(process.pid, "SIGINT");
      expect(exit).toHaveBeenCalledWith(130);
      expect(process.listenerCount("SIGINT")).toBe(0);
    } finally {
      kill.mockRestore();
      exit.mockRestore();
    }
  });
});
