// One histogram series in typed arrays: per kept histogram a few columns and one block in a byte pool
// (no [left, right, count] array per bucket). Contiguous buckets (each left edge the previous right
// edge, as every writer we know makes them) whose inner edges are a slice of the series' shared edge
// ladder (edge-ladder.ts) keep only their outer two edges; other contiguous ones keep n+1 edges, gapped
// ones 2n. Counts take the narrowest of u8 / u16 / f32 / f64 that holds every one of them exactly.
// Reads rebuild the exact numbers stored (Object.is), so TensorBoard routes answer what was logged.
// A block replaced by sampling is reused in place when the new histogram fits it closely (blocks written
// once the reservoir is full get an eighth of headroom); dead blocks are compacted away. Sampled by the
// reservoir rules in reservoir.ts.
import type { Bucket, HistogramTuple } from '../../shared/types.ts';
import { ladderFind, newLadder } from './edge-ladder.ts';
import { ReservoirCore, type AddResult, type Rng } from './reservoir.ts';

/** Block layout per kept histogram (flags & 3). */
const LADDER = 0; // [first left, last right] f64, then counts; inner edges ladder[at ..]
const CONTIG = 1; // n+1 edges f64, then counts
const SPLIT = 2; // n lefts, n rights f64, then counts
/** Count width (flags >> 2): u8, u16, f32, f64; bytes per count. */
const WIDTH_BYTES = [1, 2, 4, 8];

/**
 * Blocks live in chunks (8-byte words), which double from the first to CHUNK and are never copied to
 * grow: a series' pool grows by adding a chunk. A block bigger than CHUNK gets a chunk of its own.
 */
const FIRST_CHUNK = 64;
const CHUNK = 1 << 13;

/** Reused by add() to flatten Bucket[] (single-threaded: one add at a time). */
let scratchEdges = new Float64Array(2048);
let scratchCounts = new Float64Array(1024);

export interface HistItemView {
  wallTime: number;
  buckets: Bucket[];
}

/** Counts converted by narrowCounts(), in each width's view of one buffer. */
let narrow = new Float64Array(1024);
let narrowU8 = new Uint8Array(narrow.buffer);
let narrowU16 = new Uint16Array(narrow.buffer);
let narrowF32 = new Float32Array(narrow.buffer);

/** Whether conversion to the view's type kept c exactly (-0 does not survive an integer type). */
const kept = (x: number, c: number): boolean => x === c && (c !== 0 || 1 / c > 0);

/**
 * Converts counts[at .. at+n) to the narrowest of u8 / u16 / f32 / f64 holding each exactly, into
 * `narrow`'s buffer; returns the width code. One pass in the usual case (whole counts under 256).
 */
function narrowCounts(counts: Float64Array, at: number, n: number): number {
  if (narrow.length < n) {
    narrow = new Float64Array(2 * n);
    narrowU8 = new Uint8Array(narrow.buffer);
    narrowU16 = new Uint16Array(narrow.buffer);
    narrowF32 = new Float32Array(narrow.buffer);
  }
  const u8 = narrowU8;
  let k = 0;
  for (; k < n; k++) {
    const c = counts[at + k];
    u8[k] = c;
    if (!kept(u8[k], c)) break;
  }
  if (k === n) return 0;
  const u16 = narrowU16;
  for (k = 0; k < n; k++) {
    const c = counts[at + k];
    u16[k] = c;
    if (!kept(u16[k], c)) break;
  }
  if (k === n) return 1;
  const f32 = narrowF32;
  for (k = 0; k < n; k++) {
    const c = counts[at + k];
    f32[k] = c;
    if (!Object.is(f32[k], c)) break;
  }
  if (k === n) return 2;
  narrow.set(counts.subarray(at, at + n));
  return 3;
}

/** The n counts of width code w at byte offset `at` of a buffer. */
function countView(b: ArrayBufferLike, w: number, at: number, n: number): Uint8Array | Uint16Array | Float32Array | Float64Array {
  return w === 0 ? new Uint8Array(b, at, n) : w === 1 ? new Uint16Array(b, at, n) : w === 2 ? new Float32Array(b, at, n) : new Float64Array(b, at, n);
}

