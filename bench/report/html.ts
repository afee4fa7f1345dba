/**
 * report.html of a results folder: the whole run in one page that opens with no network. The charts
 * are inline SVG (their ids made unique), the tables HTML, and every figure is embedded as JSON in
 * `<script type="application/json" id="bench-data">` for whoever wants to redraw them.
 */
import { embedJson, escapeHtml, inlineSvg, page } from "../../lib/html.ts";
import type { BenchReport, WorkloadReport } from "../run.ts";
import { type ChartFile, chartFileOf, fileSafe } from "./chart-plan.ts";
import { formatCount, formatDuration } from "./numbers.ts";
import { STANDING_HEAD, STRATEGY_HEAD, standingRows, strategiesLead, strategyRows, strategyTable } from "./strategies.ts";
import { BASELINE, bookkeepingTable, type CostCurve, costCurves, isMeasured, stopVerb } from "./summary.ts";
import { summaryTable, TABLE_HEAD, tableRows } from "./text.ts";

function htmlTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const th = head.map((text) => `<th>${escapeHtml(text).replaceAll("\n", "<br>")}</th>`).join("");
  const body = rows
    .map((row) => {
      if (row.length === 2 && head.length > 2) {
        return `<tr><td>${escapeHtml(row[0] ?? "")}</td><td class="reason" colspan="${head.length - 1}">${escapeHtml(row[1] ?? "")}</td></tr>`;
      }
      return `<tr>${row.map((text) => `<td>${escapeHtml(text)}</td>`).join("")}</tr>`;
    })
    .join("\n");
  return `<table class="figures"><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function figure(chart: ChartFile | undefined, attributes: string): string {
  if (chart?.svg === undefined) return "";
  return `<figure ${attributes} aria-label="${escapeHtml(chart.alt)}">${inlineSvg(chart.svg, `c-${fileSafe(chart.path)}`)}</figure>`;
}

/** A section of the page: its link in the table of contents and its HTML. */
interface Section {
  link: string;
  html: string;
}

function summarySection(report: BenchReport): Section[] {
  const summary = summaryTable(report);
  if (summary === undefined) return [];
  const html = [
    `<section id="summary"><h2>Summary</h2><p class="lead">ns/op of ${escapeHtml(BASELINE)} divided by another allocator's: below 1, ${escapeHtml(BASELINE)} is faster.</p>`,
    htmlTable(summary.head, summary.rows),
    "</section>",
  ];
  return [{ link: `<a href="#summary">Summary</a>`, html: html.join("\n") }];
}

function curveSection(curve: CostCurve, charts: readonly ChartFile[]): Section {
  const id = `curve-${fileSafe(curve.family)}`;
  const stops = curve.series.filter((series) => series.stop !== undefined);
  const html = [
    `<section id="${id}"><h2>The cost curve (${escapeHtml(curve.family)})</h2>`,
    `<p class="lead">ns per operation against live blocks, churn of 16-512 byte blocks, one line per allocator.</p>`,
    figure(chartFileOf(charts, "curve", curve.family), `class="chart" data-chart="curve" data-family="${escapeHtml(curve.family)}"`),
    stops.length === 0
      ? ""
      : `<ul class="notes">${stops
          .map(
            (series) =>
              `<li>${escapeHtml(series.allocator)} ${series.stop === undefined ? "" : stopVerb(series.stop)} at ${formatCount(series.stop?.liveBlocks ?? 0)} live blocks: ${escapeHtml(series.stop?.reason ?? "")}</li>`,
          )
          .join("")}</ul>`,
    bookkeepingHtml(curve),
    "</section>",
  ];
  return { link: `<a href="#${id}">Cost curve</a>`, html: html.join("\n") };
}

/** MeMS's own tables per live block along the curve, as RESULTS.md has them. */
function bookkeepingHtml(curve: CostCurve): string {
  const table = bookkeepingTable(curve);
  if (table === undefined) return "";
  return [
    `<p class="lead">Bookkeeping of MeMS (records, address map, page table and index: <code>stats().bookkeepingBytes</code> before the finish), bytes per live block:</p>`,
    htmlTable(table.head, table.rows),
  ].join("\n");
}

