/**
 * MeMS for Bun: a memory manager over mmap/munmap with the classic MeMS free list. The public API.
 *
 *   using mems = new Mems();            // or new Mems({ lookup: "size-indexed" })
 *   const v = mems.malloc(1000);         // a MeMS virtual address
 *   mems.view(v, 4).set([1, 2, 3, 4]);   // the block's bytes
 *   mems.viewAs(v, Float64Array);        // its doubles (new Mems({ align: 8 }) aligns every block for them)
 *   mems.get(v);                         // its physical address (a bun:ffi Pointer)
 *   mems.free(v);
 *
 * The course's mems_* functions are the seed entry (seed.ts); what tests need beyond this is testing.ts.
 */
export { MemsError, type MemsErrorCode } from "./errors.ts";
export type { HoleLookup, HoleRecords, LookupFactory } from "./lookups/lookup.ts";
export { LOOKUPS, type Lookup } from "./lookups/registry.ts";
export { keepSpareBookkeeping, type Mapping } from "./mapping.ts";
export { Mems, type MemsStats, type PieceSnapshot, type SegmentSnapshot } from "./mems.ts";
export { ALIGNMENTS, type Alignment, DEFAULT_START_ADDRESS, MAX_ADDRESS, MAX_PAGE_SIZE, type MemsOptions, PAGE_SIZE } from "./options.ts";
export { type ChainVisitor, NIL } from "./records.ts";
export type { TypedArrayType } from "./typed-views.ts";