export class HistogramSeries extends ReservoirCore {
  private wall: Float64Array;
  /** Ladder index of the inner edges (LADDER blocks). */
  private at: Uint32Array;
  private count: Uint32Array;
  /** Block offset and capacity in 8-byte words. */
  private off: Uint32Array;
  private cap: Uint32Array;
  private flags: Uint8Array;
  /** Chunk of each kept histogram's block. */
  private chunk: Uint32Array;
  /** The block pool (narrower counts through views of a chunk's buffer, made when needed). */
  private chunks: Float64Array[] = [];
  /** Words used of the last chunk, and the next chunk's size. */
  private used = 0;
  private nextChunk = FIRST_CHUNK;
  /** Words of all chunks, and of the blocks that kept histograms hold (the rest, but the last chunk's free end, is dead). */
  private total = 0;
  private live = 0;
  private readonly ladder = newLadder();

  constructor(capacity: number, rng?: Rng) {
    super(capacity, rng);
    const len = this.steps.length;
    this.wall = new Float64Array(len);
    this.at = new Uint32Array(len);
    this.count = new Uint32Array(len);
    this.off = new Uint32Array(len);
    this.cap = new Uint32Array(len);
    this.flags = new Uint8Array(len);
    this.chunk = new Uint32Array(len);
  }

  add(step: number, wallTime: number, buckets: readonly Bucket[]): AddResult {
    const n = buckets.length;
    if (scratchEdges.length < 2 * n) scratchEdges = new Float64Array(4 * n);
    if (scratchCounts.length < n) scratchCounts = new Float64Array(2 * n);
    let contiguous = true;
    for (let k = 1; k < n; k++) {
      if (!Object.is(buckets[k][0], buckets[k - 1][1])) {
        contiguous = false;
        break;
      }
    }
    for (let k = 0; k < n; k++) {
      const b = buckets[k];
      scratchEdges[k] = b[0];
      if (!contiguous) scratchEdges[n + k] = b[1];
      scratchCounts[k] = b[2];
    }
    if (contiguous && n > 0) scratchEdges[n] = buckets[n - 1][1];
    return this.put(step, wallTime, n, contiguous, scratchEdges, 0, scratchCounts, 0);
  }

  /** add() for n contiguous buckets given as n+1 edges at edges[eAt ..] and n counts at counts[cAt ..] (load workers' columns). */
  addContiguous(step: number, wallTime: number, n: number, edges: Float64Array, eAt: number, counts: Float64Array, cAt: number): AddResult {
    return this.put(step, wallTime, n, true, edges, eAt, counts, cAt);
  }

  /** [wallTime, step, buckets] in step order; only step > afterStep when given. */
  tuples(afterStep?: number): HistogramTuple[] {
    const start = this.startAfter(afterStep);
    const out: HistogramTuple[] = new Array(this.n - start);
    for (let i = start; i < this.n; i++) out[i - start] = [this.wall[i], this.steps[i], this.bucketsAt(i)];
    return out;
  }

  /** The histogram in a slot (as returned by add, valid until the next read in step order). */
  tupleAt(slot: number): HistogramTuple | undefined {
    return slot >= 0 && slot < this.n ? [this.wall[slot], this.steps[slot], this.bucketsAt(slot)] : undefined;
  }

  /** The i-th kept histogram in step order, built on read (for readers walking the series in place). */
  orderedItem(i: number): HistItemView | undefined {
    this.ensureOrdered();
    return i >= 0 && i < this.n ? { wallTime: this.wall[i], buckets: this.bucketsAt(i) } : undefined;
  }
  orderedWallTime(i: number): number {
    this.ensureOrdered();
    return i >= 0 && i < this.n ? this.wall[i] : NaN;
  }
  orderedBucketCount(i: number): number {
    this.ensureOrdered();
    return i >= 0 && i < this.n ? this.count[i] : 0;
  }

