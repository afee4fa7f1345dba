/**
 * A bad line is reported on one printable line (trace/format.ts: ScenarioError and `printable`): control
 * and format characters escaped, each field (or quoted span) cut to an excerpt of at most 60 characters, so a binary
 * file cannot put control bytes on a terminal. Through the CLI with a piece of an ELF file:
 * usage.test.ts.
 */
import { describe, expect, test } from "bun:test";
import { thrown } from "../test-support/thrown.ts";
import { parseScenario, printable, ScenarioError } from "../trace/format.ts";

function errorOf(text: string, file = "t.mtrace"): ScenarioError {
  return thrown(() => parseScenario(text, file), ScenarioError);
}

describe("printable", () => {
  test("ordinary messages are left as they are", () => {
    for (const message of [
      'unknown operation "z"',
      'missing field: expected "g ID OFFSET [TEXT...]"',
      "size 9007199254740992 is out of range",
    ]) {
      expect(printable(message)).toBe(message);
    }
  });

  test("control, format and line-separator characters are escaped", () => {
    expect(printable('op "a\x00b\x1b[2J\x7f\u0085\u202e\u2028"')).toBe('op "a\\x00b\\x1b[2J\\x7f\\x85\\u202e\\u2028"');
  });

  test("a word longer than 60 characters becomes an excerpt of 60, quotes kept, no escape cut in half", () => {
    const long = printable(`field "${"y".repeat(500)}" and ${"z".repeat(61)}`);
    expect(long).toBe(`field "${"y".repeat(57)}..." and ${"z".repeat(57)}...`);
    const escapes = printable(`"${"\x01".repeat(100)}"`); // each byte is 4 characters escaped
    expect(escapes).toBe(`"${"\\x01".repeat(14)}..."`);
    expect(printable("x".repeat(60))).toBe("x".repeat(60));
    expect(printable('"')).toBe('"');
  });
});

describe("ScenarioError of a binary line", () => {
  test("the first bad line is reported: one line of printable ASCII, the field cut to 60 characters", () => {
    const binary = `\x7fELF\x02\x01\x01${"\x00".repeat(4000)}\xff\xfe garbage\n${"\x01\x02".repeat(1000)}\n`;
    const error = errorOf(binary);
    expect(error.line).toBe(1);
    expect(error.toString()).toMatch(/^t\.mtrace:1: unknown operation "\\x7fELF\\x02\\x01\\x01(\\x00)+\.\.\."$/);
    expect(error.message.length).toBeLessThan(100);
  });

  test("a binary .rep: the header line, quoted whole, is one excerpt of 60 characters, not one per field", () => {
    const fields = Array.from({ length: 40 }, (_, k) => `\x7f${String.fromCharCode(65 + (k % 26)).repeat(30)}\x01`);
    const error = errorOf(`${fields.join(" ")}\n`, "t.rep");
    expect(error.toString()).toMatch(
      /^t\.rep:1: malloc-lab header: expected suggested heap size \(header number 1 of 4\), got "\\x7fA{30}\\x01 \\x7fB{14}\.\.\."$/,
    );
  });

  test("a quoted span of several words is one excerpt; one never closed stays as its words", () => {
    expect(printable(`got "${"ab ".repeat(40)}end"`)).toBe(`got "${"ab ".repeat(19)}..."`);
    expect(printable(`a "${"y".repeat(70)} b`)).toBe(`a "${"y".repeat(56)}... b`);
  });

  test("the reason alone is in message, printable, as before", () => {
    const error = errorOf("a 0 8\nz\x1b\n");
    expect([error.file, error.line, error.message]).toEqual(["t.mtrace", 2, 'unknown operation "z\\x1b"']);
  });
});
