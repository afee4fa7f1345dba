/**
 * Lookups written outside the project: the example policy (docs/examples/lifo-first-fit.ts) runs with the
 * heap check after every operation; a lookup that breaks the rules is stopped with a BROKEN_LOOKUP error
 * before it can hand out a block twice or split a PROCESS, and a factory that makes no lookup is refused.
 */
import { describe, expect, test } from "bun:test";
import lifoFirstFit from "../../docs/examples/lifo-first-fit.ts";
import { Prng } from "../../lib/prng.ts";
import { thrown } from "../../test-support/thrown.ts";
import { type HoleLookup, type HoleRecords, type LookupFactory, type Mapping, Mems, MemsError, NIL } from "../index.ts";

/** lifo-first-fit's lookup with some of its methods replaced (each gets the records and the real lookup). */
function replacing(
  name: string,
  replace: (records: HoleRecords, inner: HoleLookup) => Partial<Pick<HoleLookup, "find" | "insert" | "prepare" | "reset" | "check">>,
): LookupFactory {
  return {
    name,
    create(records) {
      const inner = lifoFirstFit.create(records);
      return {
        name,
        prepare: () => inner.prepare(),
        reserveSegment: () => inner.reserveSegment(),
        segmentAdded: (index) => inner.segmentAdded(index),
        insert: (hole, size) => inner.insert(hole, size),
        remove: (hole, size) => inner.remove(hole, size),
        resized: (hole, oldSize, size) => inner.resized(hole, oldSize, size),
        find: (size) => inner.find(size),
        forEachHole: (visit) => inner.forEachHole(visit),
        check: () => inner.check(),
        reset: () => inner.reset(),
        ...replace(records, inner),
      };
    },
  };
}

/** A factory whose `find` answers `answer(size)`, whatever the real lookup would. */
function withFind(name: string, answer: (inner: HoleLookup, size: number) => number): LookupFactory {
  return replacing(name, (_records, inner) => ({ find: (size) => answer(inner, size) }));
}

describe("the example: LIFO first fit, from docs/examples", () => {
  test("takes the newest HOLE that fits", () => {
    using mems = new Mems({ lookup: lifoFirstFit });
    const [a, , c] = [mems.malloc(100), mems.malloc(100), mems.malloc(100), mems.malloc(100)];
    mems.free(a ?? NIL);
    mems.free(c ?? NIL);
    expect(mems.lookup).toBe("lifo-first-fit");
    expect(mems.malloc(50)).toBe(c ?? NIL); // address-ordered first fit would take a's
    expect(mems.malloc(50)).toBe((c ?? NIL) + 50); // the rest of c's HOLE went first in the list
  });

  test("5,000 random operations keep every invariant", () => {
    const seed = Prng.seedFrom("MEMS_TEST_SEED");
    const rng = new Prng(seed);
    using mems = new Mems({ lookup: lifoFirstFit, pageSize: 1024 });
    const live: number[] = [];
    try {
      for (let op = 0; op < 5_000; op++) {
        if (rng.next() < (live.length < 100 ? 0.6 : 0.4) || live.length === 0) live.push(mems.malloc(rng.int(1, 3000)));
        else mems.free(live.splice(rng.int(0, live.length - 1), 1)[0] ?? NIL);
        mems.checkInvariants();
      }
      mems.finish();
      mems.checkInvariants();
    } catch (error) {
      console.error(`lifo-first-fit: seed ${seed} (MEMS_TEST_SEED=${seed})`);
      throw error;
    }
  }, 30_000); // every choice goes through the guard: a second or more on a loaded machine
});

