/**
 * The byte pattern that fills blocks so their contents can be checked later (the runner's --verify, the
 * soak). Pattern `key` (0..255) is a function of the byte offset that repeats every 256 bytes, so one
 * tile of TILE_BYTES + 256 bytes per key serves any block at any phase, copied and compared natively.
 */

/** Bytes copied or compared per native call. */
export const TILE_BYTES = 4096;

/** Byte `i` of pattern `key` (only the key's low 8 bits count); it repeats every 256 bytes. */
export function patternByte(key: number, i: number): number {
  return ((key & 0xff) * 131 + i * 7 + 1) & 0xff;
}

const tiles: (Uint8Array | undefined)[] = new Array(256).fill(undefined);

/** Pattern `key` from byte 0, TILE_BYTES + 256 long (made on first use). */
export function patternTile(key: number): Uint8Array {
  const k = key & 0xff;
  let tile = tiles[k];
  if (tile === undefined) {
    tile = new Uint8Array(TILE_BYTES + 256);
    for (let i = 0; i < tile.length; i++) tile[i] = patternByte(k, i);
    tiles[k] = tile;
  }
  return tile;
}

/** Writes pattern `key` into view[from..], byte i of the view getting byte i of the pattern. */
export function fillPattern(view: Uint8Array, key: number, from = 0): void {
  const tile = patternTile(key);
  for (let i = from; i < view.length; i += TILE_BYTES) {
    const phase = i & 0xff;
    view.set(tile.subarray(phase, phase + Math.min(TILE_BYTES, view.length - i)), i);
  }
}

/** The offset of the first byte of `view`, from `from` on, that differs from pattern `key`, or -1. */
export function firstPatternDifference(view: Uint8Array, key: number, from = 0): number {
  const tile = patternTile(key);
  for (let i = from; i < view.length; i += TILE_BYTES) {
    const end = Math.min(view.length, i + TILE_BYTES);
    const phase = i & 0xff;
    if (Buffer.compare(view.subarray(i, end), tile.subarray(phase, phase + end - i)) === 0) continue;
    for (let k = i; k < end; k++) if (view[k] !== tile[k & 0xff]) return k;
  }
  return -1;
}
