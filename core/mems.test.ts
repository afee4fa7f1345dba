/**
 * The rules of docs/mems.md, one by one, in both lookup modes where the rule holds for both.
 */
import { describe, expect, spyOn, test } from "bun:test";
import { Prng } from "../lib/prng.ts";
import { codeOf, instancesFinishedAfterEachTest, snapshot } from "../test-support/core.ts";
import { LOOKUPS, MAX_ADDRESS, Mems, type MemsErrorCode, PAGE_SIZE } from "./index.ts";
import { mems_finish, mems_free, mems_get, mems_init, mems_malloc, mems_print_stats } from "./seed.ts";
import { injectMmapFailures, mems_instance, OS_PAGE_SIZE, osCounters } from "./testing.ts";

const make = instancesFinishedAfterEachTest();

/** The layout of the chains as text: "P1000+1000 H2000+3096 | ..." */
function layout(mems: Mems): string {
  return mems
    .chains()
    .map((s) => s.pieces.map((p) => `${p.type[0]}${p.virtualAddress}+${p.size}`).join(" "))
    .join(" | ");
}

function expectMemsError(action: () => unknown, code: MemsErrorCode): void {
  expect(codeOf(action)).toBe(code);
}

describe.each(LOOKUPS)("%s", (lookup) => {
  test("blocks are handed out from the start address, split from the HOLE's start", () => {
    const mems = make({ lookup });
    expect(mems.malloc(1000)).toBe(1000);
    expect(mems.malloc(24)).toBe(2000);
    expect(layout(mems)).toBe("P1000+1000 P2000+24 H2024+3072");
    mems.checkInvariants();
  });

  test("an exact fit leaves no zero-size HOLE", () => {
    const mems = make({ lookup });
    mems.malloc(4000);
    expect(mems.malloc(96)).toBe(5000);
    expect(layout(mems)).toBe("P1000+4000 P5000+96");
    expect(mems.stats().holes).toBe(0);
    mems.checkInvariants();
  });

  test("no HOLE fits: a new segment of whole pages at the next virtual range, never merged", () => {
    const mems = make({ lookup });
    mems.malloc(4000);
    expect(mems.malloc(100)).toBe(5096);
    expect(mems.malloc(9000)).toBe(9192);
    expect(layout(mems)).toBe("P1000+4000 H5000+96 | P5096+100 H5196+3996 | P9192+9000 H18192+3288");
    const stats = mems.stats();
    expect(stats.pagesUsed).toBe(1 + 1 + 3);
    expect(stats.mainChainLength).toBe(3);
    expect(stats.subChainLengths).toEqual([2, 2, 2]);
    mems.checkInvariants();
  });

  test("free merges with the previous HOLE, the next HOLE and both, never across segments", () => {
    const mems = make({ lookup });
    const [a, b, c, d] = [mems.malloc(100), mems.malloc(200), mems.malloc(300), mems.malloc(400)];
    mems.free(b);
    expect(layout(mems)).toBe("P1000+100 H1100+200 P1300+300 P1600+400 H2000+3096");
    mems.free(c); // previous
    expect(layout(mems)).toBe("P1000+100 H1100+500 P1600+400 H2000+3096");
    mems.free(d); // both
    expect(layout(mems)).toBe("P1000+100 H1100+3996");
    mems.free(a); // next
    expect(layout(mems)).toBe("H1000+4096");
    mems.checkInvariants();
    const e = mems.malloc(5000); // the one HOLE cannot hold it: a second segment
    mems.free(e);
    expect(layout(mems)).toBe("H1000+4096 | H5096+8192");
    expect(mems.stats().spaceUnused).toBe(4096 + 8192);
    mems.checkInvariants();
  });

  test("pages smaller than the address map's granule: every byte of every block is found", () => {
    // Segments of 100 bytes, so a granule's last byte often lies in a later segment than its first (GRANULE > 100).
    const mems = make({ lookup, pageSize: 100, startAddress: 0 });
    const blocks: [number, number][] = [];
    for (let i = 0; i < 120; i++) {
      const size = 1 + ((i * 37) % 150);
      blocks.push([mems.malloc(size), size]);
    }
    const chains = mems.chains();
    const physical = (v: number): number => {
      const segment = chains.find((s) => v >= s.startVirtualAddress && v < s.startVirtualAddress + s.totalSize);
      return (segment?.physicalAddress ?? Number.NaN) + (v - (segment?.startVirtualAddress ?? 0));
    };
    for (const [v, size] of blocks) {
      for (let byte = 0; byte < size; byte++) expect(mems.tryGet(v + byte)).toBe(physical(v + byte));
    }
    // Free in a scattered order, checking the whole heap (address map included) after each.
    for (let i = 0; i < blocks.length; i++) {
      const [v] = blocks[(i * 53) % blocks.length] as [number, number];
      expect(mems.tryFree(v)).toBe(true);
      mems.checkInvariants();
    }
    expect(mems.stats().liveBlocks).toBe(0);
  });

  test("get translates every byte of a block and nothing else", () => {
    const mems = make({ lookup });
    const a = mems.malloc(100);
    const b = mems.malloc(5000);
    const [first, second] = mems.chains().map((segment) => segment.physicalAddress);
    expect(first !== undefined && second !== undefined).toBe(true);
    const base = first ?? Number.NaN;
    expect(base % OS_PAGE_SIZE).toBe(0);
    expect(Number(mems.get(a))).toBe(base);
    expect(Number(mems.get(a + 99))).toBe(base + 99);
    expect(Number(mems.get(b + 4999))).toBe((second ?? Number.NaN) + 4999);
    for (const v of [a + 100, 999, b + 5000, b + 8192, -1, 1000.5, Number.NaN]) {
      expectMemsError(() => mems.get(v), "ADDRESS_NOT_FOUND");
    }
  });

  test("bad frees change nothing", () => {
    const mems = make({ lookup });
    const a = mems.malloc(100);
    const b = mems.malloc(300);
    mems.malloc(50);
    mems.free(b);
    mems.view(a).fill(7);
    const before = snapshot(mems, [a]);
    const bad: unknown[] = [
      a + 1,
      b,
      b + 10,
      999,
      0,
      5096,
      10 ** 9,
      -1000,
      1000.25,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      "1000",
      undefined,
      null,
    ];
    for (const v of bad) {
      expectMemsError(() => mems.free(v as number), "ADDRESS_NOT_FOUND");
      expect(snapshot(mems, [a])).toBe(before);
    }
  });

  test("bad sizes change nothing", () => {
    const mems = make({ lookup });
    mems.malloc(10);
    const before = snapshot(mems, []);
    for (const size of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_ADDRESS + 1, 2 ** 53, "8", undefined, null]) {
      expectMemsError(() => mems.malloc(size as number), "INVALID_SIZE");
      expect(snapshot(mems, [])).toBe(before);
    }
  });

  test("start address 0 makes 0 a valid block address", () => {
    const mems = make({ lookup, startAddress: 0 });
    expect(mems.malloc(8)).toBe(0);
    expect(Number(mems.get(0))).toBe(mems.chains()[0]?.physicalAddress ?? Number.NaN);
    mems.free(0);
    expect(layout(mems)).toBe("H0+4096");
    expectMemsError(() => mems.free(0), "ADDRESS_NOT_FOUND");
  });

  test.each([1024, 8192, 1000, 1])("PAGE_SIZE %i: segments are whole pages of it", (pageSize) => {
    const mems = make({ lookup, pageSize });
    mems.malloc(3000);
    mems.malloc(100);
    mems.checkInvariants();
    for (const segment of mems.chains()) expect(segment.totalSize % pageSize).toBe(0);
    expect(mems.stats().pagesUsed).toBe(mems.stats().mappedBytes / pageSize);
  });

  test("views read and write the block's own bytes, and are detached by finish", () => {
    const mems = make({ lookup });
    const a = mems.malloc(16);
    const b = mems.malloc(16);
    mems.view(a).fill(0xaa);
    mems.view(b, 4).set([1, 2, 3, 4]);
    expect(Array.from(mems.view(a + 14))).toEqual([0xaa, 0xaa]);
    expect(Array.from(mems.view(b, 5))).toEqual([1, 2, 3, 4, 0]);
    expectMemsError(() => mems.view(a, 17), "INVALID_SIZE");
    expectMemsError(() => mems.view(a + 16 + 16), "ADDRESS_NOT_FOUND");
    const kept = mems.view(a);
    mems.finish();
    expect(kept.length).toBe(0);
    expect(kept[0]).toBeUndefined();
  });

  test("finish unmaps every segment and all bookkeeping, and starts over at the start address", () => {
    const mems = make({ lookup });
    const mappedBefore = osCounters().mappedBytes;
    for (let i = 0; i < 300; i++) mems.malloc(1 + ((i * 37) % 700));
    expect(osCounters().mappedBytes).toBeGreaterThan(mappedBefore);
    mems.finish();
    expect(osCounters().mappedBytes).toBe(mappedBefore);
    const stats = mems.stats();
    expect(stats.heldBytes).toBe(0);
    expect(stats.munmapCalls).toBeGreaterThan(0);
    expect(stats.munmapCalls).toBeLessThanOrEqual(stats.mmapCalls);
    expect(mems.formatStats()).toBe(
      "----- MeMS SYSTEM STATS -----\nPages used:\t0\nSpace unsued:\t0\nMain Chain Length:\t0\nSub-chain Length array: []\n-----------------------------\n",
    );
    mems.finish(); // a second finish does nothing
    expect(mems.stats().munmapCalls).toBe(stats.munmapCalls);
    expect(mems.malloc(5)).toBe(1000);
  });

  test("finish gives back segments that lie side by side with one munmap per run", () => {
    const mems = make({ lookup });
    for (let i = 0; i < 400; i++) mems.malloc(1 + ((i * 997) % 6000));
    // The runs of segments adjacent in memory, in main-chain order, as finish walks them.
    let runs = 0;
    let low = 0;
    let high = 0;
    for (const segment of mems.chains()) {
      const start = segment.physicalAddress;
      const end = start + segment.totalSize;
      if (runs > 0 && start === high) high = end;
      else if (runs > 0 && end === low) low = start;
      else {
        runs++;
        low = start;
        high = end;
      }
    }
    const before = mems.stats();
    mems.finish();
    // the record pool, the address map and the page table (each grown in place: one munmap each),
    // and the size index or first-fit's (and next-fit's) segment tree; best-fit's and worst-fit's tree
    // lives in the HOLE records
    const bookkeepingMappings = lookup === "best-fit" || lookup === "worst-fit" ? 3 : 4;
    expect(mems.stats().munmapCalls - before.munmapCalls).toBe(runs + bookkeepingMappings);
    expect(runs).toBeLessThanOrEqual(before.mainChainLength);
    expect(mems.stats().heldBytes).toBe(0);
  });

  test("10,000 malloc(40) cost at most 160 mmap calls: one per segment, and few for bookkeeping", () => {
    const mems = make({ lookup });
    for (let i = 0; i < 10_000; i++) mems.malloc(40);
    const stats = mems.stats();
    expect(stats.mainChainLength).toBe(99);
    // 99 segments; the tables grow by an eighth in place (the record pool from 1,024 slots to 10,000+ in
    // about 20 steps, each a call for the slots and one for the column) plus the probes for their room.
    expect(stats.mmapCalls).toBeLessThanOrEqual(160);
    mems.checkInvariants();
  });

  test("a failed mmap is OUT_OF_MEMORY and changes nothing; fitting requests still succeed", () => {
    const mems = make({ lookup });
    const a = mems.malloc(1000);
    mems.view(a).fill(3);
    const before = snapshot(mems, [a]);
    injectMmapFailures(1);
    expectMemsError(() => mems.malloc(5000), "OUT_OF_MEMORY");
    expect(snapshot(mems, [a])).toBe(before);
    expect(mems.malloc(3000)).toBe(2000);
    mems.checkInvariants();
  });

  test("an address-map growth failure unmaps the new segment and changes nothing", () => {
    const mems = make({ lookup });
    const a = mems.malloc(100);
    const before = snapshot(mems, [a]);
    const mapped = osCounters().mappedBytes;
    injectMmapFailures(1, 1); // the segment's mmap succeeds, the address map's growth fails
    expectMemsError(() => mems.malloc(4096 * 1024), "OUT_OF_MEMORY");
    expect(snapshot(mems, [a])).toBe(before);
    expect(osCounters().mappedBytes).toBe(mapped);
  });

  test("a request far beyond memory is OUT_OF_MEMORY", () => {
    const mems = make({ lookup });
    expectMemsError(() => mems.malloc(MAX_ADDRESS), "OUT_OF_MEMORY");
    expect(mems.stats().mappedBytes).toBe(0);
  });

  test("using declarations finish the instance", () => {
    const mapped = osCounters().mappedBytes;
    {
      using mems = new Mems({ lookup });
      mems.malloc(100);
      expect(osCounters().mappedBytes).toBeGreaterThan(mapped);
    }
    expect(osCounters().mappedBytes).toBe(mapped);
  });
});

