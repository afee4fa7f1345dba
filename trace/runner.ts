/**
 * The one scenario runner: replays a parsed scenario (see `format.ts`) against a MeMS instance and
 * prints what the course's seed API would print. The C reference replays by the same rules, so the two
 * outputs compare byte for byte once physical addresses are masked.
 *
 * Each block slot holds a virtual address (NULL_ADDRESS after a failed malloc such as `a 3 0`), a live
 * flag and the size its latest `a`/`r` asked for. A freed ID keeps naming its old address, so `f 3`
 * twice makes MeMS reject the second free.
 *
 * With `verify`, every block is filled with a pattern derived from its ID and checked before it is
 * freed or reallocated, at `x`, and at the end; `w` writes are remembered byte by byte so the checks
 * expect them. A write through a stale ID that lands in another block is exactly what it catches.
 */

import { type Lookup, Mems, MemsError, type MemsOptions } from "../core/index.ts";
import { Op, type Scenario } from "./format.ts";
import { fillPattern, firstPatternDifference, patternByte, patternTile } from "./pattern.ts";

/* Options and results */

export interface ReplayOptions {
  /** Replay on this instance (it is finished at the end); otherwise a new one is made. */
  mems?: Mems;
  /** Used where the scenario has no `@page_size` directive. */
  pageSize?: number;
  /** Used where the scenario has no `@start` directive. */
  startAddress?: number;
  lookup?: Lookup;
  /** Receives the output in chunks, in order; undefined runs quietly and formats nothing. */
  out?: (text: string) => void;
  /** Fill and check every block (see the file comment). */
  verify?: boolean;
  /** Print the stats text once more just before the final finish. */
  finalStats?: boolean;
  /** Called after each operation, for tests that tamper with memory between operations. */
  afterOp?: (index: number, mems: Mems) => void;
}

export interface ReplayResult {
  file: string;
  ops: number;
  mallocs: number;
  frees: number;
  reallocs: number;
  /** mmap/munmap calls the replay made, the final finish's munmaps included. */
  mmapCalls: number;
  munmapCalls: number;
  /** Bytes still mapped after the final finish: 0 unless MeMS leaked a mapping. */
  bytesLeftMapped: number;
  /** The largest value seen just before a finish (nothing is unmapped before a finish). */
  pagesUsed: number;
  peakMappedBytes: number;
  peakLiveBytes: number;
  bookkeepingBytes: number;
  /** Wall time of the operations and the final finish; parsing is not included. */
  replayMs: number;
}

/** A block's bytes differ from what the scenario put there. */
export class VerifyError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly id: number,
    readonly offset: number,
    readonly expected: number,
    readonly actual: number,
    when: string,
  ) {
    super(`${file}:${line}: verify: block ID ${id} byte ${offset}: expected ${expected}, found ${actual} (${when})`);
    this.name = "VerifyError";
  }
}

/* Constants */

const NOT_FOUND = "ADDRESS NOT FOUND!!\n";
/** What a slot holds after a failed malloc: the seed API's NULL. */
const NULL_ADDRESS = -1;
/** Output is handed to `out` in chunks of about this many characters. */
const FLUSH_CHARS = 1 << 20;

/* Replay */

/**
 * Replays a scenario. Directives win over `options`; `options` fill what the scenario leaves unsaid.
 * @throws MemsError OUT_OF_MEMORY (or INVALID_OPTION from the options), VerifyError with `verify`;
 *   the output printed before the error has been handed to `out`.
 */
