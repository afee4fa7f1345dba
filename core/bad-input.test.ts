/**
 * Bad input everywhere, in both lookup modes: every bad size, address and option gets its typed error
 * (or the reference's null / ADDRESS NOT FOUND!! from the seed API) and leaves every block and every byte
 * as it was. Also: out of memory at each mmap MeMS makes, and views kept past free and finish.
 */
import { afterEach, describe, expect, spyOn, test } from "bun:test";
import { codeOf, instancesFinishedAfterEachTest, snapshot } from "../test-support/core.ts";
import { keepSpareBookkeeping, LOOKUPS, MAX_ADDRESS, Mems, MemsError, type MemsOptions } from "./index.ts";
import { mems_finish, mems_free, mems_get, mems_init, mems_malloc } from "./seed.ts";
import { FIRST_REGION, GRANULE, injectMmapFailures, mems_instance, memsInternals, osCounters, spareBookkeepingBytes } from "./testing.ts";

const make = instancesFinishedAfterEachTest();

/** The address mems_malloc gave, which must not be NULL. */
function allocated(v: number | null): number {
  if (v === null) throw new Error("mems_malloc gave NULL");
  return v;
}

/**
 * A heap with blocks in two segments, a HOLE between blocks and a HOLE at a segment's end; every block
 * filled with its own bytes. Returns the live blocks and a freed one.
 */
function populated(mems: Mems) {
  const a = mems.malloc(300);
  const b = mems.malloc(500);
  const c = mems.malloc(200);
  const d = mems.malloc(6000); // a second segment
  mems.free(b); // a HOLE between a and c
  const blocks = [a, c, d];
  blocks.forEach((v, i) => {
    const view = mems.view(v);
    for (let k = 0; k < view.length; k++) view[k] = (k * 31 + i * 7 + 1) & 0xff;
  });
  mems.checkInvariants();
  return { blocks, a, freed: b, c, d };
}

const BAD_SIZES: [string, unknown][] = [
  ["0", 0],
  ["-0", -0],
  ["-1", -1],
  ["1.5", 1.5],
  ["NaN", Number.NaN],
  ["Infinity", Number.POSITIVE_INFINITY],
  ["-Infinity", Number.NEGATIVE_INFINITY],
  ["2^48 + 1", MAX_ADDRESS + 1],
  ["2^53", 2 ** 53],
  ["a string", "100"],
  ["undefined", undefined],
  ["a bigint", 100n],
  ["an object", { valueOf: () => 100 }],
  ["a boxed number", Object(100)],
];

