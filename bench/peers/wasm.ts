/**
 * The `as-tlsf-wasm` peer: AssemblyScript's TLSF (`heap.alloc`/`heap.free`) in WebAssembly, compiled
 * from tlsf.as by the pinned `assemblyscript` package (`--runtime minimal --noAssert`, -O3) and cached
 * (bench/cache.ts) under a hash of the source and the compiler's version. `bun bench` compiles it before any
 * child starts; a child only reads the cached file.
 *
 * Every replay gets a fresh instance (a fresh linear memory that grows as the heap needs), as MeMS
 * starts every replay from nothing after `finish`. Handles are offsets into that memory.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { cacheKey, cachePath } from "../cache.ts";
import type { AllocatorStats, BenchAllocator } from "../types.ts";

const SOURCE = fileURLToPath(new URL("./tlsf.as", import.meta.url));
const COMPILER_PACKAGE = fileURLToPath(new URL("../../node_modules/assemblyscript/package.json", import.meta.url));
export const ASC_OPTIONS = { runtime: "minimal", noAssert: true, optimizeLevel: 3, shrinkLevel: 0, use: ["abort="] };

/**
 * The compiler's API as used here. Its own .d.ts declares AssemblyScript's globals (a `console`
 * namespace among them) over the whole program, so its types are not imported.
 */
interface AscModule {
  compileString(
    sources: Record<string, string>,
    options: typeof ASC_OPTIONS,
  ): Promise<{ error: Error | null; binary: Uint8Array | null; stderr: { toString(): string } }>;
}
const COMPILER: string = "assemblyscript/asc";

function compilerVersion(): string {
  return (JSON.parse(readFileSync(COMPILER_PACKAGE, "utf8")) as { version: string }).version;
}

/** The cache path of the compiled module for the current source (tlsf.as) and compiler. */
export function wasmPath(source: string = SOURCE): string {
  return cachePath(`tlsf-${cacheKey(readFileSync(source), compilerVersion(), JSON.stringify(ASC_OPTIONS))}.wasm`);
}

/** Compiles the source (tlsf.as) unless the cache has it; returns the .wasm path. */
export async function ensureTlsfWasm(source: string = SOURCE): Promise<string> {
  const path = wasmPath(source);
  if (existsSync(path)) return path;
  const asc = (await import(COMPILER)) as AscModule;
  const result = await asc.compileString({ "tlsf.ts": readFileSync(source, "utf8") }, ASC_OPTIONS);
  if (result.error !== null || result.binary === null) {
    throw new Error(`assemblyscript could not compile ${source}: ${result.stderr.toString().trim() || String(result.error)}`);
  }
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, result.binary);
  renameSync(temporary, path);
  return path;
}

interface TlsfExports {
  alloc(size: number): number;
  free(pointer: number): void;
  realloc(pointer: number, size: number): number;
  memory: WebAssembly.Memory;
}

/** AssemblyScript's TLSF in a fresh wasm instance per replay. */
export class WasmTlsfAllocator implements BenchAllocator {
  readonly finishFreesAll = true;
  readonly translate = (handle: number, offset: number): number => handle + offset;
  private readonly module: WebAssembly.Module;
  private heap: TlsfExports;

  constructor(path: string = wasmPath()) {
    if (!existsSync(path)) throw new Error(`as-tlsf-wasm: ${path} is not compiled yet (bun bench compiles it first)`);
    this.module = new WebAssembly.Module(readFileSync(path));
    this.heap = this.instantiate();
  }

  private instantiate(): TlsfExports {
    return new WebAssembly.Instance(this.module, {}).exports as unknown as TlsfExports;
  }

  malloc(size: number): number {
    const pointer = this.heap.alloc(size) >>> 0;
    if (pointer === 0) throw new Error(`as-tlsf-wasm: alloc(${size}) returned 0`);
    return pointer;
  }

  free(handle: number): void {
    this.heap.free(handle);
  }

  realloc(handle: number, _oldSize: number, size: number): number {
    return this.heap.realloc(handle, size) >>> 0;
  }

  /** Drops the instance and its memory (the garbage collector unmaps it) for a fresh one. */
  finish(): void {
    this.heap = this.instantiate();
  }

  /** The linear memory's size stands for its peak mapping: wasm memory only grows. */
  stats(): AllocatorStats {
    return { peakMappedBytes: this.heap.memory.buffer.byteLength };
  }
}
