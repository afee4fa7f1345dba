/**
 * The one scenario parser: MeMS scenarios (`.mtrace`) and CS:APP malloc-lab traces (`.rep`).
 *
 * A whole file is parsed and checked before anything runs, into compact typed arrays (one slot per
 * operation, no object per operation) that `runner.ts` replays. Every rule here is shared with the C
 * reference under `conformance/reference/`, so the same file is accepted or rejected, at the same line,
 * by both. The format is described in shared/spec/trace-format.md.
 */

import { readFileSync } from "node:fs";

/* Operation codes */

/** Operation codes are the char codes of the operation letters, so a dump of `ops` reads as the file. */
export const Op = {
  /** `a ID SIZE`: ID := mems_malloc(SIZE). */
  Malloc: 0x61,
  /** `f ID`: mems_free(ID's address). */
  Free: 0x66,
  /** `r ID SIZE`: realloc as C does it. */
  Realloc: 0x72,
  /** `w ID OFFSET VALUE`: write an int32 at byte OFFSET of block ID. */
  Write: 0x77,
  /** `g ID OFFSET [TEXT...]`: read and print an int32. */
  Get: 0x67,
  /** `v ID`: print the block's virtual address. */
  Virtual: 0x76,
  /** `p ID [OFFSET]`: print virtual and physical address. */
  Physical: 0x70,
  /** `s`: mems_print_stats(). */
  Stats: 0x73,
  /** `e [TEXT...]`: echo TEXT. */
  Echo: 0x65,
  /** `x`: mems_finish(). */
  Finish: 0x78,
  /** `F VADDR`: mems_free of a raw virtual address. */
  FreeRaw: 0x46,
  /** `P VADDR`: mems_get of a raw virtual address. */
  PhysicalRaw: 0x50,
} as const;
export type OpCode = (typeof Op)[keyof typeof Op];

export type Dialect = "mtrace" | "malloclab";

/* Scenario */

/**
 * A parsed scenario. Operation `i` is `ops[i]` with operands `a[i]`, `b[i]`, `c[i]`:
 *
 * | op | a | b | c |
 * | --- | --- | --- | --- |
 * | a, r | block slot | SIZE | |
 * | f | block slot, -1 for `f -1` | | |
 * | w | block slot | OFFSET | VALUE |
 * | g | block slot | OFFSET | index into `texts` |
 * | v | block slot | | |
 * | p | block slot | OFFSET (0 when absent) | |
 * | e | | | index into `texts` |
 * | F, P | | VADDR | |
 * | s, x | | | |
 *
 * A block slot is a dense index given to each distinct ID in order of first appearance, so that a
 * runner sizes its per-block tables by `slotCount` whatever the IDs are; `slotId[slot]` is the ID.
 */
export interface Scenario {
  readonly file: string;
  readonly dialect: Dialect;
  /** Values fixed by `@` directives; absent keys are left to the runner's options. */
  readonly directives: { readonly pageSize?: number; readonly startAddress?: number };
  /** The malloc-lab header, for `.rep` traces. */
  readonly header?: MallocLabHeader;
  /** Number of operations. */
  readonly count: number;
  readonly ops: Uint8Array;
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly c: Float64Array;
  /** 1-based source line of each operation. */
  readonly lineOf: Int32Array;
  /** Texts of `g` and `e` operations, indexed by their `c` operand. */
  readonly texts: readonly string[];
  /** Largest ID named + 1 (0 when no ID is named). */
  readonly idCount: number;
  /** Number of distinct IDs named. */
  readonly slotCount: number;
  /** The ID of each block slot. */
  readonly slotId: Float64Array;
  /** Counts of `a`, of `f` and `F`, and of `r` lines. */
  readonly mallocs: number;
  readonly frees: number;
  readonly reallocs: number;
}

export interface MallocLabHeader {
  readonly heapSize: number;
  readonly idCount: number;
  readonly opCount: number;
  readonly weight: number;
}