export function replay(scenario: Scenario, options: ReplayOptions = {}): ReplayResult {
  const mems = options.mems ?? new Mems(memsOptions(scenario, options));
  if (options.mems) checkGivenMems(scenario, options);

  const { count, ops, a, b, c, texts, slotCount } = scenario;
  const address = new Float64Array(slotCount).fill(NULL_ADDRESS);
  const size = new Float64Array(slotCount);
  const live = new Uint8Array(slotCount);
  const checker = options.verify ? new BlockChecker(scenario, mems, address, size, live) : undefined;
  const afterOp = options.afterOp;

  const out = options.out;
  const printing = out !== undefined;
  let chunks: string[] = [];
  let pending = 0;
  const print = (text: string): void => {
    chunks.push(text);
    pending += text.length;
    if (pending >= FLUSH_CHARS) flush();
  };
  const flush = (): void => {
    if (out !== undefined && chunks.length > 0) out(chunks.join(""));
    chunks = [];
    pending = 0;
  };

  /** Frees `v` for `slot` (-1 for a raw address), printing what MeMS prints when it is no block. */
  const freeBlock = (slot: number, v: number): void => {
    const owned = checker === undefined || (slot >= 0 && checker.owns(slot));
    if (mems.tryFree(v)) {
      // A raw address, or a slot that no longer owns its block, freed one that another live ID may hold.
      if (!owned) checker?.freedBehindIds(v);
    } else if (printing) print(NOT_FOUND);
  };

  const totals = new Totals(mems);
  /** Reads the counters that a finish resets, then finishes. */
  const finish = (index: number): void => {
    totals.add(mems);
    checker?.checkAllLive(index, "before finish");
    mems.finish();
    live.fill(0);
  };

  const started = performance.now();
  let index = 0;
  try {
    for (; index < count; index++) {
      const slot = a[index] as number;
      switch (ops[index]) {
        case Op.Malloc:
          mallocInto(mems, slot, b[index] as number, address, size, live);
          checker?.filled(slot);
          break;

        case Op.Free: {
          if (slot < 0) break; // f -1: free(NULL)
          const v = address[slot] as number;
          if (v === NULL_ADDRESS) break;
          checker?.checkBlock(slot, index, "before free");
          freeBlock(slot, v);
          live[slot] = 0;
          checker?.forget(slot);
          break;
        }

        case Op.Realloc: {
          const bytes = b[index] as number;
          if (live[slot] === 0) {
            mallocInto(mems, slot, bytes, address, size, live);
            checker?.filled(slot);
            break;
          }
          const old = address[slot] as number;
          checker?.checkBlock(slot, index, "before realloc");
          if (bytes === 0) {
            freeBlock(slot, old);
            live[slot] = 0;
            checker?.forget(slot);
            break;
          }
          const oldSize = size[slot] as number;
          const fresh = mallocOrNull(mems, bytes);
          if (fresh === NULL_ADDRESS) {
            // As C's realloc: the old block stays where it is; the ID now holds NULL.
            address[slot] = NULL_ADDRESS;
            size[slot] = bytes;
            live[slot] = 0;
            checker?.forget(slot);
            break;
          }
          const kept = Math.min(oldSize, bytes);
          copyBlock(mems, old, fresh, kept);
          freeBlock(slot, old);
          address[slot] = fresh;
          size[slot] = bytes;
          checker?.moved(slot, kept, index);
          break;
        }

        case Op.Write: {
          const v = address[slot] as number;
          const word = v === NULL_ADDRESS ? undefined : wordAt(mems, v + (b[index] as number));
          if (word === undefined) {
            if (printing) print(NOT_FOUND);
            break;
          }
          const value = c[index] as number;
          word[0] = value & 0xff;
          word[1] = (value >>> 8) & 0xff;
          word[2] = (value >>> 16) & 0xff;
          word[3] = (value >>> 24) & 0xff;
          checker?.wrote(slot, b[index] as number, value);
          break;
        }

        case Op.Get: {
          const v = address[slot] as number;
          const word = v === NULL_ADDRESS ? undefined : wordAt(mems, v + (b[index] as number));
          if (!printing) break;
          if (word === undefined) print(NOT_FOUND);
          else {
            const value = (word[0] as number) | ((word[1] as number) << 8) | ((word[2] as number) << 16) | ((word[3] as number) << 24);
            print(`${texts[c[index] as number]} ${value}\n`);
          }
          break;
        }

        case Op.Virtual:
          if (printing) {
            const v = address[slot] as number;
            print(v === NULL_ADDRESS ? "Virtual address: NULL\n" : `Virtual address: ${v}\n`);
          }
          break;

        case Op.Physical: {
          const v = address[slot] as number;
          if (v === NULL_ADDRESS) {
            if (printing) print(NOT_FOUND);
            break;
          }
          printPhysical(mems, v + (b[index] as number), printing ? print : undefined);
          break;
        }

        case Op.Stats:
          if (printing) print(mems.formatStats());
          break;

        case Op.Echo:
          if (printing) print(`${texts[c[index] as number]}\n`);
          break;

        case Op.Finish:
          finish(index);
          break;

        case Op.FreeRaw: {
          freeBlock(-1, b[index] as number);
          break;
        }

        case Op.PhysicalRaw:
          printPhysical(mems, b[index] as number, printing ? print : undefined);
          break;
      }
      afterOp?.(index, mems);
    }

    if (count === 0 || ops[count - 1] !== Op.Finish) {
      if (options.finalStats && printing) print(mems.formatStats());
      finish(Math.max(0, count - 1));
    } else if (options.finalStats && printing) {
      print(mems.formatStats()); // the scenario finished itself: the stats of the empty system
    }
  } catch (error) {
    try {
      // Out of memory stops the replay; with verify, every block allocated before it must still hold its bytes.
      if (error instanceof MemsError && error.code === "OUT_OF_MEMORY") checker?.checkAllLive(index, "after OUT_OF_MEMORY");
    } finally {
      // Give the mappings back; a caller's own instance is left as the failure found it.
      if (options.mems === undefined) mems.finish();
    }
    throw error;
  } finally {
    flush();
  }
  const replayMs = performance.now() - started;
  totals.end(mems);

  return {
    file: scenario.file,
    ops: count,
    mallocs: scenario.mallocs,
    frees: scenario.frees,
    reallocs: scenario.reallocs,
    ...totals.result(),
    replayMs,
  };
}

