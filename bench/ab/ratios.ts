#!/usr/bin/env bun
/**
 * Issue 25's ratios from `bun bench --json` files: per workload, mems-size-indexed's warm ns/op over
 * libc-ffi's and over as-tlsf-wasm's, each taken inside one run, then the median (and range) over the
 * runs given; and the geometric mean of the first ratio over the malloc-lab traces.
 *
 *   bun bench/ab/ratios.ts RUN.json ...
 *   npm run ab:ratios -- RUN.json ...
 */
import { readFileSync } from "node:fs";

interface Cell {
  allocator: string;
  nsPerOp?: number;
  mmapCalls?: number;
}
interface Run {
  workloads: { name: string; cells: Cell[] }[];
}

const files = process.argv.slice(2);
if (files.length === 0) throw new Error("usage: bun bench/ab/ratios.ts RUN.json ...");
const runs = files.map((file) => JSON.parse(readFileSync(file, "utf8")) as Run);
const MEMS = "mems-size-indexed";

function ns(cells: Cell[], allocator: string): number | undefined {
  return cells.find((cell) => cell.allocator === allocator)?.nsPerOp;
}

function summary(values: number[]): string {
  const sorted = [...values].sort((x, y) => x - y);
  const mid =
    sorted.length % 2 === 1
      ? sorted[(sorted.length - 1) / 2]
      : ((sorted[sorted.length / 2 - 1] ?? 0) + (sorted[sorted.length / 2] ?? 0)) / 2;
  const fmt = (x: number | undefined) => (x ?? Number.NaN).toFixed(2);
  return `${fmt(mid)} (${fmt(sorted[0])}-${fmt(sorted.at(-1))})`;
}

const names = runs[0]?.workloads.map((workload) => workload.name) ?? [];
const geomeans: number[] = runs.map(() => 0);
let mallocLab = 0;
console.log("workload | mems ns/op | libc-ffi ns/op | mems/libc-ffi | mems/as-tlsf-wasm | mems mmap calls");
for (const name of names) {
  const perRun = runs.map((run) => run.workloads.find((workload) => workload.name === name)?.cells ?? []);
  const mems = perRun.map((cells) => ns(cells, MEMS) ?? Number.NaN);
  const libc = perRun.map((cells) => ns(cells, "libc-ffi") ?? Number.NaN);
  const tlsf = perRun.map((cells) => ns(cells, "as-tlsf-wasm") ?? Number.NaN);
  const overLibc = mems.map((x, i) => x / (libc[i] ?? Number.NaN));
  const overTlsf = mems.map((x, i) => x / (tlsf[i] ?? Number.NaN));
  const mmaps = perRun.map((cells) => cells.find((cell) => cell.allocator === MEMS)?.mmapCalls ?? Number.NaN);
  if (name.startsWith("malloclab-")) {
    mallocLab++;
    overLibc.forEach((ratio, i) => {
      geomeans[i] = (geomeans[i] ?? 0) + Math.log(ratio);
    });
  }
  console.log(`${name} | ${summary(mems)} | ${summary(libc)} | ${summary(overLibc)} | ${summary(overTlsf)} | ${summary(mmaps)}`);
}
if (mallocLab > 0)
  console.log(
    `geometric mean over ${mallocLab} malloc-lab traces, mems/libc-ffi: ${summary(geomeans.map((sum) => Math.exp(sum / mallocLab)))}`,
  );
