/**
 * The one default instance behind the seed API (seed.ts), kept apart so that the testing entry can reach
 * it without the seed entry exporting anything but the course's functions.
 */
import { Mems } from "./mems.ts";
import type { MemsOptions } from "./options.ts";

let instance: Mems | null = null;

/** The default instance, made with the defaults (and the environment) if mems_init was not called. */
export function defaultInstance(): Mems {
  if (instance === null) instance = new Mems();
  return instance;
}

/** A fresh default instance; the one in use is finished, unless the options are bad (then nothing changes). */
export function replaceDefaultInstance(options?: MemsOptions): void {
  const fresh = new Mems(options);
  instance?.finish();
  instance = fresh;
}

/** Finishes the default instance, if there is one. */
export function finishDefaultInstance(): void {
  instance?.finish();
}