/**
 * A bad line of a scenario; nothing of the scenario has run. `message` is the reason alone, made
 * printable (see `printable`); `toString()` is `FILE:LINE: message`, as the CLI prints it.
 */
export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(printable(message));
    this.name = "ScenarioError";
  }

  override toString(): string {
    return `${this.file}:${this.line}: ${this.message}`;
  }
}

/** The most characters of one word of an error message (a field of the bad line) that are shown. */
const EXCERPT_LENGTH = 60;

/**
 * `text` made safe for a terminal: control and format characters are escaped (`\x1b`, `\u202e`), and
 * each word (a field of the bad line, quotes aside) longer than EXCERPT_LENGTH is cut to an excerpt
 * ending in "...". A line of a binary file otherwise puts kilobytes of control bytes on the terminal.
 */
export function printable(text: string): string {
  const unsafe = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
  const escaped = (ch: string): string => {
    const code = ch.codePointAt(0) ?? 0;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  };
  const excerpt = (word: string): string => {
    const pieces: string[] = [];
    let length = 0;
    for (const ch of word) {
      const piece = unsafe.test(ch) ? escaped(ch) : ch;
      pieces.push(piece);
      length += piece.length;
    }
    if (length <= EXCERPT_LENGTH) return pieces.join("");
    while (length > EXCERPT_LENGTH - 3) length -= (pieces.pop() ?? "").length; // whole pieces: no half escapes
    return `${pieces.join("")}...`;
  };
  return text
    .split(" ")
    .map((word) => (word.length >= 2 && word.startsWith('"') && word.endsWith('"') ? `"${excerpt(word.slice(1, -1))}"` : excerpt(word)))
    .join(" ");
}

/* Lexing */

const DECIMAL = /^-?[0-9]+$/;
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

/** A source line with its comment and trailing `\r` removed. */
function stripLine(raw: string): string {
  const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
  const hash = line.indexOf("#");
  return hash < 0 ? line : line.slice(0, hash);
}

/** The space- or tab-separated fields of a line (a hand-written scan: traces have millions of lines). */
function splitFields(line: string): string[] {
  const fields: string[] = [];
  const length = line.length;
  let start = -1;
  for (let i = 0; i <= length; i++) {
    const code = i < length ? line.charCodeAt(i) : 32;
    if (code === 32 || code === 9) {
      if (start >= 0) fields.push(line.slice(start, i));
      start = -1;
    } else if (start < 0) {
      start = i;
    }
  }
  return fields;
}

/** True when the first non-comment, non-blank line is a bare integer (the malloc-lab header). */
function looksLikeMallocLab(lines: readonly string[]): boolean {
  for (const raw of lines) {
    const fields = splitFields(stripLine(raw));
    if (fields.length > 0) return fields.length === 1 && DECIMAL.test(fields[0] as string);
  }
  return false;
}

/** `.rep` files, and files whose first line is a bare integer, are malloc-lab traces. */
function dialectOf(lines: readonly string[], file: string): Dialect {
  return file.toLowerCase().endsWith(".rep") || looksLikeMallocLab(lines) ? "malloclab" : "mtrace";
}

export function detectDialect(text: string, file: string): Dialect {
  return dialectOf(text.split("\n"), file);
}

/* Parsing */

/** Field counts of each operation, as [least, most] including the op letter. */
const ARITY: Record<string, readonly [number, number, string]> = {
  a: [3, 3, "a ID SIZE"],
  f: [2, 2, "f ID"],
  r: [3, 3, "r ID SIZE"],
  w: [4, 4, "w ID OFFSET VALUE"],
  g: [3, Number.POSITIVE_INFINITY, "g ID OFFSET [TEXT...]"],
  v: [2, 2, "v ID"],
  p: [2, 3, "p ID [OFFSET]"],
  s: [1, 1, "s"],
  e: [1, Number.POSITIVE_INFINITY, "e [TEXT...]"],
  x: [1, 1, "x"],
  F: [2, 2, "F VADDR"],
  P: [2, 2, "P VADDR"],
};

