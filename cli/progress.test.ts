/**
 * The progress line (cli/progress.ts) with a clock of our own: redrawn in place at most every 100 ms
 * on a terminal; plain lines without redraw codes elsewhere, one per finished step and otherwise one
 * every few seconds; the estimate of the time left, and conformance's line with it. Through a real
 * terminal and a real pipe: usage.test.ts.
 */
import { describe, expect, test } from "bun:test";
import { formatDuration } from "../lib/duration.ts";
import { progressText } from "./conformance-progress.ts";
import { ProgressLine, timeLeft } from "./progress.ts";

function line(tty: boolean) {
  const written: string[] = [];
  let now = 0;
  const progress = new ProgressLine({ write: (text) => written.push(text), tty, now: () => now });
  return { progress, written, at: (ms: number) => (now = ms) };
}

describe("on a terminal", () => {
  test("one line redrawn in place, at most every 100 ms; a finished step keeps its line", () => {
    const { progress, written, at } = line(true);
    progress.update("a 0/3");
    at(50);
    progress.update("a 1/3"); // too soon: not drawn
    at(120);
    progress.update("a 2/3");
    at(130);
    progress.update("a 3/3", true); // finished: always drawn, and ends the line
    progress.end(); // nothing open: nothing to end
    at(140);
    progress.update("b 0/2"); // the first line of the next step, however soon
    at(150);
    progress.update("b 1/2"); // too soon again
    progress.end(); // an open line is ended before anything else is printed
    expect(written.join("")).toBe("\r\x1b[Ka 0/3\r\x1b[Ka 2/3\r\x1b[Ka 3/3\n\r\x1b[Kb 0/2\n");
  });
});

describe("in a file or a pipe", () => {
  test("plain lines: the first and last of each step, and otherwise one every 5 s; no redraw codes", () => {
    const { progress, written, at } = line(false);
    progress.update("a 0/1000");
    at(1000);
    progress.update("a 10/1000");
    at(5001);
    progress.update("a 600/1000");
    at(5002);
    progress.update("a 1000/1000", true);
    at(5003);
    progress.update("b 0/10");
    at(5004);
    progress.update("b 1/10");
    progress.end();
    expect(written).toEqual(["a 0/1000\n", "a 600/1000\n", "a 1000/1000\n", "b 0/10\n"]);
  });

  test("the default clock is performance.now", () => {
    const written: string[] = [];
    const progress = new ProgressLine({ write: (text) => written.push(text), tty: false, intervalMs: 0 });
    progress.update("x");
    progress.update("y");
    expect(written).toEqual(["x\n", "y\n"]);
  });
});

describe("the time left", () => {
  test("at the rate so far; none before the first unit is done", () => {
    expect(timeLeft(0, 10, 5000)).toBeUndefined();
    expect(timeLeft(4, 10, 2000)).toBe(3000);
    expect(timeLeft(10, 10, 2000)).toBe(0);
  });

  test("durations as a person reads them", () => {
    expect([400, 9_949, 9_950, 59_400, 60_000, 125_000, 3_599_000, 3_725_000].map(formatDuration)).toEqual([
      "0.4 s",
      "9.9 s",
      "10 s",
      "59 s",
      "1 min 00 s",
      "2 min 05 s",
      "59 min 59 s",
      "1 h 02 min",
    ]);
  });

  test("conformance's line: done, to go and the time left; at the end, how long it took", () => {
    const at = (done: number, elapsedMs: number) => progressText({ suite: "differential", done, total: 2000, elapsedMs });
    expect(at(0, 0)).toBe("conformance: differential 0/2000 cases done, 2000 to go");
    expect(at(500, 40_000)).toBe("conformance: differential 500/2000 cases done, 1500 to go, about 2 min 00 s left");
    expect(at(2000, 170_400)).toBe("conformance: differential 2000/2000 cases, done in 2 min 50 s");
    expect(progressText({ suite: "golden", done: 3, total: 12, elapsedMs: 300 })).toBe(
      "conformance: golden 3/12 scenarios done, 9 to go, about 0.9 s left",
    );
  });
});
