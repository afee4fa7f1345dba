/**
 * checkInvariants can fail: each test breaks one invariant on purpose (through the testing entry's
 * window on an instance) and expects the message that names it. The walk itself never hangs on a cycle.
 */
import { describe, expect, test } from "bun:test";
import { instancesFinishedAfterEachTest } from "../test-support/core.ts";
import { LOOKUPS, Mems } from "./index.ts";
import { GRANULE, memsInternals } from "./testing.ts";

const make = instancesFinishedAfterEachTest();

/** Segment 0: a PROCESS, a HOLE, c PROCESS, the HOLE at its end; segment 1: d PROCESS and its HOLE. */
function heap(mems: Mems) {
  const a = mems.malloc(300);
  const b = mems.malloc(300);
  const c = mems.malloc(300);
  mems.free(b);
  const d = mems.malloc(5000);
  mems.checkInvariants();
  return { a, b, c, d };
}

/** The record of the piece starting at virtual address `v` (the address map names it for its first granule's last byte). */
function recordAt(mems: Mems, v: number): number {
  const { records, addressMap } = memsInternals(mems);
  let record = addressMap[Math.floor((v - mems.startAddress) / GRANULE)] ?? -1;
  while (records.pieceAddress(record) > v) record = records.pieceBefore(record);
  expect(records.pieceAddress(record)).toBe(v);
  return record;
}

