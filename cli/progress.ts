/**
 * A progress line on stderr. On a terminal it is one line redrawn in place (carriage return and
 * erase-to-end-of-line, at most every 100 ms), and a finished step leaves its line behind. Anywhere
 * else (a file, a pipe, CI's log) there are no redraw codes: plain lines, the first and the last of
 * each step and otherwise at most one every few seconds, so a long run still shows it is alive.
 */

export interface ProgressOptions {
  /** Where the text goes (stderr in the CLI). */
  write: (text: string) => void;
  /** Whether that is a terminal. */
  tty: boolean;
  /** Milliseconds, for tests. */
  now?: () => number;
  /** Least time between two unfinished updates shown, ms (default 100 on a terminal, 5000 elsewhere). */
  intervalMs?: number;
}

const REDRAW = "\r\x1b[K";

export class ProgressLine {
  private readonly write: (text: string) => void;
  private readonly tty: boolean;
  private readonly now: () => number;
  private readonly intervalMs: number;
  /** When the last update was shown; -Infinity before the first and after a finished step. */
  private shownAt = Number.NEGATIVE_INFINITY;
  /** A redrawn line is on the terminal without its newline. */
  private open = false;

  constructor(options: ProgressOptions) {
    this.write = options.write;
    this.tty = options.tty;
    this.now = options.now ?? (() => performance.now());
    this.intervalMs = options.intervalMs ?? (options.tty ? 100 : 5000);
  }

  /**
   * Shows `text` if enough time has passed since the last update, and always when `finished` or when
   * the previous update finished a step (the first line of the next step says what runs now).
   */
  update(text: string, finished = false): void {
    const now = this.now();
    if (!finished && now - this.shownAt < this.intervalMs) return;
    this.shownAt = finished ? Number.NEGATIVE_INFINITY : now;
    if (this.tty) {
      this.write(`${REDRAW}${text}${finished ? "\n" : ""}`);
      this.open = !finished;
    } else {
      this.write(`${text}\n`);
    }
  }

  /** Ends an unfinished redrawn line, so that what is printed next starts on a line of its own. */
  end(): void {
    if (this.open) this.write("\n");
    this.open = false;
  }
}

/* The time left */

/**
 * How long what is left should take at the rate so far (elapsed / done per unit), in ms; undefined
 * before anything is done, when there is no rate yet.
 */
export function timeLeft(done: number, total: number, elapsedMs: number): number | undefined {
  if (done <= 0) return undefined;
  return (elapsedMs / done) * Math.max(0, total - done);
}
