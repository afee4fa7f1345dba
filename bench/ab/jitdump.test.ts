/**
 * The jitdump reader of bench/ab/jit-profile.ts on dumps built here byte by byte: code loads read in
 * address order with their names and bytes, other records skipped, a dump cut short read up to the cut,
 * and an address put in the block that holds it.
 */
import { describe, expect, test } from "bun:test";
import { blockOf, readJitDump } from "./jitdump.ts";

const HEADER_BYTES = 40;

/** A jitdump as perf's jitdump.h lays it out: a header, then records of [id, total size, timestamp, body]. */
function jitDump(records: { id: number; body: Uint8Array }[]): Uint8Array {
  const total = HEADER_BYTES + records.reduce((sum, record) => sum + 16 + record.body.length, 0);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x4a695444, true); // "JiTD"
  view.setUint32(4, 1, true);
  view.setUint32(8, HEADER_BYTES, true);
  let offset = HEADER_BYTES;
  for (const { id, body } of records) {
    view.setUint32(offset, id, true);
    view.setUint32(offset + 4, 16 + body.length, true);
    bytes.set(body, offset + 16);
    offset += 16 + body.length;
  }
  return bytes;
}

/** A JIT_CODE_LOAD body: pid, tid, vma, code address, code size, code index, the name, NUL, the code. */
function codeLoad(name: string, address: bigint, code: number[]): { id: number; body: Uint8Array } {
  const nameBytes = new TextEncoder().encode(name);
  const body = new Uint8Array(40 + nameBytes.length + 1 + code.length);
  const view = new DataView(body.buffer);
  view.setBigUint64(8, address, true);
  view.setBigUint64(16, address, true);
  view.setBigUint64(24, BigInt(code.length), true);
  body.set(nameBytes, 40);
  body.set(code, 40 + nameBytes.length + 1);
  return { id: 0, body };
}

describe("jitdump", () => {
  const dump = jitDump([
    codeLoad("JSC-FTL: tryFree#EbC7Bc", 0x2000n, [0xc3, 0x90, 0x90, 0x90]),
    { id: 2, body: new Uint8Array(24) }, // a record of another kind (JIT_CODE_DEBUG_INFO): skipped
    codeLoad("JSC-DFG: malloc#C14SaT", 0x1000n, [0x55, 0x48, 0x89, 0xe5, 0xc3, 0, 0, 0]),
  ]);

  test("reads every code load, in address order, with its name, size and bytes", () => {
    const blocks = readJitDump(dump);
    expect(blocks.map((block) => [block.name, block.address, block.size])).toEqual([
      ["JSC-DFG: malloc#C14SaT", 0x1000n, 8],
      ["JSC-FTL: tryFree#EbC7Bc", 0x2000n, 4],
    ]);
    expect([...(blocks[1]?.code ?? [])]).toEqual([0xc3, 0x90, 0x90, 0x90]);
  });

  test("puts an address in the block that holds it, and in none outside every block", () => {
    const blocks = readJitDump(dump);
    expect(blockOf(blocks, 0x1007n)?.name).toBe("JSC-DFG: malloc#C14SaT");
    expect(blockOf(blocks, 0x2000n)?.name).toBe("JSC-FTL: tryFree#EbC7Bc");
    for (const outside of [0xfffn, 0x1008n, 0x2004n]) expect(blockOf(blocks, outside)).toBeUndefined();
  });

  test("stops at a record of size 0 (a dump cut short while it was written)", () => {
    const cut = new Uint8Array(dump.length + 16);
    cut.set(dump.subarray(0, HEADER_BYTES));
    cut.set(dump.subarray(HEADER_BYTES), HEADER_BYTES + 16); // a zero record first: nothing after it is read
    expect(readJitDump(cut)).toEqual([]);
  });
});
