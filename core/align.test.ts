/**
 * Aligned blocks (the `align` option) and typed views (`viewAs`): sizes rounded up and shown rounded,
 * every block's physical address a multiple of `align` over seeded random runs in every lookup (with the
 * heap walk after every operation; the seed is printed on failure, rerun one with MEMS_TEST_SEED=<seed>),
 * and every way a typed view can be refused, each changing nothing.
 */
import { describe, expect, test } from "bun:test";
import { Prng } from "../lib/prng.ts";
import { codeOf, instancesFinishedAfterEachTest, snapshot } from "../test-support/core.ts";
import { ALIGNMENTS, type Alignment, LOOKUPS, type Lookup, Mems, type TypedArrayType } from "./index.ts";

const make = instancesFinishedAfterEachTest();

const roundUp = (size: number, align: number): number => Math.ceil(size / align) * align;

describe("the align option", () => {
  test("align 1 is the default and keeps the course's exact sizes", () => {
    const mems = make();
    expect(mems.align).toBe(1);
    const a = mems.malloc(3);
    const b = mems.malloc(5);
    expect([a, b]).toEqual([1000, 1003]);
    expect(mems.stats().liveBytes).toBe(8);
  });

  test.each(LOOKUPS)("%s: align 8 rounds every request up, and the stats show the rounded sizes", (lookup) => {
    const mems = make({ lookup, align: 8 });
    expect(mems.align).toBe(8);
    const a = mems.malloc(3);
    const b = mems.malloc(8);
    const c = mems.malloc(13);
    expect([a, b, c]).toEqual([1000, 1008, 1016]);
    expect(mems.view(a).length).toBe(8);
    expect(mems.view(c).length).toBe(16);
    expect(mems.formatStats()).toContain("MAIN[1000:5095]-> P[1000:1007] <-> P[1008:1015] <-> P[1016:1031] <-> H[1032:5095] <-> NULL");
    expect(mems.stats()).toMatchObject({ liveBytes: 32, spaceUnused: 4096 - 32, liveBlocks: 3 });
    mems.free(b);
    // 8 bytes: an exact fit of b's HOLE; next-fit searches from its rover (after c) and worst-fit takes the
    // largest HOLE, both the one after c.
    expect(mems.malloc(1)).toBe(lookup === "next-fit" || lookup === "worst-fit" ? 1032 : b);
    mems.checkInvariants();
  });

  test("a PAGE_SIZE that is no multiple of align: blocks stay aligned, a segment's last HOLE need not be", () => {
    const mems = make({ pageSize: 1000, align: 16 });
    const a = mems.malloc(990); // 992: the segment's last HOLE has 8 bytes
    const b = mems.malloc(5); // 16 does not fit those 8: a new segment
    expect(mems.chains().map((segment) => segment.pieces.map((piece) => [piece.type, piece.size]))).toEqual([
      [
        ["PROCESS", 992],
        ["HOLE", 8],
      ],
      [
        ["PROCESS", 16],
        ["HOLE", 984],
      ],
    ]);
    for (const v of [a, b]) expect(mems.get(v) % 16).toBe(0);
    mems.checkInvariants();
  });

  test("MEMS_ALIGN fills in what the options leave unsaid", () => {
    const saved = process.env.MEMS_ALIGN;
    process.env.MEMS_ALIGN = "16";
    try {
      expect(make().align).toBe(16);
      expect(make({ align: 2 }).align).toBe(2);
    } finally {
      if (saved === undefined) delete process.env.MEMS_ALIGN;
      else process.env.MEMS_ALIGN = saved;
    }
  });

  test("every alignment is a power of two from 1 to 16", () => {
    expect([...ALIGNMENTS]).toEqual([1, 2, 4, 8, 16]);
  });
});

/* Seeded random runs */

function randomSize(rng: Prng, pageSize: number): number {
  const roll = rng.next();
  if (roll < 0.8) return rng.int(1, 200);
  return rng.int(200, 3 * pageSize);
}

