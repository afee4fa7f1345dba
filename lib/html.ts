/**
 * What the project's self-contained pages share (the bench's report.html, `mems viz`): escaping, inline
 * SVGs that do not clash, embedded JSON, and one stylesheet. A page loads nothing from the network.
 */

export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

/**
 * An SVG document made ready to sit inline with others in one page: its XML prolog dropped and every id
 * it defines (vega names its clip paths clip1, clip2, ... in every chart) prefixed, references included.
 */
export function inlineSvg(svg: string, prefix: string): string {
  const ids = new Set<string>();
  for (const match of svg.matchAll(/\sid="([^"]+)"/g)) ids.add(match[1] ?? "");
  let out = svg.replace(/^<\?xml[^>]*>\s*/, "");
  if (ids.size === 0) return out;
  out = out.replace(/\sid="([^"]+)"/g, (_all, id: string) => ` id="${prefix}-${id}"`);
  out = out.replace(/url\(#([^)]+)\)/g, (all, id: string) => (ids.has(id) ? `url(#${prefix}-${id})` : all));
  out = out.replace(/href="#([^"]+)"/g, (all, id: string) => (ids.has(id) ? `href="#${prefix}-${id}"` : all));
  return out;
}

/** JSON for a `<script type="application/json">`: nothing in it can close the script element. */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replaceAll("<", "\\u003c");
}

/** The stylesheet of every page. */
export const PAGE_CSS = `
:root { --ink: #1d2327; --muted: #5f6b73; --line: #e3e7ea; --soft: #f6f8f9; --accent: #2d6cdf; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 "DejaVu Sans", "Liberation Sans", Helvetica, Arial, sans-serif; color: var(--ink); background: #fff; }
header.top { padding: 20px 32px 14px; border-bottom: 1px solid var(--line); background: var(--soft); }
header.top h1 { margin: 0 0 4px; font-size: 22px; }
header.top p { margin: 0; color: var(--muted); }
nav.toc { margin-top: 10px; display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 13px; }
nav.toc a { color: var(--accent); text-decoration: none; }
main { padding: 8px 32px 40px; max-width: 1500px; }
h2 { font-size: 18px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 22px 0 4px; }
p.lead, p.note { color: var(--muted); margin: 4px 0 10px; }
figure { margin: 8px 0 12px; overflow-x: auto; }
figure svg { display: block; max-width: none; }
table.figures { border-collapse: collapse; font-size: 12.5px; margin: 6px 0 10px; }
table.figures th, table.figures td { padding: 3px 10px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
table.figures th { background: var(--soft); font-weight: 600; color: var(--muted); }
table.figures td:first-child, table.figures th:first-child { text-align: left; }
table.figures td.reason { text-align: left; color: var(--muted); font-style: italic; white-space: normal; }
ul.notes { color: var(--muted); font-size: 13px; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 12.5px; background: var(--soft); padding: 1px 4px; border-radius: 3px; }
`;

/** A whole page around `body`. */
export function page(title: string, body: string, extraCss = ""): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${PAGE_CSS}${extraCss}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
