/**
 * JavaScriptCore's jitdump (BUN_JSC_useJITDump=1), the format Linux perf reads (perf's jitdump.h): a
 * header, then records; each JIT_CODE_LOAD record names a piece of compiled code ("JSC-FTL: tryFree#...")
 * and holds its address and bytes. For bench/ab/jit-profile.ts.
 */

export interface CodeBlock {
  name: string;
  address: bigint;
  size: number;
  code: Uint8Array;
}

/** The JIT_CODE_LOAD records of a jitdump file (the format perf's jitdump.h describes). */
export function readJitDump(bytes: Uint8Array): CodeBlock[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const blocks: CodeBlock[] = [];
  let offset = view.getUint32(8, true); // the header's total size
  while (offset + 16 <= bytes.length) {
    const id = view.getUint32(offset, true);
    const size = view.getUint32(offset + 4, true);
    if (size === 0) break;
    if (id === 0) {
      const address = view.getBigUint64(offset + 32, true);
      const codeSize = Number(view.getBigUint64(offset + 40, true));
      const nameStart = offset + 56;
      const nameEnd = bytes.indexOf(0, nameStart);
      const name = new TextDecoder().decode(bytes.subarray(nameStart, nameEnd));
      blocks.push({ name, address, size: codeSize, code: bytes.subarray(nameEnd + 1, nameEnd + 1 + codeSize) });
    }
    offset += size;
  }
  return blocks.sort((x, y) => (x.address < y.address ? -1 : x.address > y.address ? 1 : 0));
}

/** The block holding `ip`, by binary search over blocks sorted by address. */
export function blockOf(blocks: CodeBlock[], ip: bigint): CodeBlock | undefined {
  let low = 0;
  let high = blocks.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const block = blocks[middle] as CodeBlock;
    if (ip < block.address) high = middle - 1;
    else if (ip >= block.address + BigInt(block.size)) low = middle + 1;
    else return block;
  }
  return undefined;
}
