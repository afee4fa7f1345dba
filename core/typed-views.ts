/**
 * Typed views of blocks (`Mems.viewAs`): the TypedArray types a view can be, and the errors of a view
 * that cannot be made. The view itself is made in mems.ts, over the block's segment like `view`'s bytes.
 */
import { describeValue, MemsError } from "./errors.ts";

/**
 * A TypedArray type: Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array,
 * Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array (and Float16Array where the
 * runtime has it). `T` is the array it makes.
 */
export interface TypedArrayType<T extends ArrayBufferView> {
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
}

/** The runtime's TypedArray types: only these are accepted (a look-alike could read past the block). */
const TYPES: readonly unknown[] = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
  ...(typeof globalThis.Float16Array === "function" ? [globalThis.Float16Array] : []),
];

/** A value as an error message names it: a function by its name, a string quoted. */
function describe(value: unknown): string {
  if (typeof value === "function") return value.name === "" ? "an anonymous function" : value.name;
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}

/** Throws INVALID_OPTION unless `type` is one of the runtime's TypedArray types. */
export function checkViewType(type: unknown): void {
  if (!TYPES.includes(type)) {
    const names = TYPES.map(describe).join(", ");
    throw new MemsError("INVALID_OPTION", `viewAs type must be a TypedArray type (${names}), got ${describe(type)}`);
  }
}

/** The error of a view whose first element's physical address is not a multiple of the element size. */
export function misaligned(type: TypedArrayType<ArrayBufferView>, v: number, physical: number): MemsError {
  const size = type.BYTES_PER_ELEMENT;
  return new MemsError(
    "MISALIGNED",
    `${type.name} elements are ${size} bytes, and virtual address ${v} is at physical address ${physical}, not a multiple of ${size} (new Mems({ align: ${size} }) aligns every block)`,
  );
}

/** True when `length` is an element count from 0 to `most`. */
export function isViewLength(length: unknown, most: number): boolean {
  return typeof length === "number" && Number.isInteger(length) && length >= 0 && length <= most;
}

/** The error of a view length that is no count or passes the block's end. */
export function invalidViewLength(type: TypedArrayType<ArrayBufferView>, v: number, most: number, length: unknown): MemsError {
  return new MemsError(
    "INVALID_SIZE",
    `viewAs length must be an integer from 0 to ${most} (the ${type.name} elements from ${v} to the block's end), got ${typeof length === "number" ? length : describeValue(length)}`,
  );
}
