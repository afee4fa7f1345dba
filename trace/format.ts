/**
 * The one scenario parser: MeMS scenarios (`.mtrace`) and CS:APP malloc-lab traces (`.rep`).
 *
 * A whole file is parsed and checked before anything runs, into compact typed arrays (one slot per
 * operation, no object per operation) that `runner.ts` replays. Every rule here is shared with the C
 * reference under `conformance/reference/`, so the same file is accepted or rejected, at the same line,
 * by both. The format is described in docs/trace-format.md.
 */

import { readFileSync } from "node:fs";
import { isDecimalInteger, parseDecimalInteger } from "../lib/integers.ts";

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
  readonly directives: Directives;
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

/** What a scenario's `@page_size`, `@start` and `@align` lines fix. */
export interface Directives {
  readonly pageSize?: number;
  readonly startAddress?: number;
  /** Every block's size rounded up to a multiple of it, so every block starts at a multiple of it. */
  readonly align?: number;
}

/** The values `@align` takes (MeMS's `align` option). */
export const DIRECTIVE_ALIGNMENTS: readonly number[] = [1, 2, 4, 8, 16];

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
 * each word (a field of the bad line, or a quoted span of several: quotes aside) longer than
 * EXCERPT_LENGTH is cut to an excerpt ending in "...". A line of a binary file otherwise puts kilobytes
 * of control bytes on the terminal.
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
  return quotedSpans(text.split(" "))
    .map((word) => (word.length >= 2 && word.startsWith('"') && word.endsWith('"') ? `"${excerpt(word.slice(1, -1))}"` : excerpt(word)))
    .join(" ");
}

/**
 * The words of a message with each quoted span of several words (a whole line quoted, spaces and all)
 * joined into one, so that it is cut to one excerpt rather than to one per word. A span not closed
 * stays as its words.
 */
function quotedSpans(words: readonly string[]): string[] {
  const spans: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? "";
    const opens = word.startsWith('"') && (word.length === 1 || !word.endsWith('"'));
    const close = opens ? words.findIndex((next, j) => j > i && next.endsWith('"')) : -1;
    if (close < 0) spans.push(word);
    else {
      spans.push(words.slice(i, close + 1).join(" "));
      i = close;
    }
  }
  return spans;
}

/* Lexing */

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

/** Field `i` of a line whose field count has been checked ("" past the end, which a checked line never is). */
function fieldAt(fields: readonly string[], i: number): string {
  return fields[i] ?? "";
}

