/**
 * The CLI's shared pieces in-process: integer options read by the project's decimal reader, the
 * messages for files that cannot be read, and the check of an output path before any work.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ALIGN_ARG,
  asUsage,
  CommandError,
  describeFileError,
  integerArg,
  integerOption,
  missingDataMessage,
  missingPath,
  outputFileProblem,
  readScenarios,
  requireFiles,
  UsageError,
} from "./io.ts";

describe("integerOption", () => {
  const pageSize = integerOption("page-size", 1);
  const seed = integerOption("seed", 0, 0xffffffff);

  test("decimal text and numbers (yargs' defaults) within the range are read", () => {
    expect(pageSize("4096")).toBe(4096);
    expect(pageSize(8192)).toBe(8192);
    expect(seed("0")).toBe(0);
    expect(seed("4294967295")).toBe(0xffffffff);
  });

  test("given twice, the last value counts", () => {
    expect(pageSize(["1024", "2048"])).toBe(2048);
  });

  test.each([
    [pageSize, "abc", "--page-size must be an integer >= 1, got abc"],
    [pageSize, "0", "--page-size must be an integer >= 1, got 0"],
    [pageSize, "-5", "--page-size must be an integer >= 1, got -5"],
    [pageSize, "1e3", "--page-size must be an integer >= 1, got 1e3"],
    [pageSize, "0x10", "--page-size must be an integer >= 1, got 0x10"],
    [pageSize, "1.5", "--page-size must be an integer >= 1, got 1.5"],
    [pageSize, "", "--page-size must be an integer >= 1, got "],
    [pageSize, true, "--page-size must be an integer >= 1, got true"],
    [pageSize, 1.5, "--page-size must be an integer >= 1, got 1.5"],
    [pageSize, "a\x1b[31mb", "--page-size must be an integer >= 1, got a\\u001b[31mb"],
    [seed, "4294967296", "--seed must be an integer from 0 to 4294967295, got 4294967296"],
    [pageSize, "9".repeat(300), `--page-size must be an integer >= 1, got ${"9".repeat(40)}... (300 characters)`],
  ])("%#: refused as bad usage, naming the value", (read, value, message) => {
    expect(() => read(value)).toThrow(new UsageError(message));
  });

  test("integerArg requires a value and reads it with integerOption", () => {
    const arg = integerArg("ops", 0);
    expect(arg.requiresArg).toBe(true);
    expect(arg.coerce("12")).toBe(12);
    expect(() => arg.coerce("twelve")).toThrow(UsageError);
  });
});

describe("--align", () => {
  test("takes 1, 2, 4, 8 or 16, the last when given twice, and a value", () => {
    expect(ALIGN_ARG.requiresArg).toBe(true);
    expect(ALIGN_ARG.coerce("8")).toBe(8);
    expect(ALIGN_ARG.coerce(16)).toBe(16);
    expect(ALIGN_ARG.coerce(["2", "4"])).toBe(4);
  });

  test("a value 300 characters long is shown as its first 40 and its length", () => {
    expect(() => ALIGN_ARG.coerce("x".repeat(300))).toThrow(
      new UsageError(`--align must be one of 1, 2, 4, 8, 16, got ${"x".repeat(40)}... (300 characters)`),
    );
  });

  test.each(["3", "32", "0", "8.0", " 8", "abc", ""])("%p is a usage error naming the values", (text) => {
    expect(() => ALIGN_ARG.coerce(text)).toThrow(UsageError);
    expect(() => ALIGN_ARG.coerce(text)).toThrow(`--align must be one of 1, 2, 4, 8, 16, got ${text}`);
  });
});

describe("describeFileError", () => {
  const errorOf = (action: () => unknown): unknown => {
    try {
      action();
    } catch (error) {
      return error;
    }
    throw new Error("no error");
  };

  test("the reasons ls and rg give, in lower case, after the name as given", () => {
    expect(
      describeFileError(
        "x",
        errorOf(() => readFileSync("/no/such/file")),
      ),
    ).toBe("x: no such file");
    expect(
      describeFileError(
        "d",
        errorOf(() => readFileSync("/tmp")),
      ),
    ).toBe("d: is a directory");
    expect(describeFileError("f", Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" }))).toBe("f: permission denied");
    expect(describeFileError("f", Object.assign(new Error("odd"), { code: "EODD" }))).toBe("f: EODD");
    expect(describeFileError("f", new Error("no code"))).toBe("f: no code");
    expect(describeFileError("f", "a string")).toBe("f: a string");
  });

  test("CommandError carries its status", () => {
    const error = new CommandError("x: no such file", 2);
    expect([error.name, error.message, error.status]).toEqual(["CommandError", "x: no such file", 2]);
  });
});

describe("outputFileProblem", () => {
  test("a new or existing file in an existing folder is fine; anything else is named", () => {
    const dir = mkdtempSync(join(tmpdir(), "mems-io-test-"));
    try {
      const existing = join(dir, "old.json");
      writeFileSync(existing, "{}");
      expect(outputFileProblem(join(dir, "new.json"))).toBeUndefined();
      expect(outputFileProblem(existing)).toBeUndefined();
      expect(outputFileProblem(dir)).toBe(`${dir} is a directory`);
      expect(outputFileProblem(join(dir, "no/x.json"))).toBe(`${join(dir, "no/x.json")}: no such directory ${join(dir, "no")}`);
      expect(outputFileProblem(join(existing, "x.json"))).toBe(`${join(existing, "x.json")}: ${existing} is not a directory`);
      expect(outputFileProblem("")).toBe("needs a file name");
      expect(outputFileProblem("relative.json")).toBeUndefined(); // in the current folder
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("asUsage", () => {
  test("passes a value through; an Error thrown on the way becomes a UsageError with its message", async () => {
    expect(await asUsage(async () => 7)).toBe(7);
    const error = await asUsage(async () => {
      throw new Error("--lookup: no lookup x");
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect(error instanceof Error ? error.message : "").toBe("--lookup: no lookup x");
    const other = await asUsage(() => Promise.reject("a string")).catch((caught: unknown) => caught);
    expect(other instanceof UsageError ? other.message : "").toBe("a string");
  });
});

describe("readScenarios", () => {
  test("every file is read before anything runs; a bad one is a usage error naming it, without the hint", () => {
    const dir = mkdtempSync(join(tmpdir(), "mems-io-read-"));
    try {
      const good = join(dir, "good.mtrace");
      const bad = join(dir, "bad.mtrace");
      writeFileSync(good, "a 0 10\nf 0\n");
      writeFileSync(bad, "a 0 10\nq\n");
      expect(readScenarios([good]).map((s) => s.count)).toEqual([2]);
      const problem = (files: string[]) => {
        try {
          readScenarios(files);
        } catch (error) {
          return error instanceof CommandError && !(error instanceof UsageError) ? [error.status, error.message] : error;
        }
        return "no error";
      };
      const [status, message] = problem([good, bad]) as [number, string];
      expect(status).toBe(2);
      expect(message).toStartWith(`${bad}:2: `);
      expect(problem([good, dir])).toEqual([2, `${dir}: is a directory`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("data the command needs, and the files named", () => {
  test("missingPath is the path of an ENOENT error only; missingDataMessage names it in one line", () => {
    let error: unknown;
    try {
      readFileSync("/nonexistent/mems/scenarios/malloclab");
    } catch (caught) {
      error = caught;
    }
    expect(missingPath(error)).toBe("/nonexistent/mems/scenarios/malloclab");
    expect(missingPath(Object.assign(new Error("x"), { code: "EACCES", path: "/x" }))).toBeUndefined();
    expect(missingPath(undefined)).toBeUndefined();
    expect(missingPath(new Error("no code"))).toBeUndefined();
    const message = missingDataMessage("scenarios/malloclab");
    expect(message).toStartWith("scenarios/malloclab: no such file or directory");
    expect(message).not.toContain("\n");
  });

  test("requireFiles keeps the named files and refuses none as usage", () => {
    expect(requireFiles(["a.mtrace", "b.rep"])).toEqual(["a.mtrace", "b.rep"]);
    expect(() => requireFiles([undefined])).toThrow(UsageError);
    expect(() => requireFiles(undefined)).toThrow("name at least one scenario file");
  });
});
