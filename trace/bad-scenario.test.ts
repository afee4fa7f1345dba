/**
 * Bad scenarios beyond format.test.ts: the lines it does not cover, values the parser accepts but MeMS
 * refuses at run time, bad addresses replayed (they change nothing), and running out of memory mid-replay.
 */

import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { LOOKUPS, type Mems, MemsError } from "../core/index.ts";
import { injectMmapFailures, releaseSpareBookkeeping } from "../core/testing.ts";
import { thrown } from "../test-support/thrown.ts";
import { errorOf, flipByte, run } from "../test-support/trace.ts";
import { parseScenario } from "./format.ts";
import { patternByte } from "./pattern.ts";
import { replay, VerifyError } from "./runner.ts";

// The injected failures below count mmap calls: a table kept from an earlier heap (mapping.ts) would take none.
beforeEach(releaseSpareBookkeeping);
afterEach(() => injectMmapFailures(0));

describe("bad lines not covered by format.test.ts", () => {
  const cases: [string, string, string][] = [
    ["x with a field", "x 1\n", 't.mtrace:1: extra field "1": expected "x"'],
    ["v without ID", "v\n", 't.mtrace:1: missing field: expected "v ID"'],
    ["p with two offsets", "a 0 8\np 0 1 2\n", 't.mtrace:2: extra field "2": expected "p ID [OFFSET]"'],
    ["F without address", "F\n", 't.mtrace:1: missing field: expected "F VADDR"'],
    ["P fractional address", "P 10.5\n", 't.mtrace:1: address "10.5" is not a decimal integer'],
    ["r without size", "r 0\n", 't.mtrace:1: missing field: expected "r ID SIZE"'],
    ["r fractional size", "r 0 1.5\n", 't.mtrace:1: size "1.5" is not a decimal integer'],
    ["w without value", "a 0 8\nw 0 0\n", 't.mtrace:2: missing field: expected "w ID OFFSET VALUE"'],
    ["w fractional value", "a 0 8\nw 0 0 1.5\n", 't.mtrace:2: value "1.5" is not a decimal integer'],
    ["g offset not a number", "a 0 8\ng 0 x\n", 't.mtrace:2: offset "x" is not a decimal integer'],
    ["g without offset", "a 0 8\ng 0\n", 't.mtrace:2: missing field: expected "g ID OFFSET [TEXT...]"'],
    ["size NaN", "a 0 NaN\n", 't.mtrace:1: size "NaN" is not a decimal integer'],
    ["size Infinity", "a 0 Infinity\n", 't.mtrace:1: size "Infinity" is not a decimal integer'],
    ["size with exponent", "a 0 1e3\n", 't.mtrace:1: size "1e3" is not a decimal integer'],
    ["size 2^53", "a 0 9007199254740992\n", "t.mtrace:1: size 9007199254740992 is out of range"],
    ["full-width digits", "a 0 ８\n", 't.mtrace:1: size "８" is not a decimal integer'],
    ["ID out of range", "a 99999999999999999999 8\n", "t.mtrace:1: ID 99999999999999999999 is out of range"],
    ["@page_size not decimal", "@page_size 4k\n", 't.mtrace:1: @page_size "4k" is not a decimal integer'],
    ["@page_size fractional", "@page_size 1.5\n", 't.mtrace:1: @page_size "1.5" is not a decimal integer'],
    ["@page_size negative", "@page_size -4096\n", "t.mtrace:1: @page_size -4096 must be >= 1"],
    ["@start hexadecimal", "@start 0x10\n", 't.mtrace:1: @start "0x10" is not a decimal integer'],
    ["directive with two values", "@page_size 1 2\n", "t.mtrace:1: @page_size takes one number, got 2 fields"],
    [
      "directive after an operation on a later line",
      "s\n\n# c\n@page_size 8\n",
      "t.mtrace:4: directive @page_size after the first operation",
    ],
    ["e in a .rep", "1\n1\n1\n1\ne hi\n", 't.rep:5: operation "e" is not allowed in a malloc-lab trace (only a, f, r)'],
    ["fractional header", "1\n1.5\n", 't.rep:2: malloc-lab header: expected number of ids (header number 2 of 4), got "1.5"'],
    ["negative operation count", "1\n1\n-1\n", "t.rep:3: malloc-lab header: number of operations -1 is negative"],
    ["r with an extra field in a .rep", "1\n1\n1\n1\nr 0 8 9\n", 't.rep:5: extra field "9": expected "r ID SIZE"'],
  ];
  for (const [name, text, message] of cases) {
    test(name, () => expect(errorOf(text, message.startsWith("t.rep") ? "t.rep" : "t.mtrace")).toBe(message));
  }
});

