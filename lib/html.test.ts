/** escapeHtml, embedJson and page (lib/html.ts): what the HTML pages of the bench and viz are built from. */
import { expect, test } from "bun:test";
import { embedJson, escapeHtml, inlineSvg, page } from "./html.ts";

test("escaping, embedded JSON that cannot close its script, a whole page", () => {
  expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  expect(embedJson({ text: "</script><b>" })).toBe('{"text":"\\u003c/script>\\u003cb>"}');
  expect(JSON.parse(embedJson({ text: "</script>" }))).toEqual({ text: "</script>" });
  const html = page("A <title>", "<p>body</p>", ".x { color: red; }");
  expect(html).toStartWith("<!doctype html>");
  expect(html).toContain("<title>A &lt;title&gt;</title>");
  expect(html).toContain(".x { color: red; }");
});

test("inline SVGs get their own ids: definitions and every reference, nothing else", () => {
  const svg = `<?xml version="1.0"?>\n<svg><defs><clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)"><use href="#clip1"/><use href="#other"/><a href="https://x"/></g></svg>`;
  const out = inlineSvg(svg, "c7");
  expect(out).toStartWith("<svg>");
  expect(out).toContain('<clipPath id="c7-clip1">');
  expect(out).toContain('clip-path="url(#c7-clip1)"');
  expect(out).toContain('<use href="#c7-clip1"/>');
  expect(out).toContain('<use href="#other"/>'); // not an id of this SVG
  expect(inlineSvg("<svg><g/></svg>", "c8")).toBe("<svg><g/></svg>");
});
