/**
 * Best-fit and worst-fit: every HOLE in one binary search tree ordered by size, a splay tree (Sleator and
 * Tarjan 1985, top-down) whose nodes are the HOLE records themselves: a HOLE's two hole links are its
 * left and right child (holePrev the left: it must be NIL or a record, which a child is), and the lookup
 * keeps the root. No memory of its own, no JS object per HOLE, no walk of the chains: insert, remove and
 * find are O(log HOLEs) amortized.
 *
 * - `best-fit`: the smallest HOLE of at least the request; among HOLEs of that size, the lowest address.
 *   The tree orders HOLEs by (size, address): the answer is the least key at or above (request, -∞).
 * - `worst-fit`: the largest HOLE (if it fits); among the largest, the lowest address. The tree orders
 *   HOLEs by (size, -address): the answer is the greatest key.
 *
 * Every operation splays: the node whose key is searched (or the last one on its path) becomes the root,
 * the nodes on the path move up about half their depth, so sizes asked for often stay near the root.
 * A key is read from the record when compared: the core removes a HOLE before its size or start changes
 * and inserts it after, so the key a HOLE was inserted with is the one in its record while it is in the tree.
 */
import { invariantBroken } from "../errors.ts";
import { NIL } from "../records.ts";
import type { HoleLookup, HoleRecords } from "./lookup.ts";

/** Hot path: TypeScript-private fields, not `#` (docs/design.md, "Hot paths"). */
export class SizeOrderedLookup implements HoleLookup {
  readonly name: "best-fit" | "worst-fit";
  private readonly records: HoleRecords;
  /** +1: equal sizes in ascending address order (best-fit); -1: descending (worst-fit). */
  private readonly addressOrder: number;
  private root = NIL;
  /** During `resized`: the HOLE whose record already has its new size, and the size it sits under in the tree. */
  private stale = NIL;
  private staleSize = 0;
  /** HOLEs in the tree (forEachHole and check stop a walk that would pass it: a cycle). */
  private count = 0;

  constructor(records: HoleRecords, name: "best-fit" | "worst-fit") {
    this.records = records;
    this.name = name;
    this.addressOrder = name === "best-fit" ? 1 : -1;
  }

  /** Where the key (size, address) lies against record `x`'s: negative before it, 0 at it, positive after. */
  private compare(size: number, address: number, x: number): number {
    const records = this.records;
    const bySize = size - (x === this.stale ? this.staleSize : records.pieceSize(x));
    return bySize !== 0 ? bySize : (address - records.pieceAddress(x)) * this.addressOrder;
  }

  /**
   * Top-down splay: the node of key (size, address), or else the last node on its search path (the key's
   * predecessor or successor in the tree), becomes the root. Nodes passed on the way hang in a left tree
   * (keys below) and a right tree (keys above), reassembled under the new root at the end.
   */
  private splay(size: number, address: number): void {
    const records = this.records;
    let t = this.root;
    if (t === NIL) return;
    let leftRoot = NIL;
    let leftMax = NIL;
    let rightRoot = NIL;
    let rightMin = NIL;
    for (;;) {
      const side = this.compare(size, address, t);
      if (side < 0) {
        let child = records.holePrev(t);
        if (child === NIL) break;
        if (this.compare(size, address, child) < 0) {
          // zig-zig: rotate right
          records.setHolePrev(t, records.holeNext(child));
          records.setHoleNext(child, t);
          t = child;
          child = records.holePrev(t);
          if (child === NIL) break;
        }
        // t and its right subtree go to the right tree, as its new least node
        if (rightMin === NIL) rightRoot = t;
        else records.setHolePrev(rightMin, t);
        rightMin = t;
        t = child;
      } else if (side > 0) {
        let child = records.holeNext(t);
        if (child === NIL) break;
        if (this.compare(size, address, child) > 0) {
          // zag-zag: rotate left
          records.setHoleNext(t, records.holePrev(child));
          records.setHolePrev(child, t);
          t = child;
          child = records.holeNext(t);
          if (child === NIL) break;
        }
        if (leftMax === NIL) leftRoot = t;
        else records.setHoleNext(leftMax, t);
        leftMax = t;
        t = child;
      } else {
        break;
      }
    }
    const left = records.holePrev(t);
    const right = records.holeNext(t);
    if (leftMax === NIL) leftRoot = left;
    else records.setHoleNext(leftMax, left);
    if (rightMin === NIL) rightRoot = right;
    else records.setHolePrev(rightMin, right);
    records.setHolePrev(t, leftRoot);
    records.setHoleNext(t, rightRoot);
    this.root = t;
  }