describe("first-fit", () => {
  test("takes the first fitting HOLE in main-chain then sub-chain order", () => {
    const mems = make();
    const [first, , third] = [100, 50, 100, 50, 3796].map((size) => mems.malloc(size));
    const second = mems.malloc(4000);
    mems.free(first ?? -1); // H 100 in segment 0
    mems.free(third ?? -1); // H 100 in segment 0
    mems.free(second); // H 4096 in segment 1
    expect(mems.malloc(60)).toBe(first ?? -1);
    expect(mems.malloc(60)).toBe(third ?? -1);
    expect(mems.malloc(60)).toBe(second);
  });

  test("a segment skipped by its hint is rescanned after a free grows a HOLE", () => {
    const mems = make();
    const a = mems.malloc(2000);
    mems.malloc(2096);
    mems.malloc(4096); // segment 1, full
    expect(mems.malloc(10)).toBe(9192); // segment 0 has no HOLE: a new segment
    mems.free(a);
    expect(mems.malloc(1500)).toBe(a);
  });

  test("over hundreds of segments, takes exactly the HOLE a walk of the chains names first", () => {
    // The segment tree skips segments; this checks every choice against the definition itself.
    const seed = Prng.seedFrom("MEMS_TEST_SEED");
    const rng = new Prng(seed);
    // Pages of 1 KiB: a segment fills in fewer operations, so 200 of them come with about half the
    // pieces (each operation walks them all).
    const mems = make({ pageSize: 1024 });
    const live: number[] = [];
    let segmentsSeen = 0;
    // Until there are 200 segments (mallocs outnumber frees, so the heap keeps growing), at most 50,000 ops.
    for (let op = 0; segmentsSeen <= 200 && op < 50_000; op++) {
      if (live.length > 0 && rng.next() < 0.3) {
        const [v] = live.splice(Math.floor(rng.next() * live.length), 1);
        mems.free(v ?? -1);
        continue;
      }
      const size = 1 + Math.floor(rng.next() * (rng.next() < 0.1 ? 9000 : 600));
      const chains = mems.chains();
      const hole = chains.flatMap((segment) => segment.pieces).find((piece) => piece.type === "HOLE" && piece.size >= size);
      const last = chains.at(-1);
      const expected = hole?.virtualAddress ?? (last === undefined ? mems.startAddress : last.startVirtualAddress + last.totalSize);
      const got = mems.malloc(size);
      if (got !== expected) throw new Error(`seed ${seed}, operation ${op}: malloc(${size}) gave ${got}, first fit is ${expected}`);
      live.push(got);
      segmentsSeen = chains.length;
    }
    try {
      expect(segmentsSeen).toBeGreaterThan(200); // the tree grew four times (it starts with room for 16)
      mems.checkInvariants();
    } catch (error) {
      console.error(`randomized test failed: seed ${seed} (MEMS_TEST_SEED=${seed})`);
      throw error;
    }
  }, 30_000);

  test("a failed growth of the segment tree is OUT_OF_MEMORY and changes nothing", () => {
    const mems = make();
    const blocks: number[] = [];
    for (let i = 0; i < 16; i++) blocks.push(mems.malloc(4096)); // 16 full segments: the tree is full
    const before = snapshot(mems, blocks);
    const held = mems.stats().heldBytes;
    injectMmapFailures(1); // the tree's growth, asked for before the segment is mapped
    expectMemsError(() => mems.malloc(4096), "OUT_OF_MEMORY");
    expect(snapshot(mems, blocks)).toBe(before);
    expect(mems.stats().heldBytes).toBe(held);
    expect(mems.malloc(4096)).toBe(mems.startAddress + 16 * 4096);
    mems.checkInvariants();
  });
});