const MALLOC_LAB_OPS = new Set(["a", "f", "r"]);
const HEADER_NAMES = ["suggested heap size", "number of ids", "number of operations", "weight"];

/** `larger` with `column` copied to its start. */
function copiedInto<T extends Uint8Array | Int32Array | Float64Array>(column: T, larger: T): T {
  larger.set(column);
  return larger;
}

/** Growable columns for the operations, trimmed to size at the end. */
class OpColumns {
  count = 0;
  ops = new Uint8Array(256);
  a = new Float64Array(256);
  b = new Float64Array(256);
  c = new Float64Array(256);
  lineOf = new Int32Array(256);

  push(op: OpCode, line: number, a: number, b: number, c: number): void {
    if (this.count === this.ops.length) this.grow();
    const i = this.count++;
    this.ops[i] = op;
    this.a[i] = a;
    this.b[i] = b;
    this.c[i] = c;
    this.lineOf[i] = line;
  }

  private grow(): void {
    const size = this.ops.length * 2;
    this.ops = copiedInto(this.ops, new Uint8Array(size));
    this.a = copiedInto(this.a, new Float64Array(size));
    this.b = copiedInto(this.b, new Float64Array(size));
    this.c = copiedInto(this.c, new Float64Array(size));
    this.lineOf = copiedInto(this.lineOf, new Int32Array(size));
  }
}

/**
 * Parses a whole scenario, checking every rule of the format.
 * @throws ScenarioError at the first bad line, in file order.
 */
