/** The scenario parser: both dialects, and every kind of bad line at its FILE:LINE. */

import { describe, expect, test } from "bun:test";
import { ALIGNMENTS } from "../core/index.ts";
import { thrown } from "../test-support/thrown.ts";
import { errorOf } from "../test-support/trace.ts";
import { mallocLabTraces } from "./corpus.ts";
import { DIRECTIVE_ALIGNMENTS, detectDialect, Op, parseScenario, readScenario, type Scenario, ScenarioError } from "./format.ts";

/** The text of operation i (a `g` or `e`). */
function textOf(s: Scenario, i: number): string | undefined {
  return s.texts[s.c[i] ?? -1];
}

/** Only the FILE:LINE part of the error. */
function whereOf(text: string, file = "t.mtrace"): string {
  return errorOf(text, file).split(": ")[0] ?? "";
}

describe("mtrace dialect", () => {
  test("operations land in typed columns with their lines", () => {
    const s = parseScenario(
      [
        "# a comment",
        "@page_size 100",
        "@start 0",
        "",
        "a 5 40   # trailing comment",
        "w 5 4 -7",
        "g 5 4",
        "g 5 0 The\tvalue  is:",
        "v 5",
        "p 5",
        "p 5 12",
        "r 5 80",
        "f 5",
        "f -1",
        "s",
        "e  two spaces kept  ",
        "e",
        "F 123",
        "P 0",
        "x",
      ].join("\n"),
      "t.mtrace",
    );
    expect(s.dialect).toBe("mtrace");
    expect(s.directives).toEqual({ pageSize: 100, startAddress: 0 });
    expect(s.directives.align).toBeUndefined();
    expect(s.count).toBe(16);
    expect([...s.ops].map((op) => String.fromCharCode(op)).join("")).toBe("awggvpprffseeFPx");
    expect([...s.lineOf]).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect([s.a[0], s.b[0]]).toEqual([0, 40]); // ID 5 is block slot 0
    expect(s.slotId[0]).toBe(5);
    expect(s.idCount).toBe(6);
    expect(s.slotCount).toBe(1);
    expect([s.b[1], s.c[1]]).toEqual([4, -7]);
    expect(textOf(s, 2)).toBe("Value:");
    expect(textOf(s, 3)).toBe("The value is:");
    expect(s.b[5]).toBe(0);
    expect(s.b[6]).toBe(12);
    expect(s.a[9]).toBe(-1);
    expect(textOf(s, 11)).toBe(" two spaces kept  ");
    expect(textOf(s, 12)).toBe("");
    expect(s.b[13]).toBe(123);
    expect(s.ops[15]).toBe(Op.Finish);
    expect([s.mallocs, s.frees, s.reallocs]).toEqual([1, 3, 1]);
  });

  test("CRLF, tabs, leading blanks and comments", () => {
    const s = parseScenario("\t a\t1 8 \r\n#x\r\n  \r\ne\tab # c\r\n", "t.mtrace");
    expect(s.count).toBe(2);
    expect(textOf(s, 1)).toBe("ab ");
    expect([...s.lineOf]).toEqual([1, 4]);
  });

  test("@align takes exactly the alignments MeMS does", () => {
    expect(DIRECTIVE_ALIGNMENTS).toEqual([...ALIGNMENTS]);
  });

  test("@align takes each of 1, 2, 4, 8 and 16; the offset bound stays the size asked for", () => {
    for (const align of [1, 2, 4, 8, 16]) {
      expect(parseScenario(`@align ${align}\n@page_size 1000\na 0 8\n`, "t.mtrace").directives).toEqual({ align, pageSize: 1000 });
    }
    // A block of 3 at align 8 has 8 bytes, but the scenario may only name the 3 it asked for.
    expect(errorOf("@align 8\na 0 3\ng 0 0\n", "t.mtrace")).toBe("t.mtrace:3: offset 0 + 4 is past the end of ID 0's 3-byte block");
  });

  test("an empty scenario has no operations", () => {
    const s = parseScenario("# nothing\n\n", "t.mtrace");
    expect(s.count).toBe(0);
    expect(s.idCount).toBe(0);
  });

  test("r on an ID never seen allocates; its size then bounds w and g", () => {
    const s = parseScenario("r 0 8\nw 0 4 1\ng 0 4\n", "t.mtrace");
    expect(s.count).toBe(3);
    expect(whereOf("r 0 8\nw 0 5 1\n")).toBe("t.mtrace:2");
  });

  test("numbers are decimal digits, leading zeros included; -0 is 0", () => {
    const s = parseScenario("a 007 0000000000000000000008\na 0 4\nf -0\nw 7 0004 -0\n", "t.mtrace");
    expect([s.slotId[0], s.b[0], s.a[2], s.b[3], s.c[3]]).toEqual([7, 8, 1, 4, 0]);
    expect(Object.is(s.c[3], 0)).toBe(true);
  });

  test("IDs of 2^24 and above get slots too, in order of first appearance", () => {
    const s = parseScenario("a 16777216 8\na 3 4\nf 16777216\na 9007199254740991 4\nv 9007199254740991\n", "t.mtrace");
    expect([...s.slotId]).toEqual([16777216, 3, 9007199254740991]);
    expect([...s.a]).toEqual([0, 1, 0, 2, 2]);
    expect(s.idCount).toBe(9007199254740992);
  });

  test("a freed ID may still be named (it keeps its old address)", () => {
    expect(parseScenario("a 0 8\nf 0\nf 0\nv 0\nw 0 0 1\n", "t.mtrace").count).toBe(5);
  });
});

