/**
 * The one writer of the command line: every byte `mems` prints goes through `writeOut` (stdout) or
 * `writeErr` (stderr), and nothing else writes to fd 1.
 *
 * Why not `Bun.write(Bun.stdout, …)` or `process.stdout.write`: once anything touches `process.stdout`
 * (yargs reads its `columns` when it is imported) fd 1 is non-blocking, and Bun then re-sends the first
 * 64 KiB of a long text after a partial write into a pipe whose reader is slow (`mems replay F | (sleep
 * 0.5; cat)` printed 132,891 bytes for 67,355). Here each `write(2)` is ours: a short write continues
 * from where it stopped, and EAGAIN (the pipe is full) waits a little and tries again.
 *
 * A closed pipe (EPIPE: `mems gen | head -1`) is `OutputClosed`, which the CLI ends quietly on, as `cat`
 * does; any other failure (`> /dev/full`) is an `OutputError` naming the stream and why.
 */
import { writeSync } from "node:fs";

/** The reader of stdout or stderr has gone (EPIPE): nothing more can be said, the command ends quietly. */
export class OutputClosed extends Error {
  constructor(readonly fd: number) {
    super(`${streamName(fd)}: the reader has closed the pipe`);
    this.name = "OutputClosed";
  }
}

/** stdout or stderr cannot be written for another reason (a full disk, a closed descriptor). */
export class OutputError extends Error {
  constructor(
    readonly fd: number,
    readonly code: string,
  ) {
    super(`${streamName(fd)}: ${describeWriteError(code)}`);
    this.name = "OutputError";
  }
}

/** `write(2)` as node:fs has it: bytes written, or a thrown error with a `code`. */
export type WriteFn = (fd: number, buffer: Uint8Array, offset: number, length: number) => number;

const streamName = (fd: number): string => (fd === 1 ? "stdout" : fd === 2 ? "stderr" : `fd ${fd}`);

function describeWriteError(code: string): string {
  switch (code) {
    case "ENOSPC":
      return "no space left on device";
    case "EBADF":
      return "not open for writing";
    case "EIO":
      return "input/output error";
    default:
      return `cannot write (${code})`;
  }
}

/** Longest wait between two tries on a full pipe, ms: a slow reader still gets 64 KiB every 10 ms. */
const MAX_WAIT_MS = 10;

/**
 * One write(2) of what is left: the bytes it took, or 0 when the pipe is full (EAGAIN) and the caller
 * should wait. Throws OutputClosed on EPIPE and OutputError on any other error.
 */
function writeSome(fd: number, bytes: Uint8Array, offset: number, write: WriteFn): number {
  try {
    return write(fd, bytes, offset, bytes.length - offset);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "EAGAIN" || code === "EWOULDBLOCK" || code === "EINTR") return 0;
    if (code === "EPIPE") throw new OutputClosed(fd);
    throw new OutputError(fd, typeof code === "string" ? code : String(error));
  }
}

const toBytes = (text: string | Uint8Array): Uint8Array => (typeof text === "string" ? Buffer.from(text, "utf8") : text);

/** The wait after `tries` fruitless tries in a row: 1, 2, 4, 8, then 10 ms. */
const backoff = (tries: number): number => Math.min(MAX_WAIT_MS, 2 ** Math.min(tries - 1, 4));

/**
 * The one write loop of writeAll and writeAllSync: writes `text` to `fd` a chunk at a time and yields how
 * many ms to wait each time the pipe took nothing (the caller waits, asynchronously or not).
 */
function* waitsWhileWriting(fd: number, text: string | Uint8Array, write: WriteFn): Generator<number> {
  const bytes = toBytes(text);
  let tries = 0;
  for (let offset = 0; offset < bytes.length; ) {
    const written = writeSome(fd, bytes, offset, write);
    offset += written;
    tries = written > 0 ? 0 : tries + 1;
    if (tries > 0) yield backoff(tries);
  }
}

/**
 * Writes all of `text` to `fd`, waiting (without blocking the event loop, so signals are still handled)
 * while the pipe is full. Resolves once every byte has been taken by the kernel.
 */
export async function writeAll(
  fd: number,
  text: string | Uint8Array,
  write: WriteFn = writeSync,
  wait: (ms: number) => Promise<unknown> = Bun.sleep,
): Promise<void> {
  for (const ms of waitsWhileWriting(fd, text, write)) await wait(ms);
}

/** writeAll for callers that cannot wait asynchronously (progress lines from synchronous loops). */
export function writeAllSync(
  fd: number,
  text: string | Uint8Array,
  write: WriteFn = writeSync,
  wait: (ms: number) => void = Bun.sleepSync,
): void {
  for (const ms of waitsWhileWriting(fd, text, write)) wait(ms);
}

/** Writes `text` to stdout. */
export function writeOut(text: string): Promise<void> {
  return writeAll(1, text);
}

/** Writes `text` to stderr at once (messages and progress lines are short). */
export function writeErr(text: string): void {
  writeAllSync(2, text);
}
