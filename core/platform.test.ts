/**
 * MeMS runs on Linux only: on any other platform, importing it throws UNSUPPORTED_PLATFORM (from
 * core/os.ts, before libc is opened) instead of calling mmap with Linux's constants.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { MemsError } from "./errors.ts";
import { checkPlatform } from "./os.ts";

const ROOT = join(import.meta.dir, "..");

describe("checkPlatform", () => {
  test("linux passes", () => {
    expect(() => checkPlatform("linux")).not.toThrow();
  });

  for (const platform of ["darwin", "win32", "freebsd", "openbsd", "android", ""]) {
    test(`${JSON.stringify(platform)} is UNSUPPORTED_PLATFORM, naming the platform`, () => {
      let thrown: unknown;
      try {
        checkPlatform(platform);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(MemsError);
      const error = thrown as MemsError;
      expect(error.code).toBe("UNSUPPORTED_PLATFORM");
      expect(error.message).toContain("Linux only");
      expect(error.message).toEndWith(`this is ${platform}`);
    });
  }
});

test("importing MeMS where process.platform is darwin throws UNSUPPORTED_PLATFORM", () => {
  // A fresh process: the module runs its check once, when it is first loaded.
  const program = [
    `Object.defineProperty(process, "platform", { value: "darwin" });`,
    `try { await import(${JSON.stringify(join(ROOT, "core/index.ts"))}); console.log("imported"); }`,
    `catch (error) { console.log(error.name, error.code); }`,
  ].join("\n");
  const run = Bun.spawnSync([process.execPath, "-e", program], { cwd: ROOT });
  expect(run.stderr.toString()).toBe("");
  expect(run.stdout.toString()).toBe("MemsError UNSUPPORTED_PLATFORM\n");
  expect(run.exitCode).toBe(0);
});
