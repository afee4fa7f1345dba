/**
 * bench/orphan.ts in-process: the kernel is asked for a signal on the parent's death (and the request
 * reads back), and the poll of the parent id notices a parent that has gone. A real worker whose
 * parent is killed with SIGKILL: stop.e2e.test.ts.
 */
import { describe, expect, spyOn, test } from "bun:test";
import { exitWithParent, PARENT_ENV, parentDeathSignal, setParentDeathSignal } from "../bench/orphan.ts";

describe("the parent-death signal", () => {
  test("is set and read back (Linux), then cleared again for the test runner", () => {
    if (process.platform !== "linux") {
      expect(setParentDeathSignal(9)).toBe(false);
      return;
    }
    try {
      expect(setParentDeathSignal(9)).toBe(true);
      expect(parentDeathSignal()).toBe(9);
    } finally {
      expect(setParentDeathSignal(0)).toBe(true);
    }
    expect(parentDeathSignal()).toBe(0);
  });
});

/** Waits until `condition` holds, giving up (and failing) after about 20 s so that a poll that never comes fails instead of hanging. */
async function pollsUntil(condition: () => boolean): Promise<void> {
  for (let waits = 0; waits < 4000 && !condition(); waits++) await Bun.sleep(5);
  expect(condition()).toBe(true);
}

describe("exitWithParent's poll", () => {
  test("does nothing while the parent lives, and calls onOrphan once when it has gone", async () => {
    let ppid = 1234;
    let polls = 0;
    let orphaned = 0;
    const asked = () => {
      polls++;
      return ppid;
    };
    const stop = exitWithParent({ parent: 1234, ppid: asked, onOrphan: () => orphaned++, intervalMs: 5, deathSignal: 0 });
    // Counted in polls, not milliseconds: a loaded machine runs the timer late, never wrong.
    await pollsUntil(() => polls >= 3);
    expect(orphaned).toBe(0);
    ppid = 1; // adopted by init: the parent died
    await pollsUntil(() => orphaned > 0);
    expect(orphaned).toBe(1);
    const pollsAtOrphan = polls;
    await Bun.sleep(20); // four intervals: a poll still running would ask again
    expect([orphaned, polls]).toEqual([1, pollsAtOrphan]); // the poll stopped
    stop(); // stopping twice is harmless
  }, 30_000);

  test("a parent already gone at the start is seen at once; the parent comes from MEMS_BENCH_PARENT", () => {
    const saved = process.env[PARENT_ENV];
    process.env[PARENT_ENV] = "999999";
    try {
      let orphaned = 0;
      const stop = exitWithParent({ onOrphan: () => orphaned++, deathSignal: 0 });
      expect(orphaned).toBe(1); // this process's parent is not 999999
      stop();
      delete process.env[PARENT_ENV];
      const stop2 = exitWithParent({ onOrphan: () => orphaned++, deathSignal: 0 });
      expect(orphaned).toBe(1); // without the variable: the parent at the time of the call
      stop2();
      const exit = spyOn(process, "exit").mockImplementation(() => undefined as never);
      try {
        exitWithParent({ parent: 999999, deathSignal: 0 });
        expect(exit).toHaveBeenCalledWith(1); // by default an orphan exits
      } finally {
        exit.mockRestore();
      }
    } finally {
      if (saved === undefined) delete process.env[PARENT_ENV];
      else process.env[PARENT_ENV] = saved;
    }
  });
});