describe.each(LOOKUPS)("%s", (lookup) => {
  test.each(BAD_SIZES)("malloc(%s) is INVALID_SIZE and changes nothing", (_name, size) => {
    const mems = make({ lookup });
    const { blocks } = populated(mems);
    const before = snapshot(mems, blocks);
    expect(codeOf(() => mems.malloc(size as number))).toBe("INVALID_SIZE");
    expect(snapshot(mems, blocks)).toBe(before);
    mems.checkInvariants();
  });

  test("bad addresses for free, get, view, tryFree and tryGet change nothing", () => {
    const mems = make({ lookup });
    const { blocks, a, freed, c, d } = populated(mems);
    const end = mems.startAddress + mems.stats().mappedBytes;
    const bad: [string, unknown, boolean][] = [
      // [what, address, is it inside a block (get/view accept it)?]
      ["never given out, below the start", 999, false],
      ["never given out, 0", 0, false],
      ["inside a block", a + 1, true],
      ["a block's last byte", a + 299, true],
      ["inside a HOLE (a freed block)", freed, false],
      ["inside a HOLE, not its start", freed + 17, false],
      ["the HOLE at a segment's end", c + 200, false],
      ["the last byte of virtual space", end - 1, false],
      ["beyond every segment", end, false],
      ["far beyond", 2 ** 40, false],
      ["2^53", 2 ** 53, false],
      ["negative", -1000, false],
      ["fractional", a + 0.5, false],
      ["NaN", Number.NaN, false],
      ["Infinity", Number.POSITIVE_INFINITY, false],
      ["a string", String(a), false],
      ["null", null, false],
      ["undefined", undefined, false],
      ["a bigint", BigInt(a), false],
    ];
    const before = snapshot(mems, blocks);
    for (const [what, v, insideBlock] of bad) {
      const context = `${what} (${String(v)})`;
      expect([context, codeOf(() => mems.free(v as number))]).toEqual([context, "ADDRESS_NOT_FOUND"]);
      expect([context, mems.tryFree(v as number)]).toEqual([context, false]);
      if (!insideBlock) {
        expect([context, codeOf(() => mems.get(v as number))]).toEqual([context, "ADDRESS_NOT_FOUND"]);
        expect([context, mems.tryGet(v as number)]).toEqual([context, -1]);
        expect([context, codeOf(() => mems.view(v as number))]).toEqual([context, "ADDRESS_NOT_FOUND"]);
      }
      expect(snapshot(mems, blocks)).toBe(before);
    }
    // A second free of the same block.
    mems.free(d);
    const afterFree = snapshot(mems, [a, c]);
    expect(codeOf(() => mems.free(d))).toBe("ADDRESS_NOT_FOUND");
    expect(snapshot(mems, [a, c])).toBe(afterFree);
    mems.checkInvariants();
  });

  test("bad view lengths are INVALID_SIZE and change nothing", () => {
    const mems = make({ lookup });
    const { blocks, a } = populated(mems);
    const before = snapshot(mems, blocks);
    for (const length of [-1, 1.5, 301, Number.NaN, Number.POSITIVE_INFINITY, "4", null]) {
      expect([length, codeOf(() => mems.view(a, length as number))]).toEqual([length, "INVALID_SIZE"]);
    }
    expect(codeOf(() => mems.view(a + 299, 2))).toBe("INVALID_SIZE");
    expect(mems.view(a + 299, 1).length).toBe(1);
    expect(mems.view(a, 0).length).toBe(0);
    expect(snapshot(mems, blocks)).toBe(before);
  });

  test("addresses after finish are not found, and the empty system stays empty", () => {
    const mems = make({ lookup });
    const { blocks } = populated(mems);
    mems.finish();
    const before = snapshot(mems, []);
    for (const v of [...blocks, mems.startAddress]) {
      expect(codeOf(() => mems.free(v))).toBe("ADDRESS_NOT_FOUND");
      expect(codeOf(() => mems.get(v))).toBe("ADDRESS_NOT_FOUND");
      expect(codeOf(() => mems.view(v))).toBe("ADDRESS_NOT_FOUND");
      expect(mems.tryGet(v)).toBe(-1);
    }
    expect(codeOf(() => mems.malloc(0))).toBe("INVALID_SIZE");
    expect(snapshot(mems, [])).toBe(before);
    mems.checkInvariants();
  });

  test("start address 0: 0 is a block only while one starts there", () => {
    const mems = make({ lookup, startAddress: 0 });
    expect(codeOf(() => mems.free(0))).toBe("ADDRESS_NOT_FOUND"); // nothing mapped yet
    expect(mems.tryGet(0)).toBe(-1);
    const v = mems.malloc(10);
    expect(v).toBe(0);
    expect(codeOf(() => mems.free(-1))).toBe("ADDRESS_NOT_FOUND");
    expect(codeOf(() => mems.free(null as unknown as number))).toBe("ADDRESS_NOT_FOUND");
    mems.free(0);
  });

  /* Out of memory */

  test("a failed growth of the record pool is OUT_OF_MEMORY, changes nothing, and the next malloc succeeds", () => {
    /** An instance with one HOLE of 4 MiB: from now on mallocs need no segment, only records. */
    const oneHole = (): Mems => {
      const mems = make({ lookup });
      mems.free(mems.malloc(4 * 1024 * 1024));
      return mems;
    };
    // How many 8-byte mallocs fit before the pool must grow: counted on a first instance, so that the
    // heap is snapshotted once, just before the malloc whose growth fails, not after every malloc.
    const first = oneHole();
    injectMmapFailures(1);
    let fit = 0;
    while (fit < 5000 && codeOf(() => first.malloc(8)) === "no error") fit++;
    expect(fit).toBeGreaterThan(50); // the pool's first slice (64 records, first-mapping.ts) filled up first
    expect(fit).toBeLessThan(5000);
    const mems = oneHole();
    const blocks: number[] = [];
    for (let i = 0; i < fit; i++) {
      blocks.push(mems.malloc(8));
      mems.view(blocks.at(-1) ?? -1).fill(i & 0xff);
    }
    injectMmapFailures(1);
    const before = JSON.stringify(mems.chains());
    expect(codeOf(() => mems.malloc(8))).toBe("OUT_OF_MEMORY");
    expect(JSON.stringify(mems.chains())).toBe(before);
    const bytes = snapshot(mems, blocks);
    mems.checkInvariants();
    expect(mems.stats().mappedBytes).toBe(4 * 1024 * 1024);
    blocks.push(mems.malloc(8)); // the injection is spent: the pool grows now
    expect(snapshot(mems, blocks.slice(0, -1)).split('"bytes"')[1]).toBe(bytes.split('"bytes"')[1]);
    mems.checkInvariants();
  });

  test("a record pool past what int32 record numbers name is OUT_OF_MEMORY before any mmap, and changes nothing", () => {
    const mems = make({ lookup });
    const blocks = [mems.malloc(100), mems.malloc(200)];
    const before = snapshot(mems, blocks);
    const stats = mems.stats();
    const { records } = memsInternals(mems);
    expect(codeOf(() => records.grow(400_000_000))).toBe("OUT_OF_MEMORY"); // 400M slots: numbers up to 2.4e9
    expect(mems.stats()).toEqual(stats);
    expect(snapshot(mems, blocks)).toBe(before);
    records.grow(10_000); // a growth it can name still happens
    expect(mems.stats().bookkeepingBytes).toBeGreaterThan(stats.bookkeepingBytes);
    mems.checkInvariants();
  });

  test("repeated failures: every one is OUT_OF_MEMORY and changes nothing; HOLEs that fit still serve", () => {
    const mems = make({ lookup });
    const { blocks, freed } = populated(mems);
    const before = snapshot(mems, blocks);
    const mapped = osCounters().mappedBytes;
    injectMmapFailures(5);
    // Each past what is left of the first region: each needs an mmap of its own.
    for (const size of [FIRST_REGION, FIRST_REGION + 8192, 2 ** 30, FIRST_REGION * 2 + 5000, FIRST_REGION + 4097]) {
      expect(codeOf(() => mems.malloc(size))).toBe("OUT_OF_MEMORY");
      expect(snapshot(mems, blocks)).toBe(before);
    }
    expect(osCounters().mappedBytes).toBe(mapped);
    const mmaps = mems.stats().mmapCalls;
    const fitting = mems.malloc(500); // fits a HOLE: no mmap needed
    if (lookup === "first-fit") expect(fitting).toBe(freed);
    expect(mems.malloc(8)).toBeGreaterThan(0);
    expect(mems.stats().mmapCalls).toBe(mmaps);
    mems.checkInvariants();
    injectMmapFailures(0);
    expect(mems.malloc(100_000)).toBeGreaterThan(0);
    mems.checkInvariants();
  });

  test("a failure of the very first mmap leaves an empty system that works afterwards", () => {
    const mems = make({ lookup });
    injectMmapFailures(1);
    expect(codeOf(() => mems.malloc(10))).toBe("OUT_OF_MEMORY");
    expect(mems.formatStats()).toBe(new Mems({ lookup }).formatStats());
    mems.checkInvariants();
    expect(mems.malloc(10)).toBe(1000);
    mems.checkInvariants();
  });

  test("an address-map growth failure after the map's first pages keeps every block's bytes", () => {
    const mems = make({ lookup, pageSize: 64 * GRANULE });
    const { blocks } = populated(mems);
    const before = snapshot(mems, blocks);
    injectMmapFailures(1, 1); // the segment maps, the address map cannot grow
    expect(codeOf(() => mems.malloc(64 * GRANULE * 5000))).toBe("OUT_OF_MEMORY");
    expect(snapshot(mems, blocks)).toBe(before);
    mems.checkInvariants();
  });
});

