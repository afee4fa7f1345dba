/**
 * The stats layouts of grade/testdata/layouts/: ten other ways of printing `mems_print_stats()`, each a
 * replacement for the C reference's definition, so that `mems grade` can be tried on correct MeMS
 * programs whose stats merely look different ("layout variant" mutants; see that folder's README).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Convention } from "./stats-bounds.ts";
import { SUMMARY_FIELDS, type SummaryField } from "./stats-lines.ts";

export const LAYOUTS_DIR = join(import.meta.dir, "testdata", "layouts");

/** One layout: its C source and what reading its output should give. */
export interface StatsLayout {
  readonly file: string;
  readonly source: string;
  readonly relative: boolean; // addresses not the course's from 1000: compare with { relative: true }
  readonly pieceBounds: Convention;
  readonly omits: readonly SummaryField[];
}

export class LayoutError extends Error {
  override readonly name = "LayoutError";
}

const OPENING = "MEMS_API void mems_print_stats(void) {";

function entryOf(raw: unknown): Omit<StatsLayout, "source"> {
  const e = raw as Partial<Record<keyof StatsLayout, unknown>>;
  const omits = Array.isArray(e.omits) ? e.omits : [];
  if (
    typeof e.file !== "string" ||
    typeof e.relative !== "boolean" ||
    !["inclusive", "exclusive", "size"].includes(e.pieceBounds as string) ||
    !omits.every((f) => (SUMMARY_FIELDS as readonly unknown[]).includes(f))
  )
    throw new LayoutError(`layouts.json: a bad entry: ${JSON.stringify(raw)}`);
  return { file: e.file, relative: e.relative, pieceBounds: e.pieceBounds as Convention, omits: omits as SummaryField[] };
}

/** Every layout listed in layouts.json, with its source. */
export function statsLayouts(dir: string = LAYOUTS_DIR): StatsLayout[] {
  const entries: unknown = JSON.parse(readFileSync(join(dir, "layouts.json"), "utf8"));
  if (!Array.isArray(entries)) throw new LayoutError("layouts.json: not a list");
  return entries.map((raw) => {
    const entry = entryOf(raw);
    const source = readFileSync(join(dir, entry.file), "utf8");
    if (!source.includes(OPENING)) throw new LayoutError(`${entry.file}: no "${OPENING}" line`);
    return { ...entry, source };
  });
}

/**
 * The reference header with its `mems_print_stats` replaced by a layout: from the line opening the
 * definition through the first line after it that is exactly `}`.
 */
export function withStatsLayout(header: string, layoutSource: string): string {
  const lines = header.split("\n");
  const first = lines.indexOf(OPENING);
  const last = first < 0 ? -1 : lines.indexOf("}", first + 1);
  if (last < 0) throw new LayoutError(`the header has no "${OPENING}" definition ending in a line "}"`);
  return [...lines.slice(0, first), layoutSource.replace(/\n$/, ""), ...lines.slice(last + 1)].join("\n");
}
