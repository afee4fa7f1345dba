/**
 * Where each segment of a heap map goes: segments in main-chain order, each a bar as long as its size
 * (one scale for the whole map), flowing left to right into rows of `width` pixels like words into
 * lines. The scale is the larger of "the largest segment fills a row" and "everything fits in `maxRows`
 * rows", so small heaps are drawn large and huge ones still fit.
 */

export interface Slice {
  segment: number;
  row: number;
  /** Pixels from the row's start, and length in pixels (fractions allowed). */
  x: number;
  width: number;
  /** Bytes of the segment this slice shows, from its start (all of it: no segment is longer than a row). */
  byteStart: number;
  byteEnd: number;
}

export interface Layout {
  width: number;
  bytesPerPixel: number;
  rows: number;
  /** Pixels between two segments in a row. */
  gap: number;
  slices: Slice[];
}

/** The gap between segments: clear gaps for a few segments, none when there are tens of thousands. */
export function gapFor(segments: number): number {
  if (segments <= 1000) return 4;
  return segments <= 10_000 ? 1 : 0;
}

export function layoutSegments(sizes: readonly number[], width: number, maxRows: number): Layout {
  // Gaps take at most half the room: thousands of small segments in a few rows get none.
  const gap = Math.min(gapFor(sizes.length), Math.floor((width * maxRows) / (2 * Math.max(1, sizes.length))));
  let total = 0;
  let largest = 0;
  for (const size of sizes) {
    total += size;
    largest = Math.max(largest, size);
  }
  const capacity = width * maxRows * 0.9;
  const room = Math.max(capacity - sizes.length * gap, capacity / 4);
  const bytesPerPixel = Math.max(largest / width, total / room, 1e-9);
  const slices: Slice[] = [];
  let row = 0;
  let x = 0;
  sizes.forEach((size, segment) => {
    const length = size / bytesPerPixel; // at most `width`: the scale fits the largest segment in a row
    if (x > 0 && x + length > width + 1e-6) {
      row++;
      x = 0;
    }
    slices.push({ segment, row, x, width: length, byteStart: 0, byteEnd: size });
    x += length + gap;
  });
  return { width, bytesPerPixel, rows: slices.length === 0 ? 0 : row + 1, gap, slices };
}