/** The `--report json` line of a replay: its result plus utilization (peak live / peak mapped). */
export function reportLine(result: ReplayResult): string {
  const utilization = result.peakMappedBytes > 0 ? result.peakLiveBytes / result.peakMappedBytes : 0;
  return JSON.stringify({
    file: result.file,
    ops: result.ops,
    mallocs: result.mallocs,
    frees: result.frees,
    reallocs: result.reallocs,
    mmapCalls: result.mmapCalls,
    munmapCalls: result.munmapCalls,
    bytesLeftMapped: result.bytesLeftMapped,
    pagesUsed: result.pagesUsed,
    peakMappedBytes: result.peakMappedBytes,
    peakLiveBytes: result.peakLiveBytes,
    bookkeepingBytes: result.bookkeepingBytes,
    utilization,
    replayMs: result.replayMs,
  });
}

/* Helpers */

function memsOptions(scenario: Scenario, options: ReplayOptions): MemsOptions {
  const result: MemsOptions = {};
  const pageSize = scenario.directives.pageSize ?? options.pageSize;
  const startAddress = scenario.directives.startAddress ?? options.startAddress;
  if (pageSize !== undefined) result.pageSize = pageSize;
  if (startAddress !== undefined) result.startAddress = startAddress;
  if (options.lookup !== undefined) result.lookup = options.lookup;
  return result;
}

/** A given instance cannot be reconfigured, so it must already be what the scenario asks for. */
function checkGivenMems(scenario: Scenario, options: ReplayOptions): void {
  const mems = options.mems as Mems;
  const wanted = memsOptions(scenario, options);
  for (const key of ["pageSize", "startAddress", "lookup"] as const) {
    if (wanted[key] !== undefined && wanted[key] !== mems[key]) {
      throw new Error(`${scenario.file}: the scenario wants ${key} ${wanted[key]}, the given Mems has ${mems[key]}`);
    }
  }
}