describe("size-indexed control block", () => {
  // The TLSF control block is mapped with the record pool, before the first malloc changes anything, so
  // its failure cannot leave a half-done operation and no later malloc or free needs a new mapping for it.
  // By default the pool and the control block are slices of the heap's first mapping (first-mapping.ts):
  // its one mmap fails. With spare tables kept, each table maps on its own: the pool maps, the control
  // block does not.
  test.each([
    ["by default", 0, 0],
    ["with spare tables kept", 256 * 1024, 1],
  ])("its creation failing in the first malloc is OUT_OF_MEMORY and leaves the system empty (%s)", (_, spare, after) => {
    keepSpareBookkeeping(spare);
    try {
      const mems = make({ lookup: "size-indexed" });
      const empty = snapshot(mems, []);
      const before = osCounters().mappedBytes - spareBookkeepingBytes(); // what the instances hold
      injectMmapFailures(1, after);
      expect(codeOf(() => mems.malloc(100))).toBe("OUT_OF_MEMORY");
      injectMmapFailures(0);
      expect(snapshot(mems, [])).toBe(empty);
      expect(mems.stats().heldBytes).toBe(0); // the pool went back (unmapped, or to the process's spares: mapping.ts)
      expect(osCounters().mappedBytes - spareBookkeepingBytes()).toBe(before);
      mems.checkInvariants();
      expect(mems.malloc(100)).toBe(1000);
      mems.finish();
    } finally {
      keepSpareBookkeeping(0);
    }
  });

  test("free never maps: with every mmap failing, a block's first free still succeeds", () => {
    const mems = make({ lookup: "size-indexed" });
    const a = mems.malloc(4096); // an exact fit: no HOLE exists before this free
    injectMmapFailures(1_000_000);
    mems.free(a);
    injectMmapFailures(0);
    expect(mems.stats().holes).toBe(1);
    mems.checkInvariants();
  });
});

