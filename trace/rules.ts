/**
 * The replay rules: what the block operations of a trace (`a`, `f`, `r`, `x`) do to the IDs they name
 * and to the heap. The runner (runner.ts) and the benchmark's loop (bench/replay.ts) both replay through
 * this one table, and the C reference (conformance/reference/replay.c) follows the same rules, so the
 * benchmark times what conformance checks.
 *
 * Each ID's block slot holds a handle (NULL_HANDLE: none), the size its latest `a` or `r` asked for, and
 * whether that block is live:
 *
 * - `a ID SIZE`: ID := malloc(SIZE). SIZE 0, or a size the heap refuses, gives NULL. A block the ID still
 *   held is leaked, as C leaks it: it stays allocated until the next finish, which gives it back.
 * - `f ID`: frees the ID's block. `f -1` (free(NULL)) and an ID holding NULL free nothing. A freed ID still
 *   names its old address: freeing it again hands that address to the heap only where the heap checks
 *   what it is given (MeMS refuses it, or frees whatever block starts there now, as mems_free does);
 *   for any other heap a double free is undefined, so it is skipped.
 * - `r ID SIZE`: C's realloc. An ID without a live block: as `a`. SIZE 0: as `f`. Otherwise the heap's
 *   realloc: a block of SIZE holding the first min(old, SIZE) bytes; a size the heap refuses gives NULL and
 *   leaves the old block where it is (leaked, as `p = realloc(p, n)` leaks it in C).
 * - `x`: finish. Every block goes back, leaked ones too, and no ID is live (each keeps its old address).
 *
 * The table is typed arrays and one list of leaked handles (which only `a` on a live ID and a refused
 * `r` add to): no object per operation, so the benchmark's loop can replay through it. For `a` and `f`
 * it also has the rule without the heap call (`placed`, `freeing`), for a loop that calls its heap
 * itself: the benchmark's loop does, because a call through `malloc(heap, ...)` or `free(heap, ...)` puts
 * the allocator one level deeper than JSC inlines (hot path: docs/design.md, "Hot paths").
 */

import { Op } from "./format.ts";

/** What a slot holds when it names no block: never allocated, or NULL from `a ID 0` or a refused size. */
export const NULL_HANDLE = -1;

/** The heap a trace is replayed on, as the rules call it. */
export interface ReplayHeap {
  /** A block of `size` >= 1 bytes, or NULL_HANDLE where the heap refuses the size; throws when out of memory. */
  malloc(size: number): number;
  /** Frees a block; `slot` is the block slot of the ID that named it (-1: a leaked block at a finish). */
  free(handle: number, slot: number): void;
  /**
   * C's realloc of the live block of `slot`: a block of `size` >= 1 bytes holding the first
   * min(oldSize, size) bytes, the old one freed; NULL_HANDLE where the heap refuses the size (the old
   * block stays allocated).
   */
  realloc(handle: number, oldSize: number, size: number, slot: number): number;
  /** True when `finish` gives back every block itself; otherwise the rules free each one first. */
  readonly finishFreesAll: boolean;
  /** Gives back everything (mems_finish); the heap is ready for more operations afterwards. */
  finish(): void;
  /** True when freeing an address that is no live block is defined (MeMS refuses it): see `f` above. */
  readonly checksFrees?: boolean;
}

/** The block each ID of a trace names, changed by the operations as the rules say. */
export class BlockTable {
  /** Per block slot: the handle of its block, or NULL_HANDLE. A freed ID keeps its old handle. */
  readonly handle: Float64Array;
  /** Per block slot: the size its latest `a` or `r` asked for. */
  readonly size: Float64Array;
  /** Per block slot: 1 while the handle is a live block the ID owns. */
  readonly live: Uint8Array;
  /** Blocks no ID names any more that are still allocated, until the next finish. */
  readonly leaked: number[] = [];

  constructor(slotCount: number) {
    this.handle = new Float64Array(slotCount).fill(NULL_HANDLE);
    this.size = new Float64Array(slotCount);
    this.live = new Uint8Array(slotCount);
  }

  /** `a`: the slot's new block (or NULL); a live block it held is leaked. */
  malloc(heap: ReplayHeap, slot: number, size: number): void {
    this.placed(slot, size, size === 0 ? NULL_HANDLE : heap.malloc(size));
  }

  /**
   * `a` without the heap, after the caller's own malloc of SIZE (NULL_HANDLE for SIZE 0, without asking
   * the heap): the slot holds `handle`, and a live block it held is leaked.
   */
  placed(slot: number, size: number, handle: number): void {
    if (this.live[slot] === 1) this.leaked.push(this.handle[slot] ?? NULL_HANDLE);
    this.handle[slot] = handle;
    this.size[slot] = size;
    this.live[slot] = handle === NULL_HANDLE ? 0 : 1;
  }

  /** `f` (slot -1 for `f -1`). */
  free(heap: ReplayHeap, slot: number): void {
    const handle = this.freeing(slot, heap.checksFrees === true);
    if (handle !== NULL_HANDLE) heap.free(handle, slot);
  }

  /**
   * `f` without the heap: the handle the rule frees (the slot's block is no longer live), or NULL_HANDLE
   * when it frees nothing; the caller hands it to its heap's free.
   */
  freeing(slot: number, checksFrees: boolean): number {
    if (slot < 0) return NULL_HANDLE;
    const handle = this.handle[slot] ?? NULL_HANDLE;
    if (handle === NULL_HANDLE || (this.live[slot] === 0 && !checksFrees)) return NULL_HANDLE;
    this.live[slot] = 0;
    return handle;
  }

  /** `r`: as `a` without a live block, as `f` for size 0, else the heap's realloc. */
  realloc(heap: ReplayHeap, slot: number, size: number): void {
    if (this.live[slot] === 0) this.malloc(heap, slot, size);
    else if (size === 0) this.free(heap, slot);
    else this.move(heap, slot, size);
  }

  private move(heap: ReplayHeap, slot: number, size: number): void {
    const old = this.handle[slot] ?? NULL_HANDLE;
    const fresh = heap.realloc(old, this.size[slot] ?? 0, size, slot);
    if (fresh === NULL_HANDLE) {
      this.leaked.push(old);
      this.live[slot] = 0;
    }
    this.handle[slot] = fresh;
    this.size[slot] = size;
  }

  /** `x`, and the finish after the last operation: returns how many blocks were live (leaked ones included). */
  finish(heap: ReplayHeap): number {
    const { handle, live, leaked } = this;
    const blocks = leaked.length + this.liveCount();
    if (!heap.finishFreesAll) {
      for (let slot = 0; slot < live.length; slot++) if (live[slot] === 1) heap.free(handle[slot] ?? NULL_HANDLE, slot);
      for (const block of leaked) heap.free(block, -1);
    }
    heap.finish();
    live.fill(0);
    leaked.length = 0;
    return blocks;
  }

  /**
   * Operation `op` of a trace on `slot` (`size` for `a` and `r`) by the rules above: `a`, `f`, `r` and `x`;
   * any other operation changes no block, and is left to the caller.
   */
  step(heap: ReplayHeap, op: number | undefined, slot: number, size: number): void {
    if (op === Op.Malloc) this.malloc(heap, slot, size);
    else if (op === Op.Free) this.free(heap, slot);
    else if (op === Op.Realloc) this.realloc(heap, slot, size);
    else if (op === Op.Finish) this.finish(heap);
  }

  /** How many IDs hold a live block. */
  liveCount(): number {
    let count = 0;
    for (const flag of this.live) count += flag;
    return count;
  }
}
