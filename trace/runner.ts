/**
 * The one scenario runner: replays a parsed scenario (see `format.ts`) against a MeMS instance and
 * prints what the course's seed API would print. The C reference replays by the same rules, so the two
 * outputs compare byte for byte once physical addresses are masked.
 *
 * What `a`, `f`, `r` and `x` do to the IDs is the replay rules' (rules.ts, shared with the benchmark's
 * loop): each ID holds a virtual address (NULL after a failed malloc such as `a 3 0`), a live flag and
 * the size its latest `a`/`r` asked for. A freed ID keeps naming its old address, so `f 3` twice makes
 * MeMS reject the second free. The runner adds what the seed API prints, and the other operations.
 *
 * With `verify`, every block is filled with a pattern derived from its ID and checked before it is
 * freed or reallocated, at `x`, and at the end; `w` writes are remembered byte by byte so the checks
 * expect them. A `w` through a stale ID (freed, or whose block a free through another ID or a raw `F`
 * took) that lands in another ID's block is the scenario's fault, not MeMS's: it is named at its line
 * (StaleWriteError) rather than found later as a changed byte of that block.
 */

import { ALIGNMENTS, type Alignment, Mems, MemsError, type MemsOptions } from "../core/index.ts";
import { Op, type Scenario } from "./format.ts";
import { type LookupChoice, lookupName } from "./lookup-choice.ts";
import { fillPattern, firstPatternDifference, patternByte } from "./pattern.ts";
import { BlockTable, NULL_HANDLE, type ReplayHeap } from "./rules.ts";

/* Options and results */

export interface ReplayOptions {
  /** Replay on this instance (it is finished at the end); otherwise a new one is made. */
  mems?: Mems;
  /** Used where the scenario has no `@page_size` directive. */
  pageSize?: number;
  /** Used where the scenario has no `@start` directive. */
  startAddress?: number;
  /** Used where the scenario has no `@align` directive. */
  align?: Alignment;
  /** One of the core's lookups by name, or a lookup written outside the project. */
  lookup?: LookupChoice;
  /** Receives the output in chunks, in order; undefined runs quietly and formats nothing. */
  out?: (text: string) => void;
  /** Fill and check every block (see the file comment). */
  verify?: boolean;
  /** Print the stats text once more just before the final finish. */
  finalStats?: boolean;
  /** Called after each operation, for tests that tamper with memory or look at the IDs between operations. */
  afterOp?: (index: number, mems: Mems, blocks: BlockTable) => void;
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

/** With `verify`: a `w` through an ID that no longer holds its block writes into another ID's block. */
export class StaleWriteError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    /** The ID the `w` names. */
    readonly id: number,
    /** The ID whose block the write lands in, and the offset in that block of the word's first byte. */
    readonly into: number,
    readonly offset: number,
    why: string,
  ) {
    super(
      `${file}:${line}: verify: write through stale ID ${id} (${why}) into block ID ${into} at byte ${offset}: the scenario is at fault`,
    );
    this.name = "StaleWriteError";
  }
}

/* Constants */

const NOT_FOUND = "ADDRESS NOT FOUND!!\n";
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
  if (options.mems) checkGivenMems(scenario, mems, options);
  return new Replay(scenario, mems, options).run();
}

/** Output collected and handed to `out` in chunks of about FLUSH_CHARS. */
class Printer {
  private chunks: string[] = [];
  private pending = 0;

  constructor(private readonly out: (text: string) => void) {}

  print(text: string): void {
    this.chunks.push(text);
    this.pending += text.length;
    if (this.pending >= FLUSH_CHARS) this.flush();
  }

  flush(): void {
    if (this.chunks.length > 0) this.out(this.chunks.join(""));
    this.chunks = [];
    this.pending = 0;
  }
}

/**
 * MeMS as the replay rules call it: mems_malloc and mems_free as the seed API has them (a refused size is
 * NULL, a free of no block prints ADDRESS NOT FOUND!!), a realloc that copies through the blocks, and the
 * bookkeeping of `verify` when a free takes a block from under an ID.
 */