describe("options", () => {
  const badOptions: [string, unknown][] = [
    ["pageSize 0", { pageSize: 0 }],
    ["pageSize -1", { pageSize: -1 }],
    ["pageSize 1.5", { pageSize: 1.5 }],
    ["pageSize NaN", { pageSize: Number.NaN }],
    ["pageSize Infinity", { pageSize: Number.POSITIVE_INFINITY }],
    ["pageSize 2^30 + 1", { pageSize: 2 ** 30 + 1 }],
    ["pageSize a string", { pageSize: "4096" }],
    ["pageSize null", { pageSize: null }],
    ["startAddress 0.5", { startAddress: 0.5 }],
    ["startAddress -1", { startAddress: -1 }],
    ["startAddress NaN", { startAddress: Number.NaN }],
    ["startAddress Infinity", { startAddress: Number.POSITIVE_INFINITY }],
    ["startAddress 2^48 + 1", { startAddress: 2 ** 48 + 1 }],
    ["startAddress a string", { startAddress: "1000" }],
    ["lookup a number", { lookup: 1 }],
    ["align 0", { align: 0 }],
    ["align 3", { align: 3 }],
    ["align 32", { align: 32 }],
    ["align 1.5", { align: 1.5 }],
    ["align -8", { align: -8 }],
    ["align NaN", { align: Number.NaN }],
    ["align a string", { align: "8" }],
    ["align null", { align: null }],
    ["options null", null],
    ["options a number", 4096],
  ];
  test.each(badOptions)("%s is INVALID_OPTION", (_name, options) => {
    expect(codeOf(() => new Mems(options as never))).toBe("INVALID_OPTION");
  });

  test("a bad align names the option, and the values it takes", () => {
    expect(() => new Mems({ align: 3 as never })).toThrow("INVALID_OPTION: align must be one of 1, 2, 4, 8, 16, got 3");
    expect(() => new Mems({ align: "8" as never })).toThrow('align must be one of 1, 2, 4, 8, 16, got "8"');
    expect(() => new Mems({ align: Number.NaN as never })).toThrow("align must be one of 1, 2, 4, 8, 16, got NaN");
  });

  test("startAddress 0 and the largest values are accepted", () => {
    for (const options of [{ startAddress: 0 }, { pageSize: 2 ** 30 }, { startAddress: 2 ** 48 }, { pageSize: 1 }]) {
      expect(codeOf(() => make(options))).toBe("no error");
    }
  });

  const badEnvironment: [string, string][] = [
    ["MEMS_PAGE_SIZE", "abc"],
    ["MEMS_PAGE_SIZE", "-1"],
    ["MEMS_PAGE_SIZE", "1.5"],
    ["MEMS_PAGE_SIZE", "0x1000"],
    ["MEMS_PAGE_SIZE", " 4096"],
    ["MEMS_PAGE_SIZE", "2000000000"],
    ["MEMS_PAGE_SIZE", "NaN"],
    ["MEMS_START_ADDRESS", "abc"],
    ["MEMS_START_ADDRESS", "0.5"],
    ["MEMS_START_ADDRESS", "99999999999999999999"],
    ["MEMS_START_ADDRESS", "Infinity"],
    ["MEMS_ALIGN", "abc"],
    ["MEMS_ALIGN", "3"],
    ["MEMS_ALIGN", "0"],
    ["MEMS_ALIGN", "32"],
    ["MEMS_ALIGN", "8.0"],
    ["MEMS_ALIGN", " 8"],
  ];
  /** An option that stands in for each variable, so that the variable is not read. */
  const optionFor: Record<string, MemsOptions> = {
    MEMS_PAGE_SIZE: { pageSize: 2048 },
    MEMS_START_ADDRESS: { startAddress: 2048 },
    MEMS_ALIGN: { align: 8 },
  };
  test.each(badEnvironment)("environment %s=%p is INVALID_OPTION naming the variable", (name, value) => {
    const saved = process.env[name];
    process.env[name] = value;
    try {
      expect(() => new Mems()).toThrow(name);
      expect(codeOf(() => new Mems())).toBe("INVALID_OPTION");
      // An explicit option wins: the bad variable is not read.
      expect(codeOf(() => make(optionFor[name]))).toBe("no error");
    } finally {
      if (saved === undefined) delete process.env[name];
      else process.env[name] = saved;
    }
  });
});

