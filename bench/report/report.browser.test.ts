/**
 * report.html of the fixture in headless Chromium, as a reader opens it: no console error, no request
 * leaves the file, one bar per allocator that ran in each workload's chart, one point per measured size
 * on the cost curve and one triangle per allocator that stopped; a screenshot is kept. A full run's
 * report (fifteen allocators) fits a 1400 px window, and its cost curve's lines can be told apart.
 */
import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { crowdedReport, fixtureReport } from "../../test-support/bench-fixture.ts";
import { browserPerFile, overflowing, screenshot } from "../../test-support/browser.ts";
import { isSkipped } from "../family.ts";
import { writeResults } from "./outputs.ts";
import { allocatorsOf, BASELINE, costCurves, NOT_RUN, ratioToBaseline } from "./summary.ts";

const browser = browserPerFile("mems-report-page-");
const dir = browser.dir;

test("the fixture's report.html: every mark a figure asks for, nothing else loaded, no error", async () => {
  const report = fixtureReport();
  await writeResults(report, dir);
  const { page, errors, requests } = await browser.chromium.open(join(dir, "report.html"));
  const count = (selector: string) => page.$$eval(selector, (nodes) => nodes.length);

  for (const workload of report.workloads) {
    const measured = workload.cells.filter((cell) => !isSkipped(cell)).length;
    if (workload.sameTraceAs !== undefined) {
      expect(await count(`figure[data-workload="${workload.name}"]`)).toBe(0);
      continue;
    }
    expect(await count(`figure[data-workload="${workload.name}"] g.nsop_marks path`)).toBe(measured);
    expect(await count(`figure[data-workload="${workload.name}"] g.p99_marks path`)).toBe(measured);
    const withLatency = workload.cells.filter((cell) => !isSkipped(cell) && cell.latency !== undefined).length;
    expect(await count(`figure[data-workload="${workload.name}"] g.latency_marks path`)).toBe(withLatency);
    expect(await page.$eval(`section[data-workload="${workload.name}"]`, (node) => node.getAttribute("data-measured"))).toBe(
      String(measured),
    );
  }
  const [curve] = costCurves(report);
  const points = curve?.series.reduce((sum, series) => sum + series.points.length, 0);
  expect(await count('figure[data-chart="curve"] g.curve_points_marks path')).toBe(points ?? -1);
  expect(await count('figure[data-chart="curve"] g.curve_stops_marks path')).toBe(2); // c-reference at the deadline, uint8array failed
  // One coloured cell per allocator but the baseline and per workload that is not a copy, where both ran.
  const ratios = report.workloads
    .filter((w) => w.sameTraceAs === undefined)
    .flatMap((w) =>
      allocatorsOf(report)
        .filter((name) => name !== BASELINE)
        .map((name) => ratioToBaseline(w, name)),
    );
  expect(ratios).toHaveLength(4 * 5);
  expect(await count('figure[data-chart="ratios"] g.ratio_cells_marks path')).toBe(ratios.filter((r) => r !== undefined).length);
  // The embedded figures are the report's.
  const embedded = await page.$eval("#bench-data", (node) => JSON.parse(node.textContent ?? "null"));
  expect(embedded).toEqual(report);
  await screenshot(page, "bench-report-fixture");
  expect(errors).toEqual([]);
  expect(requests).toEqual([]);
}, 20_000);

test("a full run's report.html: fits a 1400 px window, a colour per line, a legend of the lines drawn, not run said so", async () => {
  const report = crowdedReport();
  const folder = join(dir, "crowded");
  await writeResults(report, folder);
  const { page, errors } = await browser.chromium.open(join(folder, "report.html"), 1400);
  expect(await overflowing(page)).toEqual([]);
  const [curve] = costCurves(report);
  const drawn = curve?.series.map((series) => series.allocator) ?? [];
  expect(drawn).toHaveLength(12); // best-, next- and worst-fit sit the family out
  const figure = 'figure[data-chart="curve"]';
  // One line per allocator drawn, each its own colour; the dashes tell the MeMS variants apart besides.
  const strokes = await page.$$eval(`${figure} g.curve_lines_marks path`, (paths) => paths.map((path) => path.getAttribute("stroke")));
  expect(strokes).toHaveLength(drawn.length);
  expect(new Set(strokes).size).toBe(drawn.length);
  const dashes = await page.$$eval(`${figure} g.curve_lines_marks path`, (paths) =>
    paths.map((path) => path.getAttribute("stroke-dasharray")),
  );
  expect(new Set(dashes).size).toBeGreaterThan(1);
  // The legend lists the lines drawn, each name whole.
  const legend = await page.$$eval(`${figure} g.role-legend-label text`, (texts) => texts.map((text) => text.textContent));
  expect(legend).toEqual(drawn);
  // Where an allocator sat a workload out, the tables say it was not run there (not "skipped", not "stopped").
  const reasons = await page.$$eval('section[data-workload="scaling-1k"] td.reason', (cells) => cells.map((cell) => cell.textContent));
  expect(reasons).toHaveLength(3);
  for (const reason of reasons) expect(reason).toStartWith(`${NOT_RUN}: runs the strategy traces`);
  expect(await page.$eval("main", (main) => main.textContent)).not.toContain("skipped");
  // The smallest ratio is written whole in its cell.
  expect(await page.$$eval('figure[data-chart="ratios"] text', (texts) => texts.map((text) => text.textContent))).toContain("0.000218x");
  await screenshot(page, "bench-report-full-run");
  expect(errors).toEqual([]);
}, 30_000);

test("the harness sees what a broken page does: console errors, uncaught errors, requests that leave the file", async () => {
  const file = join(dir, "broken.html");
  writeFileSync(
    file,
    `<!doctype html><p>broken</p><script>console.error("boom"); fetch("http://127.0.0.1:9/x").catch(() => {}); throw new Error("bad");</script>`,
  );
  const { errors, requests } = await browser.chromium.open(file);
  // The page's events reach us after its load, in their own time: waited for (up to about 10 s, so that one
  // that never comes fails the test instead of hanging it), not a fixed pause.
  const seen = () => errors.some((text) => text.includes("boom")) && errors.some((text) => text.includes("bad")) && requests.length > 0;
  for (let waits = 0; waits < 1000 && !seen(); waits++) await Bun.sleep(10);
  expect(errors.some((text) => text.includes("boom"))).toBe(true);
  expect(errors.some((text) => text.includes("bad"))).toBe(true);
  expect(requests).toContain("http://127.0.0.1:9/x");
}, 20_000);