class SeedApiHeap implements ReplayHeap {
  readonly finishFreesAll = true;
  /** mems_free looks the address up: a stale ID's free is refused, or frees what is there now. */
  readonly checksFrees = true;

  constructor(
    private readonly mems: Mems,
    private readonly checker: BlockChecker | undefined,
    private readonly printer: Printer | undefined,
  ) {}

  malloc(size: number): number {
    return mallocOrNull(this.mems, size);
  }

  free(handle: number, slot: number): void {
    this.freeAt(slot, handle);
  }

  realloc(handle: number, oldSize: number, size: number, slot: number): number {
    const fresh = mallocOrNull(this.mems, size);
    if (fresh === NULL_HANDLE) return NULL_HANDLE;
    copyBlock(this.mems, handle, fresh, Math.min(oldSize, size));
    this.freeAt(slot, handle);
    return fresh;
  }

  finish(): void {
    this.mems.finish();
  }

  /** Frees `v` for `slot` (-1 for a raw address), printing what MeMS prints when it is no block. */
  freeAt(slot: number, v: number): void {
    const checker = this.checker;
    const owned = checker === undefined || (slot >= 0 && checker.owns(slot));
    if (this.mems.tryFree(v)) {
      // A raw address, or a slot that no longer owns its block, freed one that another live ID may hold.
      if (!owned) checker?.freedBehindIds(v);
    } else this.printer?.print(NOT_FOUND);
  }
}

/** One replay: a method per operation; `a`, `f`, `r` and `x` go through the replay rules. */
class Replay {
  private readonly blocks: BlockTable;
  private readonly checker: BlockChecker | undefined;
  /** Undefined when the replay is quiet: then nothing is formatted. */
  private readonly printer: Printer | undefined;
  private readonly heap: SeedApiHeap;
  private readonly totals: Totals;
  /** The operation being replayed. */
  private index = 0;

  constructor(
    private readonly scenario: Scenario,
    private readonly mems: Mems,
    private readonly options: ReplayOptions,
  ) {
    this.blocks = new BlockTable(scenario.slotCount);
    this.checker = options.verify ? new BlockChecker(scenario, mems, this.blocks) : undefined;
    this.printer = options.out === undefined ? undefined : new Printer(options.out);
    this.heap = new SeedApiHeap(mems, this.checker, this.printer);
    this.totals = new Totals(mems);
  }

  run(): ReplayResult {
    const started = performance.now();
    try {
      this.operations();
      this.end();
    } catch (error) {
      this.stopped(error);
      throw error;
    } finally {
      this.printer?.flush();
    }
    const replayMs = performance.now() - started;
    this.totals.end(this.mems);
    const { file, count, mallocs, frees, reallocs } = this.scenario;
    return { file, ops: count, mallocs, frees, reallocs, ...this.totals.result(), replayMs };
  }

  private operations(): void {
    const { count, ops } = this.scenario;
    const afterOp = this.options.afterOp;
    for (this.index = 0; this.index < count; this.index++) {
      this.operation(ops[this.index] ?? 0, this.index);
      afterOp?.(this.index, this.mems, this.blocks);
    }
  }

  private operation(op: number, i: number): void {
    switch (op) {
      case Op.Malloc:
        this.malloc(i);
        break;
      case Op.Free:
        this.free(i);
        break;
      case Op.Realloc:
        this.realloc(i);
        break;
      case Op.Write:
        this.write(i);
        break;
      case Op.Get:
        this.get(i);
        break;
      case Op.Virtual:
        this.virtual(i);
        break;
      case Op.Physical:
        this.physical(i);
        break;
      case Op.Stats:
        this.printer?.print(this.mems.formatStats());
        break;
      case Op.Echo:
        this.printer?.print(`${this.text(i)}\n`);
        break;
      case Op.Finish:
        this.finish(i);
        break;
      case Op.FreeRaw:
        this.heap.freeAt(-1, this.b(i));
        break;
      case Op.PhysicalRaw:
        this.printPhysical(this.b(i));
        break;
    }
  }