describe("the environment (issue 22, item 7)", () => {
  const NAMES = ["MEMS_PAGE_SIZE", "MEMS_START_ADDRESS", "MEMS_LOOKUP", "MEMS_ALIGN"];
  const withEnvironment = (values: Record<string, string>, action: () => void): void => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, values);
      action();
    } finally {
      process.env = saved;
    }
  };

  test("a variable set empty counts as unset: the defaults", () => {
    withEnvironment(Object.fromEntries(NAMES.map((name) => [name, ""])), () => {
      const mems = make();
      expect([mems.pageSize, mems.startAddress, mems.lookup, mems.align]).toEqual([4096, 1000, "first-fit", 1]);
    });
  });

  test.each(NAMES)("a 300-character %s is quoted as an excerpt of 40 characters and its length", (name) => {
    withEnvironment({ [name]: "9".repeat(300) }, () => {
      const message = (() => {
        try {
          new Mems();
        } catch (error) {
          return error instanceof MemsError ? error.message : String(error);
        }
        return "no error";
      })();
      expect(message).toStartWith(`INVALID_OPTION: ${name} must be `);
      expect(message).toEndWith(`got "${"9".repeat(40)}"... (300 characters)`);
    });
  });
});

describe("wrong types are named, with the codes of a bad address or size (issue 22, item 6)", () => {
  /** The MemsError `action` throws, as `CODE: message`. */
  const messageOf = (action: () => unknown): string => {
    try {
      action();
    } catch (error) {
      if (error instanceof MemsError) return error.message;
      throw error;
    }
    return "no error";
  };
  const WRONG: [string, unknown, string][] = [
    ['"1000"', "1000", 'string "1000"'],
    ["1000n", 1000n, "bigint 1000n"],
    ["null", null, "null"],
    ["undefined", undefined, "undefined"],
    ["true", true, "boolean true"],
    ["a boxed number", Object(1000), "an object"],
    ["an array", [1000], "an array"],
    ["a symbol", Symbol("1000"), "a symbol"],
    ["a function", () => 1000, "a function"],
    ["a 300-character string", "x".repeat(300), `string "${"x".repeat(40)}"... (300 characters)`],
  ];

  test.each(WRONG)(
    "an address %s: free, get, view and viewAs say what they got; tryFree and tryGet answer no; nothing changes",
    (_name, v, got) => {
      const mems = make();
      const a = mems.malloc(300); // a block starts at 1000
      expect(a).toBe(1000);
      mems.view(a).fill(9);
      const before = snapshot(mems, [a]);
      for (const [method, action] of [
        ["free", () => mems.free(v as number)],
        ["get", () => mems.get(v as number)],
        ["view", () => mems.view(v as number)],
        ["viewAs", () => mems.viewAs(v as number, Uint8Array)],
      ] as const) {
        expect(messageOf(action)).toBe(`ADDRESS_NOT_FOUND: ${method}(v) expected a number, got ${got}`);
      }
      expect([mems.tryFree(v as number), mems.tryGet(v as number)]).toEqual([false, -1]);
      expect(snapshot(mems, [a])).toBe(before);
    },
  );

  test("a number that is no block's address still says so", () => {
    const mems = make();
    const a = mems.malloc(300);
    expect(messageOf(() => mems.free(a + 1))).toBe("ADDRESS_NOT_FOUND: 1001 is not the first address of a block");
    expect(messageOf(() => mems.get(a + 300))).toBe("ADDRESS_NOT_FOUND: 1300 is not inside a block");
  });

  test.each(WRONG.filter(([, size]) => size !== undefined))("a size %s: malloc says what it got", (_name, size, got) => {
    const mems = make();
    expect(messageOf(() => mems.malloc(size as number))).toBe(`INVALID_SIZE: malloc(size) expected a number, got ${got}`);
    expect(mems.stats().mappedBytes).toBe(0);
  });

  test("malloc() says the size is missing; a bad number is still named as one", () => {
    const mems = make();
    const malloc = mems.malloc as unknown as () => number;
    expect(messageOf(() => malloc.call(mems))).toBe("INVALID_SIZE: malloc(size): the size is missing; give an integer from 1 to 2^48");
    expect(messageOf(() => mems.malloc(1.5))).toBe("INVALID_SIZE: size must be an integer from 1 to 2^48, got 1.5");
  });

  test("a view length of the wrong type says what it got", () => {
    const mems = make({ align: 8 });
    const a = mems.malloc(16);
    expect(messageOf(() => mems.view(a, "4" as unknown as number))).toBe(
      'INVALID_SIZE: view length must be an integer from 0 to 16 (the rest of the block), got string "4"',
    );
    expect(messageOf(() => mems.viewAs(a, Float64Array, 2n as unknown as number))).toBe(
      "INVALID_SIZE: viewAs length must be an integer from 0 to 2 (the Float64Array elements from 1000 to the block's end), got bigint 2n",
    );
  });

  test("the seed API: a wrong type is no address and no size (ADDRESS NOT FOUND!!, NULL), and the block at it stays", () => {
    const log = spyOn(console, "log").mockImplementation(() => {});
    try {
      mems_init();
      const a = allocated(mems_malloc(100));
      expect(a).toBe(1000);
      const before = snapshot(mems_instance(), [a]);
      mems_free("1000" as unknown as number);
      mems_free(1000n as unknown as number);
      expect(mems_get("1000" as unknown as number)).toBeNull();
      expect(mems_malloc("100" as unknown as number)).toBeNull();
      expect(log.mock.calls.map((call) => call[0])).toEqual(Array(3).fill("ADDRESS NOT FOUND!!"));
      expect(snapshot(mems_instance(), [a])).toBe(before);
    } finally {
      log.mockRestore();
      mems_finish();
    }
  });
});

