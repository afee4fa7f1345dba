/**
 * The scenarios `mems grade`'s checks run (in the driver's language, grade/drivers/driver.c), the seeded
 * random ones of the differential check, and turning a driver scenario into a `.mtrace` that
 * `mems replay` runs. Sizes are chosen for PAGE_SIZE 4096 (the page-size check reruns its scenario at
 * 1024 and 8192): each comment says what the course's MeMS does, in addresses relative to the start.
 */
import { Prng } from "../lib/prng.ts";

/** The course's example program (scenarios/example.mtrace), without its echo lines. */
export const EXAMPLE = [...Array.from({ length: 10 }, (_, i) => `a ${i} 1000`), "w 0 0 200", "g 0 0", "s", "f 3", "s", "a 3 1000", "s"];

export const START = ["a 0 100", "a 1 100"];

/** Holes of 300 (at 100) and 200 (at 500): first fit puts 150 in the first, best fit in the second. */
export const FIRST_FIT = ["a 0 100", "a 1 300", "a 2 100", "a 3 200", "a 4 100", "f 1", "f 3", "a 5 150", "a 6 100", "s"];

/** A HOLE splits into the block and a HOLE of the rest; an exact fit leaves no empty HOLE. */
export const SPLIT = ["a 0 100", "s", "a 1 200", "a 2 50", "f 1", "s", "a 3 60", "s", "a 4 140", "s"];

/** A freed block merges with a HOLE before it, after it, and on both sides. */
export const MERGE = ["a 0 100", "a 1 100", "a 2 100", "a 3 100", "a 4 100", "f 1", "s", "f 2", "s", "f 4", "s", "f 3", "s"];

/** A fitting HOLE in the first segment is used before a new mmap. */
export const REUSE = ["a 0 4000", "a 1 4000", "f 0", "a 2 3000", "s", "a 3 900", "s"];

/** Requests over a page get whole pages; the rest of the last page is a HOLE. */
export const MULTI_PAGE = ["a 0 5000", "s", "a 1 9000", "s", "a 2 3000", "s", "f 1", "s"];

/** Frees of no block start: inside a block, past every segment, before the start, twice. */
export const BAD_FREE = ["a 0 100", "a 1 100", "s", "F 50", "F 100000", "F -1", "f 1", "f 1", "s"];

/** Every number of the stats: pages used, space unused, main chain length, sub-chain lengths. */
export const STATS = ["s", "a 0 100", "a 1 5000", "a 2 2000", "f 0", "s", "a 3 9000", "a 4 3000", "s"];

/** After mems_finish and mems_init, blocks start over at the start address. */
export const FINISH = ["a 0 100", "a 1 5000", "x", "a 2 100", "s", "a 3 200", "s"];

/** Blocks of every kind, for the pattern check after every operation. */
export const GET = ["a 0 100", "a 1 5000", "a 2 3000", "f 0", "a 3 50", "a 4 9000", "f 2", "a 5 2000", "f 4", "a 6 300", "a 7 40"];

/** mmap and munmap as the course has them: multi-page segments, frees, a finish and a restart. */
export const OS_CALLS = ["a 0 100", "a 1 5000", "a 2 20000", "f 1", "x", "a 3 100", "a 4 9000"];

/** Run at PAGE_SIZE 1024, 4096 and 8192: a 1000-byte block fits the first page's rest only at 4096 and up. */
export const PAGE_SIZE_SCENARIO = ["a 0 100", "a 1 1000", "a 2 3000", "s", "f 1", "s", "a 3 5000", "s"];

/**
 * A seeded random scenario of `count` operations: mallocs of mixed sizes (some over a page), frees of
 * live blocks in random order, now and then a free of no block start, stats every few operations and
 * at the end. Every `a` names a fresh ID, so dropping operations (shrinking) keeps it valid.
 */
export function randomScenario(seed: number, count = 30): string[] {
  const rng = new Prng(seed);
  const ops: string[] = [];
  const live: number[] = [];
  const freed: number[] = [];
  let next = 0;
  for (let i = 0; i < count; i++) {
    const roll = rng.next();
    if (roll < 0.5 || live.length === 0) {
      const size = rng.chance(0.15) ? rng.int(4097, 12_000) : rng.int(1, 1500);
      ops.push(`a ${next} ${size}`);
      live.push(next++);
    } else if (roll < 0.85) {
      const [id] = live.splice(rng.int(0, live.length - 1), 1);
      ops.push(`f ${id}`);
      freed.push(id ?? 0);
    } else if (roll < 0.92 && freed.length > 0) ops.push(`f ${freed[rng.int(0, freed.length - 1)]}`);
    else ops.push(`F ${rng.int(1, 3000)}`);
    if (i % 6 === 5) ops.push("s");
  }
  ops.push("s");
  return ops;
}

/** The operations left when `drop` (an index) goes: dropping a malloc drops every later use of its ID. */
export function withoutOp(ops: readonly string[], drop: number): string[] {
  const gone = ops[drop] ?? "";
  const id = gone.startsWith("a ") ? gone.split(" ")[1] : undefined;
  return ops.filter((op, i) => {
    if (i === drop) return false;
    if (id === undefined || i < drop) return true;
    const [code, opId] = op.split(" ");
    return !((code === "f" || code === "w" || code === "g") && opId === id);
  });
}

/** The course's start address, which a `.mtrace` uses for the driver's start-relative frees. */
const COURSE_START = 1000;

/** A driver scenario as a `.mtrace` for `mems replay` (a free of start + N becomes `F 1000+N`). */
export function toMtrace(ops: readonly string[], comment: readonly string[]): string {
  const lines = [...comment.map((line) => `# ${line}`), "@start 1000", "@page_size 4096"];
  for (const op of ops) {
    const [code, arg] = op.split(" ");
    lines.push(code === "F" ? `F ${COURSE_START + Number(arg)}` : op);
  }
  return `${lines.join("\n")}\n`;
}