describe("size-indexed", () => {
  test("never maps new memory while a fitting HOLE exists, even one in the request's own class", () => {
    const mems = make({ lookup: "size-indexed" });
    // A HOLE of 2000 bytes: its class holds [1984, 2016); a request of 1999 rounds up past it.
    mems.malloc(2000);
    const filler = mems.malloc(2096);
    mems.free(1000);
    expect(filler).toBe(3000);
    const mmaps = mems.stats().mmapCalls;
    expect(mems.malloc(1999)).toBe(1000);
    expect(mems.stats().mmapCalls).toBe(mmaps);
    mems.checkInvariants();
  });

  test("below 1 KiB: a HOLE of exactly the size is taken whole, else the smallest larger one", () => {
    const mems = make({ lookup: "size-indexed" });
    // HOLEs of 300, 200 and 250 bytes in that order, each after a block that stays.
    const holes: number[] = [];
    for (const size of [300, 200, 250]) {
      holes.push(mems.malloc(size));
      mems.malloc(10);
    }
    mems.malloc(4096 - 780); // the rest of the segment, so no other HOLE is left
    for (const v of holes) mems.free(v);
    expect(layout(mems)).toBe("H1000+300 P1300+10 H1310+200 P1510+10 H1520+250 P1770+10 P1780+3316");
    expect(mems.malloc(250)).toBe(1520); // first-fit would split the 300 at 1000
    expect(mems.malloc(210)).toBe(1000); // 300 is the smallest HOLE that fits
    expect(mems.malloc(150)).toBe(1310); // the 90 left at 1210 is too small; the 200 is next
    expect(layout(mems)).toBe("P1000+210 H1210+90 P1300+10 P1310+150 H1460+50 P1510+10 P1520+250 P1770+10 P1780+3316");
    mems.checkInvariants();
  });

  test("takes a HOLE in O(1) from a larger class", () => {
    const mems = make({ lookup: "size-indexed" });
    const small = mems.malloc(64);
    mems.malloc(1000);
    mems.free(small);
    // Holes: 64 bytes at 1000 and 3032 at 2064; 500 bytes come from the large one.
    expect(mems.malloc(500)).toBe(2064);
    expect(mems.malloc(64)).toBe(1000);
    mems.checkInvariants();
  });
});

