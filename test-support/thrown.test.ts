/** thrown (test-support/thrown.ts): the error of one class that an action throws, for the tests that assert on it. */
import { describe, expect, test } from "bun:test";
import { thrown } from "./thrown.ts";

class Wanted extends Error {}

describe("thrown", () => {
  test("gives the error of the class asked for", () => {
    const error = new Wanted("w");
    expect(
      thrown(() => {
        throw error;
      }, Wanted),
    ).toBe(error);
  });

  test("throws on an error of another class, and fails when nothing is thrown", () => {
    const other = new TypeError("t");
    expect(() =>
      thrown(() => {
        throw other;
      }, Wanted),
    ).toThrow(other);
    expect(() => thrown(() => 1, Wanted)).toThrow("no Wanted was thrown");
  });
});
