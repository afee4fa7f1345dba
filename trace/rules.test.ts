/** The replay rules on a heap that records what it is asked: each rule of the file comment, one by one. */

import { describe, expect, test } from "bun:test";
import { BlockTable, NULL_HANDLE, type ReplayHeap } from "./rules.ts";

/** Hands out handles 100, 101, ...; refuses sizes above 1000 (NULL); records every call. */
class RecordingHeap implements ReplayHeap {
  readonly calls: string[] = [];
  private next = 100;

  constructor(
    readonly finishFreesAll: boolean,
    readonly checksFrees: boolean,
  ) {}

  malloc(size: number): number {
    this.calls.push(`malloc ${size}`);
    return size > 1000 ? NULL_HANDLE : this.next++;
  }

  free(handle: number, slot: number): void {
    this.calls.push(`free ${handle} (slot ${slot})`);
  }

  realloc(handle: number, oldSize: number, size: number, slot: number): number {
    this.calls.push(`realloc ${handle} ${oldSize} -> ${size} (slot ${slot})`);
    return size > 1000 ? NULL_HANDLE : this.next++;
  }

  finish(): void {
    this.calls.push("finish");
  }
}

const heap = (finishFreesAll = true, checksFrees = true) => new RecordingHeap(finishFreesAll, checksFrees);
const state = (blocks: BlockTable) => ({
  handle: [...blocks.handle],
  size: [...blocks.size],
  live: [...blocks.live],
  leaked: [...blocks.leaked],
});

describe("a", () => {
  test("gives the slot a block; size 0 or a refused size gives NULL without a live block", () => {
    const h = heap();
    const blocks = new BlockTable(3);
    blocks.malloc(h, 0, 8);
    blocks.malloc(h, 1, 0);
    blocks.malloc(h, 2, 5000);
    expect(h.calls).toEqual(["malloc 8", "malloc 5000"]);
    expect(state(blocks)).toEqual({ handle: [100, NULL_HANDLE, NULL_HANDLE], size: [8, 0, 5000], live: [1, 0, 0], leaked: [] });
  });

  test("on a live ID leaks the old block, which the next finish gives back", () => {
    const h = heap(false);
    const blocks = new BlockTable(1);
    blocks.malloc(h, 0, 8);
    blocks.malloc(h, 0, 16);
    expect(h.calls).toEqual(["malloc 8", "malloc 16"]);
    expect(state(blocks)).toMatchObject({ handle: [101], live: [1], leaked: [100] });
    expect(blocks.finish(h)).toBe(2);
    expect(h.calls.slice(2)).toEqual(["free 101 (slot 0)", "free 100 (slot -1)", "finish"]);
    expect(state(blocks)).toMatchObject({ handle: [101], live: [0], leaked: [] });
  });
});

describe("f", () => {
  test("frees a live block once; f -1 and an ID holding NULL free nothing", () => {
    const h = heap();
    const blocks = new BlockTable(2);
    blocks.malloc(h, 0, 8);
    blocks.malloc(h, 1, 0);
    blocks.free(h, 0);
    blocks.free(h, -1);
    blocks.free(h, 1);
    expect(h.calls).toEqual(["malloc 8", "free 100 (slot 0)"]);
    expect(state(blocks)).toMatchObject({ handle: [100, NULL_HANDLE], live: [0, 0] });
  });

  test("of a freed ID hands its old address over only to a heap that checks frees", () => {
    for (const checksFrees of [true, false]) {
      const h = heap(true, checksFrees);
      const blocks = new BlockTable(1);
      blocks.malloc(h, 0, 8);
      blocks.free(h, 0);
      blocks.free(h, 0);
      blocks.finish(h);
      blocks.free(h, 0); // after a finish too: the ID keeps its old address
      const again = checksFrees ? ["free 100 (slot 0)", "free 100 (slot 0)"] : [];
      expect(h.calls).toEqual(["malloc 8", "free 100 (slot 0)", ...again.slice(0, 1), "finish", ...again.slice(1)]);
    }
  });

  test("freeing() is the same rule without the heap call", () => {
    const h = heap();
    const blocks = new BlockTable(2);
    blocks.malloc(h, 0, 8);
    expect([blocks.freeing(-1, true), blocks.freeing(1, true), blocks.freeing(0, false), blocks.freeing(0, false)]).toEqual([
      NULL_HANDLE,
      NULL_HANDLE,
      100,
      NULL_HANDLE,
    ]);
    expect(blocks.freeing(0, true)).toBe(100);
  });
});

describe("r", () => {
  test("without a live block: as a; size 0: as f; otherwise the heap's realloc", () => {
    const h = heap();
    const blocks = new BlockTable(2);
    blocks.realloc(h, 0, 8); // never allocated
    blocks.realloc(h, 0, 24);
    blocks.realloc(h, 0, 0);
    blocks.realloc(h, 0, 4); // freed: as a again
    blocks.malloc(h, 1, 0);
    blocks.realloc(h, 1, 0); // NULL and size 0: as a of size 0
    expect(h.calls).toEqual(["malloc 8", "realloc 100 8 -> 24 (slot 0)", "free 101 (slot 0)", "malloc 4"]);
    expect(state(blocks)).toEqual({ handle: [102, NULL_HANDLE], size: [4, 0], live: [1, 0], leaked: [] });
  });

  test("a size the heap refuses gives NULL and leaves the old block allocated (leaked)", () => {
    const h = heap(false);
    const blocks = new BlockTable(1);
    blocks.malloc(h, 0, 8);
    blocks.realloc(h, 0, 5000);
    expect(state(blocks)).toEqual({ handle: [NULL_HANDLE], size: [5000], live: [0], leaked: [100] });
    expect(blocks.finish(h)).toBe(1);
    expect(h.calls.slice(-2)).toEqual(["free 100 (slot -1)", "finish"]);
  });
});

describe("x", () => {
  test("gives back every block (the heap's finish does where it frees all) and counts them", () => {
    const h = heap();
    const blocks = new BlockTable(3);
    blocks.malloc(h, 0, 8);
    blocks.malloc(h, 1, 8);
    blocks.malloc(h, 2, 8);
    blocks.free(h, 1);
    expect(blocks.liveCount()).toBe(2);
    expect(blocks.finish(h)).toBe(2);
    expect(h.calls.slice(-1)).toEqual(["finish"]);
    expect(blocks.liveCount()).toBe(0);
  });
});
