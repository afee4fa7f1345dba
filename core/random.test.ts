/**
 * Seeded randomized test: mixed mallocs, frees, bad frees and translations, with the whole heap walk
 * (checkInvariants) and every live byte checked after every operation. The seed is printed on failure;
 * rerun one with MEMS_TEST_SEED=<seed>. The runs here are short enough for every `bun test`; the long
 * ones are CI's soaks (.ci/run: every lookup, 100,000 operations on a small heap walked after each one,
 * and 200,000 on a large one).
 */
import { describe, expect, test } from "bun:test";
import { Prng } from "../lib/prng.ts";
import { LOOKUPS, Mems, MemsError } from "./index.ts";

interface Block {
  v: number;
  size: number;
  /** What the block's bytes must be. */
  shadow: Uint8Array;
}

function randomSize(rng: Prng, pageSize: number): number {
  const roll = rng.next();
  if (roll < 0.75) return rng.int(1, 300);
  if (roll < 0.97) return rng.int(300, 2 * pageSize);
  return rng.int(2 * pageSize, 6 * pageSize);
}

function run(seed: number, lookup: (typeof LOOKUPS)[number], pageSize: number, startAddress: number, ops: number): void {
  const rng = new Prng(seed);
  const mems = new Mems({ lookup, pageSize, startAddress });
  const live: Block[] = [];
  let op = 0;
  const context = () => `seed ${seed} (MEMS_TEST_SEED=${seed}), ${lookup}, page ${pageSize}, start ${startAddress}, operation ${op}`;
  const containing = (address: number) => live.find((b) => address >= b.v && address < b.v + b.size);
  try {
    for (op = 0; op < ops; op++) {
      const roll = rng.next();
      if (roll < 0.45 && live.length < 64) {
        const size = randomSize(rng, pageSize);
        const v = mems.malloc(size);
        if (containing(v) || containing(v + size - 1)) throw new Error(`block at ${v} overlaps a live block`);
        const shadow = new Uint8Array(size);
        for (let i = 0; i < size; i += 1 + (i >> 4)) shadow[i] = rng.int(0, 255);
        mems.view(v).set(shadow);
        live.push({ v, size, shadow });
      } else if (roll < 0.85 && live.length > 0) {
        const index = rng.int(0, live.length - 1);
        const last = live.pop();
        const block = index < live.length ? live[index] : last;
        if (block === undefined || last === undefined) throw new Error("no live block to free");
        mems.free(block.v);
        if (block !== last) live[index] = last;
      } else if (roll < 0.95) {
        // A raw address: freeing it succeeds exactly when it starts a live block.
        const address = startAddress + rng.int(-10, mems.stats().mappedBytes + 10);
        const block = containing(address);
        if (block !== undefined && block.v === address) {
          mems.free(address);
          live.splice(live.indexOf(block), 1);
        } else {
          expect(() => mems.free(address)).toThrow(MemsError);
        }
      } else {
        const address = startAddress + rng.int(-10, mems.stats().mappedBytes + 10);
        const block = containing(address);
        if (block === undefined) expect(() => mems.get(address)).toThrow(MemsError);
        else expect(Number(mems.get(address))).toBe(mems.get(block.v) + (address - block.v));
      }
      mems.checkInvariants();
      for (const block of live) {
        if (Buffer.compare(mems.view(block.v), block.shadow) !== 0) throw new Error(`bytes of the block at ${block.v} changed`);
      }
    }
    const stats = mems.stats();
    expect(stats.liveBlocks).toBe(live.length);
    expect(stats.liveBytes).toBe(live.reduce((sum, b) => sum + b.size, 0));
  } catch (error) {
    console.error(`randomized test failed: ${context()}`);
    throw error;
  } finally {
    mems.finish();
  }
}

const seed = Prng.seedFrom("MEMS_TEST_SEED");

/** Several times what these runs take on a loaded 2-core machine: a failure is a hang, not a slow run. */
const TIMEOUT_MS = 30_000;

describe.each(LOOKUPS)("%s", (lookup) => {
  test(
    "10,000 random operations keep every invariant and every live byte",
    () => {
      run(seed, lookup, 4096, 1000, 10_000);
    },
    TIMEOUT_MS,
  );

  test.each([
    [1024, 0],
    [8192, 0],
    [1000, 1000],
  ])(
    "5,000 random operations with PAGE_SIZE %i and start %i",
    (pageSize, startAddress) => {
      run(seed + pageSize, lookup, pageSize, startAddress, 5_000);
    },
    TIMEOUT_MS,
  );
});
