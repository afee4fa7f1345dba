import { expect, test } from "bun:test";
import { parseDecimalInteger } from "./integers.ts";

test("decimal digits are read; everything else is refused", () => {
  expect(parseDecimalInteger("0")).toBe(0);
  expect(parseDecimalInteger("4096")).toBe(4096);
  expect(parseDecimalInteger("9007199254740991")).toBe(2 ** 53 - 1);
  for (const bad of ["", "-", "abc", "1e3", "0x10", " 12", "12 ", "+1", "1.5", "NaN", "Infinity", "9007199254740992", "１２"]) {
    expect(parseDecimalInteger(bad)).toBeUndefined();
  }
});

test("a minus only where the caller allows it", () => {
  expect(parseDecimalInteger("-5")).toBeUndefined();
  expect(parseDecimalInteger("-5", true)).toBe(-5);
  expect(parseDecimalInteger("-", true)).toBeUndefined();
  expect(parseDecimalInteger("--5", true)).toBeUndefined();
  expect(parseDecimalInteger("-9007199254740991", true)).toBe(-(2 ** 53 - 1));
});
