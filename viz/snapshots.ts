/**
 * What `mems viz` draws, recorded in one replay per lookup (trace/runner.ts's `replay` with an
 * `afterOp` hook; only Mems's public API is read): the chains at chosen operations, and live, mapped and
 * HOLE bytes over the operations.
 *
 * Operation N means "after the first N operations". By default the chains are taken at every `s` line
 * (what the scenario's stats print), at the peak of live bytes (found by a replay before, which counts
 * them as it goes) and at the end, just before the final finish; `--at` replaces the `s` lines and the peak.
 * Bytes over time are sampled (about SAMPLES points, fewer when the heap is so large that reading the
 * stats takes long) plus every chosen point and the moment before each finish, so peaks are not missed.
 */
import { type Alignment, Mems, type PieceSnapshot } from "../core/index.ts";
import { Op, type Scenario } from "../trace/format.ts";
import { type LookupChoice, lookupName } from "../trace/lookup-choice.ts";
import { memsOptions, replay } from "../trace/runner.ts";

/** Bytes-over-time samples aimed at per replay. */
export const SAMPLES = 600;
/** Time the samples of one replay may take in all, ms: on a big heap a sample (a walk of the chains) takes ms. */
export const SAMPLING_BUDGET_MS = 1500;
/** `s` lines taken by default; a scenario with more gets the first ones. */
export const DEFAULT_STATS_POINTS = 8;

/** A segment as the page draws it: its pieces packed in typed arrays (a million pieces make no objects). */
export interface SegmentPicture {
  start: number;
  size: number;
  physical: number;
  /** Per piece: 1 for HOLE, 0 for PROCESS. */
  hole: Uint8Array;
  virtual: Float64Array;
  sizes: Float64Array;
  physicals: Float64Array;
}

export interface HeapSnapshot {
  /** Operations done (0: before the first). */
  op: number;
  /** What the point is: "s at line 40", "--at 12", "end". */
  why: string;
  segments: SegmentPicture[];
  mappedBytes: number;
  liveBytes: number;
  pieces: number;
  holes: number;
  /** The stats text, for heaps small enough to read it. */
  statsText?: string;
}

export interface BytesSeries {
  op: number[];
  live: number[];
  mapped: number[];
}

export interface HeapRecording {
  /** The lookup's name. */
  lookup: string;
  file: string;
  ops: number;
  snapshots: HeapSnapshot[];
  series: BytesSeries;
  /** The largest mapped bytes sampled, and where. */
  peak: { op: number; mappedBytes: number };
  /** How the replay ended early, if it did (out of memory): the pictures stop there. */
  error?: string;
}

/** A chosen point: after `op` operations, and why. */
export interface Point {
  op: number;
  why: string;
}

/** Pieces beyond which the stats text is left out of a snapshot. */
const STATS_TEXT_PIECES = 400;

function pictureOf(pieces: readonly PieceSnapshot[], start: number, size: number, physical: number): SegmentPicture {
  const n = pieces.length;
  const picture: SegmentPicture = {
    start,
    size,
    physical,
    hole: new Uint8Array(n),
    virtual: new Float64Array(n),
    sizes: new Float64Array(n),
    physicals: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const piece = pieces[i];
    if (piece === undefined) break;
    picture.hole[i] = piece.type === "HOLE" ? 1 : 0;
    picture.virtual[i] = piece.virtualAddress;
    picture.sizes[i] = piece.size;
    picture.physicals[i] = piece.physicalAddress;
  }
  return picture;
}

/** The chains of `mems` now, packed. */
export function snapshotOf(mems: Mems, op: number, why: string): HeapSnapshot {
  const stats = mems.stats();
  const segments = mems
    .chains()
    .map((segment) => pictureOf(segment.pieces, segment.startVirtualAddress, segment.totalSize, segment.physicalAddress));
  const pieces = stats.liveBlocks + stats.holes;
  const snapshot: HeapSnapshot = {
    op,
    why,
    segments,
    mappedBytes: stats.mappedBytes,
    liveBytes: stats.liveBytes,
    pieces,
    holes: stats.holes,
  };
  if (pieces <= STATS_TEXT_PIECES) snapshot.statsText = mems.formatStats();
  return snapshot;
}