function ratiosSection(charts: readonly ChartFile[]): Section {
  const html = [
    `<section id="ratios"><h2>Every workload against ${escapeHtml(BASELINE)}</h2>`,
    figure(chartFileOf(charts, "ratios", ""), `class="chart" data-chart="ratios"`),
    "</section>",
  ];
  return { link: `<a href="#ratios">Ratios</a>`, html: html.join("\n") };
}

/** The strategies section (report/strategies.ts): what it is, its chart, the standing and every figure. */
function strategiesSection(report: BenchReport, charts: readonly ChartFile[]): Section[] {
  const table = strategyTable(report);
  if (table === undefined) return [];
  const html = [
    `<section id="strategies"><h2>Strategies</h2>`,
    ...strategiesLead(table).map((line) => `<p class="lead">${escapeHtml(line)}</p>`),
    figure(chartFileOf(charts, "strategies", ""), `class="chart" data-chart="strategies"`),
    htmlTable(STANDING_HEAD, standingRows(table)),
    htmlTable(
      STRATEGY_HEAD,
      strategyRows(table).map((row) => (row.length === 3 ? [...row, ...STRATEGY_HEAD.slice(3).map(() => "")] : row)),
    ),
    "</section>",
  ];
  return [{ link: `<a href="#strategies">Strategies</a>`, html: html.join("\n") }];
}

/** A workload's chart and table, or a line that points to the workload whose trace it shares. */
function workloadSection(report: BenchReport, workload: WorkloadReport, charts: readonly ChartFile[]): Section {
  const id = `w-${fileSafe(workload.name)}`;
  const link = `<a href="#${id}">${escapeHtml(workload.name)}</a>`;
  if (workload.sameTraceAs !== undefined) {
    return {
      link,
      html: `<section class="workload copy" id="${id}"><h3>${escapeHtml(workload.name)}</h3><p class="note">${escapeHtml(workload.describe)}: the trace of <a href="#w-${fileSafe(workload.sameTraceAs)}">${escapeHtml(workload.sameTraceAs)}</a>, measured once.</p></section>`,
    };
  }
  const measured = workload.cells.filter(isMeasured).length;
  const html = [
    `<section class="workload" id="${id}" data-workload="${escapeHtml(workload.name)}" data-measured="${measured}">`,
    `<h3>${escapeHtml(workload.name)}</h3>`,
    figure(
      chartFileOf(charts, "workload", workload.name),
      `class="chart" data-chart="workload" data-workload="${escapeHtml(workload.name)}"`,
    ),
    htmlTable(TABLE_HEAD, tableRows(workload, report)),
    "</section>",
  ];
  return { link, html: html.join("\n") };
}

export function reportHtml(report: BenchReport, charts: readonly ChartFile[]): string {
  const overview = [
    ...summarySection(report),
    ...costCurves(report).map((curve) => curveSection(curve, charts)),
    ratiosSection(charts),
    ...strategiesSection(report, charts),
  ];
  const workloads = report.workloads.map((workload) => workloadSection(report, workload, charts));
  const toc = [...overview, ...workloads].map((section) => section.link);
  const sections = [
    ...overview.map((section) => section.html),
    `<h2 id="workloads">Workloads</h2>`,
    ...workloads.map((section) => section.html),
  ];
  const head = `<header class="top"><h1>MeMS benchmark</h1><p><code>${escapeHtml(report.command)}</code> on ${escapeHtml(report.machine.cpu)} (${report.machine.cores} cores, ${escapeHtml(report.machine.platform)}), Bun ${escapeHtml(report.bun)}, ${escapeHtml(report.date)}, ${formatDuration(report.elapsedMs)} in all</p><nav class="toc">${toc.join("")}</nav></header>`;
  const notes = `<h2 id="notes">Notes</h2><ul class="notes">${report.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join("")}</ul>`;
  const data = `<script type="application/json" id="bench-data">${embedJson(report)}</script>`;
  return page(`MeMS bench, ${report.date}`, `${head}\n<main>\n${sections.join("\n")}\n${notes}\n</main>\n${data}`);
}