/** mems_malloc as the seed API has it: a size MeMS refuses gives NULL; running out of memory throws. */
function mallocOrNull(mems: Mems, bytes: number): number {
  if (bytes === 0) return NULL_ADDRESS;
  try {
    return mems.malloc(bytes);
  } catch (error) {
    if (error instanceof MemsError && error.code === "INVALID_SIZE") return NULL_ADDRESS;
    throw error;
  }
}

function mallocInto(mems: Mems, slot: number, bytes: number, address: Float64Array, size: Float64Array, live: Uint8Array): void {
  const v = mallocOrNull(mems, bytes);
  address[slot] = v;
  size[slot] = bytes;
  live[slot] = v === NULL_ADDRESS ? 0 : 1;
}

/**
 * Copies the first `length` bytes of the block at `from` to the block at `to`. Only the bytes that
 * lie in the PROCESS piece at `from` are copied: it is smaller only when the scenario freed the block
 * behind its ID's back (`F`) and the address now belongs to something else, or to nothing.
 */
function copyBlock(mems: Mems, from: number, to: number, length: number): void {
  if (length === 0 || mems.tryGet(from) < 0) return;
  const source = mems.view(from);
  const n = Math.min(length, source.length);
  mems.view(to, n).set(source.subarray(0, n));
}

/** The 4 bytes at virtual address `v`, or undefined when mems_get finds no PROCESS piece there. */
function wordAt(mems: Mems, v: number): Uint8Array | undefined {
  if (mems.tryGet(v) < 0) return undefined;
  const bytes = mems.view(v);
  // Fewer than 4 bytes left only through a stale ID: the word runs into what follows the piece.
  return bytes.length >= 4 ? bytes.subarray(0, 4) : undefined;
}

function printPhysical(mems: Mems, v: number, print: ((text: string) => void) | undefined): void {
  const physical = mems.tryGet(v);
  if (print === undefined) return;
  print(physical < 0 ? NOT_FOUND : `Virtual address: ${v}\tPhysical Address: ${physical}\n`);
}

/**
 * The counters of one replay. The peaks are reset by each finish, so the largest seen before any finish
 * is kept; the mmap/munmap tallies run for the instance's whole life, so the replay's share is a difference.
 */
class Totals {
  private readonly mmapAtStart: number;
  private readonly munmapAtStart: number;
  private mmapCalls = 0;
  private munmapCalls = 0;
  private bytesLeftMapped = 0;
  private pagesUsed = 0;
  private peakMappedBytes = 0;
  private peakLiveBytes = 0;
  private bookkeepingBytes = 0;

  constructor(mems: Mems) {
    const stats = mems.stats();
    this.mmapAtStart = stats.mmapCalls;
    this.munmapAtStart = stats.munmapCalls;
  }

  /** Just before a finish. */
  add(mems: Mems): void {
    const stats = mems.stats();
    this.pagesUsed = Math.max(this.pagesUsed, stats.pagesUsed);
    this.peakMappedBytes = Math.max(this.peakMappedBytes, stats.peakMappedBytes);
    this.peakLiveBytes = Math.max(this.peakLiveBytes, stats.peakLiveBytes);
    this.bookkeepingBytes = Math.max(this.bookkeepingBytes, stats.bookkeepingBytes);
  }

  /** After the final finish. */
  end(mems: Mems): void {
    const stats = mems.stats();
    this.mmapCalls = stats.mmapCalls - this.mmapAtStart;
    this.munmapCalls = stats.munmapCalls - this.munmapAtStart;
    this.bytesLeftMapped = stats.heldBytes;
  }

  result() {
    return {
      mmapCalls: this.mmapCalls,
      munmapCalls: this.munmapCalls,
      bytesLeftMapped: this.bytesLeftMapped,
      pagesUsed: this.pagesUsed,
      peakMappedBytes: this.peakMappedBytes,
      peakLiveBytes: this.peakLiveBytes,
      bookkeepingBytes: this.bookkeepingBytes,
    };
  }
}

/* Verification */

/**
 * The shadow of every block's contents: a pattern per ID plus the bytes `w` wrote over it. A slot is
 * checked only while `verified` says its contents are known (not after a raw `F` freed it).
 */