describe("bad lines give FILE:LINE: message", () => {
  const cases: [string, string, string][] = [
    ["unknown op", "a 0 8\nq 0\n", 't.mtrace:2: unknown operation "q"'],
    ["missing field", "a 0\n", 't.mtrace:1: missing field: expected "a ID SIZE"'],
    ["extra field", "a 0 8\nf 0 1\n", 't.mtrace:2: extra field "1": expected "f ID"'],
    ["extra field on s", "s 1\n", 't.mtrace:1: extra field "1": expected "s"'],
    ["not decimal", "a 0 0x10\n", 't.mtrace:1: size "0x10" is not a decimal integer'],
    ["not decimal: plus sign", "a +1 8\n", 't.mtrace:1: ID "+1" is not a decimal integer'],
    ["not decimal: fraction", "\n\na 0 1.5\n", 't.mtrace:3: size "1.5" is not a decimal integer'],
    ["too large", "a 0 99999999999999999999\n", "t.mtrace:1: size 99999999999999999999 is out of range"],
    ["negative size", "a 0 -1\n", "t.mtrace:1: size -1 is negative"],
    ["negative size in r", "a 0 8\nr 0 -3\n", "t.mtrace:2: size -3 is negative"],
    ["negative ID", "a -1 8\n", "t.mtrace:1: ID -1 is negative"],
    ["negative ID in f", "f -2\n", "t.mtrace:1: ID -2 is negative"],
    ["directive after op", "a 0 8\n@start 0\n", "t.mtrace:2: directive @start after the first operation"],
    ["unknown directive", "@heap 8\n", "t.mtrace:1: unknown directive @heap"],
    ["directive without value", "@start\n", "t.mtrace:1: @start takes one number, got 0 fields"],
    ["page size 0", "@page_size 0\n", "t.mtrace:1: @page_size 0 must be >= 1"],
    ["start < 0", "#\n@start -1\n", "t.mtrace:2: @start -1 must be >= 0"],
    ["align 0", "@align 0\n", "t.mtrace:1: @align 0 must be 1, 2, 4, 8 or 16"],
    ["align 3", "@start 0\n@align 3\n", "t.mtrace:2: @align 3 must be 1, 2, 4, 8 or 16"],
    ["align 32", "@align 32\n", "t.mtrace:1: @align 32 must be 1, 2, 4, 8 or 16"],
    ["align -8", "@align -8\n", "t.mtrace:1: @align -8 must be 1, 2, 4, 8 or 16"],
    ["align fractional", "@align 1.5\n", 't.mtrace:1: @align "1.5" is not a decimal integer'],
    ["align without value", "@align\n", "t.mtrace:1: @align takes one number, got 0 fields"],
    ["align after op", "a 0 8\n@align 8\n", "t.mtrace:2: directive @align after the first operation"],
    ["w value above int32", "a 0 8\nw 0 0 2147483648\n", "t.mtrace:2: value 2147483648 is outside int32"],
    ["w value below int32", "a 0 8\nw 0 0 -2147483649\n", "t.mtrace:2: value -2147483649 is outside int32"],
    ["w offset < 0", "a 0 8\nw 0 -1 5\n", "t.mtrace:2: offset -1 is negative"],
    ["w past the end", "a 0 8\nw 0 5 5\n", "t.mtrace:2: offset 5 + 4 is past the end of ID 0's 8-byte block"],
    ["g past the end", "a 0 3\ng 0 0\n", "t.mtrace:2: offset 0 + 4 is past the end of ID 0's 3-byte block"],
    ["w after r to 0", "a 0 8\nr 0 0\nw 0 0 1\n", "t.mtrace:3: offset 0 + 4 is past the end of ID 0's 0-byte block"],
    ["p offset < 0", "a 0 8\np 0 -1\n", "t.mtrace:2: offset -1 is negative"],
    ["f before a", "f 0\n", 't.mtrace:1: "f" on ID 0 before any "a" or "r" line for it'],
    ["w before a", "a 1 8\nw 0 0 1\n", 't.mtrace:2: "w" on ID 0 before any "a" or "r" line for it'],
    ["g before a", "g 0 0\n", 't.mtrace:1: "g" on ID 0 before any "a" or "r" line for it'],
    ["v before a", "v 3\n", 't.mtrace:1: "v" on ID 3 before any "a" or "r" line for it'],
    ["p before a", "p 3 0\n", 't.mtrace:1: "p" on ID 3 before any "a" or "r" line for it'],
    ["F not a number", "F abc\n", 't.mtrace:1: address "abc" is not a decimal integer'],
    ["op glued to its text", "ehello\n", 't.mtrace:1: unknown operation "ehello"'],
    ["op named like a property of every object", "a 0 8\nconstructor 0\n", 't.mtrace:2: unknown operation "constructor"'],
    ["op named like the prototype", "__proto__\n", 't.mtrace:1: unknown operation "__proto__"'],
  ];
  for (const [name, text, message] of cases) {
    test(name, () => expect(errorOf(text)).toBe(message));
  }

  test("the first bad line in file order is the one reported", () => {
    expect(whereOf("a 0 8\nbad\nalso bad\n")).toBe("t.mtrace:2");
  });
});

