/**
 * lib/temporary.ts: the folders made are remembered until removed or kept, and removeTemporaryFolders
 * (the signal path) removes every one still open, and only those.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { keepTemporaryFolder, makeTemporaryFolder, removeTemporaryFolder, removeTemporaryFolders, temporaryFolders } from "./temporary.ts";

const kept: string[] = [];
afterEach(() => {
  for (const dir of kept.splice(0)) rmSync(dir, { recursive: true, force: true });
  removeTemporaryFolders();
});

describe("temporary folders", () => {
  test("made in the temporary folder with the prefix, remembered until removed", () => {
    const dir = makeTemporaryFolder("mems-temporary-test-");
    expect(dirname(dir)).toBe(tmpdir());
    expect(dir).toMatch(/mems-temporary-test-[^/]{6}$/);
    expect(temporaryFolders()).toContain(dir);
    writeFileSync(join(dir, "a.rep"), "1\n");
    removeTemporaryFolder(dir);
    expect(existsSync(dir)).toBe(false);
    expect(temporaryFolders()).not.toContain(dir);
  });

  test("removeTemporaryFolders removes the open ones, not the kept ones, and forgets them", () => {
    const open = [makeTemporaryFolder("mems-temporary-test-"), makeTemporaryFolder("mems-temporary-test-")];
    const keep = makeTemporaryFolder("mems-temporary-test-");
    kept.push(keep);
    for (const dir of open) writeFileSync(join(dir, "a.rep"), "1\n");
    keepTemporaryFolder(keep);
    removeTemporaryFolders();
    expect({ open: open.map(existsSync), keep: existsSync(keep), remembered: temporaryFolders() }).toEqual({
      open: [false, false],
      keep: true,
      remembered: [],
    });
  });

  test("a folder already gone is no error", () => {
    const dir = makeTemporaryFolder("mems-temporary-test-");
    rmSync(dir, { recursive: true });
    expect(() => removeTemporaryFolders()).not.toThrow();
    expect(temporaryFolders()).toEqual([]);
  });
});