class BlockChecker {
  private readonly verified: Uint8Array;
  /** Byte offset -> byte value written by `w`, per slot. */
  private readonly written: (Map<number, number> | undefined)[];

  constructor(
    private readonly scenario: Scenario,
    private readonly mems: Mems,
    private readonly address: Float64Array,
    private readonly size: Float64Array,
    private readonly live: Uint8Array,
  ) {
    this.verified = new Uint8Array(scenario.slotCount);
    this.written = new Array(scenario.slotCount).fill(undefined);
  }

  /** A new block for `slot` (or NULL): fill it with its pattern. */
  filled(slot: number): void {
    this.written[slot] = undefined;
    this.verified[slot] = this.live[slot] as number;
    if (this.live[slot] === 0) return;
    this.fill(slot, 0);
  }

  forget(slot: number): void {
    this.written[slot] = undefined;
    this.verified[slot] = 0;
  }

  wrote(slot: number, offset: number, value: number): void {
    if (this.live[slot] === 0 || this.verified[slot] === 0) return; // a stale ID: not its block any more
    let written = this.written[slot];
    if (written === undefined) {
      written = new Map();
      this.written[slot] = written;
    }
    for (let k = 0; k < 4; k++) written.set(offset + k, (value >>> (8 * k)) & 0xff);
  }

  /** After a realloc copied `kept` bytes into the slot's new block: check them, fill the rest. */
  moved(slot: number, kept: number, index: number): void {
    if (this.verified[slot] === 0) return;
    this.check(slot, kept, index, "after the realloc copy");
    const written = this.written[slot];
    if (written !== undefined) {
      for (const offset of written.keys()) if (offset >= kept) written.delete(offset);
    }
    this.fill(slot, kept);
  }

  /** The slot is live and its block is the one it was given (no stale free or raw F took it). */
  owns(slot: number): boolean {
    return this.live[slot] === 1 && this.verified[slot] === 1;
  }

  checkBlock(slot: number, index: number, when: string): void {
    if (this.live[slot] === 1 && this.verified[slot] === 1) this.check(slot, this.size[slot] as number, index, when);
  }

  checkAllLive(index: number, when: string): void {
    for (let slot = 0; slot < this.scenario.slotCount; slot++) this.checkBlock(slot, index, when);
  }

  /** A raw `F` or a stale `f` freed `v`: any live ID that held it no longer knows its block's contents. */
  freedBehindIds(v: number): void {
    for (let slot = 0; slot < this.scenario.slotCount; slot++) {
      if (this.live[slot] === 1 && this.address[slot] === v) this.forget(slot);
    }
  }

  private fill(slot: number, from: number): void {
    const bytes = this.size[slot] as number;
    if (from >= bytes) return;
    const view = this.mems.view(this.address[slot] as number, bytes);
    fillPattern(view, this.scenario.slotId[slot] as number, from);
  }

  private check(slot: number, length: number, index: number, when: string): void {
    if (length === 0) return;
    const view = this.mems.view(this.address[slot] as number, length);
    const id = this.scenario.slotId[slot] as number;
    const written = this.written[slot];
    if (written === undefined) {
      const at = firstPatternDifference(view, id);
      if (at >= 0) this.mismatch(slot, at, patternByte(id, at), view[at] as number, index, when);
      return;
    }
    // Bytes written by `w` override the pattern: compare byte by byte.
    const tile = patternTile(id);
    for (let k = 0; k < length; k++) {
      const expected = written.get(k) ?? (tile[k & 0xff] as number);
      if (view[k] !== expected) this.mismatch(slot, k, expected, view[k] as number, index, when);
    }
  }

  private mismatch(slot: number, offset: number, expected: number, actual: number, index: number, when: string): never {
    const line = this.scenario.lineOf[index] ?? 0;
    throw new VerifyError(this.scenario.file, line, this.scenario.slotId[slot] as number, offset, expected, actual, when);
  }
}
