/**
 * The registry of the core's lookups: their names (LOOKUPS, what `lookup` and `--lookup` accept) and
 * createLookup, which makes one. It imports every lookup of this folder and none of them imports it, so
 * a new strategy is its file here, its name below and its case in createLookup.
 */
import { FirstFitLookup } from "./first-fit.ts";
import type { HoleLookup, HoleRecords } from "./lookup.ts";
import { NextFitLookup } from "./next-fit.ts";
import { SizeIndexedLookup } from "./size-indexed.ts";
import { SizeOrderedLookup } from "./size-ordered.ts";

/** The names of the core's lookups. */
export type Lookup = "first-fit" | "size-indexed" | "best-fit" | "next-fit" | "worst-fit";
export const LOOKUPS: readonly Lookup[] = ["first-fit", "size-indexed", "best-fit", "next-fit", "worst-fit"];

/** Makes the core's lookup of the given name over the record pool. */
export function createLookup(name: Lookup, records: HoleRecords): HoleLookup {
  switch (name) {
    case "first-fit":
      return new FirstFitLookup(records);
    case "size-indexed":
      return new SizeIndexedLookup(records);
    case "best-fit":
    case "worst-fit":
      return new SizeOrderedLookup(records, name);
    case "next-fit":
      return new NextFitLookup(records);
  }
}
