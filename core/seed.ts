/**
 * The seed entry: the course's mems_* functions over one default instance, with the reference's
 * behaviour on bad input (null results and `ADDRESS NOT FOUND!!` on stdout, no exceptions), and PAGE_SIZE.
 */
import type { Pointer } from "bun:ffi";
import { MemsError } from "./errors.ts";
import type { MemsOptions } from "./options.ts";
import { defaultInstance, finishDefaultInstance, replaceDefaultInstance } from "./seed-instance.ts";

export { PAGE_SIZE } from "./options.ts";

const NOT_FOUND = "ADDRESS NOT FOUND!!";

/** Sets up an empty MeMS; a MeMS already in use is finished first. Bad options throw INVALID_OPTION. */
export function mems_init(options?: MemsOptions): void {
  replaceDefaultInstance(options);
}

/** Unmaps everything and resets; a second call does nothing. */
export function mems_finish(): void {
  finishDefaultInstance();
}

/** A block of `size` bytes, or null for a size that is no positive integer or when mmap fails. */
export function mems_malloc(size: number): number | null {
  try {
    return defaultInstance().malloc(size);
  } catch (error) {
    if (error instanceof MemsError) return null;
    throw error;
  }
}

/** Frees the block starting at `v`; prints ADDRESS NOT FOUND!! for anything else. */
export function mems_free(v: number | null): void {
  if (!defaultInstance().tryFree(v ?? Number.NaN)) console.log(NOT_FOUND);
}

/** The physical address of virtual address `v`; prints ADDRESS NOT FOUND!! and returns null outside every block. */
export function mems_get(v: number | null): Pointer | null {
  const physical = defaultInstance().tryGet(v ?? Number.NaN);
  if (physical === -1) {
    console.log(NOT_FOUND);
    return null;
  }
  return physical as Pointer;
}

/** Prints the stats text on stdout. */
export function mems_print_stats(): void {
  console.log(defaultInstance().formatStats().slice(0, -1));
}
