/**
 * One line of a student's `mems_print_stats()` output, told apart by what it says rather than by the
 * course's exact spelling: a stats header, a rule line, main-chain items (segments and pieces, in any of
 * the bracket or table layouts students print), a summary line (pages used, space unused, main chain
 * length, sub-chain lengths), or anything else (debug lines, which the reader ignores).
 */

/** The summary fields of the course's stats, in the order the course prints them. */
export const SUMMARY_FIELDS = ["pagesUsed", "spaceUnused", "mainChainLength", "subChainLengths"] as const;
export type SummaryField = (typeof SUMMARY_FIELDS)[number];

/** Each summary field as the course labels it (its `unsued` typo spelt right), for messages. */
export const SUMMARY_LABELS: Readonly<Record<SummaryField, string>> = {
  pagesUsed: "Pages used",
  spaceUnused: "Space unused",
  mainChainLength: "Main Chain Length",
  subChainLengths: "Sub-chain Length array",
};

export type PieceKind = "PROCESS" | "HOLE";

/** A segment as printed: its two bounds (end not yet known to be inclusive), only its index, or neither. */
export interface SegmentItem {
  readonly role: "segment";
  readonly bounds?: readonly [number, number];
  readonly index?: number;
}
/** A piece as printed: its start and a second number (the last byte, one past it, or the size). */
export interface PieceItem {
  readonly role: "piece";
  readonly kind: PieceKind;
  readonly start: number;
  readonly second: number;
}
export type ChainItem = SegmentItem | PieceItem;

export interface SummaryEntry {
  readonly field: SummaryField;
  readonly value: number | readonly number[] | undefined;
}

export type LineReading =
  | { readonly kind: "header" }
  | { readonly kind: "rule" }
  | { readonly kind: "chain"; readonly items: readonly ChainItem[]; readonly hex: boolean }
  | { readonly kind: "summary"; readonly entries: readonly SummaryEntry[] } // value undefined: on the next line
  | { readonly kind: "unreadable"; readonly why: string; readonly opens: boolean } // opens: a main-chain line, stats even outside a block
  | { readonly kind: "value"; readonly numbers: readonly number[] }
  | { readonly kind: "blank" }
  | { readonly kind: "other" };

