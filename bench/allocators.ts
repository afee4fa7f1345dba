/**
 * The allocators `bun bench` compares, each behind one small interface (`BenchAllocator`, in types.ts)
 * so that one replay loop (replay.ts) drives them all. Handles are plain numbers (a MeMS virtual address, a libc pointer, a
 * MemPool offset, a slot index), so the loop stores them in a Float64Array and makes no object per op.
 *
 * `c-reference` is not here: it is the C replay binary, timed in its own process (creference.ts); nor
 * `glibc-c`, glibc called from C (peers/cnative.ts). The other peers (mimalloc, tcmalloc, jemalloc,
 * AssemblyScript's TLSF in wasm) live in peers/.
 */
import { dlopen, FFIType } from "bun:ffi";
import { MemPool } from "@thi.ng/malloc";
import { LOOKUPS, type Lookup, type LookupFactory, Mems, type MemsOptions } from "../core/index.ts";
import { LIBC, osCounters, osNanoseconds } from "../core/os.ts";
import { NativeAllocator } from "./peers/native.ts";
import { WasmTlsfAllocator } from "./peers/wasm.ts";
import type { AllocatorStats, BenchAllocator, OsFigures, Workload } from "./types.ts";

/** The allocators beside MeMS. */
const PEERS = [
  "c-reference",
  "libc-ffi",
  "thi.ng-malloc",
  "uint8array",
  "glibc-c",
  "mimalloc-ffi",
  "tcmalloc-ffi",
  "jemalloc-ffi",
  "as-tlsf-wasm",
] as const;
export type PeerName = (typeof PEERS)[number];
/** MeMS with one lookup: `mems-` and the lookup's name (core's, or one written outside the project). */
export type MemsAllocatorName = `mems-${string}`;
export type AllocatorName = MemsAllocatorName | PeerName;
/** The allocator every ratio is to. */
export const BASELINE = "mems-size-indexed" satisfies MemsAllocatorName;

/**
 * MeMS with options besides its lookup, beside the baseline: `mems-size-indexed-a16` is size-indexed with
 * `align: 16` (every request rounded up to 16 bytes).
 */
const MEMS_VARIANTS: Readonly<Record<string, MemsOptions>> = { "mems-size-indexed-a16": { lookup: "size-indexed", align: 16 } };

/** MeMS with each of core's lookups (and the variants), under the names the tables and the JSON use (the baseline first). */
export const MEMS_ALLOCATORS: readonly MemsAllocatorName[] = [
  BASELINE,
  "mems-size-indexed-a16",
  ...LOOKUPS.filter((lookup) => `mems-${lookup}` !== BASELINE).map((lookup): MemsAllocatorName => `mems-${lookup}`),
];

/** Every allocator: MeMS with each lookup core has (new lookups appear here by themselves), then the peers. */
export const ALLOCATORS: readonly AllocatorName[] = [...MEMS_ALLOCATORS, ...PEERS];

/**
 * Every allocator of a run: MeMS with each core lookup, then with each lookup given in a file
 * (`bun bench --lookup FILE`, as `mems-NAME`), then the peers.
 */
export function allocatorNames(custom: readonly { name: string }[] = []): AllocatorName[] {
  const firstPeer = ALLOCATORS.findIndex((name) => !isMemsAllocator(name));
  return [
    ...ALLOCATORS.slice(0, firstPeer),
    ...custom.map((lookup): AllocatorName => `mems-${lookup.name}`),
    ...ALLOCATORS.slice(firstPeer),
  ];
}

export function isMemsAllocator(name: string): name is MemsAllocatorName {
  return name.startsWith("mems-");
}

/**
 * The options of a `mems-*` allocator: a variant's, or its core lookup's; `custom` for the lookup written
 * outside the project that `bun bench --lookup FILE` runs as `mems-NAME`. Undefined for a peer or an unknown name.
 */
export function memsOptionsOf(name: string, custom?: LookupFactory): MemsOptions | undefined {
  if (!isMemsAllocator(name)) return undefined;
  const lookup = name.slice("mems-".length);
  const core = LOOKUPS.find((known) => known === lookup);
  if (core !== undefined) return { lookup: core };
  if (custom !== undefined && custom.name === lookup) return { lookup: custom };
  return MEMS_VARIANTS[name];
}

/* MeMS */

