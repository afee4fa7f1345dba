/**
 * `mems grade --html FILE`: the class's report as one self-contained page (no script, no request: its
 * style is inline): the class table (a row per submission, a coloured cell per check, the reason in the
 * cell's tooltip, the score) and, per submission, every check with its verdict and reason.
 */
import { CHECK_NAMES, type Verdict } from "./checks.ts";
import type { SubmissionResult } from "./grade.ts";

const escapeHtml = (text: string): string =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

const COLOUR: Record<Verdict, string> = {
  pass: "#d8f0d8",
  fail: "#f6d0d0",
  crash: "#f0b0b0",
  timeout: "#f3ddb0",
  skipped: "#e8e8e8",
  error: "#ddd0f0",
};

const STYLE = `body{font:14px system-ui,sans-serif;margin:24px;color:#222}
table{border-collapse:collapse;margin:12px 0}
th,td{border:1px solid #bbb;padding:4px 8px;text-align:left;vertical-align:top}
th.check{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:normal}
td.verdict{text-align:center}
${Object.entries(COLOUR)
  .map(([verdict, colour]) => `.${verdict}{background:${colour}}`)
  .join("\n")}
h2{margin-top:32px}`;

function classRows(results: readonly SubmissionResult[], names: readonly string[]): string {
  return results
    .map((result, i) => {
      const cells = names.map((name) => {
        const check = result.checks.find((c) => c.name === name);
        if (check === undefined) return "<td>-</td>";
        return `<td class="verdict ${check.verdict}" title="${escapeHtml(check.detail)}">${check.verdict}</td>`;
      });
      return `<tr><td><a href="#s${i}">${escapeHtml(result.path)}</a></td>${cells.join("")}<td class="score">${result.score}</td></tr>`;
    })
    .join("\n");
}

function submissionSection(result: SubmissionResult, i: number): string {
  const rows = result.checks
    .map((c) => `<tr><td>${c.name}</td><td class="verdict ${c.verdict}">${c.verdict}</td><td>${escapeHtml(c.detail)}</td></tr>`)
    .join("\n");
  return `<h2 id="s${i}">${escapeHtml(result.path)}: ${result.score}</h2>
<table><thead><tr><th>check</th><th>verdict</th><th>reason</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

export function htmlReport(results: readonly SubmissionResult[]): string {
  const names = CHECK_NAMES.filter((name) => results.some((r) => r.checks.some((c) => c.name === name)));
  const head = names.map((name) => `<th class="check">${name}</th>`).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mems grade: ${results.length} submission(s)</title>
<style>${STYLE}</style></head><body>
<h1>mems grade</h1>
<p>${results.length} submission(s); the score is the share of checks passed among those that could be judged (speed is reported, not scored). Hover a cell for its reason.</p>
<table id="class"><thead><tr><th>submission</th>${head}<th>score</th></tr></thead><tbody>
${classRows(results, names)}
</tbody></table>
${results.map(submissionSection).join("\n")}
</body></html>
`;
}
