/**
 * report.html of a results folder: the whole run in one page that opens with no network. The charts
 * are inline SVG (their ids made unique), the tables HTML, and every figure is embedded as JSON in
 * `<script type="application/json" id="bench-data">` for whoever wants to redraw them.
 */
import { embedJson, escapeHtml, inlineSvg, page } from "../../lib/html.ts";
import type { BenchReport } from "../run.ts";
import { formatCount, formatDuration, formatNs, formatRatio } from "./numbers.ts";
import { type ChartFile, chartFileOf, fileSafe } from "./outputs.ts";
import { BASELINE, costCurves, isMeasured, PEER, summaryRows } from "./summary.ts";
import { TABLE_HEAD, tableRows } from "./text.ts";

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

export function reportHtml(report: BenchReport, charts: readonly ChartFile[]): string {
  const sections: string[] = [];
  const toc: string[] = [];
  const rows = summaryRows(report);
  if (rows.length > 0) {
    const others = rows[0]?.vsMems.map((m) => m.allocator) ?? [];
    toc.push(`<a href="#summary">Summary</a>`);
    sections.push(
      `<section id="summary"><h2>Summary</h2><p class="lead">ns/op of ${escapeHtml(BASELINE)} divided by another allocator's: below 1, ${escapeHtml(BASELINE)} is faster.</p>`,
      htmlTable(
        ["workload", "fastest (ns/op)", `÷ ${PEER}`, ...others.map((name) => `÷ ${name}`)],
        rows.map((row) => [
          row.workload,
          row.fastest === undefined ? "-" : `${row.fastest.allocator} ${formatNs(row.fastest.nsPerOp)}`,
          row.vsPeer === undefined ? "-" : formatRatio(row.vsPeer),
          ...row.vsMems.map((m) => (m.ratio === undefined ? "-" : formatRatio(m.ratio))),
        ]),
      ),
      "</section>",
    );
  }
  for (const curve of costCurves(report)) {
    const id = `curve-${fileSafe(curve.family)}`;
    toc.push(`<a href="#${id}">Cost curve</a>`);
    const stops = curve.series.filter((series) => series.stop !== undefined);
    sections.push(
      `<section id="${id}"><h2>The cost curve (${escapeHtml(curve.family)})</h2>`,
      `<p class="lead">ns per operation against live blocks, churn of 16-512 byte blocks, one line per allocator.</p>`,
      figure(chartFileOf(charts, "curve", curve.family), `class="chart" data-chart="curve" data-family="${escapeHtml(curve.family)}"`),
      stops.length === 0
        ? ""
        : `<ul class="notes">${stops
            .map(
              (series) =>
                `<li>${escapeHtml(series.allocator)} stopped at ${formatCount(series.stop?.liveBlocks ?? 0)} live blocks: ${escapeHtml(series.stop?.reason ?? "")}</li>`,
            )
            .join("")}</ul>`,
      "</section>",
    );
  }
  toc.push(`<a href="#ratios">Ratios</a>`);
  sections.push(
    `<section id="ratios"><h2>Every workload against ${escapeHtml(BASELINE)}</h2>`,
    figure(chartFileOf(charts, "ratios", ""), `class="chart" data-chart="ratios"`),
    "</section>",
    `<h2 id="workloads">Workloads</h2>`,
  );
  for (const workload of report.workloads) {
    const id = `w-${fileSafe(workload.name)}`;
    toc.push(`<a href="#${id}">${escapeHtml(workload.name)}</a>`);
    if (workload.sameTraceAs !== undefined) {
      sections.push(
        `<section class="workload copy" id="${id}"><h3>${escapeHtml(workload.name)}</h3><p class="note">${escapeHtml(workload.describe)}: the trace of <a href="#w-${fileSafe(workload.sameTraceAs)}">${escapeHtml(workload.sameTraceAs)}</a>, measured once.</p></section>`,
      );
      continue;
    }
    const measured = workload.cells.filter(isMeasured).length;
    sections.push(
      `<section class="workload" id="${id}" data-workload="${escapeHtml(workload.name)}" data-measured="${measured}">`,
      `<h3>${escapeHtml(workload.name)}</h3>`,
      figure(
        chartFileOf(charts, "workload", workload.name),
        `class="chart" data-chart="workload" data-workload="${escapeHtml(workload.name)}"`,
      ),
      htmlTable(TABLE_HEAD, tableRows(workload)),
      "</section>",
    );
  }
  const head = `<header class="top"><h1>MeMS benchmark</h1><p><code>${escapeHtml(report.command)}</code> on ${escapeHtml(report.machine.cpu)} (${report.machine.cores} cores, ${escapeHtml(report.machine.platform)}), Bun ${escapeHtml(report.bun)}, ${escapeHtml(report.date)}, ${formatDuration(report.elapsedMs)} in all</p><nav class="toc">${toc.join("")}</nav></header>`;
  const notes = `<h2 id="notes">Notes</h2><ul class="notes">${report.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join("")}</ul>`;
  const data = `<script type="application/json" id="bench-data">${embedJson(report)}</script>`;
  return page(`MeMS bench, ${report.date}`, `${head}\n<main>\n${sections.join("\n")}\n${notes}\n</main>\n${data}`);
}
