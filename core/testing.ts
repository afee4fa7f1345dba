/**
 * Test hooks (`mems/testing`): what a test of code built on MeMS may need and an application should not
 * use. Make mmap fail on purpose, read the process's mmap/munmap tallies, and reach the seed API's
 * default instance.
 */
export { GRANULE } from "./layout.ts";
export { injectMmapFailures, OS_PAGE_SIZE, type OsCounters, osCounters } from "./os.ts";
export { mems_instance } from "./seed.ts";
