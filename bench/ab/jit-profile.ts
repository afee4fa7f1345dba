#!/usr/bin/env bun
/**
 * Where a bare replay (bare.ts) spends its time, by JavaScriptCore code block: runs it under `perf record`
 * (cpu-clock samples, no hardware counters needed) with JSC writing a jitdump of every piece of code it
 * compiles (BUN_JSC_useJITDump), then puts each sample of the main thread in the code block that holds
 * it. Inlined callees count in their caller's block: a callee with a block of its own was called.
 * With `--annotate NAME` (a block's name as printed, without its `#` hash: "JSC-FTL: tryFree"), also the hottest
 * instructions of that block, disassembled by objdump, each with the lines before it (a sample lands
 * on the instruction after a stall).
 *
 *   bun bench/ab/jit-profile.ts TRACE [CHECKOUT] [--annotate NAME] [--top N]
 *   npm run ab:jit-profile -- TRACE [CHECKOUT] [--annotate NAME] [--top N]
 *
 * Needs Linux `perf` (Debian: linux-perf) and `objdump` (binutils). Runs under /tmp/mems-bench.lock.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { blockOf, readJitDump } from "./jitdump.ts";

function run(command: string[], env?: Record<string, string>): string {
  const result = Bun.spawnSync(command, { env: { ...process.env, ...env }, stdout: "pipe", stderr: "inherit" });
  if (result.exitCode !== 0) throw new Error(`${command[0]} failed (exit ${result.exitCode})`);
  return result.stdout.toString();
}

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  options: { annotate: { type: "string" }, top: { type: "string", default: "15" } },
  allowPositionals: true,
});
const [trace, checkout] = positionals;
if (trace === undefined) {
  process.stderr.write("usage: bun bench/ab/jit-profile.ts TRACE [CHECKOUT] [--annotate NAME] [--top N]\n");
  process.exit(2);
}
const top = Number(values.top);
const dir = mkdtempSync(join(tmpdir(), "mems-jit-"));
try {
  const bare = `${import.meta.dir}/bare.ts`;
  const data = join(dir, "perf.data");
  const perf = ["perf", "record", "-q", "-k", "1", "-e", "cpu-clock", "-F", "4000", "-o", data, process.execPath, bare, trace];
  if (checkout !== undefined) perf.push(resolve(checkout));
  process.stdout.write(run(["flock", "/tmp/mems-bench.lock", ...perf], { BUN_JSC_useJITDump: "1", BUN_JSC_jitDumpDirectory: dir }));
  const dump = readdirSync(dir).find((file) => file.startsWith("jit-") && file.endsWith(".dump"));
  if (dump === undefined) throw new Error("JavaScriptCore wrote no jitdump");
  const blocks = readJitDump(new Uint8Array(readFileSync(join(dir, dump))));
  const byBlock = new Map<string, number>();
  const byInstruction = new Map<bigint, number>();
  let samples = 0;
  for (const line of run(["perf", "script", "-i", data, "-F", "pid,tid,ip"]).split("\n")) {
    const [ids, ip] = line.trim().split(/\s+/);
    const [pid, tid] = (ids ?? "").split("/");
    if (ip === undefined || pid !== tid) continue; // the main thread only, not the JIT's or the GC's
    samples++;
    const address = BigInt(`0x${ip}`);
    const name = blockOf(blocks, address)?.name ?? "(not JIT code)";
    byBlock.set(name, (byBlock.get(name) ?? 0) + 1);
    if (name.split("#")[0] === values.annotate) byInstruction.set(address, (byInstruction.get(address) ?? 0) + 1);
  }
  const rows = [...byBlock].sort((x, y) => y[1] - x[1]).slice(0, top);
  for (const [name, count] of rows) console.log(`${((100 * count) / samples).toFixed(1).padStart(5)}%  ${name}`);
  // The last compilation of that name: the one the replay ran in the end.
  const annotated = blocks.filter((block) => block.name.split("#")[0] === values.annotate).at(-1);
  if (values.annotate !== undefined && annotated !== undefined) {
    const file = join(dir, "code.bin");
    writeFileSync(file, annotated.code);
    const vma = `0x${annotated.address.toString(16)}`;
    const listing = run(["objdump", "-D", "-b", "binary", "-mi386:x86-64", `--adjust-vma=${vma}`, file]).split("\n");
    const lineOf = new Map<bigint, number>();
    listing.forEach((text, index) => {
      const match = /^\s*([0-9a-f]+):\t/.exec(text);
      if (match?.[1] !== undefined) lineOf.set(BigInt(`0x${match[1]}`), index);
    });
    console.log(`\n${values.annotate}: ${annotated.size} bytes; hottest instructions (samples), with the three before each`);
    for (const [address, count] of [...byInstruction].sort((x, y) => y[1] - x[1]).slice(0, top)) {
      const index = lineOf.get(address);
      if (index === undefined) continue;
      console.log(`--- ${count}`);
      for (const text of listing.slice(Math.max(0, index - 3), index + 1)) console.log(text);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