describe("a lookup that breaks the rules is stopped, and the heap is as it was", () => {
  /** Two live blocks with known bytes and a HOLE of 96 bytes between... then `action`; the heap must be intact after. */
  function attempt(factory: LookupFactory, request: number): MemsError {
    using mems = new Mems({ lookup: factory });
    const kept = mems.malloc(4000); // P[1000:4999] H[5000:5095]
    mems.view(kept).fill(7);
    const freed = mems.malloc(50); // takes the front of the HOLE
    mems.free(freed);
    const before = mems.chains();
    const error = thrown(() => mems.malloc(request), MemsError);
    expect(mems.chains()).toEqual(before);
    mems.checkInvariants();
    expect(mems.view(kept).every((byte) => byte === 7)).toBe(true);
    return error;
  }

  test("a HOLE too small", () => {
    const error = attempt(
      withFind("too-small", (inner) => inner.find(1)),
      500,
    );
    expect(error.code).toBe("BROKEN_LOOKUP");
    expect(error.message).toMatch(
      /^BROKEN_LOOKUP: lookup too-small returned record \d+, the piece of 96 bytes at 5000 for 500 bytes: a HOLE too small$/,
    );
  });

  test("a PROCESS piece (a block in use): the piece before a HOLE", () => {
    const process = replacing("process", (records, inner) => ({
      find: (size) => (size === 10 ? records.prevPiece(inner.find(size)) : inner.find(size)),
    }));
    const error = attempt(process, 10);
    expect(error.message).toMatch(
      /^BROKEN_LOOKUP: lookup process returned record \d+, the piece of 4000 bytes at 1000 for 10 bytes: a PROCESS piece/,
    );
  });

  test("a record that is no piece of the heap: out of the pool, a segment's main record, or no number at all", () => {
    for (const wrong of [123_456, 0, -5, 1.5, Number.NaN]) {
      expect(
        attempt(
          withFind("wrong", (inner, size) => (size === 10 ? wrong : inner.find(size))),
          10,
        ).message,
      ).toContain(`lookup wrong returned ${wrong} for 10 bytes, which is no piece of the heap`);
    }
  });

  test("a write into a record that is no HOLE: refused before the type of a PROCESS changes", () => {
    // The block's record is the HOLE's sub-chain neighbour: the write that would make it a HOLE is refused.
    const writer = replacing("writer", (records, inner) => ({
      insert(hole, size) {
        records.setHolePrev(records.prevPiece(hole), NIL);
        inner.insert(hole, size);
      },
    }));
    using mems = new Mems({ lookup: writer });
    expect(thrown(() => mems.malloc(100), MemsError).message).toMatch(
      /^BROKEN_LOOKUP: lookup writer wrote the prev link of record \d+, which is no HOLE of the heap$/,
    );
    expect(mems.chains()[0]?.pieces[0]?.type).toBe("PROCESS");
    const linker = replacing("linker", (records) => ({ insert: (hole) => records.setHoleNext(hole, -7) }));
    using other = new Mems({ lookup: linker });
    expect(thrown(() => other.malloc(100), MemsError).message).toMatch(
      /^BROKEN_LOOKUP: lookup linker wrote -7 as the next link of HOLE record \d+: a link is NIL \(-1\) or a record$/,
    );
  });
});

describe("a lookup option that is no lookup", () => {
  test.each([
    [{ name: "first-fit", create: () => ({}) }, 'that is none of first-fit, size-indexed, best-fit, next-fit, worst-fit, got "first-fit"'],
    [{ name: "a b", create: () => ({}) }, 'got "a b"'],
    [{ create: () => ({}) }, "got undefined"],
    [{ name: "x", create: 3 }, "lookup x: create must be a function (records) => HoleLookup"],
    [{ name: "x", create: () => ({ find: () => NIL }) }, "lookup x: create() must return a HoleLookup; it lacks prepare, reserveSegment"],
    [
      { name: "x", create: () => null },
      "it lacks prepare, reserveSegment, segmentAdded, insert, remove, resized, find, forEachHole, check, reset",
    ],
  ])("%p", (lookup, message) => {
    const error = thrown(() => new Mems({ lookup: lookup as unknown as LookupFactory }), MemsError);
    expect(error.code).toBe("INVALID_OPTION");
    expect(error.message).toContain(message);
  });
});

describe("what an outside lookup may read and map", () => {
  test("its own memory is counted in the stats, and it reads the chains through the records", () => {
    const seen = { segments: new Set<number>(), neighbours: 0, walked: 0 };
    const reader = replacing("reader", (records, inner) => {
      let table: Mapping | undefined;
      return {
        prepare() {
          table = records.mapBookkeeping(4096);
        },
        reset() {
          if (table !== undefined) records.unmapBookkeeping(table);
          table = undefined;
          inner.reset();
        },
        insert(hole, size) {
          seen.segments.add(records.segmentIndexOf(hole));
          if (records.prevPiece(hole) !== NIL || records.nextPiece(hole) !== NIL) seen.neighbours++;
          inner.insert(hole, size);
        },
        check() {
          records.walk({ piece: (piece) => void (records.isHole(piece) && seen.walked++) });
          inner.check();
        },
      };
    });
    const mems = new Mems({ lookup: reader });
    const plain = new Mems({ lookup: lifoFirstFit });
    for (const instance of [mems, plain]) {
      const a = instance.malloc(100);
      instance.malloc(5000);
      instance.free(a);
      instance.checkInvariants();
    }
    expect(mems.stats().bookkeepingBytes - plain.stats().bookkeepingBytes).toBe(4096);
    expect([...seen.segments].sort()).toEqual([0, 1]);
    expect(seen.neighbours).toBeGreaterThan(0);
    expect(seen.walked).toBe(mems.stats().holes);
    mems.finish();
    plain.finish();
    expect(mems.stats().heldBytes).toBe(0);
  });
});