const NUM = String.raw`0[xX][0-9a-fA-F]+|\d[0-9a-fA-F]*`;
const LABEL = String.raw`\b(main(?:[\s_-]*node)?|segment|process|hole|m|p|h)_?(?:[\s#_-]*(\d+))?`;
const OPEN = String.raw`(?:\s*[:=])?\s*[[({]\s*`;
const SEP = String.raw`\s*(?::|,|\.\.|-|\bto\b|;)\s*|\s+`;
/** `LABEL[a:b]` with any of the separators and brackets students use: `P[1000:1999]`, `MainNode-1 [0 : 4095]`. */
const BRACKET_ITEM = new RegExp(`${LABEL}${OPEN}(${NUM})(?:${SEP})(${NUM})\\s*[\\])}]`, "gi");
/** The label inside the brackets: `[P 1000-1999]`, `(HOLE: 5000, 5095)`. */
const INNER_ITEM = new RegExp(
  `[[(]\\s*(main(?:[\\s_-]*node)?|segment|process|hole|p|h)_?(?:\\s*[:,-])?\\s*(${NUM})(?:${SEP})(${NUM})\\s*[\\])]`,
  "gi",
);
/** A line naming its segment by number only, its pieces after it: `Segment 1: P[1000:1999] <-> ...`. */
const LEADING_SEGMENT = /^\W*(?:main(?:[\s_-]*node)?|segment|seg)\b[\s#_-]*(\d+)?/i;
/** No brackets, a label and a range with a separator: `P:1000-1999`, `MAIN 1000 - 5095`, `MainNode-1: 0-4095`. */
const BARE_ITEM = new RegExp(
  `${LABEL}(?:\\s*[:=])?\\s*(?<![0-9a-fA-F])(${NUM})\\s*(?::|,|\\.\\.|-|\\bto\\b)\\s*(${NUM})(?![0-9a-z_])`,
  "gi",
);
/** A label opening a bracket, read or not: one where no item was read means an item could not be read. */
const BRACKET_OPENING = new RegExp(`${LABEL}(?:\\s*[:=])?\\s*[[({]`, "gi");

// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is what opens an ANSI colour code.
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
const HEADER = /\b(?:mems|system)[\s_-]*stat(?:istic)?s\b|^[\s\-=*#~|_]*stat(?:istic)?s[\s\-=*#~|_:]*$/i;
const RULE = /^\s*[-=*_#~+]{3,}\s*$/;

/** Parses a printed number: decimal, or hex with 0x (raw pointers printed with %p) or without (%lx). */
export function parseNumber(text: string, hex = false): number {
  if (/^0x/i.test(text)) return Number.parseInt(text.slice(2), 16);
  return hex || /[a-f]/i.test(text) ? Number.parseInt(text, 16) : Number(text);
}

/**
 * A line with a bare hex pointer (digits and letters, no 0x, six or more of them: %lx of a user-space
 * address) prints all its numbers in hex, 1000 included; a short word such as "1a" is no pointer.
 */
function bareHex(line: string): boolean {
  const words = line.match(/(?<![0-9a-z_])[0-9a-f]{6,}(?![0-9a-z_])/gi) ?? [];
  return words.some((w) => /\d/.test(w) && /[a-f]/i.test(w));
}

function kindOf(label: string): PieceKind | "MAIN" {
  const l = label.toLowerCase();
  if (l.startsWith("m") || l.startsWith("seg")) return "MAIN";
  return l.startsWith("p") ? "PROCESS" : "HOLE";
}

/** A segment or piece item from a label and its two printed numbers. */
function itemOf(label: string | undefined, a: string | undefined, b: string | undefined, hex: boolean): ChainItem {
  const kind = kindOf(label ?? "");
  const bounds = [parseNumber(a ?? "", hex), parseNumber(b ?? "", hex)] as const;
  return kind === "MAIN" ? { role: "segment", bounds } : { role: "piece", kind, start: bounds[0], second: bounds[1] };
}

/** Items in the bracket layouts (else the bracketless one), and which opening (1-based) was left unread, if any. */
function bracketItems(line: string): { items: ChainItem[]; unread: number | undefined } {
  const found: [number, ChainItem][] = [];
  const starts = new Set<number>();
  const hex = bareHex(line);
  for (const pattern of [BRACKET_ITEM, INNER_ITEM]) {
    for (const m of line.matchAll(pattern)) {
      const [a, b] = pattern === BRACKET_ITEM ? [m[3], m[4]] : [m[2], m[3]];
      starts.add(m.index);
      found.push([m.index, itemOf(m[1], a, b, hex)]);
    }
  }
  // Without any bracket item, a bracketless layout.
  if (found.length === 0) for (const m of line.matchAll(BARE_ITEM)) found.push([m.index, itemOf(m[1], m[3], m[4], hex)]);
  const openings = [...line.matchAll(BRACKET_OPENING)];
  // "Segment 1: [P 1000-1999]": the opening's bracket holds an item of its own.
  const unread = openings.findIndex((m) => !starts.has(m.index) && !starts.has(m.index + m[0].length - 1));
  const items = found.sort(([x], [y]) => x - y).map(([, item]) => item);
  return { items, unread: unread < 0 ? undefined : unread + 1 };
}

/** Whole words: "p1" (a variable in a debug line) is no kind word followed by a number. */
const TABLE_TOKEN = /[a-z0-9_]+/gi;
const TABLE_WORDS = new Set(["null", "bytes", "size", "start", "end", "addr", "address", "type", "node", "to"]);
const KIND_WORDS = new Set(["p", "h", "p_", "h_", "process", "hole"]);
const MAIN_WORDS = new Set(["main", "mainnode", "main_node", "segment", "seg"]);

/** The numbers of a table row split by where its kind (or main) word stands. */
function tableRow(line: string): { kind: PieceKind | "MAIN"; before: number[]; after: number[] } | undefined {
  let kind: PieceKind | "MAIN" | undefined;
  const before: number[] = [];
  const after: number[] = [];
  for (const [token] of line.matchAll(TABLE_TOKEN)) {
    const t = token.toLowerCase();
    if (/^(?:0x[0-9a-f]+|\d+)$/.test(t)) (kind === undefined ? before : after).push(parseNumber(t));
    else if (KIND_WORDS.has(t) || MAIN_WORDS.has(t)) {
      const k = kindOf(t);
      // One piece per row; a main word before a piece word names the row's segment.
      if (kind === undefined || (kind === "MAIN" && k !== "MAIN")) {
        if (kind === "MAIN") before.push(...after.splice(0));
        kind = k;
      } else return undefined;
    } else if (!TABLE_WORDS.has(t)) return undefined;
  }
  return kind === undefined ? undefined : { kind, before, after };
}

/** A piece row: `1 | PROCESS | 1000 | 1999` (segment index), `1000 5095 H 5000 5095` (segment bounds), `P 1000 1999`. */
function tableItems(line: string): ChainItem[] | string | undefined {
  const row = tableRow(line);
  if (row === undefined) return undefined;
  const { kind, before, after } = row;
  if (kind === "MAIN") {
    const numbers = [...before, ...after];
    const [a = 0, b = 0, c = 0] = numbers;
    if (numbers.length === 0) return undefined;
    if (numbers.length === 1) return [{ role: "segment", index: a }];
    if (numbers.length === 2) return [{ role: "segment", bounds: [a, b] }];
    // Three numbers: start, end, size; or an index, start, end.
    if (numbers.length === 3) return [{ role: "segment", bounds: c === b - a + 1 ? [a, b] : [b, c] }];
    return "a main-chain row whose bounds cannot be told apart";
  }
  // A kind word with one number after it ("H: 5") is a debug line's count more likely than a piece.
  if (after.length < 2) return undefined;
  const items: ChainItem[] = [];
  if (before.length === 1) items.push({ role: "segment", index: before[0] ?? 0 });
  else if (before.length >= 2) items.push({ role: "segment", bounds: [before[0] ?? 0, before[1] ?? 0] });
  items.push({ role: "piece", kind, start: after[0] ?? 0, second: after[1] ?? 0 });
  return items;
}

const PAGES_USED =
  /pages?[\s_-]*used|used[\s_-]*pages?|(?:number|no\.?|count|num)[\s_-]*of[\s_-]*pages?(?:[\s_-]*(?:used|mapped|allocated|in[\s_-]*use))?|total[\s_-]*pages?(?:[\s_-]*used)?|pages?[\s_-]*(?:count|mapped|allocated)|num[\s_-]*pages/i;
const SPACE_UNUSED =
  /free[\s_-]*space|space[\s_-]*free|(?:space|memory|bytes)[\s_-]*un(?:u?sed|sued)|un(?:u?sed|sued)[\s_-]*(?:space|memory|bytes)?/i;
const MAIN_LENGTH =
  /main[\s_-]*chain[\s_-]*(?:length|len|size|count|nodes)|(?:length|size)[\s_-]*of[\s_-]*(?:the[\s_-]*)?main[\s_-]*chain|(?:number|no\.?|count|num)[\s_-]*of[\s_-]*(?:main[\s_-]*(?:chain[\s_-]*)?nodes|segments)/i;
const SUB_LENGTHS =
  /sub[\s_-]*chains?[\s_-]*(?:nodes?[\s_-]*)?(?:(?:lengths?|len|sizes?|counts?)(?:[\s_-]*(?:array|list))?|array|list)|(?:lengths?|sizes?)[\s_-]*of[\s_-]*(?:the[\s_-]*)?sub[\s_-]*chains?/i;
const FIELD_PATTERNS: readonly (readonly [SummaryField, RegExp])[] = [
  ["subChainLengths", SUB_LENGTHS],
  ["mainChainLength", MAIN_LENGTH],
  ["pagesUsed", PAGES_USED],
  ["spaceUnused", SPACE_UNUSED],
];
/** What may stand before a label: nothing but punctuation and a word such as "Total". */
const LABEL_PREFIX = /^[\W_]*(?:(?:total|the|no\.?|#)\s*)?$/i;
/** Between label and value: `:`, tab, `=>`, `=`, `-`, "is", "are", a parenthesised note. */
const VALUE_LEAD = /^(?:\s|[:=>\-–]|\bis\b|\bare\b|\([^)]*\))*/i;
/** A value alone: `3`, `2288 bytes`, `[5, 5, 3, ]`, `3 1`. */
const VALUE_UNIT = /(?:bytes?|b|pages?|nodes?|segments?|pieces?)$/i;
/** Written without nested quantifiers, so a long line of digits and spaces cannot make it backtrack. */
function isValueOnly(text: string): boolean {
  return /^[[({]?[\d\s,]*[\])}]?$/.test(text.trim().replace(VALUE_UNIT, "").trim());
}
/** A value without what separates it from the next label on its line ("3, Total pages ..."). */
function dropTail(text: string): string {
  let end = text.length;
  while (end > 0 && ",;|/ \t".includes(text[end - 1] ?? "")) end--;
  return text.slice(0, end).replace(/(?:total|the|no\.?)$/i, "");
}

interface LabelAt {
  readonly field: SummaryField;
  readonly index: number;
  readonly end: number;
}

/** The first summary label at or after `from`, the earliest of the fields' patterns. */
function labelAt(line: string, from: number): LabelAt | undefined {
  let best: LabelAt | undefined;
  for (const [field, pattern] of FIELD_PATTERNS) {
    const m = pattern.exec(line.slice(from));
    if (m !== null && (best === undefined || from + m.index < best.index))
      best = { field, index: from + m.index, end: from + m.index + m[0].length };
  }
  return best;
}

/** A line opening with a summary label; several labels on it each take the text up to the next one. */
function summaryLine(raw: string): LineReading | undefined {
  const first = labelAt(raw, 0);
  if (first === undefined || !LABEL_PREFIX.test(raw.slice(0, first.index))) return undefined;
  // Notes in parentheses ("(bytes)", "(pages mapped)") name no field of their own.
  const line = raw.slice(0, first.end) + raw.slice(first.end).replace(/\([^)]*\)/g, " ");
  const entries: SummaryEntry[] = [];
  for (let label: LabelAt | undefined = first; label !== undefined; ) {
    const next = labelAt(line, label.end);
    const rest = line.slice(label.end, next?.index).replace(VALUE_LEAD, "");
    const value = dropTail(rest);
    const { field } = label;
    if (value.trim() === "" && next === undefined) entries.push({ field, value: undefined });
    else if (value.trim() === "" || !isValueOnly(value))
      return { kind: "unreadable", why: `${SUMMARY_LABELS[field]} has no value that can be read`, opens: false };
    else entries.push({ field, value: summaryValue(field, value) });
    label = next;
  }
  return { kind: "summary", entries };
}

function summaryValue(field: SummaryField, text: string): number | readonly number[] {
  const numbers = [...text.matchAll(/\d+/g)].map(([n]) => Number(n));
  return field === "subChainLengths" ? numbers : (numbers[0] ?? Number.NaN);
}

/** A scalar or array value printed on the line after its label. */
export function valueFor(field: SummaryField, numbers: readonly number[]): number | readonly number[] | undefined {
  if (field === "subChainLengths") return numbers;
  return numbers.length === 1 ? numbers[0] : undefined;
}

/** Chain layouts: bracket items first (the course's and most students'), then table rows. */
function chainLine(line: string): LineReading | undefined {
  const { items, unread } = bracketItems(line);
  const hex = /0x[0-9a-f]/i.test(line) || bareHex(line);
  if (items.length > 0) {
    if (unread !== undefined) return { kind: "unreadable", why: `item ${unread} of a main-chain line cannot be read`, opens: true };
    const leading = items[0]?.role === "piece" ? LEADING_SEGMENT.exec(line) : null;
    if (leading === null) return { kind: "chain", items, hex };
    const segment: SegmentItem = leading[1] === undefined ? { role: "segment" } : { role: "segment", index: Number(leading[1]) };
    return { kind: "chain", items: [segment, ...items], hex };
  }
  if (/^\W*main/i.test(line) && unread !== undefined)
    return { kind: "unreadable", why: "a main-chain line whose bounds cannot be read", opens: true };
  const table = tableItems(line);
  if (typeof table === "string") return { kind: "unreadable", why: table, opens: false };
  return table === undefined ? undefined : { kind: "chain", items: table, hex };
}

/** What one line of output is, for the stats reader. */
export function readLine(raw: string): LineReading {
  // Colours (ANSI escapes such as ESC[32m) and a CR before the newline are no part of what is printed.
  const line = raw.replace(/\r$/, "").replace(ANSI, "");
  if (line.trim() === "") return { kind: "blank" };
  if (HEADER.test(line)) return { kind: "header" };
  if (RULE.test(line)) return { kind: "rule" };
  if (isValueOnly(line)) return { kind: "value", numbers: [...line.matchAll(/\d+/g)].map(([n]) => Number(n)) };
  return summaryLine(line) ?? chainLine(line) ?? { kind: "other" };
}