  /** Bytes held by this series' arrays (capacity, not just what is used). */
  get bytes(): number {
    return (
      this.steps.byteLength +
      this.wall.byteLength +
      this.at.byteLength +
      this.count.byteLength +
      this.off.byteLength +
      this.cap.byteLength +
      this.flags.byteLength +
      this.chunk.byteLength +
      this.total * 8 +
      this.ladder.v.byteLength
    );
  }

  private bucketsAt(slot: number): Bucket[] {
    const n = this.count[slot];
    const out: Bucket[] = new Array(n);
    if (n === 0) return out;
    const fl = this.flags[slot];
    const mode = fl & 3;
    const w = fl >> 2;
    const o = this.off[slot];
    const e = this.chunks[this.chunk[slot]];
    const c = (o + (mode === LADDER ? 2 : mode === CONTIG ? n + 1 : 2 * n)) * 8;
    const counts = countView(e.buffer, w, e.byteOffset + c, n);
    if (mode === LADDER) {
      const lad = this.ladder.v;
      const a = this.at[slot];
      let left = e[o];
      for (let k = 0; k < n; k++) {
        const right = k === n - 1 ? e[o + 1] : lad[a + k];
        out[k] = [left, right, counts[k]];
        left = right;
      }
    } else if (mode === CONTIG) {
      for (let k = 0; k < n; k++) out[k] = [e[o + k], e[o + k + 1], counts[k]];
    } else {
      for (let k = 0; k < n; k++) out[k] = [e[o + k], e[o + n + k], counts[k]];
    }
    return out;
  }

  private put(step: number, wallTime: number, n: number, contiguous: boolean, edges: Float64Array, eAt: number, counts: Float64Array, cAt: number): AddResult {
    const kept = this.n;
    const res = this.place(step);
    if (!res.accepted) return res;
    const slot = res.slot;
    let mode = SPLIT;
    let at = 0;
    if (contiguous && n > 0) {
      at = ladderFind(this.ladder, edges, eAt + 1, n - 1);
      if (at >= 0) {
        mode = LADDER;
        if (this.ladder.shifted > 0) this.shiftLadderRefs(this.ladder.shifted);
      } else {
        mode = CONTIG;
        at = 0;
      }
    }
    const w = narrowCounts(counts, cAt, n);
    const edgeWords = n === 0 ? 0 : mode === LADDER ? 2 : mode === CONTIG ? n + 1 : 2 * n;
    const need = edgeWords + Math.ceil((n * WIDTH_BYTES[w]) / 8);
    // A replaced slot (sampling past capacity) reuses its block if big enough and not much bigger (caps
    // must not ratchet up to the biggest histogram ever seen); a fresh one (slot === kept) has none.
    const cap0 = this.cap[slot];
    if (!(slot < kept && cap0 >= need && cap0 <= need + (need >> 2) + 2)) {
      if (slot < kept) this.forget(slot);
      const cap = need + (kept >= this.capacity ? need >> 3 : 0);
      this.alloc(cap);
      this.chunk[slot] = this.chunks.length - 1;
      this.off[slot] = this.used - cap;
      this.cap[slot] = cap;
      this.live += cap;
    }
    const o = this.off[slot];
    const e = this.chunks[this.chunk[slot]];
    if (mode === LADDER) {
      e[o] = edges[eAt];
      e[o + 1] = edges[eAt + n];
    } else if (mode === CONTIG) {
      e.set(edges.subarray(eAt, eAt + n + 1), o);
    } else if (n > 0) {
      e.set(edges.subarray(eAt, eAt + 2 * n), o);
    }
    const bytes = n * WIDTH_BYTES[w];
    // (byteOffset: a chunk may be a view into a bigger buffer, e.g. as a store snapshot reads it back)
    if (n > 0) new Uint8Array(e.buffer, e.byteOffset + (o + edgeWords) * 8, bytes).set(narrowU8.subarray(0, bytes));
    this.wall[slot] = wallTime;
    this.at[slot] = at;
    this.count[slot] = n;
    this.flags[slot] = mode | (w << 2);
    return res;
  }

