/** Decimal integers as the trace format and the CLI read them (lib/integers.ts): digits only, safe integers only. */
import { expect, test } from "bun:test";
import { isDecimalInteger, parseDecimalInteger } from "./integers.ts";

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
  expect(Object.is(parseDecimalInteger("-0", true), 0)).toBe(true);
});

test("leading zeros are digits, however many; the value decides the range, not the length", () => {
  expect(parseDecimalInteger("007")).toBe(7);
  expect(parseDecimalInteger(`${"0".repeat(40)}4096`)).toBe(4096);
  expect(parseDecimalInteger(`-${"0".repeat(40)}9007199254740991`, true)).toBe(-(2 ** 53 - 1));
  expect(parseDecimalInteger("9".repeat(400))).toBeUndefined();
});

test("isDecimalInteger tells an integer out of range from text that is none", () => {
  for (const text of ["0", "12", "9007199254740992", "9".repeat(400)]) expect(isDecimalInteger(text)).toBe(true);
  expect(isDecimalInteger("-12")).toBe(false);
  expect(isDecimalInteger("-12", true)).toBe(true);
  for (const bad of ["", "-", "--1", "1e3", "+1", " 1", "1 "]) expect(isDecimalInteger(bad, true)).toBe(false);
});