/** The last operation before the trailing finishes: where "the end" is pictured. */
export function endOp(scenario: Scenario): number {
  let end = scenario.count;
  while (end > 0 && scenario.ops[end - 1] === Op.Finish) end--;
  return end;
}

function changesHeap(op: number | undefined): boolean {
  return op === Op.Malloc || op === Op.Free || op === Op.Realloc || op === Op.FreeRaw || op === Op.Finish;
}

/** What a point at the peak of live bytes says (pointed to by the page's titles). */
export const PEAK = "peak of live bytes";
/** What the point at the end says. */
export const END = "end";

/** True when no operation in (from, to] changes the heap: the pictures at `from` and at `to` are the same. */
function sameHeap(scenario: Scenario, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (changesHeap(scenario.ops[i])) return false;
  return true;
}

/**
 * The points to picture: `at` (operations counts) if given, else every `s` line (the first few) and the
 * peak of live bytes (`peakOp`, from `peakLiveOp`); and the end. A point whose heap a later point shows
 * unchanged is that point (the peak of a trace that never frees is its end): sorted, each heap once, its
 * reasons joined ("s at line 40, peak of live bytes").
 */
export function choosePoints(scenario: Scenario, at: readonly number[] | undefined, peakOp?: number): Point[] {
  const points: Point[] = [];
  if (at !== undefined && at.length > 0) {
    for (const op of at) points.push({ op, why: `--at ${op}` });
  } else {
    for (let i = 0; i < scenario.count && points.length < DEFAULT_STATS_POINTS; i++) {
      if (scenario.ops[i] === Op.Stats) points.push({ op: i + 1, why: `s at line ${scenario.lineOf[i]}` });
    }
    if (peakOp !== undefined) points.push({ op: peakOp, why: PEAK });
  }
  const end = endOp(scenario);
  const before = points.filter((point) => point.op <= end);
  const last = before.reduce((max, point) => Math.max(max, point.op), -1);
  if (last < 0 || !sameHeap(scenario, last, end)) points.push({ op: end, why: END });
  const byOp = new Map<number, Point>();
  for (const point of [...points].sort((x, y) => x.op - y.op)) {
    const same = byOp.get(point.op);
    if (same === undefined) byOp.set(point.op, { ...point });
    else if (!same.why.split(", ").includes(point.why)) same.why = `${same.why}, ${point.why}`;
  }
  const sorted = [...byOp.values()];
  // The peak that the next point shows unchanged is that point.
  const peak = sorted.findIndex((point) => point.why === PEAK);
  const atPeak = sorted[peak];
  const next = sorted[peak + 1];
  if (atPeak !== undefined && next !== undefined && sameHeap(scenario, atPeak.op, next.op)) {
    next.why = `${next.why}, ${PEAK}`;
    sorted.splice(peak, 1);
  }
  return sorted;
}

/** The scenario's operation `index` (0-based) as a line of text, as the file has it (IDs, sizes). */
export function operationText(scenario: Scenario, index: number): string {
  const op = scenario.ops[index];
  if (op === undefined) return "";
  const letter = String.fromCharCode(op);
  const id = scenario.slotId[scenario.a[index] ?? -1] ?? scenario.a[index];
  switch (op) {
    case Op.Malloc:
    case Op.Realloc:
      return `${letter} ${id} ${scenario.b[index]}`;
    case Op.Free:
      return (scenario.a[index] ?? -1) < 0 ? "f -1" : `f ${id}`;
    case Op.FreeRaw:
    case Op.PhysicalRaw:
      return `${letter} ${scenario.b[index]}`;
    case Op.Write:
      return `w ${id} ${scenario.b[index]} ${scenario.c[index]}`;
    case Op.Get:
    case Op.Physical:
      return `${letter} ${id} ${scenario.b[index]}`;
    case Op.Virtual:
      return `v ${id}`;
    default:
      return letter;
  }
}

export interface RecordOptions {
  /** Any of core's LOOKUPS, by name (a lookup added there is pictured with no change here), or one written outside the project. */
  lookup: LookupChoice;
  points: readonly Point[];
  /** Used where the scenario has no directive. */
  pageSize?: number;
  startAddress?: number;
  align?: Alignment;
}

