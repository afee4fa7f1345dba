/**
 * Where `bun bench` keeps what it builds or records once and reuses (the compiled wasm, recorded
 * traces): MEMS_CACHE_DIR, or node_modules/.cache/mems in the repository (gone with node_modules).
 * Every entry is named by a hash of what made it, so a changed input never reads a stale entry.
 */
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const DEFAULT = fileURLToPath(new URL("../node_modules/.cache/mems", import.meta.url));

/** The cache folder (created). */
export function cacheDir(): string {
  const dir = process.env.MEMS_CACHE_DIR ?? DEFAULT;
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A short hex hash of the given parts, for cache entry names. */
export function cacheKey(...parts: (string | Uint8Array)[]): string {
  const hash = createHash("sha256");
  for (const part of parts) {
    hash.update(part);
    hash.update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

export function cachePath(name: string): string {
  return join(cacheDir(), name);
}