export function parseScenario(text: string, file: string): Scenario {
  const lines = text.split("\n");
  const dialect = dialectOf(lines, file);

  let lineNo = 0;
  const fail = (reason: string, at = lineNo): never => {
    throw new ScenarioError(file, at, reason);
  };
  /** A decimal integer field (`-?[0-9]+`, within ±(2^53 - 1)), read digit by digit: traces are long. */
  const integer = (field: string, what: string): number => {
    const negative = field.charCodeAt(0) === 45; // "-"
    let value = 0;
    for (let i = negative ? 1 : 0; i < field.length; i++) {
      const digit = field.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) fail(`${what} "${field}" is not a decimal integer`);
      value = value * 10 + digit;
    }
    if (field.length === (negative ? 1 : 0)) fail(`${what} "${field}" is not a decimal integer`);
    if (value > Number.MAX_SAFE_INTEGER) fail(`${what} ${field} is out of range`);
    return negative && value !== 0 ? -value : value; // no -0
  };

  const columns = new OpColumns();
  const texts: string[] = [];
  const directives: { pageSize?: number; startAddress?: number } = {};
  const header: number[] = [];
  const headerLines: number[] = [];

  // Per block slot: the ID, and its size from its latest `a`/`r` line in file order (-1: none yet).
  // IDs below DIRECT_IDS find their slot in a table (slot + 1, 0 for none); larger ones in a Map.
  const DIRECT_IDS = 1 << 24;
  let direct = new Int32Array(1024);
  const slotOf = new Map<number, number>();
  const slotIds: number[] = [];
  const slotSize: number[] = [];
  let maxId = -1;
  const newSlot = (id: number): number => {
    const slot = slotIds.length;
    slotIds.push(id);
    slotSize.push(-1);
    if (id > maxId) maxId = id;
    return slot;
  };
  const slotFor = (id: number): number => {
    if (id < DIRECT_IDS) {
      if (id >= direct.length) {
        const grown = new Int32Array(Math.min(DIRECT_IDS, Math.max(direct.length * 2, id + 1)));
        grown.set(direct);
        direct = grown;
      }
      const known = direct[id] as number;
      if (known > 0) return known - 1;
      const slot = newSlot(id);
      direct[id] = slot + 1;
      return slot;
    }
    let slot = slotOf.get(id);
    if (slot === undefined) {
      slot = newSlot(id);
      slotOf.set(id, slot);
    }
    return slot;
  };
  /** A block ID field; `nullAllowed` admits -1 (the null pointer, for `f`). */
  const blockId = (field: string, nullAllowed = false): number => {
    const id = integer(field, "ID");
    if (id === -1 && nullAllowed) return -1;
    if (id < 0) fail(`ID ${id} is negative`);
    if (header.length === 4 && id >= (header[1] as number)) {
      fail(`ID ${id} is outside the header's range 0..${(header[1] as number) - 1}`);
    }
    return id;
  };
  /** The slot of an ID that must already have had an `a` or `r` line. */
  const allocatedSlot = (op: string, field: string): number => {
    const id = blockId(field);
    const slot = slotFor(id);
    if ((slotSize[slot] as number) < 0) fail(`"${op}" on ID ${id} before any "a" or "r" line for it`);
    return slot;
  };
  const size = (field: string): number => {
    const value = integer(field, "size");
    if (value < 0) fail(`size ${value} is negative`);
    return value;
  };
  const offset = (field: string): number => {
    const value = integer(field, "offset");
    if (value < 0) fail(`offset ${value} is negative`);
    return value;
  };
  /** The int32 at OFFSET must lie inside the block as the file last sized it. */
  const checkWord = (slot: number, at: number): void => {
    const blockSize = slotSize[slot] as number;
    if (at + 4 > blockSize) {
      fail(`offset ${at} + 4 is past the end of ID ${slotIds[slot]}'s ${blockSize}-byte block`);
    }
  };

  let mallocs = 0;
  let frees = 0;
  let reallocs = 0;

  for (const raw of lines) {
    lineNo++;
    const line = stripLine(raw);
    const fields = splitFields(line);
    if (fields.length === 0) continue;
    const name = fields[0] as string;

    if (dialect === "malloclab" && header.length < 4) {
      if (fields.length !== 1 || !DECIMAL.test(name)) {
        fail(
          `malloc-lab header: expected ${HEADER_NAMES[header.length]} (header number ${header.length + 1} of 4), got "${fields.join(" ")}"`,
        );
      }
      const value = integer(name, HEADER_NAMES[header.length] as string);
      if ((header.length === 1 || header.length === 2) && value < 0) {
        fail(`malloc-lab header: ${HEADER_NAMES[header.length]} ${value} is negative`);
      }
      header.push(value);
      headerLines.push(lineNo);
      continue;
    }

    if (name.startsWith("@")) {
      if (dialect === "malloclab") fail(`directive ${name} in a malloc-lab trace`);
      if (columns.count > 0) fail(`directive ${name} after the first operation`);
      if (name !== "@page_size" && name !== "@start") fail(`unknown directive ${name}`);
      if (fields.length !== 2) fail(`${name} takes one number, got ${fields.length - 1} fields`);
      if (name === "@page_size") {
        const value = integer(fields[1] as string, "@page_size");
        if (value < 1) fail(`@page_size ${value} must be >= 1`);
        directives.pageSize = value;
      } else {
        const value = integer(fields[1] as string, "@start");
        if (value < 0) fail(`@start ${value} must be >= 0`);
        directives.startAddress = value;
      }
      continue;
    }

    const arity = ARITY[name];
    if (arity === undefined) fail(`unknown operation "${name}"`);
    if (dialect === "malloclab" && !MALLOC_LAB_OPS.has(name)) {
      fail(`operation "${name}" is not allowed in a malloc-lab trace (only a, f, r)`);
    }
    const [least, most, usage] = arity as readonly [number, number, string];
    if (fields.length < least) fail(`missing field: expected "${usage}"`);
    if (fields.length > most) fail(`extra field "${fields[most]}": expected "${usage}"`);

    switch (name) {
      case "a":
      case "r": {
        const slot = slotFor(blockId(fields[1] as string));
        const bytes = size(fields[2] as string);
        slotSize[slot] = bytes;
        columns.push(name === "a" ? Op.Malloc : Op.Realloc, lineNo, slot, bytes, 0);
        if (name === "a") mallocs++;
        else reallocs++;
        break;
      }
      case "f": {
        const id = blockId(fields[1] as string, true);
        const slot = id === -1 ? -1 : allocatedSlot(name, fields[1] as string);
        columns.push(Op.Free, lineNo, slot, 0, 0);
        frees++;
        break;
      }
      case "w": {
        const slot = allocatedSlot(name, fields[1] as string);
        const at = offset(fields[2] as string);
        const value = integer(fields[3] as string, "value");
        if (value < INT32_MIN || value > INT32_MAX) fail(`value ${value} is outside int32`);
        checkWord(slot, at);
        columns.push(Op.Write, lineNo, slot, at, value);
        break;
      }
      case "g": {
        const slot = allocatedSlot(name, fields[1] as string);
        const at = offset(fields[2] as string);
        checkWord(slot, at);
        texts.push(fields.length > 3 ? fields.slice(3).join(" ") : "Value:");
        columns.push(Op.Get, lineNo, slot, at, texts.length - 1);
        break;
      }
      case "v":
        columns.push(Op.Virtual, lineNo, allocatedSlot(name, fields[1] as string), 0, 0);
        break;
      case "p": {
        const slot = allocatedSlot(name, fields[1] as string);
        const at = fields.length > 2 ? offset(fields[2] as string) : 0;
        columns.push(Op.Physical, lineNo, slot, at, 0);
        break;
      }
      case "s":
        columns.push(Op.Stats, lineNo, 0, 0, 0);
        break;
      case "x":
        columns.push(Op.Finish, lineNo, 0, 0, 0);
        break;
      case "e":
        texts.push(echoText(line));
        columns.push(Op.Echo, lineNo, 0, 0, texts.length - 1);
        break;
      case "F":
        columns.push(Op.FreeRaw, lineNo, 0, integer(fields[1] as string, "address"), 0);
        frees++;
        break;
      case "P":
        columns.push(Op.PhysicalRaw, lineNo, 0, integer(fields[1] as string, "address"), 0);
        break;
    }
  }

  let mallocLabHeader: MallocLabHeader | undefined;
  if (dialect === "malloclab") {
    const lastLine = Math.max(1, lines[lines.length - 1] === "" ? lines.length - 1 : lines.length);
    if (header.length < 4) fail(`malloc-lab header: expected 4 numbers, got ${header.length}`, lastLine);
    const [heapSize, idCount, opCount, weight] = header as [number, number, number, number];
    if (opCount !== columns.count) {
      fail(`malloc-lab header says ${opCount} operations, the trace has ${columns.count}`, headerLines[2]);
    }
    mallocLabHeader = { heapSize, idCount, opCount, weight };
  }

  const n = columns.count;
  return {
    file,
    dialect,
    directives,
    ...(mallocLabHeader ? { header: mallocLabHeader } : {}),
    count: n,
    ops: columns.ops.slice(0, n),
    a: columns.a.slice(0, n),
    b: columns.b.slice(0, n),
    c: columns.c.slice(0, n),
    lineOf: columns.lineOf.slice(0, n),
    texts,
    idCount: maxId + 1,
    slotCount: slotIds.length,
    slotId: Float64Array.from(slotIds),
    mallocs,
    frees,
    reallocs,
  };
}

/** The text of an `e` line: everything after `e` and one separating space or tab, verbatim. */
function echoText(line: string): string {
  const start = line.search(/[^ \t]/) + 1; // just past the `e`
  const separator = line[start];
  return separator === " " || separator === "\t" ? line.slice(start + 1) : line.slice(start);
}

/** Reads and parses a scenario file. */
export function readScenario(path: string): Scenario {
  return parseScenario(readFileSync(path, "utf8"), path);
}