  /** After the last operation: the final finish, unless the scenario ended with one. */
  private end(): void {
    const { count, ops } = this.scenario;
    const finishedItself = count > 0 && ops[count - 1] === Op.Finish;
    // After a finish of the scenario's own, the final stats are those of the empty system.
    if (this.options.finalStats) this.printer?.print(this.mems.formatStats());
    if (!finishedItself) this.finish(Math.max(0, count - 1));
  }

  /** After an error: out of memory stops the replay; with verify, every block allocated before it must still hold its bytes. */
  private stopped(error: unknown): void {
    try {
      if (error instanceof MemsError && error.code === "OUT_OF_MEMORY") this.checker?.checkAllLive(this.index, "after OUT_OF_MEMORY");
    } finally {
      // Give the mappings back; a caller's own instance is left as the failure found it.
      if (this.options.mems === undefined) this.mems.finish();
    }
  }

  /* Operands of operation i */

  private slot(i: number): number {
    return this.scenario.a[i] ?? -1;
  }

  private b(i: number): number {
    return this.scenario.b[i] ?? 0;
  }

  private text(i: number): string {
    return this.scenario.texts[this.scenario.c[i] ?? -1] ?? "";
  }

  /** The virtual address of byte `offset` of operation i's ID, or undefined when the ID holds NULL. */
  private addressOf(i: number, offset: number): number | undefined {
    const v = this.blocks.handle[this.slot(i)] ?? NULL_HANDLE;
    return v === NULL_HANDLE ? undefined : v + offset;
  }

  /* Operations */

  private malloc(i: number): void {
    const slot = this.slot(i);
    this.blocks.malloc(this.heap, slot, this.b(i));
    this.checker?.filled(slot);
  }

  private free(i: number): void {
    const slot = this.slot(i);
    if (slot < 0) return; // f -1: free(NULL)
    this.checker?.checkBlock(slot, i, "before free");
    this.blocks.free(this.heap, slot);
    this.checker?.forget(slot);
  }

  private realloc(i: number): void {
    const { blocks, checker, heap } = this;
    const slot = this.slot(i);
    const size = this.b(i);
    if (checker === undefined) {
      blocks.realloc(heap, slot, size);
      return;
    }
    const wasLive = blocks.live[slot] === 1;
    const kept = Math.min(blocks.size[slot] ?? 0, size);
    if (wasLive) checker.checkBlock(slot, i, "before realloc");
    blocks.realloc(heap, slot, size);
    if (!wasLive) checker.filled(slot);
    else if (blocks.live[slot] === 0)
      checker.forget(slot); // freed (size 0), or NULL (a size MeMS refuses)
    else checker.moved(slot, kept, i);
  }

  private write(i: number): void {
    const word = this.wordOf(i);
    if (word === undefined) {
      this.printer?.print(NOT_FOUND);
      return;
    }
    this.checker?.beforeWrite(this.slot(i), this.addressOf(i, this.b(i)) ?? NULL_HANDLE, i);
    const value = this.scenario.c[i] ?? 0;
    word[0] = value & 0xff;
    word[1] = (value >>> 8) & 0xff;
    word[2] = (value >>> 16) & 0xff;
    word[3] = (value >>> 24) & 0xff;
    this.checker?.wrote(this.slot(i), this.b(i), value);
  }

  private get(i: number): void {
    const word = this.wordOf(i);
    if (word === undefined) {
      this.printer?.print(NOT_FOUND);
      return;
    }
    const value = (word[0] ?? 0) | ((word[1] ?? 0) << 8) | ((word[2] ?? 0) << 16) | ((word[3] ?? 0) << 24);
    this.printer?.print(`${this.text(i)} ${value}\n`);
  }

  private virtual(i: number): void {
    const v = this.addressOf(i, 0);
    this.printer?.print(v === undefined ? "Virtual address: NULL\n" : `Virtual address: ${v}\n`);
  }