export class MemsAllocator implements BenchAllocator {
  readonly finishFreesAll = true;
  private readonly mems: Mems;
  private mmapCallsBefore = 0;
  /** The process's OS counters at the last finish, and the calls of the replay that finish ended. */
  private osBefore: OsFigures = { mmapCalls: 0, munmapCalls: 0, ns: 0 };
  lastReplayOs: OsFigures | undefined;
  readonly translate: (handle: number, offset: number) => number;

  /** Over a new instance of `lookup`, or over `mems` (a test's, to look at the heap the bench loop leaves). */
  constructor(lookup: Lookup | LookupFactory, mems = new Mems({ lookup })) {
    this.mems = mems;
    this.translate = (handle, offset) => mems.tryGet(handle + offset);
  }

  malloc(size: number): number {
    return this.mems.malloc(size);
  }

  free(handle: number): void {
    this.mems.tryFree(handle);
  }

  realloc(handle: number, oldSize: number, size: number): number {
    const fresh = this.mems.malloc(size);
    const kept = Math.min(oldSize, size);
    this.mems.view(fresh, kept).set(this.mems.view(handle, kept));
    this.mems.tryFree(handle);
    return fresh;
  }

  finish(): void {
    this.mems.finish();
    this.mmapCallsBefore = this.mems.stats().mmapCalls;
    const counters = osCounters();
    const os = { mmapCalls: counters.mmapCalls, munmapCalls: counters.munmapCalls, ns: osNanoseconds() };
    const before = this.osBefore;
    this.lastReplayOs = {
      mmapCalls: os.mmapCalls - before.mmapCalls,
      munmapCalls: os.munmapCalls - before.munmapCalls,
      ns: os.ns - before.ns,
    };
    this.osBefore = os;
  }

  /** The instance counts mmap calls over its whole life; a replay's are those since the last finish. */
  stats(): AllocatorStats {
    const stats = this.mems.stats();
    return {
      peakMappedBytes: stats.peakMappedBytes,
      mmapCalls: stats.mmapCalls - this.mmapCallsBefore,
      liveBlocks: stats.liveBlocks,
      bookkeepingBytes: stats.bookkeepingBytes,
    };
  }
}

/* glibc through bun:ffi */

/** glibc's calls as bun:ffi makes them: `ptr` results are numbers (every user-space address is below 2^53) and null for NULL. */
interface LibcSymbols {
  malloc: (size: number) => number | null;
  free: (pointer: number) => void;
  realloc: (pointer: number, size: number) => number | null;
}

let libc: LibcSymbols | undefined;

function libcSymbols(): LibcSymbols {
  if (libc === undefined) libc = openLibc();
  return libc;
}

function openLibc(): LibcSymbols {
  const { symbols } = dlopen(LIBC, {
    malloc: { args: [FFIType.u64], returns: FFIType.ptr },
    free: { args: [FFIType.ptr], returns: FFIType.void },
    realloc: { args: [FFIType.ptr, FFIType.u64], returns: FFIType.ptr },
  });
  // bun:ffi types a `ptr` argument as its branded Pointer and a `ptr` result as possibly a bigint; here
  // every pointer is a plain number (above), so the calls are typed so once, at the boundary, as native.ts's.
  return symbols as unknown as LibcSymbols;
}

class LibcAllocator implements BenchAllocator {
  readonly finishFreesAll = false;
  private readonly symbols = libcSymbols();
  readonly translate = (handle: number, offset: number): number => handle + offset;

  malloc(size: number): number {
    const pointer = this.symbols.malloc(size);
    if (pointer === null) throw new Error(`libc malloc(${size}) returned NULL`);
    return pointer;
  }

  free(handle: number): void {
    this.symbols.free(handle);
  }

  realloc(handle: number, _oldSize: number, size: number): number {
    const pointer = this.symbols.realloc(handle, size);
    if (pointer === null) throw new Error(`libc realloc(${size}) returned NULL`);
    return pointer;
  }

  finish(): void {}

  stats(): AllocatorStats {
    return {};
  }
}

/* @thi.ng/malloc */

/** MemPool's block header (8 bytes) plus its 8-byte alignment, the most it adds to a request. */
const POOL_BLOCK_OVERHEAD = 16;

/**
 * A MemPool over one ArrayBuffer sized for the workload: twice the peak live bytes with headers, for
 * first-fit fragmentation and a realloc's two blocks, plus 1 MiB. `finish` starts a fresh pool over
 * the same buffer.
 */
