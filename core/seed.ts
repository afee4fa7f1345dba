/**
 * The seed-compatible API: the course's mems_* functions over one default instance, with the
 * reference's behaviour on bad input (null results and `ADDRESS NOT FOUND!!` on stdout, no exceptions).
 */
import type { Pointer } from "bun:ffi";
import { MemsError } from "./errors.ts";
import { Mems } from "./mems.ts";
import type { MemsOptions } from "./options.ts";

const NOT_FOUND = "ADDRESS NOT FOUND!!";

let instance: Mems | null = null;

/** The default instance, made with the defaults (and the environment) if mems_init was not called. */
function current(): Mems {
  if (instance === null) instance = new Mems();
  return instance;
}

/** Sets up an empty MeMS; a MeMS already in use is finished first. Bad options throw INVALID_OPTION. */
export function mems_init(options?: MemsOptions): void {
  const fresh = new Mems(options);
  instance?.finish();
  instance = fresh;
}

/** Unmaps everything and resets; a second call does nothing. */
export function mems_finish(): void {
  instance?.finish();
}

/** A block of `size` bytes, or null for a size that is no positive integer or when mmap fails. */
export function mems_malloc(size: number): number | null {
  try {
    return current().malloc(size);
  } catch (error) {
    if (error instanceof MemsError) return null;
    throw error;
  }
}

/** Frees the block starting at `v`; prints ADDRESS NOT FOUND!! for anything else. */
export function mems_free(v: number | null): void {
  if (!current().tryFree(v as number)) console.log(NOT_FOUND);
}

/** The physical address of virtual address `v`; prints ADDRESS NOT FOUND!! and returns null outside every block. */
export function mems_get(v: number | null): Pointer | null {
  const physical = current().tryGet(v as number);
  if (physical === -1) {
    console.log(NOT_FOUND);
    return null;
  }
  return physical as Pointer;
}

/** Prints the stats text on stdout. */
export function mems_print_stats(): void {
  console.log(current().formatStats().slice(0, -1));
}

/** The default instance itself, for what the seed API does not cover (stats(), view()). */
export function mems_instance(): Mems {
  return current();
}
