/**
 * MeMS for Bun: a memory manager over mmap/munmap with the classic MeMS free list.
 *
 *   using mems = new Mems();            // or new Mems({ lookup: "size-indexed" })
 *   const v = mems.malloc(1000);         // a MeMS virtual address
 *   mems.view(v, 4).set([1, 2, 3, 4]);   // the block's bytes
 *   mems.get(v);                         // its physical address (a bun:ffi Pointer)
 *   mems.free(v);
 */
export { MemsError, type MemsErrorCode } from "./errors.ts";
export { GRANULE } from "./layout.ts";
export { LOOKUPS, type Lookup } from "./lookup.ts";
export { MAX_REQUEST, Mems, type MemsStats, type PieceSnapshot, type SegmentSnapshot } from "./mems.ts";
export { DEFAULT_START_ADDRESS, MAX_ADDRESS, MAX_PAGE_SIZE, type MemsOptions, PAGE_SIZE } from "./options.ts";
export { injectMmapFailures, OS_PAGE_SIZE, osCounters } from "./os.ts";
export { mems_finish, mems_free, mems_get, mems_init, mems_instance, mems_malloc, mems_print_stats } from "./seed.ts";
