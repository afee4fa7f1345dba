/**
 * The testing entry: hooks and constants for MeMS's own tests, not part of the public API (index.ts).
 *
 * - `injectMmapFailures(count, after?)`: the next `count` mmap calls fail (after `after` succeed), to
 *   prove that a failure changes nothing; `injectMmapFailures(0)` switches it off.
 * - `osCounters()`: the process's mmap/munmap calls and mapped bytes, every instance together.
 * - `mems_instance()`: the seed API's default instance, for what the seed API does not show.
 * - `GRANULE` (bytes of virtual space per address-map entry), `OS_PAGE_SIZE` (the kernel's page) and
 *   `FIRST_REGION` (the first OS mapping segments are carved from: a segment past what is left of it
 *   needs an mmap, the one a test can make fail).
 * - `spareBookkeepingBytes()` and `releaseSpareBookkeeping()`: the tables finished heaps left for the
 *   next heap of the process (mapping.ts), and giving them back, so that a test starts from a process
 *   that holds nothing and its mmap calls are the ones it counts.
 * - `memsInternals(mems)`: an instance's records, lookup and address map, to break an invariant on purpose
 *   and see checkInvariants name it.
 */

export { releaseSpareBookkeeping, spareBookkeepingBytes } from "./mapping.ts";
export { type MemsInternals, memsInternals } from "./mems.ts";
export { injectMmapFailures, OS_PAGE_SIZE, osCounters } from "./os.ts";
export { GRANULE } from "./records.ts";
export { defaultInstance as mems_instance } from "./seed-instance.ts";
export { FIRST_REGION } from "./segment-space.ts";