describe("options", () => {
  test("defaults are the course's, and the environment fills what options leave unsaid", () => {
    const mems = make();
    expect([mems.pageSize, mems.startAddress, mems.lookup]).toEqual([PAGE_SIZE, 1000, "first-fit"]);
    const saved = { ...process.env };
    try {
      process.env.MEMS_PAGE_SIZE = "1024";
      process.env.MEMS_START_ADDRESS = "0";
      process.env.MEMS_LOOKUP = "size-indexed";
      const fromEnv = make();
      expect([fromEnv.pageSize, fromEnv.startAddress, fromEnv.lookup]).toEqual([1024, 0, "size-indexed"]);
      const explicit = make({ pageSize: 8192 });
      expect([explicit.pageSize, explicit.startAddress]).toEqual([8192, 0]);
    } finally {
      process.env = saved;
    }
  });

  test.each([
    [{ pageSize: 0 }, "pageSize"],
    [{ pageSize: -4096 }, "pageSize"],
    [{ pageSize: 4096.5 }, "pageSize"],
    [{ pageSize: Number.NaN }, "pageSize"],
    [{ pageSize: 2 ** 40 }, "pageSize"],
    [{ startAddress: -1 }, "startAddress"],
    [{ startAddress: 0.5 }, "startAddress"],
    [{ startAddress: 2 ** 60 }, "startAddress"],
    [{ lookup: "fastest-fit" }, "lookup"],
    [{ pagesize: 4096 }, "pagesize"],
  ])("bad option %j is INVALID_OPTION naming %s", (options, name) => {
    expect(() => new Mems(options as never)).toThrow(name);
    expectMemsError(() => new Mems(options as never), "INVALID_OPTION");
  });

  test.each([
    ["MEMS_PAGE_SIZE", "4k"],
    ["MEMS_PAGE_SIZE", "0"],
    ["MEMS_START_ADDRESS", "-5"],
    ["MEMS_START_ADDRESS", "1e3"],
    ["MEMS_LOOKUP", "fastest"],
  ])("bad environment %s=%p is INVALID_OPTION naming the variable", (name, value) => {
    const saved = process.env[name];
    process.env[name] = value;
    try {
      expect(() => new Mems()).toThrow(name);
      expectMemsError(() => new Mems(), "INVALID_OPTION");
    } finally {
      if (saved === undefined) delete process.env[name];
      else process.env[name] = saved;
    }
  });
});