class PoolAllocator implements BenchAllocator {
  readonly finishFreesAll = false;
  readonly translate = (handle: number, offset: number): number => handle + offset;
  private readonly buffer: ArrayBuffer;
  private readonly bytes: Uint8Array;
  private pool: MemPool;
  private peakTop = 0;

  constructor(workload: Workload) {
    const bytes = 2 * (workload.peakLiveBytes + POOL_BLOCK_OVERHEAD * workload.peakLiveBlocks) + (1 << 20);
    this.buffer = new ArrayBuffer(Math.ceil(bytes / 8) * 8);
    this.bytes = new Uint8Array(this.buffer);
    this.pool = new MemPool({ buf: this.buffer });
  }

  malloc(size: number): number {
    const address = this.pool.malloc(size);
    if (address === 0) throw new Error(`MemPool out of memory for ${size} bytes (pool of ${this.buffer.byteLength})`);
    // The pool's `top` (how far into its buffer it has handed out) falls when top blocks merge, so its
    // peak is kept here: one property read, against hundreds of ns for MemPool's malloc itself.
    const top = (this.pool as unknown as { top: number }).top;
    if (top > this.peakTop) this.peakTop = top;
    return address;
  }

  free(handle: number): void {
    this.pool.free(handle);
  }

  /**
   * malloc + copy + free, as MeMS does it: MemPool's own realloc (6.1.150) leaves the old block in its
   * used list when it moves one (realloc(100 -> 300) leaves 3 used blocks where 2 are live).
   */
  realloc(handle: number, oldSize: number, size: number): number {
    const fresh = this.malloc(size);
    this.bytes.copyWithin(fresh, handle, handle + Math.min(oldSize, size));
    this.pool.free(handle);
    return fresh;
  }

  finish(): void {
    this.pool = new MemPool({ buf: this.buffer });
  }

  stats(): AllocatorStats {
    return { peakMappedBytes: this.peakTop, liveBlocks: this.pool.stats().used.count };
  }
}

/* Uint8Array */

/** `new Uint8Array(size)` per block; free drops the reference and the garbage collector does the rest. */
class TypedArrayAllocator implements BenchAllocator {
  readonly finishFreesAll = false;
  readonly translate = undefined;
  private blocks: (Uint8Array | undefined)[] = [];
  private freeHandles: number[] = [];

  malloc(size: number): number {
    const handle = this.freeHandles.pop() ?? this.blocks.length;
    this.blocks[handle] = new Uint8Array(size);
    return handle;
  }

  free(handle: number): void {
    this.blocks[handle] = undefined;
    this.freeHandles.push(handle);
  }

  realloc(handle: number, oldSize: number, size: number): number {
    const fresh = new Uint8Array(size);
    fresh.set((this.blocks[handle] as Uint8Array).subarray(0, Math.min(oldSize, size)));
    this.blocks[handle] = fresh;
    return handle;
  }

  finish(): void {
    this.blocks = [];
    this.freeHandles = [];
  }

  stats(): AllocatorStats {
    return {};
  }
}

/**
 * A fresh in-process allocator, or undefined for `c-reference` and `glibc-c` (timed in their own processes).
 * `custom` is the lookup of a `mems-*` allocator that is none of the core's (`bun bench --lookup FILE`).
 */
export function createAllocator(name: AllocatorName, workload: Workload, custom?: LookupFactory): BenchAllocator | undefined {
  if (isMemsAllocator(name)) {
    const options = memsOptionsOf(name, custom);
    if (options?.lookup === undefined)
      throw new Error(`${name}: no lookup ${name.slice("mems-".length)} (core's, or one given with --lookup FILE)`);
    return new MemsAllocator(options.lookup, new Mems(options));
  }
  switch (name) {
    case "libc-ffi":
      return new LibcAllocator();
    case "thi.ng-malloc":
      return new PoolAllocator(workload);
    case "uint8array":
      return new TypedArrayAllocator();
    case "mimalloc-ffi":
    case "tcmalloc-ffi":
    case "jemalloc-ffi":
      return new NativeAllocator(name);
    case "as-tlsf-wasm":
      return new WasmTlsfAllocator();
    case "c-reference":
    case "glibc-c":
      return undefined;
  }
}

/** One of ALLOCATORS: a peer, or MeMS with one of core's lookups. */
export function isAllocatorName(name: string): name is AllocatorName {
  return (ALLOCATORS as readonly string[]).includes(name);
}
