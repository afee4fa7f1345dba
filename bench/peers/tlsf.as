// AssemblyScript's own TLSF (std/assembly/rt/tlsf.ts) behind three exports, for `bun bench`'s
// `as-tlsf-wasm` peer. Compiled with `--runtime minimal --noAssert` by bench/peers/wasm.ts.
// The file is AssemblyScript, not TypeScript: `usize` and `heap` are the compiler's.

export function alloc(size: usize): usize {
  return heap.alloc(size);
}

export function free(ptr: usize): void {
  heap.free(ptr);
}

export function realloc(ptr: usize, size: usize): usize {
  return heap.realloc(ptr, size);
}
