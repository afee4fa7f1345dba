/**
 * The CLI's stdout through real pipes (issue 11, items 1 and 2), one process per run as a user runs it.
 *
 * - Through a reader that starts 0.5 s late and then reads 4 KiB at a time with a pause after each,
 *   outputs of about 70 KB, 140 KB and 1 MB equal the output to a file, byte for byte, three times each.
 *   (Bun's own stdout writer re-sent the first 64 KiB after a partial write into such a pipe: every
 *   output larger than the pipe, every time; the runs are repeated only to vary the timing a little.)
 * - A reader that stops early (`| head -1`) ends the command quietly: nothing on stderr, status 0 or
 *   141 (dead of SIGPIPE, as `seq 1000000 | head -1` is).
 * - A stdout that cannot be written (`> /dev/full`) is a runtime failure: one line, status 1.
 *
 * This file imports nothing of the project, so the same tests can be run against an older checkout.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");
const MAIN = join(ROOT, "cli/main.ts");
const dir = mkdtempSync(join(tmpdir(), "mems-pipes-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Reads stdin to stdout: nothing for 0.5 s, then 4 KiB at a time with a 1 ms pause after each read. */
const SLOW_READER = `select(undef, undef, undef, 0.5); while (sysread(STDIN, my $b, 4096)) { syswrite(STDOUT, $b); select(undef, undef, undef, 0.001) }`;

/** Runs a bash script with the CLI as "$MEMS" (bun and cli/main.ts); resolves with its status and output. */
async function sh(script: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = Bun.spawn(["bash", "-c", `MEMS=("$0" "$1"); ${script}`, process.execPath, MAIN], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, status] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { status, stdout, stderr };
}

describe("stdout through a pipe whose reader starts late and reads slowly", () => {
  // `gen --seed 1 --ops N` writes 72,304, 149,941 and 1,144,048 bytes: all larger than a pipe (64 KiB).
  const sizes: [string, number, number, number][] = [
    ["70 KB", 7000, 65_536, 80_000],
    ["140 KB", 14_000, 140_000, 160_000],
    ["1 MB", 100_000, 1_000_000, 1_200_000],
  ];
  const RUNS = 3;

  test(`gen's output of 70 KB, 140 KB and 1 MB arrives whole, ${RUNS} times each`, async () => {
    const checks = sizes.map(async ([name, ops, least, most]) => {
      const reference = join(dir, `${ops}.txt`);
      const toFile = await sh(`"\${MEMS[@]}" gen --seed 1 --ops ${ops} > ${reference}`);
      expect(toFile.status).toBe(0);
      const size = statSync(reference).size;
      expect(size).toBeGreaterThan(least);
      expect(size).toBeLessThan(most);
      const expected = readFileSync(reference);
      const runs = Array.from({ length: RUNS }, async (_, run) => {
        const out = join(dir, `${ops}-${run}.txt`);
        const piped = await sh(`"\${MEMS[@]}" gen --seed 1 --ops ${ops} | perl -e '${SLOW_READER}' > ${out}; echo "\${PIPESTATUS[*]}"`);
        expect([name, run, piped.stdout, piped.stderr]).toEqual([name, run, "0 0\n", ""]);
        const got = readFileSync(out);
        // Not toEqual on the bytes: a megabyte diff helps nobody. Size, then the first differing byte.
        const differsAt = got.findIndex((byte, i) => byte !== expected[i]);
        expect([name, run, got.length, differsAt]).toEqual([name, run, expected.length, -1]);
      });
      await Promise.all(runs);
    });
    await Promise.all(checks);
  }, 30_000);
});

describe("a reader that stops early ends the command quietly", () => {
  // Up to three CLI processes in a row: seconds on a loaded machine, hence the 20 s timeout.
  test.each([
    ["gen", `"\${MEMS[@]}" gen --seed 1 --ops 50000`],
    ["replay", `"\${MEMS[@]}" gen --seed 2 --ops 20000 > big.mtrace && "\${MEMS[@]}" replay big.mtrace`],
  ])(
    "%s | head -1: the first line, nothing on stderr, status 0 or 141",
    async (_name, command) => {
      const run = await sh(`cd ${dir} && { ${command}; } 2> err.txt | head -1; echo "status \${PIPESTATUS[0]}"; cat err.txt`);
      const [first, status, ...rest] = run.stdout.split("\n");
      expect(first?.length).toBeGreaterThan(0);
      expect(["status 0", "status 141"]).toContain(status as string);
      expect(rest.join("\n")).toBe(""); // err.txt: no message
    },
    20_000,
  );
});

describe("a stdout that cannot be written", () => {
  test("> /dev/full: one line naming stdout and why, status 1", async () => {
    const run = await sh(`"\${MEMS[@]}" gen --seed 1 --ops 10 > /dev/full`);
    expect([run.status, run.stderr]).toEqual([1, "mems: stdout: no space left on device\n"]);
  });
});