  /** The ladder grew below its first entry: LADDER blocks' indexes move up. */
  private shiftLadderRefs(by: number): void {
    for (let s = 0; s < this.n; s++) if ((this.flags[s] & 3) === LADDER) this.at[s] += by;
  }

  private forget(slot: number): void {
    this.live -= this.cap[slot];
    this.cap[slot] = 0;
    this.count[slot] = 0;
    this.flags[slot] = SPLIT;
  }

  /** Room for a block of `words` words at the end of the last chunk (compacting or adding a chunk first). */
  private alloc(words: number): void {
    const last = this.chunks.length - 1;
    if (last < 0 || this.used + words > this.chunks[last].length) {
      const held = this.total - (last < 0 ? 0 : this.chunks[last].length - this.used);
      if ((held - this.live) * 4 > held) this.compact();
      const l = this.chunks.length - 1;
      if (l < 0 || this.used + words > this.chunks[l].length) {
        const size = Math.max(words, this.nextChunk);
        this.nextChunk = Math.min(CHUNK, this.nextChunk * 2);
        this.chunks.push(new Float64Array(size));
        this.total += size;
        this.used = 0;
      }
    }
    this.used += words;
  }

  /** Copy the kept histograms' blocks into fresh chunks sized to what is live (drops the dead space). */
  private compact(): void {
    const old = this.chunks;
    this.chunks = [];
    this.total = this.used = 0;
    this.nextChunk = Math.min(CHUNK, Math.max(FIRST_CHUNK, Math.ceil(this.live * 1.25)));
    for (let s = 0; s < this.n; s++) {
      const c = this.cap[s];
      if (c === 0) continue;
      this.alloc(c);
      const from = old[this.chunk[s]];
      this.chunks[this.chunks.length - 1].set(from.subarray(this.off[s], this.off[s] + c), this.used - c);
      this.chunk[s] = this.chunks.length - 1;
      this.off[s] = this.used - c;
    }
  }

  protected growColumns(length: number): void {
    const grow = <T extends Float64Array | Uint32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const next = make(length);
      next.set(a.subarray(0, this.n) as never);
      return next;
    };
    this.wall = grow(this.wall, (k) => new Float64Array(k));
    this.at = grow(this.at, (k) => new Uint32Array(k));
    this.count = grow(this.count, (k) => new Uint32Array(k));
    this.off = grow(this.off, (k) => new Uint32Array(k));
    this.cap = grow(this.cap, (k) => new Uint32Array(k));
    this.flags = grow(this.flags, (k) => new Uint8Array(k));
    this.chunk = grow(this.chunk, (k) => new Uint32Array(k));
  }

  protected permuteColumns(order: Uint32Array): void {
    const perm = <T extends Float64Array | Uint32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const next = make(a.length);
      for (let i = 0; i < order.length; i++) next[i] = a[order[i]];
      return next;
    };
    this.wall = perm(this.wall, (k) => new Float64Array(k));
    this.at = perm(this.at, (k) => new Uint32Array(k));
    this.count = perm(this.count, (k) => new Uint32Array(k));
    this.off = perm(this.off, (k) => new Uint32Array(k));
    this.cap = perm(this.cap, (k) => new Uint32Array(k));
    this.flags = perm(this.flags, (k) => new Uint8Array(k));
    this.chunk = perm(this.chunk, (k) => new Uint32Array(k));
  }

  protected releaseSlots(from: number, to: number): void {
    for (let s = from; s < to; s++) this.forget(s);
    // Everything evicted: start the pool and the ladder over (a rewind to the start is common for a restarted job).
    if (from === 0) {
      this.chunks = [];
      this.used = this.live = this.total = 0;
      this.nextChunk = FIRST_CHUNK;
      this.ladder.v = new Float64Array(0);
    }
  }
}
