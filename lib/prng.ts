/**
 * A small seeded pseudo-random generator (mulberry32) for randomized tests, scenario generators and
 * benchmarks: the same seed gives the same sequence on every machine.
 */
import { parseDecimalInteger } from "./integers.ts";

export class Prng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A seed from the environment variable `name` if set (to rerun a failure), else from the clock. */
  static seedFrom(name: string): number {
    const given = parseDecimalInteger(process.env[name] ?? "");
    return given !== undefined ? given >>> 0 : (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0;
  }
}
