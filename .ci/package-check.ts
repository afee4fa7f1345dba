#!/usr/bin/env bun
/**
 * The package as a user gets it, checked end to end (CI runs this as one step; about 10-30 s with a
 * warm cache, longer when the registry has to be reached, so it is not part of `bun test`):
 *
 * 1. `npm pack` of this checkout (its prepack emits the .d.ts files): under 2 MB unpacked, with the
 *    LICENSE, the bin file, the declarations and mems grade's C reference (conformance/reference/mems.h,
 *    the one file of conformance/ shipped), and no tests, bench, conformance or record code.
 * 2. `bun add` of the tarball into a fresh temporary project: nothing installs beyond MeMS and its
 *    runtime dependencies (no Biome, no TypeScript, no second Bun, and not vega and vega-lite, optional
 *    peers for `mems viz`): node_modules under 5 MB, and `mems` the only command in node_modules/.bin.
 * 3. `bunx mems --version`, `bunx mems replay` of a scenario (its expected output, byte for byte),
 *    `bunx mems grade` of a folder holding the package's C reference (every check passes),
 *    `bunx mems bench` saying it needs a checkout (exit 2), `bunx mems viz` saying it needs vega and
 *    vega-lite with the line that adds them (exit 2); then, once that line is run (at the checkout's
 *    ranges), `bunx mems viz` of the course's example (the package's scenarios/example.mtrace) writing
 *    a page whose heap maps hold one rectangle per piece, per segment as many as `bunx mems example`'s
 *    stats print, beside vega's bytes chart with its peak marked once per lookup.
 * 4. A program importing `mems`, `mems/seed` and `mems/testing` runs and prints what it should, and so
 *    does the README's quick start (its ts block prints its text block).
 * 5. This repository's `tsc --noEmit` over both programs with `strict`, `noUncheckedIndexedAccess` and
 *    `exactOptionalPropertyTypes` (and `skipLibCheck` off, so MeMS's declarations are checked too)
 *    reports nothing; it reads MeMS's .d.ts files and none of its sources; and a deliberate misuse in a
 *    second file is reported, so the check cannot pass by seeing no types at all.
 *
 * Prints every figure it checks and ends with `package check: N passed, N failed`; exits 1 on a failure.
 * `--keep` leaves the temporary project in place (its path is printed).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");
const BIN = join(ROOT, "node_modules/.bin");
const TSC = join(BIN, "tsc");
const MAX_UNPACKED = 2 * 1024 * 1024;
/** node_modules of a project that added the tarball: MeMS, yargs and cli-table3 with theirs (vega's 25 MB are opt-in). */
const MAX_INSTALLED = 5 * 1024 * 1024;
/** The optional peers `mems viz` draws its page's charts with, and the line it says to add them. */
const CHART_PACKAGES = ["vega", "vega-lite"];
/** A scenario whose output has no physical address, so it can be compared with its .expected byte for byte. */
const SCENARIO = "scenarios/merge";
/** The course's example, which `mems viz` draws and `mems example` replays. */
const EXAMPLE = "scenarios/example.mtrace";
/** mems grade's C reference: the one file of conformance/ the package ships (grade/build.ts reads it). */
const REFERENCE_HEADER = "conformance/reference/mems.h";
/**
 * The lookups the check asks `mems viz` to draw side by side: two whose pieces on the example are the
 * ones its stats print (first-fit is the course's; size-indexed chooses the same HOLEs there). By default
 * viz draws every lookup, and next-fit and worst-fit choose other HOLEs on the example.
 */
const VIZ_LOOKUPS = ["first-fit", "size-indexed"];
/** What must never be installed with MeMS: our tools and a second Bun. */
const FORBIDDEN = ["@biomejs/biome", "typescript", "bun", "@types/bun", "bun-types", "@thi.ng/malloc", "tinybench"];

const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  name: string;
  version: string;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};
const env = { ...process.env, PATH: `${BIN}:${process.env.PATH ?? ""}`, NO_COLOR: "1" };