  insert(hole: number, size: number): void {
    const records = this.records;
    const address = records.pieceAddress(hole);
    this.count++;
    if (this.root === NIL) {
      records.setHolePrev(hole, NIL);
      records.setHoleNext(hole, NIL);
      this.root = hole;
      return;
    }
    this.splay(size, address);
    const top = this.root;
    this.root = hole;
    // Keys are unique (no two HOLEs share a start): the new key splits the tree at `top`.
    if (this.compare(size, address, top) < 0) {
      records.setHolePrev(hole, records.holePrev(top));
      records.setHoleNext(hole, top);
      records.setHolePrev(top, NIL);
    } else {
      records.setHoleNext(hole, records.holeNext(top));
      records.setHolePrev(hole, top);
      records.setHoleNext(top, NIL);
    }
  }

  remove(hole: number, size: number): void {
    const records = this.records;
    const address = records.pieceAddress(hole);
    this.splay(size, address);
    if (this.root !== hole) throw invariantBroken(`${this.name}: HOLE record ${hole} (${size} bytes at ${address}) is not in the tree`);
    const left = records.holePrev(hole);
    const right = records.holeNext(hole);
    this.count--;
    if (left === NIL) {
      this.root = right;
      return;
    }
    // The greatest key of the left subtree comes up (it has no right child then) and takes the right subtree.
    this.root = left;
    this.splay(size, address);
    records.setHoleNext(this.root, right);
  }

  /**
   * A merge grew `hole` from `oldSize`, maybe moving its start down over the pieces it took in. It is
   * found under its old size at its new start: no other HOLE lies in the merged run, so that key orders
   * against every other HOLE as its old one did. Then it goes back in under its new key.
   */
  resized(hole: number, oldSize: number, size: number): void {
    this.stale = hole;
    this.staleSize = oldSize;
    this.remove(hole, oldSize);
    this.stale = NIL;
    this.insert(hole, size);
  }

  find(size: number): number {
    if (this.root === NIL) return NIL;
    const records = this.records;
    if (this.addressOrder < 0) {
      // worst-fit: the greatest key is the largest size at its lowest address
      this.splay(Number.POSITIVE_INFINITY, 0);
      return records.pieceSize(this.root) >= size ? this.root : NIL;
    }
    // best-fit: (size, -∞) lies before every HOLE of `size` bytes; the root is now its predecessor or successor
    this.splay(size, Number.NEGATIVE_INFINITY);
    let hole = this.root;
    if (records.pieceSize(hole) >= size) return hole;
    hole = records.holeNext(hole);
    if (hole === NIL) return NIL;
    for (let left = records.holePrev(hole); left !== NIL; left = records.holePrev(hole)) hole = left;
    return hole;
  }

  prepare(): void {}

  reserveSegment(): void {}

  segmentAdded(_index: number): void {}

  reset(): void {
    this.root = NIL;
    this.count = 0;
  }

  /**
   * In key order (an explicit stack: a splay tree may be as deep as it has nodes). A link below NIL is no
   * child: the left link doubles as the piece's type, and a node made a PROCESS behind the lookup's back
   * must still be visited, for checkInvariants to name it.
   */
  forEachHole(visit: (hole: number) => void): void {
    const records = this.records;
    const stack: number[] = [];
    let seen = 0;
    let node = this.root;
    while (node >= 0 || stack.length > 0) {
      while (node >= 0) {
        if (stack.length > this.count) throw invariantBroken(`${this.name}: the tree has a cycle`);
        stack.push(node);
        node = records.holePrev(node);
      }
      node = stack.pop() ?? NIL;
      if (++seen > this.count) throw invariantBroken(`${this.name}: the tree holds more than its ${this.count} HOLEs, or has a cycle`);
      visit(node);
      node = records.holeNext(node);
    }
  }

  /** Every node is a HOLE, the keys strictly increase in order, and the tree holds as many HOLEs as it counted. */
  check(): void {
    const records = this.records;
    let previous = NIL;
    let seen = 0;
    this.forEachHole((hole) => {
      seen++;
      if (!records.isHole(hole)) throw invariantBroken(`${this.name}: the tree holds record ${hole}, which is no HOLE`);
      if (previous !== NIL && this.compare(records.pieceSize(previous), records.pieceAddress(previous), hole) >= 0)
        throw invariantBroken(`${this.name}: HOLE record ${hole} is out of order after record ${previous}`);
      previous = hole;
    });
    if (seen !== this.count) throw invariantBroken(`${this.name}: the tree holds ${seen} HOLEs, its count says ${this.count}`);
  }
}