/** Random mallocs and frees: every block's physical address a multiple of align, the heap walked after each operation. */
function alignedRun(seed: number, lookup: Lookup, align: Alignment, pageSize: number, ops: number): void {
  const rng = new Prng(seed);
  const mems = new Mems({ lookup, align, pageSize });
  const live: { v: number; size: number }[] = [];
  let op = 0;
  try {
    for (op = 0; op < ops; op++) {
      if (live.length === 0 || (rng.chance(0.55) && live.length < 64)) {
        const size = randomSize(rng, pageSize);
        const v = mems.malloc(size);
        if (mems.get(v) % align !== 0) throw new Error(`block at ${v} has physical address ${mems.get(v)}`);
        if (mems.view(v).length !== roundUp(size, align)) throw new Error(`block at ${v} has ${mems.view(v).length} bytes`);
        live.push({ v, size });
      } else {
        const [block] = live.splice(rng.int(0, live.length - 1), 1);
        if (block !== undefined) mems.free(block.v);
      }
      mems.checkInvariants();
    }
    for (const block of live) expect(mems.get(block.v) % align).toBe(0);
    expect(mems.stats().liveBytes).toBe(live.reduce((sum, block) => sum + roundUp(block.size, align), 0));
  } catch (error) {
    console.error(
      `aligned random run failed: seed ${seed} (MEMS_TEST_SEED=${seed}), ${lookup}, align ${align}, page ${pageSize}, operation ${op}`,
    );
    throw error;
  } finally {
    mems.finish();
  }
}

const seed = Prng.seedFrom("MEMS_TEST_SEED");

describe.each(LOOKUPS)("%s, seeded random runs", (lookup) => {
  test.each([
    [2, 4096],
    [4, 1000],
    [8, 4096],
    [8, 100],
    [16, 4096],
    [16, 1000],
  ] as [Alignment, number][])("align %i, PAGE_SIZE %i: every block's physical address is a multiple of align", (align, pageSize) => {
    alignedRun(seed + align * pageSize, lookup, align, pageSize, 3000);
  });
});

/* Typed views */