  private physical(i: number): void {
    const v = this.addressOf(i, this.b(i));
    if (v === undefined) this.printer?.print(NOT_FOUND);
    else this.printPhysical(v);
  }

  /** `x`, or the final finish: reads the counters that a finish resets and checks every block, then finishes. */
  private finish(i: number): void {
    this.totals.add(this.mems);
    this.checker?.checkAllLive(i, "before finish");
    this.blocks.finish(this.heap);
    this.checker?.forgetAll();
  }

  /** The 4 bytes at OFFSET (operand b) of operation i's block, or undefined where mems_get finds none. */
  private wordOf(i: number): Uint8Array | undefined {
    const v = this.addressOf(i, this.b(i));
    return v === undefined ? undefined : wordAt(this.mems, v);
  }

  private printPhysical(v: number): void {
    const physical = this.mems.tryGet(v);
    this.printer?.print(physical < 0 ? NOT_FOUND : `Virtual address: ${v}\tPhysical Address: ${physical}\n`);
  }
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

/**
 * The options of the instance a scenario runs on: its directives, and `options` for what they leave
 * unsaid (the parser has checked that an `@align` is one of core's ALIGNMENTS).
 */
export function memsOptions(
  scenario: Scenario,
  options: Pick<ReplayOptions, "pageSize" | "startAddress" | "align" | "lookup">,
): MemsOptions {
  const result: MemsOptions = {};
  const { directives } = scenario;
  const pageSize = directives.pageSize ?? options.pageSize;
  const startAddress = directives.startAddress ?? options.startAddress;
  const align = ALIGNMENTS.find((a) => a === directives.align) ?? options.align;
  if (pageSize !== undefined) result.pageSize = pageSize;
  if (startAddress !== undefined) result.startAddress = startAddress;
  if (align !== undefined) result.align = align;
  if (options.lookup !== undefined) result.lookup = options.lookup;
  return result;
}

/** A given instance cannot be reconfigured, so it must already be what the scenario asks for. */
function checkGivenMems(scenario: Scenario, mems: Mems, options: ReplayOptions): void {
  const wanted = memsOptions(scenario, options);
  const lookup = wanted.lookup === undefined ? undefined : lookupName(wanted.lookup);
  for (const [key, value] of [
    ["pageSize", wanted.pageSize],
    ["startAddress", wanted.startAddress],
    ["align", wanted.align],
    ["lookup", lookup],
  ] as const) {
    if (value !== undefined && value !== mems[key]) {
      throw new Error(`${scenario.file}: the scenario wants ${key} ${value}, the given Mems has ${mems[key]}`);
    }
  }
}

/** mems_malloc as the seed API has it: a size MeMS refuses gives NULL; running out of memory throws. */
function mallocOrNull(mems: Mems, bytes: number): number {
  try {
    return mems.malloc(bytes);
  } catch (error) {
    if (error instanceof MemsError && error.code === "INVALID_SIZE") return NULL_HANDLE;
    throw error;
  }
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
 * checked only while `verified` says it is live and its contents are known (not after a raw `F` freed it).
 */
class BlockChecker {
  private readonly verified: Uint8Array;
  /** Byte offset -> byte value written by `w`, per slot. */
  private readonly written: (Map<number, number> | undefined)[];

  constructor(
    private readonly scenario: Scenario,
    private readonly mems: Mems,
    private readonly blocks: BlockTable,
  ) {
    this.verified = new Uint8Array(scenario.slotCount);
    this.written = new Array(scenario.slotCount).fill(undefined);
  }

  /** A new block for `slot` (or NULL): fill it with its pattern. */
  filled(slot: number): void {
    const live = this.blocks.live[slot] ?? 0;
    this.written[slot] = undefined;
    this.verified[slot] = live;
    if (live === 1) this.fill(slot, 0);
  }

  forget(slot: number): void {
    this.written[slot] = undefined;
    this.verified[slot] = 0;
  }

  /** After a finish: no block is live. */
  forgetAll(): void {
    this.written.fill(undefined);
    this.verified.fill(0);
  }

  wrote(slot: number, offset: number, value: number): void {
    if (!this.owns(slot)) return; // a stale ID: not its block any more
    let written = this.written[slot];
    if (written === undefined) {
      written = new Map();
      this.written[slot] = written;
    }
    for (let k = 0; k < 4; k++) written.set(offset + k, (value >>> (8 * k)) & 0xff);
  }

  /**
   * Before `w` writes the 4 bytes at `v` through `slot`: a slot that does not own its block writes into
   * whatever lies at its old address now; when that is a block another ID verifies, the scenario is named.
   */
  beforeWrite(slot: number, v: number, index: number): void {
    if (this.owns(slot)) return;
    const { handle, size } = this.blocks;
    for (let other = 0; other < this.scenario.slotCount; other++) {
      const start = handle[other] ?? NULL_HANDLE;
      if (!this.owns(other) || v + 4 <= start || v >= start + (size[other] ?? 0)) continue;
      const why = this.blocks.live[slot] === 1 ? "its block was freed through another ID or a raw F" : "its block was freed";
      const line = this.scenario.lineOf[index] ?? 0;
      throw new StaleWriteError(this.scenario.file, line, this.idOf(slot), this.idOf(other), v - start, why);
    }
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

  /**
   * The slot is live and its block is the one it was given (no stale free or raw F took it). Every
   * change of the slot's live flag is followed by filled, forget or forgetAll, so while the rules free
   * its block (the flag already cleared) it still answers for the block being freed.
   */
  owns(slot: number): boolean {
    return this.verified[slot] === 1;
  }

  checkBlock(slot: number, index: number, when: string): void {
    if (this.owns(slot)) this.check(slot, this.sizeOf(slot), index, when);
  }

  checkAllLive(index: number, when: string): void {
    for (let slot = 0; slot < this.scenario.slotCount; slot++) this.checkBlock(slot, index, when);
  }

  /** A raw `F` or a stale `f` freed `v`: any live ID that held it no longer knows its block's contents. */
  freedBehindIds(v: number): void {
    for (let slot = 0; slot < this.scenario.slotCount; slot++) {
      if (this.blocks.live[slot] === 1 && this.blocks.handle[slot] === v) this.forget(slot);
    }
  }

  private sizeOf(slot: number): number {
    return this.blocks.size[slot] ?? 0;
  }

  private idOf(slot: number): number {
    return this.scenario.slotId[slot] ?? -1;
  }

  /** The first `length` bytes of the slot's block. */
  private viewOf(slot: number, length: number): Uint8Array {
    return this.mems.view(this.blocks.handle[slot] ?? NULL_HANDLE, length);
  }

  private fill(slot: number, from: number): void {
    const bytes = this.sizeOf(slot);
    if (from < bytes) fillPattern(this.viewOf(slot, bytes), this.idOf(slot), from);
  }

  private check(slot: number, length: number, index: number, when: string): void {
    if (length === 0) return;
    const view = this.viewOf(slot, length);
    const id = this.idOf(slot);
    const written = this.written[slot];
    // The first byte off the pattern where no `w` wrote (compared natively, a tile at a time), and the
    // first byte a `w` wrote that does not hold it: the earlier of the two is reported.
    let at = firstPatternDifference(view, id);
    while (at >= 0 && written?.has(at)) at = firstPatternDifference(view, id, at + 1);
    let first = at < 0 ? length : at;
    let expected = at < 0 ? 0 : patternByte(id, at);
    if (written !== undefined) {
      for (const [offset, byte] of written) {
        if (offset < first && view[offset] !== byte) {
          first = offset;
          expected = byte;
        }
      }
    }
    if (first < length) this.mismatch(slot, first, expected, view[first] ?? -1, index, when);
  }

  private mismatch(slot: number, offset: number, expected: number, actual: number, index: number, when: string): never {
    const line = this.scenario.lineOf[index] ?? 0;
    throw new VerifyError(this.scenario.file, line, this.idOf(slot), offset, expected, actual, when);
  }
}