function brokenWith(mems: Mems): string {
  try {
    mems.checkInvariants();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return "no invariant broken";
}

describe.each(LOOKUPS)("%s", (lookup) => {
  test("a record's number is where its slot starts: no other number is a piece", () => {
    const mems = make({ lookup });
    const { b } = heap(mems);
    const { records } = memsInternals(mems);
    const record = recordAt(mems, b);
    expect(records.isPiece(record)).toBe(true);
    for (const other of [record + 1, record - 1, record + 3, -6, 1e9]) expect(records.isPiece(other)).toBe(false);
  });

  test("a wrong prev link in a sub-chain", () => {
    const mems = make({ lookup });
    const { a, c } = heap(mems);
    memsInternals(mems).records.setPrevPiece(recordAt(mems, c), recordAt(mems, a));
    expect(brokenWith(mems)).toBe(`MeMS invariant broken: piece at ${c} has a wrong prev link`);
  });

  test("pieces that no longer tile their segment: the first starts after it", () => {
    const mems = make({ lookup });
    const { a } = heap(mems);
    memsInternals(mems).records.setPieceAddress(recordAt(mems, a), a + 1);
    expect(brokenWith(mems)).toBe(`MeMS invariant broken: piece starts at ${a + 1}, expected ${a} (pieces must tile the segment)`);
  });

  test("a piece that starts past the next one's start (a size below 1)", () => {
    const mems = make({ lookup });
    const { b, c } = heap(mems);
    memsInternals(mems).records.setPieceAddress(recordAt(mems, c), b - 1); // b now ends before it starts
    expect(brokenWith(mems)).toBe(`MeMS invariant broken: piece at ${b} has size -1`);
  });

  test("with align, a block or a HOLE between pieces whose size is no multiple of it", () => {
    const mems = make({ lookup, align: 8 });
    const a = mems.malloc(16);
    const b = mems.malloc(16);
    mems.malloc(16);
    mems.free(b);
    mems.checkInvariants();
    const records = memsInternals(mems).records;
    const bRecord = recordAt(mems, b);
    const cRecord = records.nextPiece(bRecord);
    records.setPieceAddress(cRecord, b + 12); // b's size is 12
    expect(brokenWith(mems)).toBe(
      `MeMS invariant broken: piece at ${b} has size 12, not a multiple of align 8 (only a segment's last HOLE may)`,
    );
    records.setPieceAddress(cRecord, b + 16);
    records.setPieceAddress(bRecord, a + 12); // a's size is 12
    expect(brokenWith(mems)).toBe(
      `MeMS invariant broken: piece at ${a} has size 12, not a multiple of align 8 (only a segment's last HOLE may)`,
    );
  });

  test("with align, a segment's last piece whose size is no multiple of it, once it is a block", () => {
    const mems = make({ lookup, align: 16, pageSize: 1000 });
    mems.malloc(990); // 992, and a last HOLE of 8 bytes: allowed
    mems.checkInvariants();
    memsInternals(mems).records.markProcess(recordAt(mems, 1992));
    expect(brokenWith(mems)).toBe(
      "MeMS invariant broken: piece at 1992 has size 8, not a multiple of align 16 (only a segment's last HOLE may)",
    );
  });

  test("two HOLEs side by side", () => {
    const mems = make({ lookup });
    const { c } = heap(mems);
    memsInternals(mems).records.markHole(recordAt(mems, c));
    expect(brokenWith(mems)).toBe(`MeMS invariant broken: two adjacent HOLEs at ${c} (they should have merged)`);
  });

  test("a record of the pool's free list in a sub-chain", () => {
    const mems = make({ lookup });
    const { c } = heap(mems);
    const record = recordAt(mems, c);
    memsInternals(mems).records.releasePiece(record);
    expect(brokenWith(mems)).toBe(`MeMS invariant broken: record ${record} in the sub-chain of segment at 1000 is not a piece`);
  });

  test("an address-map entry naming the wrong piece", () => {
    const mems = make({ lookup });
    const { c } = heap(mems);
    memsInternals(mems).addressMap[0] = recordAt(mems, c);
    expect(brokenWith(mems)).toBe(
      `MeMS invariant broken: address-map entry 0 (virtual 1000) names record ${recordAt(mems, c)}, expected the piece at 1000`,
    );
  });

  test("a HOLE the lookup does not hold", () => {
    const mems = make({ lookup });
    const { b } = heap(mems);
    const { records, lookup: holes } = memsInternals(mems);
    holes.remove(recordAt(mems, b), records.pieceSize(recordAt(mems, b)));
    expect(brokenWith(mems)).toBe(`MeMS invariant broken: the lookup misses the HOLE at ${b} (record ${recordAt(mems, b)})`);
  });

  test("a PROCESS the lookup still holds", () => {
    const mems = make({ lookup });
    const { b } = heap(mems);
    memsInternals(mems).records.markProcess(recordAt(mems, b));
    expect(brokenWith(mems)).toBe(`MeMS invariant broken: the lookup holds PROCESS record ${recordAt(mems, b)}`);
  });

  test("a wrong link in the lookup's own structure", () => {
    const mems = make({ lookup });
    const { b, d } = heap(mems);
    const hole = recordAt(mems, b);
    memsInternals(mems).records.setHolePrev(hole, recordAt(mems, d));
    // In a list it is a back link, which the lookup's own check catches; in best-fit's and worst-fit's
    // tree it is a child, so the tree now holds the PROCESS d, which the check from outside catches first.
    expect(brokenWith(mems)).toBe(
      lookup === "best-fit" || lookup === "worst-fit"
        ? `MeMS invariant broken: the lookup holds PROCESS record ${recordAt(mems, d)}`
        : `MeMS invariant broken: ${lookup}: HOLE record ${hole} has a wrong holePrev link`,
    );
  });

  test("a sub-chain that loops: the walk stops and says so in stats(); checkInvariants names the first piece that is wrong", () => {
    const mems = make({ lookup });
    const { a } = heap(mems);
    const { records } = memsInternals(mems);
    const first = recordAt(mems, a);
    let last = first;
    while (records.nextPiece(last) !== -1) last = records.nextPiece(last);
    records.setNextPiece(last, first);
    expect(() => mems.stats()).toThrow("MeMS invariant broken: the sub-chain of segment at 1000 has a cycle");
    // The last piece now ends where the first starts.
    const lastStart = records.pieceAddress(last);
    expect(brokenWith(mems)).toBe(`MeMS invariant broken: piece at ${lastStart} has size ${a - lastStart}`);
  });

  test("a segment's sub-chain that ends early", () => {
    const mems = make({ lookup });
    const { c } = heap(mems);
    const { records } = memsInternals(mems);
    const tail = records.nextPiece(recordAt(mems, c));
    records.setNextPiece(recordAt(mems, c), -1);
    // c now ends where the segment does, over the granules that name the tail.
    expect(brokenWith(mems)).toMatch(
      new RegExp(`^MeMS invariant broken: address-map entry \\d+ \\(virtual \\d+\\) names record ${tail}, expected the piece at ${c}$`),
    );
  });

  test("a block's bytes counted in the stats but not in the chains", () => {
    const mems = make({ lookup });
    const { b } = heap(mems);
    const { records, lookup: holes } = memsInternals(mems);
    holes.remove(recordAt(mems, b), 300);
    records.markProcess(recordAt(mems, b));
    expect(brokenWith(mems)).toBe(`MeMS invariant broken: blocks hold ${300 + 300 + 300 + 5000} bytes, the stats say ${300 + 300 + 5000}`);
  });

  // These instances are not finished: finish would munmap the made-up segment's range.
  test.each([
    ["a physical base off the OS page", 13288, 4096, 1, "segment at 13288 has physical base 1, not page-aligned"],
    ["a gap in virtual space", 13289, 4096, 0, "segment 2 starts at 13289, expected 13288 (virtual ranges must be contiguous)"],
    ["a size that is no whole number of pages", 13288, 100, 0, "segment at 13288 has size 100, not a positive multiple of PAGE_SIZE"],
    ["no piece tiling it", 13288, 4096, 0, "pieces of segment at 13288 end at 13288, expected 17384"],
  ])("a segment with %s", (_what, start, size, base, message) => {
    const mems = new Mems({ lookup });
    heap(mems);
    memsInternals(mems).records.newSegment(start, size, base);
    expect(brokenWith(mems)).toBe(`MeMS invariant broken: ${message}`);
  });
});