describe("seed-compatible API", () => {
  test("mems_* functions behave as the reference, printing ADDRESS NOT FOUND!!", () => {
    const log = spyOn(console, "log").mockImplementation(() => {});
    try {
      mems_init({ startAddress: 0 });
      expect(mems_malloc(0)).toBeNull();
      expect(mems_malloc(-3)).toBeNull();
      const a = mems_malloc(250 * 4);
      expect(a).toBe(0);
      expect(Number(mems_get(a))).toBe(mems_instance().chains()[0]?.physicalAddress ?? Number.NaN);
      expect(log).not.toHaveBeenCalled();
      expect(mems_get(1000)).toBeNull();
      mems_free(1);
      mems_free(null);
      mems_free(a);
      mems_free(a);
      expect(log.mock.calls.map((c) => c[0])).toEqual(Array(4).fill("ADDRESS NOT FOUND!!"));
      log.mockClear();
      mems_print_stats();
      expect(log.mock.calls[0]?.[0]).toBe(mems_instance().formatStats().slice(0, -1));
      mems_finish();
      mems_finish();
      expect(mems_instance().stats().mappedBytes).toBe(0);
      injectMmapFailures(1);
      expect(mems_malloc(10)).toBeNull();
    } finally {
      log.mockRestore();
      mems_finish();
    }
  });
});
