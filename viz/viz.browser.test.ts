/**
 * The pages of `mems viz` in headless Chromium, as a reader opens them: the example's heap maps hold one
 * rectangle per piece, as many in each segment as the sub-chain lengths `mems example` prints; hovering
 * a piece shows its type, addresses and size; a large heap is one picture whose hover tells the share
 * of HOLE under the pointer; every lookup at once fits a 1400 px window, stats and charts whole; no
 * console error, no request; screenshots kept.
 */
import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { LOOKUPS } from "../core/index.ts";
import { browserPerFile, overflowing, screenshot } from "../test-support/browser.ts";
import { parseScenario, readScenario } from "../trace/format.ts";
import { generateChurnTrace } from "../trace/generate.ts";
import { recordFiles, vizPage } from "./page.ts";

const ROOT = join(import.meta.dir, "..");
const browser = browserPerFile("mems-viz-page-");
const dir = browser.dir;

/** The sub-chain lengths of every stats block `mems example` prints. */
function exampleSubChains(): number[][] {
  const run = Bun.spawnSync([process.execPath, join(ROOT, "cli/main.ts"), "example"], { cwd: ROOT });
  expect(run.exitCode).toBe(0);
  return [...run.stdout.toString().matchAll(/Sub-chain Length array: \[([^\]]*)\]/g)].map((match) =>
    (match[1] ?? "")
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part !== "")
      .map(Number),
  );
}

test("the example: a rectangle per piece, per segment as many as its stats print; hover shows a piece", async () => {
  const expected = exampleSubChains();
  expect(expected).toEqual([
    [5, 5, 3],
    [4, 5, 3],
    [5, 5, 3],
  ]);
  const file = join(dir, "example.html");
  writeFileSync(
    file,
    await vizPage(recordFiles([readScenario(join(ROOT, "scenarios/example.mtrace"))], { lookups: ["first-fit", "size-indexed"] })),
  );
  const { page, errors, requests } = await browser.chromium.open(file);

  const drawn = await page.$$eval("section.point", (points) =>
    points.map((point) =>
      [...point.querySelectorAll("svg.heap-map")].map((map) => ({
        lookup: map.getAttribute("data-lookup"),
        perSegment: [...map.querySelectorAll("g.segment")].map((segment) => segment.querySelectorAll("rect.piece").length),
      })),
    ),
  );
  expect(drawn).toEqual(
    expected.map((lengths) => [
      { lookup: "first-fit", perSegment: lengths },
      { lookup: "size-indexed", perSegment: lengths },
    ]),
  );
  // The peak of mapped bytes is marked once per lookup.
  expect(
    await page.$$eval('figure[data-chart="bytes"] g.peak_0_marks path, figure[data-chart="bytes"] g.peak_1_marks path', (n) => n.length),
  ).toBe(2);

  await page.hover('svg.heap-map[data-lookup="first-fit"] rect.piece[data-v="2000"]');
  const tip = await page.$eval("#tip", (node) => ({ style: node.getAttribute("style") ?? "", text: node.textContent ?? "" }));
  expect(tip.style).toContain("display: block");
  expect(tip.text).toContain("PROCESS");
  expect(tip.text).toContain("virtual 2000–2999");
  expect(tip.text).toContain("size 1,000 B");
  expect(tip.text).toMatch(/physical [0-9,]+/);
  await page.hover('svg.heap-map[data-lookup="size-indexed"] rect.piece.hole');
  expect(await page.$eval("#tip", (node) => node.textContent)).toContain("HOLE");
  await page.mouse.move(2, 2);
  expect(await page.$eval("#tip", (node) => node.getAttribute("style"))).toContain("display: none");

  await screenshot(page, "viz-example");
  expect(errors).toEqual([]);
  expect(requests).toEqual([]);
}, 20_000);

test("a heap of thousands of blocks is one picture; its hover tells the segment and the HOLE share", async () => {
  const churn = parseScenario(generateChurnTrace(11, { live: 5000, replacements: 3000 }), "churn-5k.rep");
  const file = join(dir, "churn.html");
  writeFileSync(file, await vizPage(recordFiles([churn], { lookups: ["first-fit", "size-indexed"], at: [8000] })));
  const { page, errors, requests } = await browser.chromium.open(file);
  // At --at 8000 (5,000 blocks live) the maps are pictures; at the end every block is freed and each
  // segment is one HOLE, few enough to draw one by one.
  expect(await page.$$eval('section.point[data-op="8000"] svg.heap-map.dense image.dense-map', (n) => n.length)).toBe(2);
  expect(await page.$$eval('section.point[data-op="8000"] rect.piece', (n) => n.length)).toBe(0);
  expect(await page.$$eval('section.point[data-op="16000"] rect.piece.process', (n) => n.length)).toBe(0);
  const map = await page.$('svg.heap-map.dense[data-lookup="first-fit"]');
  const box = await map?.boundingBox();
  if (box === null || box === undefined) throw new Error("no dense map on the page");
  await page.mouse.move(box.x + box.width / 2, box.y + 3);
  const text = await page.$eval("#tip", (node) => node.textContent ?? "");
  expect(text).toMatch(/segment [0-9,]+ of [0-9,]+, from virtual [0-9,]+/);
  expect(text).toMatch(/bytes under this pixel: [0-9]+% HOLE/);
  await screenshot(page, "viz-churn-dense");
  expect(errors).toEqual([]);
  expect(requests).toEqual([]);
}, 20_000);

test("every lookup at once (the default) fits a 1400 px window: the bytes charts in rows, the stats wrapped, no scroll", async () => {
  const scenarios = [readScenario(join(ROOT, "scenarios/example.mtrace")), readScenario(join(ROOT, "scenarios/malloclab/short2-bal.rep"))];
  const file = join(dir, "every-lookup.html");
  writeFileSync(file, await vizPage(recordFiles(scenarios, { lookups: LOOKUPS })));
  const { page, errors, requests } = await browser.chromium.open(file, 1400);
  expect(await overflowing(page)).toEqual([]);
  // Each point shows every lookup; the malloc-lab trace, with no s line, at the peak of live bytes and at the end.
  const panels = await page.$$eval("section.point .panel", (nodes) => nodes.length);
  const points = await page.$$eval("section.point", (nodes) => nodes.length);
  expect(panels).toBe(points * LOOKUPS.length);
  const titles = await page.$$eval('section.file[data-file$="short2-bal.rep"] section.point h3', (nodes) =>
    nodes.map((n) => n.textContent),
  );
  expect(titles).toHaveLength(2);
  expect(titles[0]).toEndWith("the peak of live bytes");
  expect(titles[1]).toEndWith("the end (before the final finish)");
  await screenshot(page, "viz-every-lookup");
  expect(errors).toEqual([]);
  expect(requests).toEqual([]);
}, 30_000);