describe("seed-compatible API", () => {
  afterEach(() => mems_finish());

  test("bad sizes return null, bad addresses print ADDRESS NOT FOUND!!, and nothing changes", () => {
    const log = spyOn(console, "log").mockImplementation(() => {});
    try {
      mems_init({ startAddress: 0, lookup: "size-indexed" });
      const a = allocated(mems_malloc(300));
      const freed = allocated(mems_malloc(100));
      mems_free(freed);
      mems_instance().view(a).fill(0x42);
      log.mockClear();
      const before = snapshot(mems_instance(), [a]);
      for (const [, size] of BAD_SIZES) expect(mems_malloc(size as number)).toBeNull();
      expect(log).not.toHaveBeenCalled();
      const badAddresses = [a + 1, freed, freed + 1, 5000, 4096, -1, 0.5, Number.NaN, null];
      for (const v of badAddresses) mems_free(v);
      expect(log.mock.calls.length).toBe(badAddresses.length);
      log.mockClear();
      for (const v of [freed, 4096, -1, 0.5, Number.NaN, null]) expect(mems_get(v)).toBeNull();
      expect(log.mock.calls.map((call) => call[0])).toEqual(Array(6).fill("ADDRESS NOT FOUND!!"));
      expect(snapshot(mems_instance(), [a])).toBe(before);
      mems_finish();
      log.mockClear();
      expect(mems_get(a)).toBeNull();
      mems_free(a);
      expect(log.mock.calls.length).toBe(2);
    } finally {
      log.mockRestore();
    }
  });

  test("mems_init with bad options throws INVALID_OPTION and leaves the instance in use as it was", () => {
    mems_init();
    const a = allocated(mems_malloc(64));
    mems_instance().view(a).fill(5);
    const before = snapshot(mems_instance(), [a]);
    expect(codeOf(() => mems_init({ pageSize: 0 }))).toBe("INVALID_OPTION");
    expect(codeOf(() => mems_init({ startAddress: -1 }))).toBe("INVALID_OPTION");
    expect(snapshot(mems_instance(), [a])).toBe(before);
  });

  test("out of memory returns null and changes nothing; a later fitting request succeeds", () => {
    mems_init();
    const a = allocated(mems_malloc(100));
    mems_instance().view(a).fill(1);
    const before = snapshot(mems_instance(), [a]);
    injectMmapFailures(3);
    expect(mems_malloc(FIRST_REGION + 5000)).toBeNull(); // past the first region: an mmap
    expect(mems_malloc(2 ** 40)).toBeNull();
    expect(mems_malloc(FIRST_REGION + 10_000)).toBeNull();
    expect(snapshot(mems_instance(), [a])).toBe(before);
    expect(mems_malloc(1000)).toBe(a + 100);
  });
});

