/**
 * The native allocators a systems programmer would pick, each called through bun:ffi as glibc is
 * (libc-ffi): mimalloc, tcmalloc and jemalloc from Debian's packages. A library that is not installed
 * sits out with a one-line reason naming its package.
 *
 * jemalloc uses initial-exec TLS, so glibc can `dlopen` it only in a process started with room for it
 * (JEMALLOC_ENV); bun bench starts its child with that variable. Each runs in its own child process:
 * loaded together in one process, tcmalloc and jemalloc crash Bun.
 */

import { dlopen, FFIType, type Pointer } from "bun:ffi";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { AllocatorStats, BenchAllocator } from "../types.ts";

export const NATIVE_PEERS = ["mimalloc-ffi", "tcmalloc-ffi", "jemalloc-ffi"] as const;
export type NativePeer = (typeof NATIVE_PEERS)[number];

/** What jemalloc's dlopen needs in the environment of the process that loads it. */
export const JEMALLOC_ENV = { GLIBC_TUNABLES: "glibc.rtld.optional_static_tls=16384" };

interface Library {
  soname: string;
  debianPackage: string;
  malloc: string;
  free: string;
  realloc: string;
  /** jemalloc's *allocx functions take a flags word (0: default alignment, arena and cache). */
  flags: boolean;
}

export const LIBRARIES: Record<NativePeer, Library> = {
  "mimalloc-ffi": {
    soname: "libmimalloc.so.2",
    debianPackage: "libmimalloc2.0",
    malloc: "mi_malloc",
    free: "mi_free",
    realloc: "mi_realloc",
    flags: false,
  },
  "tcmalloc-ffi": {
    soname: "libtcmalloc_minimal.so.4",
    debianPackage: "libtcmalloc-minimal4",
    malloc: "tc_malloc",
    free: "tc_free",
    realloc: "tc_realloc",
    flags: false,
  },
  "jemalloc-ffi": {
    soname: "libjemalloc.so.2",
    debianPackage: "libjemalloc2",
    malloc: "mallocx",
    free: "dallocx",
    realloc: "rallocx",
    flags: true,
  },
};

export function isNativePeer(name: string): name is NativePeer {
  return (NATIVE_PEERS as readonly string[]).includes(name);
}

const MULTIARCH: Record<string, string> = { x64: "x86_64-linux-gnu", arm64: "aarch64-linux-gnu" };

/** Where the dynamic loader looks for a library by its soname (enough for Debian and the usual others). */
function libraryDirs(): string[] {
  const triple = MULTIARCH[process.arch];
  const fromEnv = (process.env.LD_LIBRARY_PATH ?? "").split(":").filter((dir) => dir !== "");
  const system = ["/usr/local/lib", "/usr/lib64", "/lib64", "/usr/lib", "/lib"];
  return triple === undefined ? [...fromEnv, ...system] : [...fromEnv, `/usr/lib/${triple}`, `/lib/${triple}`, ...system];
}

/** Why `name` cannot run here (its library is not installed), or undefined when it can. */
export function nativeSkipReason(name: NativePeer, dirs: readonly string[] = libraryDirs()): string | undefined {
  const library = LIBRARIES[name];
  if (dirs.some((dir) => existsSync(join(dir, library.soname)))) return undefined;
  return `${library.soname} is not installed (Debian: apt-get install ${library.debianPackage})`;
}

type Symbols = {
  malloc: (size: number, flags: number) => Pointer | null;
  free: (pointer: number, flags: number) => void;
  realloc: (pointer: number, size: number, flags: number) => Pointer | null;
};

function open(library: Library): Symbols {
  const flag = library.flags ? [FFIType.i32] : [];
  const { symbols } = dlopen(library.soname, {
    [library.malloc]: { args: [FFIType.u64, ...flag], returns: FFIType.ptr },
    [library.free]: { args: [FFIType.ptr, ...flag], returns: FFIType.void },
    [library.realloc]: { args: [FFIType.ptr, FFIType.u64, ...flag], returns: FFIType.ptr },
  });
  const found = (symbol: string) => {
    const fn = symbols[symbol];
    if (fn === undefined) throw new Error(`${library.soname} has no ${symbol}`);
    return fn as (...args: number[]) => unknown;
  };
  // Pointers go in and out as `ptr`, as libc-ffi's do. Functions declared without flags ignore the extra 0.
  return {
    malloc: found(library.malloc) as Symbols["malloc"],
    free: found(library.free) as Symbols["free"],
    realloc: found(library.realloc) as Symbols["realloc"],
  };
}

/** One of the native libraries through bun:ffi; handles are its pointers. */
export class NativeAllocator implements BenchAllocator {
  readonly finishFreesAll = false;
  readonly translate = (handle: number, offset: number): number => handle + offset;
  private readonly symbols: Symbols;

  constructor(readonly name: NativePeer) {
    const library = LIBRARIES[name];
    try {
      this.symbols = open(library);
    } catch (error) {
      const hint =
        name === "jemalloc-ffi" ? ` (jemalloc loads only in a process started with GLIBC_TUNABLES=${JEMALLOC_ENV.GLIBC_TUNABLES})` : "";
      throw new Error(`${name}: cannot load ${library.soname}${hint}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  malloc(size: number): number {
    const pointer = this.symbols.malloc(size, 0);
    if (pointer === null) throw new Error(`${this.name}: malloc(${size}) returned NULL`);
    return pointer;
  }

  free(handle: number): void {
    this.symbols.free(handle, 0);
  }

  realloc(handle: number, _oldSize: number, size: number): number {
    const pointer = this.symbols.realloc(handle, size, 0);
    if (pointer === null) throw new Error(`${this.name}: realloc(${size}) returned NULL`);
    return pointer;
  }

  finish(): void {}

  stats(): AllocatorStats {
    return {};
  }
}
