/**
 * The CLI's one writer (cli/output.ts) in-process, against a write(2) that takes a few bytes at a time,
 * reports EAGAIN (a full pipe), EPIPE (a closed pipe) or ENOSPC: every byte arrives once and in order.
 * The same writer through real pipes and slow readers: pipes.test.ts.
 */
import { describe, expect, test } from "bun:test";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OutputClosed, OutputError, type WriteFn, writeAll, writeAllSync, writeErr, writeOut } from "./output.ts";

/** A write(2) that takes at most `chunk` bytes, and fails with `EAGAIN` on every call listed in `again`. */
function fakeWrite(chunk: number, again: Set<number>, fail?: { at: number; code: string }) {
  const chunks: Uint8Array[] = [];
  let calls = 0;
  const write: WriteFn = (fd, buffer, offset, length) => {
    expect(fd).toBe(7);
    calls++;
    if (fail !== undefined && calls === fail.at) throw Object.assign(new Error(fail.code), { code: fail.code });
    if (again.has(calls)) throw Object.assign(new Error("EAGAIN: resource temporarily unavailable"), { code: "EAGAIN" });
    const taken = Math.min(chunk, length);
    chunks.push(buffer.slice(offset, offset + taken));
    return taken;
  };
  return { write, received: () => Buffer.concat(chunks), calls: () => calls };
}

const text = "é".repeat(1000) + "x".repeat(70_001); // multi-byte characters cut across writes too
const bytes = Buffer.from(text, "utf8");

describe("writeAll (stdout)", () => {
  test("short writes continue where they stopped; EAGAIN waits with a growing, bounded back-off", async () => {
    const again = new Set([2, 3, 4, 5, 6, 7, 9]);
    const fake = fakeWrite(4093, again);
    const waits: number[] = [];
    await writeAll(7, text, fake.write, async (ms) => waits.push(ms));
    expect(fake.received().equals(bytes)).toBe(true);
    expect(waits).toEqual([1, 2, 4, 8, 10, 10, 1]);
  });

  test("EPIPE is OutputClosed (the reader has gone); other errors are OutputError naming the stream", async () => {
    const closed = fakeWrite(100, new Set(), { at: 3, code: "EPIPE" });
    const error = await writeAll(7, text, closed.write, async () => undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputClosed);
    expect(closed.received().equals(bytes.subarray(0, 200))).toBe(true);

    const full = fakeWrite(100, new Set(), { at: 1, code: "ENOSPC" });
    const error2 = await writeAll(7, "abc", full.write).catch((e: unknown) => e);
    expect(error2).toBeInstanceOf(OutputError);
    expect((error2 as OutputError).message).toBe("fd 7: no space left on device");
    const odd = fakeWrite(100, new Set(), { at: 1, code: "EWHATEVER" });
    expect(((await writeAll(7, "abc", odd.write).catch((e: unknown) => e)) as Error).message).toBe("fd 7: cannot write (EWHATEVER)");
  });

  test("a real file descriptor gets the text, byte for byte; empty text writes nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mems-output-test-"));
    try {
      const file = join(dir, "out");
      const fd = openSync(file, "w");
      await writeAll(fd, text);
      writeAllSync(fd, new Uint8Array([10, 65]));
      closeSync(fd);
      expect(readFileSync(file, "utf8")).toBe(`${text}\nA`);
      await writeOut("");
      writeErr("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("messages name stdout and stderr", () => {
    expect(new OutputClosed(1).message).toBe("stdout: the reader has closed the pipe");
    expect(new OutputError(2, "EBADF").message).toBe("stderr: not open for writing");
    expect(new OutputError(1, "EIO").message).toBe("stdout: input/output error");
  });
});

describe("writeAllSync (stderr)", () => {
  test("the same loop, waiting synchronously", () => {
    const fake = fakeWrite(1000, new Set([1, 5, 6]));
    const waits: number[] = [];
    writeAllSync(7, text, fake.write, (ms) => waits.push(ms));
    expect(fake.received().equals(bytes)).toBe(true);
    expect(waits).toEqual([1, 1, 2]);
  });

  test("EPIPE is OutputClosed here too", () => {
    const fake = fakeWrite(10, new Set(), { at: 2, code: "EPIPE" });
    expect(() => writeAllSync(7, text, fake.write, () => undefined)).toThrow(OutputClosed);
  });
});