describe("stale views", () => {
  test.each(LOOKUPS)("%s: after finish every view reads as empty, and writing through it is harmless", (lookup) => {
    const mems = make({ lookup });
    const small = mems.malloc(64);
    const large = mems.malloc(3 * 4096 + 5);
    const views = [mems.view(small), mems.view(small + 10, 4), mems.view(large), mems.view(large + 4096)];
    const sub = views[2]?.subarray(100, 200) as Uint8Array;
    const words = new Int32Array(views[0]?.buffer as ArrayBuffer, 0, 4);
    views[0]?.fill(7);
    mems.finish();
    for (const view of [...views, sub]) {
      expect(view.length).toBe(0);
      expect(view.byteLength).toBe(0);
      expect(view[0]).toBeUndefined();
      view[0] = 255; // ignored: the buffer is detached
      expect(view[0]).toBeUndefined();
      // Methods refuse a detached buffer with a TypeError; nothing reaches unmapped memory.
      expect(() => view.fill(1)).toThrow(TypeError);
      expect(() => view.set([1])).toThrow(TypeError);
    }
    expect(words.length).toBe(0);
    words[0] = 1;
    expect(words[0]).toBeUndefined();
    // A new block at the same address is a new mapping; the old views stay empty.
    expect(mems.malloc(64)).toBe(small);
    expect(Array.from(mems.view(small, 4))).toEqual([0, 0, 0, 0]);
    expect(views[0]?.length).toBe(0);
  });

  test("after free (not finish) a kept view still reads the memory, which may now be another block's", () => {
    const mems = make();
    const a = mems.malloc(16);
    const kept = mems.view(a);
    kept.fill(1);
    mems.free(a);
    expect(kept.length).toBe(16); // not protected: the view still covers the bytes
    const b = mems.malloc(16);
    expect(b).toBe(a);
    mems.view(b).fill(2);
    expect(Array.from(kept)).toEqual(Array(16).fill(2)); // it sees the new block's bytes
  });
});
