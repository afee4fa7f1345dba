/**
 * driver.ts: the TypeScript/JavaScript twin of driver.c, for `mems grade` of a module that exports the
 * course's six functions (our `mems/seed` among them): the same scenario language and the same markers,
 * so the same checks judge it. Run as `bun driver.ts MODULE SCENARIO [p]`; `bun driver.ts MODULE --check`
 * only says which of the six functions are missing (the module's "build"). mems_get's result is a real
 * address, read and written through bun:ffi.
 */

import { toArrayBuffer } from "bun:ffi";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

type Fn = (...args: unknown[]) => unknown;
const NAMES = ["mems_init", "mems_finish", "mems_malloc", "mems_free", "mems_print_stats", "mems_get"] as const;

const [modulePath = "", scenario = "", flags = ""] = process.argv.slice(2);
const loaded = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
const missing = NAMES.filter((name) => typeof loaded[name] !== "function");
if (missing.length > 0) {
  console.error(`${modulePath}: does not export ${missing.join(", ")}`);
  process.exit(4);
}
if (scenario === "--check") process.exit(0);
const api = loaded as Record<(typeof NAMES)[number], Fn>;

const address = new Map<number, number>();
const size = new Map<number, number>();
const live = new Set<number>();
let start: number | undefined;
const patterns = flags.includes("p");
const say = (line: string): void => console.log(`\n@@${line}`);
const pattern = (id: number, offset: number): number => (id * 131 + offset * 7 + 17) & 0xff;

/** One byte of memory at real address `p` (a view of it). */
const byteAt = (p: number): Uint8Array => new Uint8Array(toArrayBuffer(p as never, 0, 1));

function get(id: number, offset: number): number | null {
  const p = api.mems_get((address.get(id) ?? 0) + offset);
  return typeof p === "number" && p !== 0 ? p : null;
}

function fill(id: number): void {
  for (let i = 0; i < (size.get(id) ?? 0); i++) {
    const p = get(id, i);
    if (p === null) {
      say(`get null ${id} ${i}`);
      return;
    }
    byteAt(p)[0] = pattern(id, i);
  }
}

function verify(): void {
  for (const id of live) {
    for (let i = 0; i < (size.get(id) ?? 0); i++) {
      const p = get(id, i);
      const problem = p === null ? "null" : byteAt(p)[0] !== pattern(id, i) ? "changed" : undefined;
      if (problem !== undefined) {
        say(`get ${problem} ${id} ${i}`);
        return;
      }
    }
  }
}

function malloc(id: number, bytes: number): void {
  const v = api.mems_malloc(bytes);
  if (typeof v !== "number") {
    say("= null");
    live.delete(id);
    return;
  }
  say(`= ${v}`);
  start ??= v;
  address.set(id, v);
  size.set(id, bytes);
  live.add(id);
  if (patterns) fill(id);
}

function intAt(id: number, offset: number): Int32Array | null {
  const p = get(id, offset);
  if (p === null) {
    say(`get null ${id} ${offset}`);
    return null;
  }
  return new Int32Array(toArrayBuffer(p as never, 0, 4));
}

function step(line: string): void {
  const [code, x = 0, y = 0, z = 0] = line.split(" ").map((f, i) => (i === 0 ? f : Number(f))) as [string, number?, number?, number?];
  if (code === "a") malloc(x, y);
  else if (code === "f") {
    if (address.has(x)) api.mems_free(address.get(x));
    live.delete(x);
  } else if (code === "F") api.mems_free((start ?? 0) + x);
  else if (code === "w") {
    const cell = intAt(x, y);
    if (cell !== null) cell[0] = z;
  } else if (code === "g") {
    const cell = intAt(x, y);
    if (cell !== null) say(`value ${cell[0]}`);
  } else if (code === "s") api.mems_print_stats();
  else if (code === "x") {
    api.mems_finish();
    live.clear();
    address.clear();
    start = undefined;
    api.mems_init();
  }
}

const lines = readFileSync(scenario, "utf8")
  .split("\n")
  .filter((line) => line !== "");
api.mems_init();
lines.forEach((line, index) => {
  say(` ${index} ${line}`);
  step(line);
  if (patterns) verify();
});
say(` ${lines.length} end`);
api.mems_finish();
say("end");