let passed = 0;
let failed = 0;
function check(name: string, ok: boolean, detail = ""): void {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${ok || detail === "" ? "" : `\n       ${detail.replaceAll("\n", "\n       ")}`}`);
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string[], cwd: string): Run {
  const child = Bun.spawnSync(command, { cwd, env, stdout: "pipe", stderr: "pipe" });
  return { status: child.exitCode, stdout: child.stdout.toString(), stderr: child.stderr.toString() };
}

function described(r: Run): string {
  return `exit ${r.status}\nstdout: ${r.stdout.trim().slice(0, 2000)}\nstderr: ${r.stderr.trim().slice(0, 2000)}`;
}

/** Every package under node_modules (scoped ones as @scope/name), sorted. */
function installedPackages(nodeModules: string): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith(".")) continue;
    if (entry.startsWith("@")) {
      for (const inner of readdirSync(join(nodeModules, entry))) names.push(`${entry}/${inner}`);
    } else {
      names.push(entry);
    }
  }
  return names.sort();
}

function bytesUnder(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  let total = 0;
  for (const entry of readdirSync(path)) total += bytesUnder(join(path, entry));
  return total;
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

/** The sub-chain lengths of every stats block `mems example` prints, one list per block. */
function subChains(stats: string): number[][] {
  return [...stats.matchAll(/Sub-chain Length array: \[([^\]]*)\]/g)].map((match) =>
    (match[1] ?? "")
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part !== "")
      .map(Number),
  );
}

/** What a `mems viz` page draws, read from its HTML as a browser would build it (Bun's HTMLRewriter). */
interface VizPage {
  /** Each heap map in page order: its lookup and the piece rectangles in each of its segments. */
  maps: { lookup: string; perSegment: number[] }[];
  /** The marks of the bytes chart's peaks (vega's SVG: one group per lookup). */
  peaks: number;
}

async function readVizPage(html: string): Promise<VizPage> {
  const drawn: VizPage = { maps: [], peaks: 0 };
  await new HTMLRewriter()
    .on("svg.heap-map", { element: (map) => void drawn.maps.push({ lookup: map.getAttribute("data-lookup") ?? "", perSegment: [] }) })
    .on("svg.heap-map g.segment", { element: () => void drawn.maps.at(-1)?.perSegment.push(0) })
    .on("svg.heap-map g.segment rect.piece", {
      element: () => {
        const segments = drawn.maps.at(-1)?.perSegment;
        if (segments !== undefined && segments.length > 0) segments[segments.length - 1] = (segments.at(-1) ?? 0) + 1;
      },
    })
    .on('figure[data-chart="bytes"] g.role-mark', {
      element: (group) => {
        if (/\bpeak_\d+_marks\b/.test(group.getAttribute("class") ?? "")) drawn.peaks++;
      },
    })
    .transform(new Response(html))
    .text();
  return drawn;
}

/** `bunx mems viz` of the example, writing heap.html. */
function vizExample(app: string): Run {
  const example = join(app, "node_modules/mems", EXAMPLE);
  return run([process.execPath, "x", "mems", "viz", example, "--lookup", VIZ_LOOKUPS.join(","), "--out", "heap.html"], app);
}

/** Without the optional peers, `bunx mems viz` exits 2 with the line that adds them and writes nothing; then they are added. */
function checkVizWithoutCharts(app: string): void {
  const viz = vizExample(app);
  const line = `bun add ${CHART_PACKAGES.join(" ")}`;
  check(
    `without ${CHART_PACKAGES.join(" and ")}, bunx mems viz exits 2 saying "${line}" and writes nothing`,
    viz.status === 2 && viz.stdout === "" && viz.stderr.includes(`\n  ${line}\n`) && !existsSync(join(app, "heap.html")),
    described(viz),
  );
  const ranges = CHART_PACKAGES.map((name) => `${name}@${manifest.peerDependencies[name] ?? "latest"}`);
  const add = run([process.execPath, "add", ...ranges], app);
  check(`bun add ${ranges.join(" ")} (the line, at the checkout's ranges)`, add.status === 0, add.status === 0 ? "" : described(add));
}

/** `bunx mems grade` from the installed package: a student's folder holding the package's reference scores 100. */
function checkGrade(app: string): void {
  run(["mkdir", "-p", join(app, "my-mems")], app);
  writeFileSync(join(app, "my-mems", "mems.h"), readFileSync(join(app, "node_modules/mems", REFERENCE_HEADER)));
  const graded = run([process.execPath, "x", "mems", "grade", "./my-mems", "--skip", "memcheck,speed", "--json", "grade.json"], app);
  let score: unknown;
  try {
    score = (JSON.parse(readFileSync(join(app, "grade.json"), "utf8")) as { submissions: { score: number }[] }).submissions[0]?.score;
  } catch {
    score = undefined;
  }
  check(
    "bunx mems grade ./my-mems (the package's reference): every check passes, score 100 (exit 0)",
    graded.status === 0 && score === 100,
    described(graded),
  );
}

/** `bunx mems viz` of the example in the installed package: the page and what it draws, against `bunx mems example`. */
async function checkViz(app: string): Promise<void> {
  const example = run([process.execPath, "x", "mems", "example"], app);
  const expected = subChains(example.stdout);
  check(`bunx mems example prints its stats (${expected.length} blocks)`, example.status === 0 && expected.length > 0, described(example));
  const viz = vizExample(app);
  check(
    `bunx mems viz ${EXAMPLE} --lookup ${VIZ_LOOKUPS.join(",")} --out heap.html (stdout empty, "wrote heap.html" on stderr)`,
    viz.status === 0 && viz.stdout === "" && viz.stderr === "wrote heap.html\n",
    described(viz),
  );
  const html = viz.status === 0 ? readFileSync(join(app, "heap.html"), "utf8") : "";
  const drawn = await readVizPage(html);
  const pieces = drawn.maps.reduce((sum, map) => sum + map.perSegment.reduce((a, b) => a + b, 0), 0);
  console.log(`     heap.html: ${kib(html.length)}, ${drawn.maps.length} heap maps, ${pieces} piece rectangles, ${drawn.peaks} peak marks`);
  const wanted = expected.flatMap((lengths) => VIZ_LOOKUPS.map((lookup) => ({ lookup, perSegment: lengths })));
  check(
    "its heap maps: per stats block and lookup, one rectangle per piece, as many per segment as the stats print",
    expected.length > 0 && JSON.stringify(drawn.maps) === JSON.stringify(wanted),
    `drawn:    ${JSON.stringify(drawn.maps)}\nexpected: ${JSON.stringify(wanted)}`,
  );
  check("its bytes chart (vega's SVG) marks the peak once per lookup", drawn.peaks === VIZ_LOOKUPS.length, `${drawn.peaks} peak marks`);
}

/** The first ts code block under the README's "## Quick start" and the text block after it (what it prints). */
function readmeQuickStart(readme: string): { code: string; output: string } {
  const section = readme.slice(readme.indexOf("\n## Quick start\n"));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  const output = /```ts\n[\s\S]*?```[\s\S]*?```text\n([\s\S]*?)```/.exec(section)?.[1];
  if (!readme.includes("\n## Quick start\n") || code === undefined || output === undefined) {
    throw new Error("the README has no quick start with a ts block and a text block after it");
  }
  return { code, output };
}

/** The consumer's tsconfig: bun init's, with exactOptionalPropertyTypes added and skipLibCheck off. */
function tsconfig(include: string[]): string {
  const compilerOptions = {
    lib: ["ESNext"],
    target: "ESNext",
    module: "Preserve",
    moduleDetection: "force",
    moduleResolution: "bundler",
    allowImportingTsExtensions: true,
    verbatimModuleSyntax: true,
    noEmit: true,
    strict: true,
    skipLibCheck: false,
    noFallthroughCasesInSwitch: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    noImplicitOverride: true,
    types: ["bun"],
  };
  return `${JSON.stringify({ compilerOptions, include }, null, 2)}\n`;
}

const PROGRAM = `import { Mems, MemsError, type MemsOptions, type MemsStats } from "mems";
import { mems_finish, mems_free, mems_get, mems_init, mems_malloc, mems_print_stats } from "mems/seed";
import { osCounters } from "mems/testing";

const options: MemsOptions = { lookup: "size-indexed" };
{
  using mems = new Mems(options);
  const v = mems.malloc(100);
  const bytes = mems.view(v, 4);
  bytes.set([1, 2, 3, 4]);
  const third: number | undefined = bytes[2];
  console.log("byte 2:", third);
  mems.free(v);
  try {
    mems.free(v);
  } catch (error) {
    if (error instanceof MemsError) console.log("second free:", error.code);
  }
  const stats: MemsStats = mems.stats();
  console.log("live blocks:", stats.liveBlocks);
}
mems_init({ pageSize: 4096, startAddress: 1000 });
const a = mems_malloc(40);
console.log("malloc:", a, "physical address:", mems_get(a) !== null);
mems_free(a);
mems_print_stats();
mems_finish();
console.log("bytes mapped after finish:", osCounters().mappedBytes);
`;

const PROGRAM_OUTPUT = `byte 2: 3
second free: ADDRESS_NOT_FOUND
live blocks: 0
malloc: 1000 physical address: true
----- MeMS SYSTEM STATS -----
MAIN[1000:5095]-> H[1000:5095] <-> NULL
Pages used:\t1
Space unsued:\t4096
Main Chain Length:\t1
Sub-chain Length array: [1, ]
-----------------------------
bytes mapped after finish: 0
`;

const MISUSE = `import { mems_malloc } from "mems/seed";

const v: number = mems_malloc(8);
console.log(v);
`;

const work = mkdtempSync(join(tmpdir(), "mems-package-check-"));
const app = join(work, "app");
try {
  /* 1. npm pack */
  const pack = run(["npm", "pack", "--json", "--pack-destination", work], ROOT);
  check("npm pack", pack.status === 0, pack.status === 0 ? "" : described(pack));
  if (pack.status !== 0) throw new Error("nothing to install");
  const [packed] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf("["))) as {
    filename: string;
    size: number;
    unpackedSize: number;
    entryCount: number;
    files: { path: string }[];
  }[];
  if (packed === undefined) throw new Error("npm pack printed no package");
  const files = packed.files.map((file) => file.path);
  console.log(`     ${packed.filename}: ${kib(packed.size)} packed, ${kib(packed.unpackedSize)} unpacked, ${packed.entryCount} files`);
  check(`unpacked size under 2 MB (${packed.unpackedSize.toLocaleString("en")} bytes)`, packed.unpackedSize < MAX_UNPACKED);
  const required = [
    "LICENSE",
    "README.md",
    "package.json",
    "bin/mems.ts",
    "dist/types/core/index.d.ts",
    "dist/types/core/seed.d.ts",
    "viz/page.ts",
    "lib/vega.ts",
    EXAMPLE,
    REFERENCE_HEADER,
  ];
  const missing = required.filter((file) => !files.includes(file));
  check(
    "the tarball holds the LICENSE, README, bin file, declarations, mems viz, the example and mems grade's C reference",
    missing.length === 0,
    `missing: ${missing.join(", ")}`,
  );
  // mems grade's C reference is the one file of conformance/ shipped (its grader reads it there).
  const unwanted = files.filter(
    (file) =>
      file !== REFERENCE_HEADER &&
      /\.test\.ts$|^(test-support|bench|conformance|node_modules|\.ci)\/|^cli\/(bench|conformance|record)\.ts$/.test(file),
  );
  check("no tests, test support, bench, conformance or record code in the tarball", unwanted.length === 0, unwanted.join(", "));

  /* 2. bun add of the tarball into a fresh project */
  run(["mkdir", "-p", app], work);
  writeFileSync(join(app, "package.json"), `${JSON.stringify({ name: "mems-package-check", private: true, type: "module" }, null, 2)}\n`);
  const add = run([process.execPath, "add", join(work, packed.filename)], app);
  check("bun add of the tarball", add.status === 0, add.status === 0 ? "" : described(add));
  if (add.status !== 0) throw new Error("not installed");
  const installed = installedPackages(join(app, "node_modules"));
  console.log(`     installed (${installed.length}): ${installed.join(", ")}`);
  const installedBytes = bytesUnder(join(app, "node_modules"));
  console.log(`     node_modules: ${kib(installedBytes)}, of which mems ${kib(bytesUnder(join(app, "node_modules/mems")))}`);
  const forbidden = installed.filter((name) => FORBIDDEN.includes(name) || name.startsWith("@biomejs/") || name.startsWith("@typescript/"));
  check("no Biome, TypeScript, second Bun or bench-only package installed", forbidden.length === 0, forbidden.join(", "));
  const charts = installed.filter((name) => CHART_PACKAGES.includes(name) || /^(d3|vega|topojson)-/.test(name));
  check("not vega, vega-lite or their d3 (optional peers, for mems viz only)", charts.length === 0, charts.join(", "));
  check(
    `node_modules under ${MAX_INSTALLED / 1024 / 1024} MB (${installedBytes.toLocaleString("en")} bytes)`,
    installedBytes < MAX_INSTALLED,
  );
  const commands = existsSync(join(app, "node_modules/.bin")) ? readdirSync(join(app, "node_modules/.bin")).sort() : [];
  check(`node_modules/.bin holds mems alone (${commands.join(", ")})`, JSON.stringify(commands) === JSON.stringify(["mems"]));

  /* 3. the command */
  const version = run([process.execPath, "x", "mems", "--version"], app);
  check(
    `bunx mems --version prints ${manifest.version}`,
    version.status === 0 && version.stdout === `${manifest.version}\n`,
    version.status === 0 && version.stdout === `${manifest.version}\n` ? "" : described(version),
  );
  const scenario = join(app, "node_modules/mems", `${SCENARIO}.mtrace`);
  const expected = readFileSync(join(app, "node_modules/mems", `${SCENARIO}.expected`), "utf8");
  const replayed = run([process.execPath, "x", "mems", "replay", scenario], app);
  check(
    `bunx mems replay ${SCENARIO}.mtrace prints ${SCENARIO}.expected`,
    replayed.status === 0 && replayed.stdout === expected && replayed.stderr === "",
    described(replayed),
  );
  const bench = run([process.execPath, "x", "mems", "bench"], app);
  check(
    "bunx mems bench says it needs a checkout of the repository (exit 2)",
    bench.status === 2 && bench.stdout === "" && bench.stderr.includes("gcc and make"),
    described(bench),
  );
  checkVizWithoutCharts(app);
  await checkViz(app);
  checkGrade(app);

  /* 4. a program using the package */
  writeFileSync(join(app, "index.ts"), PROGRAM);
  const program = run([process.execPath, "index.ts"], app);
  check(
    "a program importing mems, mems/seed and mems/testing runs",
    program.status === 0 && program.stdout === PROGRAM_OUTPUT,
    described(program),
  );

  const quickStart = readmeQuickStart(readFileSync(join(app, "node_modules/mems/README.md"), "utf8"));
  writeFileSync(join(app, "quickstart.ts"), quickStart.code);
  const started = run([process.execPath, "quickstart.ts"], app);
  check(
    "the README's quick start runs and prints what the README says",
    started.status === 0 && started.stdout === quickStart.output && started.stderr === "",
    `${described(started)}\nexpected stdout: ${quickStart.output}`,
  );

  /* 5. a strict tsc over them */
  const typesVersion = manifest.devDependencies["@types/bun"] ?? "latest";
  const types = run([process.execPath, "add", "--dev", `@types/bun@${typesVersion}`], app);
  check(`bun add --dev @types/bun@${typesVersion} (as bun init does)`, types.status === 0, types.status === 0 ? "" : described(types));
  writeFileSync(join(app, "tsconfig.json"), tsconfig(["index.ts", "quickstart.ts"]));
  const tsc = run([TSC, "--noEmit", "--listFiles", "-p", "."], app);
  const errors = tsc.stdout.split("\n").filter((line) => line.includes("error TS"));
  check(
    "tsc --noEmit (strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes, skipLibCheck off) reports no error",
    tsc.status === 0 && errors.length === 0,
    errors.length > 0 ? errors.join("\n") : tsc.status === 0 ? "" : described(tsc),
  );
  const read = tsc.stdout.split("\n").filter((line) => line.includes("/node_modules/mems/"));
  check(
    "tsc reads MeMS's declarations and none of its sources",
    read.length > 0 && read.every((line) => line.includes("/node_modules/mems/dist/types/") && line.endsWith(".d.ts")),
    read.join("\n"),
  );
  writeFileSync(join(app, "misuse.ts"), MISUSE);
  writeFileSync(join(app, "tsconfig.misuse.json"), tsconfig(["misuse.ts"]));
  const misuse = run([TSC, "--noEmit", "-p", "tsconfig.misuse.json"], app);
  check(
    "the same tsc reports a misuse of MeMS's types (mems_malloc's number | null used as a number)",
    misuse.status !== 0 && misuse.stdout.includes("misuse.ts(3,7): error TS2322"),
    described(misuse),
  );
} catch (error) {
  check("the check ran to its end", false, error instanceof Error ? error.message : String(error));
} finally {
  if (process.argv.includes("--keep")) console.log(`     kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

console.log(`package check: ${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