/** True when the first non-comment, non-blank line is a bare integer (the malloc-lab header). */
function looksLikeMallocLab(lines: readonly string[]): boolean {
  for (const raw of lines) {
    const fields = splitFields(stripLine(raw));
    if (fields.length > 0) return fields.length === 1 && isDecimalInteger(fieldAt(fields, 0), true);
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

/** The text of an `e` line: everything after `e` and one separating space or tab, verbatim. */
function echoText(line: string): string {
  const start = line.search(/[^ \t]/) + 1; // just past the `e`
  const separator = line[start];
  return separator === " " || separator === "\t" ? line.slice(start + 1) : line.slice(start);
}

/* Operations */

/** What the parser knows of one operation letter: its fields, its dialects and the method that reads it. */
interface Operation {
  /** Field counts, the letter included, and the usage quoted when a line has too few or too many. */
  readonly least: number;
  readonly most: number;
  readonly usage: string;
  /** Allowed in malloc-lab traces (a, f and r only). */
  readonly mallocLab: boolean;
  /** Checks the fields of a line (their count already checked) and appends the operation. */
  readonly read: (parser: ScenarioParser, fields: readonly string[], line: string) => void;
}

function operation(least: number, most: number, usage: string, read: Operation["read"], mallocLab = false): Operation {
  return { least, most, usage, mallocLab, read };
}

/** Every operation letter (a Map: a line starting "constructor" is an unknown operation, not a property). */
const OPERATIONS = new Map<string, Operation>([
  ["a", operation(3, 3, "a ID SIZE", (p, f) => p.malloc(f), true)],
  ["f", operation(2, 2, "f ID", (p, f) => p.free(f), true)],
  ["r", operation(3, 3, "r ID SIZE", (p, f) => p.realloc(f), true)],
  ["w", operation(4, 4, "w ID OFFSET VALUE", (p, f) => p.write(f))],
  ["g", operation(3, Number.POSITIVE_INFINITY, "g ID OFFSET [TEXT...]", (p, f) => p.get(f))],
  ["v", operation(2, 2, "v ID", (p, f) => p.virtual(f))],
  ["p", operation(2, 3, "p ID [OFFSET]", (p, f) => p.physical(f))],
  ["s", operation(1, 1, "s", (p) => p.stats())],
  ["e", operation(1, Number.POSITIVE_INFINITY, "e [TEXT...]", (p, _f, line) => p.echo(line))],
  ["x", operation(1, 1, "x", (p) => p.finish())],
  ["F", operation(2, 2, "F VADDR", (p, f) => p.freeRaw(f))],
  ["P", operation(2, 2, "P VADDR", (p, f) => p.physicalRaw(f))],
]);

const HEADER_NAMES = ["suggested heap size", "number of ids", "number of operations", "weight"] as const;

/* Columns and block slots */

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

/** IDs below DIRECT_IDS find their slot in a table; larger ones in a Map. */
const DIRECT_IDS = 1 << 24;

/**
 * The block slots of the IDs a scenario names, in order of first appearance, each with the size of its
 * latest `a`/`r` line in file order (-1: none yet).
 */
class BlockSlots {
  /** Per ID below DIRECT_IDS: its slot + 1, 0 for none. */
  private direct = new Int32Array(1024);
  private readonly large = new Map<number, number>();
  readonly ids: number[] = [];
  private readonly sizes: number[] = [];
  maxId = -1;

  /** The slot of `id`, made on first sight. */
  slotOf(id: number): number {
    if (id >= DIRECT_IDS) return this.largeSlotOf(id);
    if (id >= this.direct.length) {
      this.direct = copiedInto(this.direct, new Int32Array(Math.min(DIRECT_IDS, Math.max(this.direct.length * 2, id + 1))));
    }
    const known = this.direct[id] ?? 0;
    if (known > 0) return known - 1;
    const slot = this.newSlot(id);
    this.direct[id] = slot + 1;
    return slot;
  }

  /** The size of the slot's latest `a`/`r` line, -1 before any. */
  sizeOf(slot: number): number {
    return this.sizes[slot] ?? -1;
  }

  sized(slot: number, bytes: number): void {
    this.sizes[slot] = bytes;
  }

  idOf(slot: number): number {
    return this.ids[slot] ?? -1;
  }

  private largeSlotOf(id: number): number {
    let slot = this.large.get(id);
    if (slot === undefined) {
      slot = this.newSlot(id);
      this.large.set(id, slot);
    }
    return slot;
  }

  private newSlot(id: number): number {
    const slot = this.ids.length;
    this.ids.push(id);
    this.sizes.push(-1);
    if (id > this.maxId) this.maxId = id;
    return slot;
  }
}

/* Parsing */

/**
 * One parse of one file: a method per kind of line (header number, directive) and per operation, each
 * checking its fields and appending to the columns. The first bad line throws.
 */
class ScenarioParser {
  private lineNo = 0;
  private readonly columns = new OpColumns();
  private readonly texts: string[] = [];
  private readonly directives: { -readonly [K in keyof Directives]: Directives[K] } = {};
  private readonly blocks = new BlockSlots();
  /** The malloc-lab header numbers read so far, and the line of each. */
  private readonly header: number[] = [];
  private readonly headerLines: number[] = [];
  /** IDs must be below this: the header's number of ids once it is read. */
  private idLimit = Number.POSITIVE_INFINITY;
  private mallocs = 0;
  private frees = 0;
  private reallocs = 0;

  constructor(
    private readonly file: string,
    private readonly dialect: Dialect,
  ) {}

  parse(lines: readonly string[]): Scenario {
    for (const raw of lines) {
      this.lineNo++;
      this.line(stripLine(raw));
    }
    return this.scenario(lines);
  }

  private line(line: string): void {
    const fields = splitFields(line);
    if (fields.length === 0) return;
    const name = fieldAt(fields, 0);
    if (this.dialect === "malloclab" && this.header.length < 4) this.headerNumber(fields);
    else if (name.startsWith("@")) this.directive(name, fields);
    else this.operation(name, fields, line);
  }

  /* Kinds of line */

  private headerNumber(fields: readonly string[]): void {
    const at = this.header.length;
    const name = HEADER_NAMES[at] ?? "header number";
    const text = fieldAt(fields, 0);
    if (fields.length !== 1 || !isDecimalInteger(text, true)) {
      this.fail(`malloc-lab header: expected ${name} (header number ${at + 1} of 4), got "${fields.join(" ")}"`);
    }
    const value = this.integer(text, name);
    if ((at === 1 || at === 2) && value < 0) this.fail(`malloc-lab header: ${name} ${value} is negative`);
    this.header.push(value);
    this.headerLines.push(this.lineNo);
    if (at === 1) this.idLimit = value;
  }

  private directive(name: string, fields: readonly string[]): void {
    if (this.dialect === "malloclab") this.fail(`directive ${name} in a malloc-lab trace`);
    if (this.columns.count > 0) this.fail(`directive ${name} after the first operation`);
    if (name !== "@page_size" && name !== "@start" && name !== "@align") this.fail(`unknown directive ${name}`);
    if (fields.length !== 2) this.fail(`${name} takes one number, got ${fields.length - 1} fields`);
    const value = this.integer(fieldAt(fields, 1), name);
    if (name === "@page_size") {
      if (value < 1) this.fail(`@page_size ${value} must be >= 1`);
      this.directives.pageSize = value;
    } else if (name === "@align") {
      if (!DIRECTIVE_ALIGNMENTS.includes(value)) this.fail(`@align ${value} must be 1, 2, 4, 8 or 16`);
      this.directives.align = value;
    } else {
      if (value < 0) this.fail(`@start ${value} must be >= 0`);
      this.directives.startAddress = value;
    }
  }

  private operation(name: string, fields: readonly string[], line: string): void {
    const operation = OPERATIONS.get(name);
    if (operation === undefined) this.fail(`unknown operation "${name}"`);
    if (this.dialect === "malloclab" && !operation.mallocLab) {
      this.fail(`operation "${name}" is not allowed in a malloc-lab trace (only a, f, r)`);
    }
    if (fields.length < operation.least) this.fail(`missing field: expected "${operation.usage}"`);
    if (fields.length > operation.most) this.fail(`extra field "${fields[operation.most]}": expected "${operation.usage}"`);
    operation.read(this, fields, line);
  }

  /* Operations (OPERATIONS calls these) */

  malloc(fields: readonly string[]): void {
    const slot = this.sizedSlot(fields);
    this.columns.push(Op.Malloc, this.lineNo, slot, this.blocks.sizeOf(slot), 0);
    this.mallocs++;
  }

  realloc(fields: readonly string[]): void {
    const slot = this.sizedSlot(fields);
    this.columns.push(Op.Realloc, this.lineNo, slot, this.blocks.sizeOf(slot), 0);
    this.reallocs++;
  }

  free(fields: readonly string[]): void {
    const id = this.blockId(fieldAt(fields, 1), true);
    this.columns.push(Op.Free, this.lineNo, id === -1 ? -1 : this.allocatedSlot("f", id), 0, 0);
    this.frees++;
  }

  write(fields: readonly string[]): void {
    const slot = this.allocatedSlot("w", this.blockId(fieldAt(fields, 1)));
    const at = this.offset(fieldAt(fields, 2));
    const value = this.integer(fieldAt(fields, 3), "value");
    if (value < INT32_MIN || value > INT32_MAX) this.fail(`value ${value} is outside int32`);
    this.checkWord(slot, at);
    this.columns.push(Op.Write, this.lineNo, slot, at, value);
  }

  get(fields: readonly string[]): void {
    const slot = this.allocatedSlot("g", this.blockId(fieldAt(fields, 1)));
    const at = this.offset(fieldAt(fields, 2));
    this.checkWord(slot, at);
    this.texts.push(fields.length > 3 ? fields.slice(3).join(" ") : "Value:");
    this.columns.push(Op.Get, this.lineNo, slot, at, this.texts.length - 1);
  }

  virtual(fields: readonly string[]): void {
    this.columns.push(Op.Virtual, this.lineNo, this.allocatedSlot("v", this.blockId(fieldAt(fields, 1))), 0, 0);
  }

  physical(fields: readonly string[]): void {
    const slot = this.allocatedSlot("p", this.blockId(fieldAt(fields, 1)));
    const at = fields.length > 2 ? this.offset(fieldAt(fields, 2)) : 0;
    this.columns.push(Op.Physical, this.lineNo, slot, at, 0);
  }

  stats(): void {
    this.columns.push(Op.Stats, this.lineNo, 0, 0, 0);
  }

  echo(line: string): void {
    this.texts.push(echoText(line));
    this.columns.push(Op.Echo, this.lineNo, 0, 0, this.texts.length - 1);
  }

  finish(): void {
    this.columns.push(Op.Finish, this.lineNo, 0, 0, 0);
  }

  freeRaw(fields: readonly string[]): void {
    this.columns.push(Op.FreeRaw, this.lineNo, 0, this.integer(fieldAt(fields, 1), "address"), 0);
    this.frees++;
  }

  physicalRaw(fields: readonly string[]): void {
    this.columns.push(Op.PhysicalRaw, this.lineNo, 0, this.integer(fieldAt(fields, 1), "address"), 0);
  }

  /* Fields */

  private fail(reason: string, at = this.lineNo): never {
    throw new ScenarioError(this.file, at, reason);
  }

  /** A decimal integer field (`-?[0-9]+`, within ±(2^53 - 1)). */
  private integer(field: string, what: string): number {
    const value = parseDecimalInteger(field, true);
    if (value !== undefined) return value;
    return this.fail(isDecimalInteger(field, true) ? `${what} ${field} is out of range` : `${what} "${field}" is not a decimal integer`);
  }

  /** A block ID field; `nullAllowed` admits -1 (the null pointer, for `f`). */
  private blockId(field: string, nullAllowed = false): number {
    const id = this.integer(field, "ID");
    if (id === -1 && nullAllowed) return -1;
    if (id < 0) this.fail(`ID ${id} is negative`);
    if (id >= this.idLimit) this.fail(`ID ${id} is outside the header's range 0..${this.idLimit - 1}`);
    return id;
  }

  /** The slot of an `a` or `r` line, sized by the line's SIZE. */
  private sizedSlot(fields: readonly string[]): number {
    const slot = this.blocks.slotOf(this.blockId(fieldAt(fields, 1)));
    const bytes = this.integer(fieldAt(fields, 2), "size");
    if (bytes < 0) this.fail(`size ${bytes} is negative`);
    this.blocks.sized(slot, bytes);
    return slot;
  }

  /** The slot of an ID that must already have had an `a` or `r` line. */
  private allocatedSlot(op: string, id: number): number {
    const slot = this.blocks.slotOf(id);
    if (this.blocks.sizeOf(slot) < 0) this.fail(`"${op}" on ID ${id} before any "a" or "r" line for it`);
    return slot;
  }

  private offset(field: string): number {
    const value = this.integer(field, "offset");
    if (value < 0) this.fail(`offset ${value} is negative`);
    return value;
  }

  /** The int32 at OFFSET must lie inside the block as the file last sized it. */
  private checkWord(slot: number, at: number): void {
    const blockSize = this.blocks.sizeOf(slot);
    if (at + 4 > blockSize) {
      this.fail(`offset ${at} + 4 is past the end of ID ${this.blocks.idOf(slot)}'s ${blockSize}-byte block`);
    }
  }

  /* The result */

  /** The malloc-lab header once the whole file is read: four numbers, the third the operation count. */
  private mallocLabHeader(lines: readonly string[]): MallocLabHeader {
    const lastLine = Math.max(1, lines[lines.length - 1] === "" ? lines.length - 1 : lines.length);
    const [heapSize, idCount, opCount, weight] = this.header;
    if (heapSize === undefined || idCount === undefined || opCount === undefined || weight === undefined) {
      return this.fail(`malloc-lab header: expected 4 numbers, got ${this.header.length}`, lastLine);
    }
    if (opCount !== this.columns.count) {
      this.fail(`malloc-lab header says ${opCount} operations, the trace has ${this.columns.count}`, this.headerLines[2]);
    }
    return { heapSize, idCount, opCount, weight };
  }

  private scenario(lines: readonly string[]): Scenario {
    const header = this.dialect === "malloclab" ? { header: this.mallocLabHeader(lines) } : {};
    const { columns, blocks } = this;
    const n = columns.count;
    return {
      file: this.file,
      dialect: this.dialect,
      directives: this.directives,
      ...header,
      count: n,
      ops: columns.ops.slice(0, n),
      a: columns.a.slice(0, n),
      b: columns.b.slice(0, n),
      c: columns.c.slice(0, n),
      lineOf: columns.lineOf.slice(0, n),
      texts: this.texts,
      idCount: blocks.maxId + 1,
      slotCount: blocks.ids.length,
      slotId: Float64Array.from(blocks.ids),
      mallocs: this.mallocs,
      frees: this.frees,
      reallocs: this.reallocs,
    };
  }
}

/**
 * Parses a whole scenario, checking every rule of the format.
 * @throws ScenarioError at the first bad line, in file order.
 */
export function parseScenario(text: string, file: string): Scenario {
  const lines = text.split("\n");
  return new ScenarioParser(file, dialectOf(lines, file)).parse(lines);
}

/** Reads and parses a scenario file. */
export function readScenario(path: string): Scenario {
  return parseScenario(readFileSync(path, "utf8"), path);
}