/**
 * MeMS that counts its live bytes as blocks come and go, for the replay that finds the peak: `stats()`
 * walks the chains, too slow to read after every operation of a big trace. Sizes are rounded as `malloc`
 * rounds them, so the count is `stats().liveBytes` (the tests hold it to that).
 */
class CountingMems extends Mems {
  live = 0;
  private readonly blockBytes = new Map<number, number>();

  override malloc(size: number): number {
    const v = super.malloc(size);
    const bytes = Math.ceil(size / this.align) * this.align;
    this.blockBytes.set(v, bytes);
    this.live += bytes;
    return v;
  }

  override tryFree(v: number): boolean {
    if (!super.tryFree(v)) return false;
    this.live -= this.blockBytes.get(v) ?? 0;
    this.blockBytes.delete(v);
    return true;
  }

  override finish(): void {
    super.finish();
    this.live = 0;
    this.blockBytes.clear();
  }
}

/**
 * The first operation after which the live bytes are at their most (a replay of its own, with
 * `options.lookup`), and how many; undefined when no block is ever live. A replay that runs out of
 * memory gives the peak before that.
 */
export function peakLiveOp(scenario: Scenario, options: Omit<RecordOptions, "points">): { op: number; liveBytes: number } | undefined {
  const mems = new CountingMems(memsOptions(scenario, options));
  let peak: { op: number; liveBytes: number } | undefined;
  try {
    replay(scenario, {
      mems,
      afterOp: (index) => {
        if (mems.live > (peak?.liveBytes ?? 0)) peak = { op: index + 1, liveBytes: mems.live };
      },
    });
  } catch {
    // Out of memory: the recordings say so; the peak is the one reached before.
  } finally {
    mems.finish();
  }
  return peak;
}

/** Replays `scenario` with `lookup`, picturing the heap at `points` and sampling its bytes. */
export function recordHeap(scenario: Scenario, options: RecordOptions): HeapRecording {
  const mems = new Mems(memsOptions(scenario, options));
  const wanted = new Map(options.points.map((point) => [point.op, point.why]));
  const snapshots: HeapSnapshot[] = [];
  const series: BytesSeries = { op: [0], live: [0], mapped: [0] };
  const peak = { op: 0, mappedBytes: 0 };
  const baseStride = Math.max(1, Math.ceil(scenario.count / SAMPLES));
  let stride = baseStride;
  const sample = (op: number): void => {
    const started = performance.now();
    const stats = mems.stats();
    // Reading the stats walks the chains: on a heap where that takes long, sample less often, so that
    // the samples of the whole replay take about SAMPLING_BUDGET_MS.
    const took = performance.now() - started;
    stride = Math.max(baseStride, Math.ceil((scenario.count * took) / SAMPLING_BUDGET_MS));
    if (series.op[series.op.length - 1] === op) return;
    series.op.push(op);
    series.live.push(stats.liveBytes);
    series.mapped.push(stats.mappedBytes);
    if (stats.mappedBytes > peak.mappedBytes) {
      peak.mappedBytes = stats.mappedBytes;
      peak.op = op;
    }
  };
  const take = (op: number): void => {
    const why = wanted.get(op);
    if (why !== undefined) snapshots.push(snapshotOf(mems, op, why));
  };
  if (wanted.has(0)) take(0);
  const recording: HeapRecording = {
    lookup: lookupName(options.lookup),
    file: scenario.file,
    ops: scenario.count,
    snapshots,
    series,
    peak,
  };
  try {
    replay(scenario, {
      mems,
      afterOp: (index) => {
        const op = index + 1;
        take(op);
        // Before a finish (the next operation, or the replay's own at the end) the heap is at its fullest.
        const beforeFinish = scenario.ops[op] === Op.Finish || op === scenario.count;
        if (op % stride === 0 || beforeFinish || wanted.has(op)) sample(op);
      },
    });
  } catch (error) {
    recording.error = error instanceof Error ? error.message : String(error);
  } finally {
    mems.finish();
  }
  return recording;
}
