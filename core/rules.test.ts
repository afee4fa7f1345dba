/**
 * Each lookup is exact about its rule: on seeded random scenarios, every malloc takes the HOLE that a plain
 * walk of the chains (chains()) applying the rule literally names, or maps a new segment when it names
 * none; the whole heap check runs after every operation. The seed is printed on failure; rerun one with
 * MEMS_TEST_SEED=<seed>.
 */
import { describe, expect, test } from "bun:test";
import { Prng } from "../lib/prng.ts";
import { LOOKUPS, type Lookup, Mems } from "./index.ts";

interface Hole {
  address: number;
  size: number;
}

/** Every HOLE, in address order (the main chain in order, each sub-chain in order). */
function holesOf(mems: Mems): Hole[] {
  return mems
    .chains()
    .flatMap((segment) =>
      segment.pieces.filter((piece) => piece.type === "HOLE").map((piece) => ({ address: piece.virtualAddress, size: piece.size })),
    );
}

/** The HOLE each rule names for a request of `size`, by a literal reading of it, or undefined for none. */
const RULES: Record<Lookup, ((holes: Hole[], size: number, rover: number) => Hole | undefined) | undefined> = {
  "first-fit": (holes, size) => holes.find((hole) => hole.size >= size),
  "best-fit": (holes, size) => {
    let best: Hole | undefined;
    for (const hole of holes) if (hole.size >= size && (best === undefined || hole.size < best.size)) best = hole;
    return best; // the first of the smallest, in address order: the lowest address
  },
  "worst-fit": (holes, size) => {
    let worst: Hole | undefined;
    for (const hole of holes) if (worst === undefined || hole.size > worst.size) worst = hole;
    return worst !== undefined && worst.size >= size ? worst : undefined;
  },
  "next-fit": (holes, size, rover) => {
    const start = holes.findIndex((hole) => hole.address + hole.size > rover);
    const order = start < 0 ? holes : [...holes.slice(start), ...holes.slice(0, start)];
    return order.find((hole) => hole.size >= size);
  },
  "size-indexed": undefined, // TLSF's classes: good fit, not a rule a walk states (size-indexed.test.ts)
};

function randomSize(rng: Prng, pageSize: number): number {
  const roll = rng.next();
  if (roll < 0.05) return rng.int(1, 2) * pageSize; // fills its new segment exactly
  if (roll < 0.6) return rng.int(1, 200);
  if (roll < 0.9) return rng.int(200, pageSize);
  return rng.int(pageSize, 3 * pageSize);
}

function run(lookup: Lookup, seed: number, ops: number, pageSize: number, align: 1 | 8 = 1): void {
  const rule = RULES[lookup];
  if (rule === undefined) return;
  const rng = new Prng(seed);
  const mems = new Mems({ lookup, pageSize, startAddress: 1000, align });
  const live: { v: number; size: number }[] = [];
  let rover = mems.startAddress;
  let op = 0;
  try {
    for (op = 0; op < ops; op++) {
      const roll = rng.next();
      if (roll < 0.001) {
        mems.finish();
        live.length = 0;
        rover = mems.startAddress;
      } else if (roll < (live.length < 150 ? 0.6 : 0.4) || live.length === 0) {
        const asked = randomSize(rng, pageSize);
        const size = Math.ceil(asked / align) * align; // what malloc takes
        const named = rule(holesOf(mems), size, rover);
        const end = mems.startAddress + mems.stats().mappedBytes;
        const v = mems.malloc(asked);
        expect({ op, size, v }).toEqual({ op, size, v: named?.address ?? end });
        live.push({ v, size });
        rover = v + size;
      } else {
        // Now and then the newest block: a HOLE right where the rover is.
        const [block] = live.splice(rng.next() < 0.2 ? live.length - 1 : rng.int(0, live.length - 1), 1);
        if (block !== undefined) mems.free(block.v);
      }
      mems.checkInvariants();
    }
  } catch (error) {
    console.error(`${lookup}: failed at operation ${op}, seed ${seed} (MEMS_TEST_SEED=${seed}), page ${pageSize}, align ${align}`);
    throw error;
  } finally {
    mems.finish();
  }
}

const seed = Prng.seedFrom("MEMS_TEST_SEED");
/** Each run walks the chains before every malloc: seconds on a loaded machine, not the default 5. */
const TIMEOUT_MS = 30_000;

describe.each(LOOKUPS.filter((lookup) => RULES[lookup] !== undefined))("%s", (lookup) => {
  test(
    "takes the HOLE a walk of the chains names, on 10,000 random operations",
    () => {
      run(lookup, seed, 10_000, 4096);
    },
    TIMEOUT_MS,
  );

  test(
    "and with PAGE_SIZE 1024, where blocks span segments of several pages",
    () => {
      run(lookup, seed + 1, 5_000, 1024);
    },
    TIMEOUT_MS,
  );

  test(
    "and with align 8, where the rule applies to the rounded request",
    () => {
      run(lookup, seed + 2, 5_000, 4096, 8);
    },
    TIMEOUT_MS,
  );
});