describe("malloc-lab dialect", () => {
  const header = (ids: number, ops: number) => `20000\n${ids}\n${ops}\n1\n`;

  test("detected by .rep or by a bare integer first", () => {
    expect(detectDialect("1\n2\n", "x.mtrace")).toBe("malloclab");
    expect(detectDialect("# c\n\n  7 \n", "x.txt")).toBe("malloclab");
    expect(detectDialect("a 0 8\n", "x.REP")).toBe("malloclab");
    expect(detectDialect("a 0 8\n", "x.mtrace")).toBe("mtrace");
    expect(detectDialect("@start 0\n1\n", "x.mtrace")).toBe("mtrace");
  });

  test("header and a/f/r operations, CRLF lines", () => {
    const s = parseScenario(`${header(2, 5)}a 0 16\na 1 0\nr 0 32\nf 0\nf -1\n`.replaceAll("\n", "\r\n"), "t.rep");
    expect(s.dialect).toBe("malloclab");
    expect(s.header).toEqual({ heapSize: 20000, idCount: 2, opCount: 5, weight: 1 });
    expect(s.count).toBe(5);
    expect([...s.lineOf]).toEqual([5, 6, 7, 8, 9]);
    expect([s.mallocs, s.frees, s.reallocs]).toEqual([2, 2, 1]);
  });

  test("every shipped trace parses and matches its header", () => {
    const files = mallocLabTraces();
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const s = readScenario(file);
      expect(s.count).toBe(s.header?.opCount ?? -1);
      expect(s.idCount).toBeLessThanOrEqual(s.header?.idCount ?? -1);
      expect(s.mallocs + s.frees + s.reallocs).toBe(s.count);
    }
  });

  const bad: [string, string, string][] = [
    ["ID at the header's limit", `${header(2, 1)}a 2 8\n`, "t.rep:5: ID 2 is outside the header's range 0..1"],
    ["op count too small", `${header(2, 2)}a 0 8\n`, "t.rep:3: malloc-lab header says 2 operations, the trace has 1"],
    ["op count too large", `${header(2, 0)}a 0 8\n`, "t.rep:3: malloc-lab header says 0 operations, the trace has 1"],
    [
      "fewer than 4 header numbers before an op",
      "1\n2\na 0 8\n",
      't.rep:3: malloc-lab header: expected number of operations (header number 3 of 4), got "a 0 8"',
    ],
    ["fewer than 4 header numbers at the end", "1\n2\n3\n", "t.rep:3: malloc-lab header: expected 4 numbers, got 3"],
    ["empty .rep", "", "t.rep:1: malloc-lab header: expected 4 numbers, got 0"],
    ["two numbers on a header line", "1\n2 3\n", 't.rep:2: malloc-lab header: expected number of ids (header number 2 of 4), got "2 3"'],
    ["negative number of ids", "1\n-2\n", "t.rep:2: malloc-lab header: number of ids -2 is negative"],
    ["w in a .rep", `${header(2, 2)}a 0 8\nw 0 0 1\n`, 't.rep:6: operation "w" is not allowed in a malloc-lab trace (only a, f, r)'],
    ["directive in a .rep", `${header(2, 0)}@start 0\n`, "t.rep:5: directive @start in a malloc-lab trace"],
    ["@align in a .rep", `${header(2, 0)}@align 8\n`, "t.rep:5: directive @align in a malloc-lab trace"],
    ["f before a", `${header(2, 1)}f 1\n`, 't.rep:5: "f" on ID 1 before any "a" or "r" line for it'],
    ["negative size", `${header(2, 1)}a 0 -8\n`, "t.rep:5: size -8 is negative"],
  ];
  for (const [name, text, message] of bad) {
    test(name, () => expect(errorOf(text, "t.rep")).toBe(message));
  }

  test("ScenarioError carries file, line and reason", () => {
    const e = thrown(() => parseScenario("a 0 8\nz\n", "dir/f.mtrace"), ScenarioError);
    expect([e.file, e.line, e.message]).toEqual(["dir/f.mtrace", 2, 'unknown operation "z"']);
    expect(String(e)).toBe('dir/f.mtrace:2: unknown operation "z"');
  });
});
