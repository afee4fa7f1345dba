/**
 * Generated blocks inside hand-written files (docs/performance.md's peers summary, docs/strategies.md's
 * tables): the block starts and ends with marker lines, and a new run replaces what lies between them.
 */

/** `text` with the block from `start` to `end` (markers included) replaced by `block`, which carries them; appended when `text` has none. */
export function withMarkedBlock(text: string, start: string, end: string, block: string): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) return `${text.trimEnd()}\n\n${block}\n`;
  return text.slice(0, from) + block + text.slice(to + end.length);
}