describe("values the format accepts and MeMS refuses", () => {
  test.each([
    ["@page_size above 2^30", "@page_size 2000000000\na 0 8\n", "pageSize"],
    ["@start above 2^48", "@start 281474976710657\na 0 8\n", "startAddress"],
  ])("%s: INVALID_OPTION before any operation runs", (_name, text, option) => {
    const chunks: string[] = [];
    const caught = thrown(() => replay(parseScenario(`${text}e never\n`, "t.mtrace"), { out: (s) => chunks.push(s) }), MemsError);
    expect(caught.code).toBe("INVALID_OPTION");
    expect(caught.message).toContain(option);
    expect(chunks.join("")).toBe("");
  });

  test("a size above 2^48 is refused as the seed API refuses it: the ID holds NULL", () => {
    expect(run("a 0 281474976710657\nv 0\nf 0\np 0\n")).toBe("Virtual address: NULL\nADDRESS NOT FOUND!!\n");
  });
});

describe.each(LOOKUPS)("bad addresses replayed change nothing (%s)", (lookup) => {
  test("F and P of addresses never given out, inside blocks and HOLEs, beyond, negative, freed twice", () => {
    const setup = "@start 1000\na 0 300\na 1 500\na 2 200\na 3 6000\nf 1\nw 0 0 111\nw 2 196 222\nw 3 5996 333\n";
    const check = "s\ng 0 0\ng 2 196\ng 3 5996\n";
    const bad = ["F 999", "F 0", "F 1001", "F 1300", "F 1350", "F 2000", "F 5095", "F 18000", "F -1", "F 99999999999", "f 1"];
    const gets = ["P 999", "P 1300", "P 1799", "P 2000", "P 18288", "P -5"];
    const before = run(setup + check, { lookup, verify: true });
    const output = run(`${setup}${check}${[...bad, ...gets].join("\n")}\n${check}`, { lookup, verify: true });
    const notFound = "ADDRESS NOT FOUND!!\n".repeat(bad.length + gets.length);
    expect(output).toBe(before + notFound + before);
    expect(before).toContain("Value: 111\nValue: 222\nValue: 333\n");
  });
});

describe("out of memory mid-replay", () => {
  const text = "a 0 100\nw 0 0 7\na 1 5000\ng 0 0\nr 0 300000\ng 0 0\n";

  test("the replay stops with OUT_OF_MEMORY after checking every live block; the output so far is kept", () => {
    const chunks: string[] = [];
    // The heap's first mapping (the first slices of the records, the address map and the page table, and
    // the first region, which both blocks' segments are carved from: first-mapping.ts) and first-fit's
    // segment tree map; the region the realloc's segment needs does not.
    injectMmapFailures(1, 2);
    expect(() => replay(parseScenario(text, "t.mtrace"), { out: (s) => chunks.push(s), verify: true })).toThrow("OUT_OF_MEMORY");
    expect(chunks.join("")).toBe("Value: 7\n");
  });

  test("a block damaged before the failure is reported by that check (so passing it means the blocks are intact)", () => {
    injectMmapFailures(1, 2); // the realloc's region, as above
    const corrupt = (index: number, mems: Mems) => {
      if (index === 3) flipByte(mems, 5096 + 4999); // the last byte of ID 1
    };
    expect(() => replay(parseScenario(text, "t.mtrace"), { verify: true, afterOp: corrupt, startAddress: 1000 })).toThrow(
      new VerifyError("t.mtrace", 5, 1, 4999, patternByte(1, 4999), patternByte(1, 4999) ^ 0xff, "after OUT_OF_MEMORY"),
    );
  });
});
