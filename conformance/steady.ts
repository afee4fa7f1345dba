/**
 * The hole-independent part of a scenario, for checking the size-indexed lookup against first-fit.
 *
 * Which HOLE a malloc takes may differ between lookups, so addresses, stats and anything reached through
 * an address that is not a live block's own (a raw `F`/`P`, or an ID whose block was freed or finished)
 * differ too. What must not differ is what the live blocks hold: with `verify` every new block is filled
 * with its ID's pattern, `w` writes over it and `r` copies it, so each `g` on a live ID reads a value
 * that no hole choice can change. `steadyScenario` keeps exactly those operations:
 *
 * - kept: `a`, `r`, `x`, `e`, `f -1`, and `f`/`w`/`g` on an ID that is live;
 * - dropped: `s`, `v`, `p`, `P`, `F` (they show addresses or reach blocks by address), and `f`/`w`/`g`
 *   on an ID that is not live (a stale ID may name another ID's block, or nothing, depending on layout).
 *
 * Liveness is decided from the text alone, as the runner decides it: `a ID N` makes ID live when N > 0;
 * `r` on a live ID with N = 0 frees it, else keeps it live, and on a dead ID acts as `a`; `f` and `x`
 * end it. (Sizes above 2^48, the only other failing malloc, are not produced by the generator.)
 */

const DROPPED = new Set(["s", "v", "p", "P", "F"]);

/** The operations of `text` whose output cannot depend on which HOLE malloc chooses (see above). */
export function steadyScenario(text: string): string {
  const live = new Set<string>();
  const kept: string[] = [];
  for (const line of text.split("\n")) {
    const hash = line.indexOf("#");
    const fields = (hash < 0 ? line : line.slice(0, hash)).trim().split(/[ \t]+/);
    const op = fields[0] ?? "";
    const id = fields[1] ?? "";
    if (op === "" || op.startsWith("@") || op === "e") {
      kept.push(line);
      continue;
    }
    if (DROPPED.has(op)) continue;
    switch (op) {
      case "a":
        if (Number(fields[2]) > 0) live.add(id);
        else live.delete(id);
        break;
      case "r":
        if (live.has(id) && Number(fields[2]) === 0) live.delete(id);
        else if (!live.has(id) && Number(fields[2]) > 0) live.add(id);
        break;
      case "f":
        if (id !== "-1") {
          if (!live.has(id)) continue;
          live.delete(id);
        }
        break;
      case "w":
      case "g":
        if (!live.has(id)) continue;
        break;
      case "x":
        live.clear();
        break;
    }
    kept.push(line);
  }
  return kept.join("\n");
}
