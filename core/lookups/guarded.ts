/**
 * A lookup written outside the project (`new Mems({ lookup: factory })`), kept from corrupting the heap.
 *
 * The core's own lookups are trusted on the hot path and checked by checkInvariants and the tests. An
 * outside one is not, so two cheap checks run on every call that could do harm, before anything changes:
 *
 * - what `find` returns: NIL, or the record of a HOLE of the heap (its start, looked up in the address
 *   map, is that very piece: a record number that is no piece, a freed record or a main record fails
 *   here) whose size fits the request. Anything else is a BROKEN_LOOKUP error naming what came back, and
 *   malloc changes nothing: no block is handed out twice, no PROCESS is split.
 * - every write of a hole link (the lookup's only writes into the records): the record must be a HOLE of
 *   the heap and the link NIL or a record number, since holePrev is also the piece's type and a PROCESS
 *   whose type is overwritten would become a HOLE and be handed out again. A refused write is a
 *   BROKEN_LOOKUP error too; it may come in the middle of a free, so the instance is not to be trusted
 *   after it (checkInvariants says what broke).
 *
 * The checks cost an address-map lookup each (a few loads), which is why they are the outside lookups'
 * alone. What they cannot see (a lookup that forgets a HOLE, or keeps one twice) only wastes memory or
 * fails checkInvariants: its `forEachHole` is held against the chains.
 */
import type { AddressMap } from "../address-map.ts";
import { MemsError } from "../errors.ts";
import type { Mapping } from "../mapping.ts";
import { type ChainVisitor, NIL, type Records } from "../records.ts";
import type { HoleLookup, HoleRecords, LookupFactory } from "./lookup.ts";

/** The methods a lookup must have (HoleLookup's). */
const METHODS = [
  "prepare",
  "reserveSegment",
  "segmentAdded",
  "insert",
  "remove",
  "resized",
  "find",
  "forEachHole",
  "check",
  "reset",
] as const;

function isHoleLookup(value: unknown): value is HoleLookup {
  return typeof value === "object" && value !== null && METHODS.every((method) => typeof Reflect.get(value, method) === "function");
}

function broken(name: string, message: string): MemsError {
  return new MemsError("BROKEN_LOOKUP", `lookup ${name} ${message}`);
}

/** The record pool as an outside lookup sees it: every read, and writes of hole links checked. */
class GuardedRecords implements HoleRecords {
  constructor(
    private readonly name: string,
    private readonly records: Records,
    private readonly map: AddressMap,
  ) {}

  /** `record` is a piece of the heap: the address map names it at its start. */
  isPieceOfHeap(record: number): boolean {
    return Number.isInteger(record) && record >= 0 && this.map.pieceAt(this.records.pieceAddress(record), this.records) === record;
  }

  private checkWrite(hole: number, link: number, which: string): void {
    if (!this.isPieceOfHeap(hole) || !this.records.isHole(hole))
      throw broken(this.name, `wrote the ${which} link of record ${hole}, which is no HOLE of the heap`);
    if (link !== NIL && !(Number.isInteger(link) && link >= 0))
      throw broken(this.name, `wrote ${link} as the ${which} link of HOLE record ${hole}: a link is NIL (-1) or a record`);
  }

  pieceSize(piece: number): number {
    return this.records.pieceSize(piece);
  }

  pieceAddress(piece: number): number {
    return this.records.pieceAddress(piece);
  }

  isHole(piece: number): boolean {
    return this.records.isHole(piece);
  }

  prevPiece(piece: number): number {
    return this.records.prevPiece(piece);
  }

  nextPiece(piece: number): number {
    return this.records.nextPiece(piece);
  }

  segmentIndexOf(piece: number): number {
    return this.records.segmentIndexOf(piece);
  }

  holeNext(hole: number): number {
    return this.records.holeNext(hole);
  }

  setHoleNext(hole: number, next: number): void {
    this.checkWrite(hole, next, "next");
    this.records.setHoleNext(hole, next);
  }

  holePrev(hole: number): number {
    return this.records.holePrev(hole);
  }

  setHolePrev(hole: number, prev: number): void {
    this.checkWrite(hole, prev, "prev");
    this.records.setHolePrev(hole, prev);
  }

  walk(visitor: ChainVisitor): void {
    this.records.walk(visitor);
  }

  mapBookkeeping(bytes: number): Mapping {
    return this.records.mapOwnBookkeeping(bytes);
  }

  unmapBookkeeping(mapping: Mapping): void {
    this.records.unmapBookkeeping(mapping);
  }
}

/** An outside lookup behind the checks above. */
export class GuardedLookup implements HoleLookup {
  readonly name: string;
  private readonly inner: HoleLookup;
  private readonly guarded: GuardedRecords;

  /** Makes the factory's lookup; throws INVALID_OPTION when what it makes is no lookup. */
  constructor(factory: LookupFactory, records: Records, map: AddressMap) {
    this.name = factory.name;
    this.guarded = new GuardedRecords(factory.name, records, map);
    const inner: unknown = factory.create(this.guarded);
    if (!isHoleLookup(inner)) {
      const missing = METHODS.filter(
        (method) => typeof inner !== "object" || inner === null || typeof Reflect.get(inner, method) !== "function",
      );
      throw new MemsError("INVALID_OPTION", `lookup ${factory.name}: create() must return a HoleLookup; it lacks ${missing.join(", ")}`);
    }
    this.inner = inner;
  }

  find(size: number): number {
    const hole = this.inner.find(size);
    if (hole === NIL) return NIL;
    const records = this.guarded;
    if (typeof hole !== "number" || !records.isPieceOfHeap(hole))
      throw broken(this.name, `returned ${String(hole)} for ${size} bytes, which is no piece of the heap`);
    const at = `record ${hole}, the piece of ${records.pieceSize(hole)} bytes at ${records.pieceAddress(hole)}`;
    if (!records.isHole(hole)) throw broken(this.name, `returned ${at} for ${size} bytes: a PROCESS piece (a block in use), not a HOLE`);
    if (records.pieceSize(hole) < size) throw broken(this.name, `returned ${at} for ${size} bytes: a HOLE too small`);
    return hole;
  }

  prepare(): void {
    this.inner.prepare();
  }

  reserveSegment(): void {
    this.inner.reserveSegment();
  }

  segmentAdded(index: number): void {
    this.inner.segmentAdded(index);
  }

  insert(hole: number, size: number): void {
    this.inner.insert(hole, size);
  }

  remove(hole: number, size: number): void {
    this.inner.remove(hole, size);
  }

  resized(hole: number, oldSize: number, size: number): void {
    this.inner.resized(hole, oldSize, size);
  }

  forEachHole(visit: (hole: number) => void): void {
    this.inner.forEachHole(visit);
  }

  check(): void {
    this.inner.check();
  }

  reset(): void {
    this.inner.reset();
  }
}
