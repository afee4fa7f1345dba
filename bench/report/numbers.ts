/**
 * How the report writes numbers, the same in the terminal, RESULTS.md, report.html and the charts.
 */

/** ns per operation: integers with separators from 100 up, one decimal below. */
export function formatNs(ns: number): string {
  if (ns >= 1000) return Math.round(ns).toLocaleString("en");
  return ns >= 100 ? ns.toFixed(0) : ns.toFixed(1);
}

export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k`;
  return perSecond.toFixed(0);
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return "-";
  if (bytes >= 1 << 30) return `${(bytes / (1 << 30)).toFixed(2)} GiB`;
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
  if (bytes >= 1 << 10) return `${(bytes / (1 << 10)).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/**
 * A ratio with three significant digits (0.00412, 0.610, 1.00, 4.85, 149), whole numbers with separators from
 * 1,000 up: no ratio rounds to 0.00.
 */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio) || ratio <= 0) return "-";
  if (ratio >= 1000) return `${Math.round(ratio).toLocaleString("en")}x`;
  return `${ratio.toPrecision(3)}x`;
}

/** ns as µs with three significant digits (a batch of 1,000 operations takes µs to ms). */
export function formatMicros(ns: number): string {
  const us = ns / 1000;
  if (us >= 1000) return Math.round(us).toLocaleString("en");
  return us.toPrecision(3);
}

export function formatPercent(share: number | undefined): string {
  return share === undefined ? "-" : `${(share * 100).toFixed(1)}%`;
}

/** 1,000,000 -> "1,000,000". */
export function formatCount(count: number): string {
  return count.toLocaleString("en");
}

/** Milliseconds as "1 min 20 s" or "4.2 s". */
export function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}
