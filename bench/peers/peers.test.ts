/**
 * The peers of `bun bench`: each native library loads (or sits out naming its Debian package), the
 * wasm TLSF compiles and starts every replay afresh, glibc-c replays the parser's own arrays, page
 * faults are counted and the real-* programs record into the cache. The standing tables and docs/peers.md
 * are tested beside their writer (bench/report/standing.test.ts).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseScenario } from "../../trace/format.ts";
import { generateChurnTrace } from "../../trace/generate.ts";
import { cacheDir, cacheKey, cachePath } from "../cache.ts";
import type { Measurement } from "../measure.ts";
import {
  prepareRealTrace,
  programVersion,
  REAL_PROGRAMS,
  type RealProgram,
  realProgram,
  realSkipReason,
  realTracePath,
  realWorkloadSpecs,
} from "../real.ts";
import { replayOnce, replayState, traceWorkload } from "../replay.ts";
import type { WorkloadSpec } from "../types.ts";
import { measureGlibcC, replayMallocBinary, writeOpsFile } from "./cnative.ts";
import { minorFaults } from "./faults.ts";
import { measurePeerProcess, PEER_NOTES, peerEnv, peerSkipReason, preparePeers, prepareWorkload } from "./index.ts";
import { isNativePeer, JEMALLOC_ENV, LIBRARIES, NATIVE_PEERS, NativeAllocator, nativeSkipReason } from "./native.ts";
import { ensureTlsfWasm, WasmTlsfAllocator, wasmPath } from "./wasm.ts";

const ROOT = join(import.meta.dir, "../..");
const dir = mkdtempSync(join(tmpdir(), "mems-peers-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const churnText = generateChurnTrace(11, { live: 200, replacements: 2000 });
const churn = parseScenario(churnText, "churn.rep");
const churnFile = join(dir, "churn.rep");
writeFileSync(churnFile, churnText);

describe("native peers", () => {
  test("a library that is not installed sits out with a reason naming the Debian package", () => {
    for (const name of NATIVE_PEERS) {
      expect(nativeSkipReason(name, [dir])).toBe(
        `${LIBRARIES[name].soname} is not installed (Debian: apt-get install ${LIBRARIES[name].debianPackage})`,
      );
    }
    expect(isNativePeer("mimalloc-ffi")).toBe(true);
    expect(isNativePeer("libc-ffi")).toBe(false);
  });

  // CI installs the three packages (.ci/run): there, every one must be found.
  test("installed here: mimalloc, tcmalloc and jemalloc are found", () => {
    for (const name of NATIVE_PEERS) expect(nativeSkipReason(name)).toBeUndefined();
  });

  for (const name of ["mimalloc-ffi", "tcmalloc-ffi"] as const) {
    test(`${name} replays a churn trace to the end, with writes landing in its blocks`, () => {
      const allocator = new NativeAllocator(name);
      const state = replayState(churn);
      for (let run = 0; run < 2; run++) expect(replayOnce(allocator, churn, state, true).liveAtEnd).toBe(0);
      const block = allocator.realloc(allocator.malloc(16), 16, 4096);
      expect(allocator.translate(block, 8)).toBe(block + 8);
      allocator.free(block);
      expect(allocator.stats()).toEqual({});
    });
  }

  test("jemalloc: without the tunable this process cannot load it, and says how; with it, a child measures it", async () => {
    if (process.env.GLIBC_TUNABLES?.includes("optional_static_tls") !== true) {
      expect(() => new NativeAllocator("jemalloc-ffi")).toThrow(`GLIBC_TUNABLES=${JEMALLOC_ENV.GLIBC_TUNABLES}`);
    }
    const child = Bun.spawn(
      [
        process.execPath,
        join(ROOT, "bench/worker.ts"),
        "--allocator",
        "jemalloc-ffi",
        "--workload",
        "churn",
        "--trace",
        churnFile,
        "--time",
        "10",
        "--iterations",
        "2",
      ],
      { env: { ...process.env, ...peerEnv("jemalloc-ffi") }, stdout: "pipe", stderr: "pipe" },
    );
    const [stdout, stderr, status] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    expect([status, stderr]).toEqual([0, ""]);
    const measurement = JSON.parse(stdout) as Measurement;
    expect(measurement).toMatchObject({ allocator: "jemalloc-ffi", ops: churn.count, liveAtEnd: 0 });
    expect(measurement.coldNsPerOp).toBeGreaterThan(0);
    expect(measurement.coldFaults).toBeGreaterThanOrEqual(0);
    expect(measurement.warmFaults).toBeGreaterThanOrEqual(0);
  }, 20_000);
});

describe("as-tlsf-wasm", () => {
  test("compiles once into the cache; every replay starts in a fresh instance", async () => {
    const path = await ensureTlsfWasm();
    expect(path).toBe(wasmPath());
    expect(await ensureTlsfWasm()).toBe(path); // cached
    const allocator = new WasmTlsfAllocator(path);
    const state = replayState(churn);
    const first = replayOnce(allocator, churn, state, true);
    expect(first.liveAtEnd).toBe(0);
    expect(first.stats.peakMappedBytes).toBeGreaterThanOrEqual(traceWorkload(churn).peakLiveBytes);
    // After finish the memory is a new, small one.
    expect(allocator.stats().peakMappedBytes).toBeLessThan(first.stats.peakMappedBytes ?? 0);
    const block = allocator.malloc(100);
    const grown = allocator.realloc(block, 100, 1 << 20);
    expect(allocator.translate(grown, 3)).toBe(grown + 3);
    allocator.free(grown);
    expect(() => new WasmTlsfAllocator(join(dir, "missing.wasm"))).toThrow("is not compiled yet");
  });

  test("an empty cache compiles with the pinned assemblyscript; a bad source is a clear error", async () => {
    const saved = process.env.MEMS_CACHE_DIR;
    process.env.MEMS_CACHE_DIR = join(dir, "wasm-cache");
    try {
      const path = await ensureTlsfWasm();
      expect(path).toStartWith(join(dir, "wasm-cache"));
      expect(WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(path))).map((e) => e.name)).toEqual([
        "alloc",
        "free",
        "realloc",
        "memory",
      ]);
      const bad = join(dir, "bad.as");
      writeFileSync(bad, "export function alloc(size: usize): usize { return nope(size); }\n");
      await expect(ensureTlsfWasm(bad)).rejects.toThrow(`assemblyscript could not compile ${bad}`);
    } finally {
      if (saved === undefined) delete process.env.MEMS_CACHE_DIR;
      else process.env.MEMS_CACHE_DIR = saved;
    }
  }, 30_000);
});

describe("glibc-c", () => {
  test("replays the parser's arrays: cold run first, warm runs after, faults of each", async () => {
    const binary = await replayMallocBinary();
    if ("reason" in binary) throw new Error(binary.reason);
    const opsFile = join(dir, "churn.memsops");
    writeOpsFile(churn, opsFile);
    const measurement = await measureGlibcC(binary.path, "churn", opsFile, 5, 6);
    expect(measurement).toMatchObject({ allocator: "glibc-c", ops: churn.count, process: "c-binary" });
    expect(measurement.samples).toBeGreaterThanOrEqual(2);
    expect(measurement.p99NsPerOp).toBeGreaterThanOrEqual(measurement.nsPerOp);
    expect(measurement.coldNsPerOp).toBeGreaterThan(0);
    expect(measurement.coldFaults).toBeGreaterThanOrEqual(0);
    await expect(measureGlibcC(binary.path, "churn", join(dir, "missing.memsops"), 5, 6)).rejects.toThrow("cannot open the trace");
  });

  test("a scenario with writes, reads and a finish inside replays as the Bun loop does", async () => {
    const file = join(dir, "mixed.mtrace");
    writeFileSync(file, "a 0 100\nw 0 4 7\ng 0 0\np 0 9\nr 1 40\nr 1 0\nr 0 200\nx\na 2 0\na 3 64\na 3 32\nr 3 16\nf 3\n");
    const measurement = await measurePeerProcess("mixed", file, dir, true);
    expect(measurement.ops).toBe(13);
    expect(measurement.nsPerOp).toBeGreaterThan(0);
  });
});

describe("page faults", () => {
  test("touching fresh memory counts faults on this thread", () => {
    const before = minorFaults();
    const bytes = new Uint8Array(32 << 20);
    for (let i = 0; i < bytes.length; i += 4096) bytes[i] = 1;
    expect(minorFaults() - before).toBeGreaterThan(1000);
  });
});

describe("what run.ts asks of the peers", () => {
  const churnSpec: WorkloadSpec = { name: "churn-x", kind: "churn", live: 1, replacements: 1, minSize: 1, maxSize: 2, describe: "" };
  const getSpec: WorkloadSpec = { name: "get", kind: "get", blocks: 1, gets: 1, describe: "" };

  test("skip reasons, environment and preparation", async () => {
    expect(peerSkipReason("glibc-c", getSpec)).toContain("whole traces only");
    expect(peerSkipReason("glibc-c", churnSpec)).toBeUndefined();
    expect(peerSkipReason("mimalloc-ffi", churnSpec)).toBe(nativeSkipReason("mimalloc-ffi"));
    expect(peerEnv("mimalloc-ffi")).toEqual({});
    const saved = process.env.GLIBC_TUNABLES;
    try {
      delete process.env.GLIBC_TUNABLES;
      expect(peerEnv("jemalloc-ffi")).toEqual(JEMALLOC_ENV);
      process.env.GLIBC_TUNABLES = "glibc.malloc.check=0";
      expect(peerEnv("jemalloc-ffi").GLIBC_TUNABLES).toBe(`glibc.malloc.check=0:${JEMALLOC_ENV.GLIBC_TUNABLES}`);
    } finally {
      if (saved === undefined) delete process.env.GLIBC_TUNABLES;
      else process.env.GLIBC_TUNABLES = saved;
    }
    expect((await preparePeers(["as-tlsf-wasm", "glibc-c", "libc-ffi"])).size).toBe(0);
    expect(await prepareWorkload(churnSpec)).toBeUndefined();
    expect(PEER_NOTES.join(" ")).toContain("Cold");
  });

  test("the cache: keys are stable and differ by input; MEMS_CACHE_DIR moves it", () => {
    expect(cacheKey("a", "b")).toBe(cacheKey("a", "b"));
    expect(cacheKey("a", "b")).not.toBe(cacheKey("ab"));
    const saved = process.env.MEMS_CACHE_DIR;
    try {
      process.env.MEMS_CACHE_DIR = join(dir, "cache");
      expect(cacheDir()).toBe(join(dir, "cache"));
      expect(cachePath("x")).toBe(join(dir, "cache", "x"));
      expect(existsSync(join(dir, "cache"))).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.MEMS_CACHE_DIR;
      else process.env.MEMS_CACHE_DIR = saved;
    }
  });
});

describe("real-* workloads", () => {
  const withCache = async (run: () => Promise<void>): Promise<void> => {
    const saved = process.env.MEMS_CACHE_DIR;
    process.env.MEMS_CACHE_DIR = join(dir, "real-cache");
    try {
      await run();
    } finally {
      if (saved === undefined) delete process.env.MEMS_CACHE_DIR;
      else process.env.MEMS_CACHE_DIR = saved;
    }
  };
  const tiny: RealProgram = {
    name: "real-tiny",
    describe: "sh running ls",
    version: ["sh", "-c", "echo tiny 1.0"],
    setup: (scratch) => {
      writeFileSync(join(scratch, "script.sh"), "ls / > /dev/null\nls / > /dev/null\n");
      return ["sh", join(scratch, "script.sh")];
    },
    pick: "largest",
    recipe: "ls twice",
  };

  // The setups copy sources, generate sort's input and ask python3 its own path: seconds on a loaded
  // machine, not the default 5.
  test("each program's setup writes its inputs and names a command", () => {
    for (const program of REAL_PROGRAMS) {
      const scratch = mkdtempSync(join(dir, "setup-"));
      const command = program.setup(scratch);
      expect(command.length).toBeGreaterThan(1);
      expect(realProgram(program.name)).toBe(program);
    }
    expect(realProgram("churn-10k")).toBeUndefined();
  }, 20_000);

  test("a program records into the cache once, with its version in the workload's description", async () => {
    await withCache(async () => {
      const [spec] = realWorkloadSpecs([tiny]);
      expect(spec).toMatchObject({ name: "real-tiny", kind: "trace", file: realTracePath(tiny) });
      expect(spec?.describe).toContain("tiny 1.0");
      expect(await prepareRealTrace(tiny)).toBeUndefined();
      const trace = realTracePath(tiny);
      const text = readFileSync(trace, "utf8");
      expect(text).toContain("# version: tiny 1.0");
      const mtime = Bun.file(trace).lastModified;
      expect(await prepareRealTrace(tiny)).toBeUndefined(); // cached: not recorded again
      expect(Bun.file(trace).lastModified).toBe(mtime);
      expect(parseScenario(text, trace).count).toBeGreaterThan(0);
    });
  });

  test("a missing program, or one that fails, is a reason to skip", async () => {
    await withCache(async () => {
      const missing: RealProgram = { ...tiny, name: "real-missing", version: ["no-such-program-mems", "--version"] };
      expect(programVersion(missing)).toBeUndefined();
      expect(await prepareRealTrace(missing)).toBe("no-such-program-mems is not installed");
      expect(realWorkloadSpecs([missing])[0]?.describe).toContain("not installed");
      const failing: RealProgram = { ...tiny, name: "real-failing", setup: () => ["sh", "-c", "exit 3"] };
      expect(await prepareRealTrace(failing)).toContain("failed (status 3)");
    });
  });

  test("list walkers sit out traces with 100,000 IDs or more", () => {
    const trace = join(dir, "big.rep");
    writeFileSync(`${trace}.json`, JSON.stringify({ program: "p", ids: 150_000, ops: 1 }));
    expect(realSkipReason("thi.ng-malloc", trace)).toContain("150,000 IDs");
    expect(realSkipReason("c-reference", trace)).toContain("150,000 IDs");
    expect(realSkipReason("mems-first-fit", trace)).toBeUndefined();
    writeFileSync(`${trace}.json`, JSON.stringify({ program: "p", ids: 10, ops: 1 }));
    expect(realSkipReason("thi.ng-malloc", trace)).toBeUndefined();
    expect(realSkipReason("thi.ng-malloc", join(dir, "never.rep"))).toBeUndefined();
    const spec: WorkloadSpec = { name: "real-cc", kind: "trace", file: trace, describe: "" };
    expect(peerSkipReason("thi.ng-malloc", spec)).toBeUndefined();
  });
});