describe("viewAs", () => {
  test("a Float64Array over an aligned block: its doubles, the same bytes as view()", () => {
    const mems = make({ align: 8 });
    mems.malloc(3); // 8 bytes: the next block starts 8-aligned
    const v = mems.malloc(24);
    const doubles = mems.viewAs(v, Float64Array);
    expect(doubles).toBeInstanceOf(Float64Array);
    expect(doubles.length).toBe(3);
    doubles.set([0.5, 1.5, 2.5]);
    expect(new Float64Array(new Uint8Array(mems.view(v)).buffer)).toEqual(new Float64Array([0.5, 1.5, 2.5]));
    expect(mems.viewAs(v, Float64Array, 2).length).toBe(2);
    expect(mems.viewAs(v + 8, Float64Array)[0]).toBe(1.5); // from any aligned address inside the block
    expect(mems.viewAs(v, Float64Array).buffer === mems.view(v).buffer).toBe(true); // the segment, as view()'s
  });

  test("every TypedArray type, BigInt64Array and BigUint64Array included", () => {
    const mems = make({ align: 16 });
    const v = mems.malloc(64);
    const types: TypedArrayType<ArrayBufferView>[] = [
      Int8Array,
      Uint8Array,
      Uint8ClampedArray,
      Int16Array,
      Uint16Array,
      Int32Array,
      Uint32Array,
      Float32Array,
      Float64Array,
      BigInt64Array,
      BigUint64Array,
    ];
    for (const type of types) {
      const view = mems.viewAs(v, type);
      expect(view).toBeInstanceOf(type);
      expect(view.byteLength).toBe(64);
    }
    const big = mems.viewAs(v, BigInt64Array);
    big[7] = -(2n ** 62n);
    expect(mems.viewAs(v, BigUint64Array)[7]).toBe(2n ** 64n - 2n ** 62n);
    mems.viewAs(v, Int32Array)[0] = -2;
    expect(Array.from(mems.view(v, 4))).toEqual([254, 255, 255, 255]);
  });

  test("the default length is the whole elements to the block's end", () => {
    const mems = make({ align: 4 });
    const v = mems.malloc(12);
    expect(mems.viewAs(v, Float64Array).length).toBe(1); // 12 bytes hold one double and 4 bytes more
    expect(mems.viewAs(v + 8, Int32Array).length).toBe(1);
    expect(mems.viewAs(v + 8, Float64Array).length).toBe(0); // 4 bytes left: no whole double
  });

  test("a block at an address that is no multiple of the element size is MISALIGNED; smaller elements fit", () => {
    const mems = make(); // align 1: blocks have exact sizes
    mems.malloc(3);
    const odd = mems.malloc(16); // at offset 3 of its segment
    expect(codeOf(() => mems.viewAs(odd, Float64Array))).toBe("MISALIGNED");
    expect(codeOf(() => mems.viewAs(odd, Int16Array))).toBe("MISALIGNED");
    expect(() => mems.viewAs(odd, Float64Array)).toThrow(
      `MISALIGNED: Float64Array elements are 8 bytes, and virtual address ${odd} is at physical address ${mems.get(odd)}, not a multiple of 8 (new Mems({ align: 8 }) aligns every block)`,
    );
    expect(mems.viewAs(odd, Uint8Array).length).toBe(16);
    expect(mems.viewAs(odd + 1, Int32Array).length).toBe(3); // offset 4: aligned, 15 bytes to the end
    const aligned = make({ align: 8 }).malloc(16);
    expect(codeOf(() => make({ align: 8 }).viewAs(aligned, Float64Array))).toBe("ADDRESS_NOT_FOUND"); // another instance's
  });

  test("inside an aligned block, an address that is no multiple of the element size is MISALIGNED", () => {
    const mems = make({ align: 8 });
    const v = mems.malloc(32);
    expect(codeOf(() => mems.viewAs(v + 4, Float64Array))).toBe("MISALIGNED");
    expect(mems.viewAs(v + 4, Float32Array).length).toBe(7);
  });

  test("a length past the block's end, or that is no count, is INVALID_SIZE", () => {
    const mems = make({ align: 8 });
    const v = mems.malloc(20); // 24 bytes: 3 doubles
    for (const length of [4, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "2", null]) {
      expect(codeOf(() => mems.viewAs(v, Float64Array, length as never))).toBe("INVALID_SIZE");
    }
    expect(() => mems.viewAs(v, Float64Array, 4)).toThrow(
      `INVALID_SIZE: viewAs length must be an integer from 0 to 3 (the Float64Array elements from ${v} to the block's end), got 4`,
    );
    expect(() => mems.viewAs(v, Float64Array, "2" as never)).toThrow('got string "2"');
    expect(mems.viewAs(v, Float64Array, 0).length).toBe(0);
    expect(mems.viewAs(v, Float64Array, 3).length).toBe(3);
  });

  test.each(LOOKUPS)("%s: freed and unknown addresses are ADDRESS_NOT_FOUND", (lookup) => {
    const mems = make({ lookup, align: 8 });
    const v = mems.malloc(16);
    const w = mems.malloc(16);
    mems.free(v);
    for (const address of [v, v + 8, 999, w + 16, 5096, -8, Number.NaN, 1.5, "1008"]) {
      expect(codeOf(() => mems.viewAs(address as never, Float64Array))).toBe("ADDRESS_NOT_FOUND");
    }
    mems.finish();
    expect(codeOf(() => mems.viewAs(w, Float64Array))).toBe("ADDRESS_NOT_FOUND");
  });

  test("a type that is no TypedArray type is INVALID_OPTION naming it", () => {
    const mems = make({ align: 8 });
    const v = mems.malloc(16);
    class Doubles extends Float64Array {}
    const fake = { BYTES_PER_ELEMENT: 1, name: "Fake" };
    for (const type of [Array, DataView, ArrayBuffer, Doubles, fake, undefined, null, "Float64Array", 8, () => 0]) {
      expect(codeOf(() => mems.viewAs(v, type as never))).toBe("INVALID_OPTION");
    }
    expect(() => mems.viewAs(v, Array as never)).toThrow(
      /^INVALID_OPTION: viewAs type must be a TypedArray type \(Int8Array, .*BigUint64Array.*\), got Array$/,
    );
    expect(() => mems.viewAs(v, "x" as never)).toThrow('got "x"');
    expect(() => mems.viewAs(v, (() => 0) as never)).toThrow("got an anonymous function");
  });

  test("a refused view changes nothing", () => {
    const mems = make({ align: 8 });
    const a = mems.malloc(3);
    const b = mems.malloc(40);
    mems.view(b).fill(9);
    const before = snapshot(mems, [a, b]);
    for (const attempt of [
      () => mems.viewAs(b + 4, Float64Array),
      () => mems.viewAs(b, Float64Array, 6),
      () => mems.viewAs(b + 40, Float64Array),
      () => mems.viewAs(b, Array as never),
    ]) {
      expect(codeOf(attempt)).not.toBe("no error");
      expect(snapshot(mems, [a, b])).toBe(before);
    }
  });

  test.each(LOOKUPS)("%s: typed views read as empty after finish, like byte views", (lookup) => {
    const mems = make({ lookup, align: 16 });
    const small = mems.malloc(48);
    const large = mems.malloc(3 * 4096);
    const doubles = mems.viewAs(small, Float64Array);
    doubles.fill(1.5);
    const views = [doubles, mems.viewAs(large, BigInt64Array), mems.viewAs(large + 4096, Int32Array, 4)];
    mems.finish();
    for (const view of views) {
      expect(view.length).toBe(0);
      expect(view.byteLength).toBe(0);
      expect(view[0]).toBeUndefined();
    }
    expect(mems.malloc(48)).toBe(small);
    expect(Array.from(mems.viewAs(small, Float64Array, 2))).toEqual([0, 0]); // a new mapping
    expect(doubles.length).toBe(0);
  });
});
