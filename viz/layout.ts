/**
 * Where each segment of a heap map goes: segments in main-chain order, each a bar as long as its size
 * (one scale for the whole map), flowing left to right into rows of `width` pixels like words into
 * lines; a segment longer than a row wraps. The scale is the larger of "the largest segment fills a row"
 * and "everything fits in `maxRows` rows", so small heaps are drawn large and huge ones still fit.
 */

export interface Slice {
  segment: number;
  row: number;
  /** Pixels from the row's start, and length in pixels (fractions allowed). */
  x: number;
  width: number;
  /** Bytes of the segment this slice shows, from its start. */
  byteStart: number;
  byteEnd: number;
  /** 1 for the first slice of a segment, 2, 3... for the rows it wraps onto. */
  part: number;
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
  const gap = gapFor(sizes.length);
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
    let length = size / bytesPerPixel;
    if (x > 0 && x + length > width + 1e-6) {
      row++;
      x = 0;
    }
    let byteStart = 0;
    let part = 1;
    while (length > 1e-9) {
      const take = Math.min(length, width - x);
      const byteEnd = length - take <= 1e-9 ? size : byteStart + take * bytesPerPixel;
      slices.push({ segment, row, x, width: take, byteStart, byteEnd, part });
      length -= take;
      byteStart = byteEnd;
      part++;
      if (length > 1e-9) {
        row++;
        x = 0;
      } else {
        x += take + gap;
      }
    }
  });
  return { width, bytesPerPixel, rows: slices.length === 0 ? 0 : row + 1, gap, slices };
}
