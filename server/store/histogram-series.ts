// One histogram series in typed arrays: wall times and per-histogram offsets in columns, every bucket of
// every kept histogram in two flat pools (no [left, right, count] array per bucket). A histogram whose
// buckets touch (each left edge is the previous right edge, as every writer we know produces) keeps its
// n+1 edges instead of 2n; counts go in a Float32 pool when they are exact there (whole numbers below
// 2^24, the usual case), else in the Float64 pool. Reads rebuild the exact numbers stored (Object.is),
// so TensorBoard routes answer what was logged. Sampled by the reservoir rules in reservoir.ts.
import type { Bucket, HistogramTuple } from '../../shared/types.ts';
import { ReservoirCore, type AddResult, type Rng } from './reservoir.ts';

/** Flags per kept histogram. */
const CONTIGUOUS = 1; // edges[off .. off+n] hold n+1 edges; else lefts then rights (2n)
const COUNTS_F32 = 2; // counts in the f32 pool at off32; else in the f64 pool after the edges

const INITIAL_POOL = 256;
/** Pools double while small, then grow by a quarter: slack stays under 25 % of a big series' buckets. */
const BIG_POOL = 1 << 16;

function grown(length: number, need: number): number {
  return Math.max(need, length < BIG_POOL ? length * 2 : Math.ceil(length * 1.25));
}

/** Reused by add() to flatten Bucket[] (single-threaded: one add at a time). */
let scratch = new Float64Array(3 * 1024);

export interface HistItemView {
  wallTime: number;
  buckets: Bucket[];
}

export class HistogramSeries extends ReservoirCore {
  private wall: Float64Array;
  private off64: Uint32Array;
  private off32: Uint32Array;
  private count: Uint32Array;
  private flags: Uint8Array;
  private f64 = new Float64Array(INITIAL_POOL);
  private f32 = new Float32Array(INITIAL_POOL);
  private used64 = 0;
  private used32 = 0;
  /** Pool elements that no kept histogram refers to any more (replaced or evicted). */
  private dead64 = 0;
  private dead32 = 0;

  constructor(capacity: number, rng?: Rng) {
    super(capacity, rng);
    const len = this.steps.length;
    this.wall = new Float64Array(len);
    this.off64 = new Uint32Array(len);
    this.off32 = new Uint32Array(len);
    this.count = new Uint32Array(len);
    this.flags = new Uint8Array(len);
  }

  add(step: number, wallTime: number, buckets: readonly Bucket[]): AddResult {
    const n = buckets.length;
    if (scratch.length < n * 3) scratch = new Float64Array(n * 3 * 2);
    for (let k = 0, b = 0; k < n; k++, b += 3) {
      const bk = buckets[k];
      scratch[b] = bk[0];
      scratch[b + 1] = bk[1];
      scratch[b + 2] = bk[2];
    }
    return this.addFlat(step, wallTime, scratch, 0, n);
  }

  /** add() with the buckets as n [left, right, count] triples in flat[at ..] (as load workers hand them over). */
  addFlat(step: number, wallTime: number, flat: Float64Array, at: number, n: number): AddResult {
    const kept = this.n;
    const res = this.place(step);
    if (!res.accepted) return res;
    const slot = res.slot;
    // A replaced slot (sampling past capacity) frees its buckets; a fresh one (slot === kept) had none.
    if (slot < kept) this.forget(slot);
    this.write(slot, wallTime, flat, at, n);
    return res;
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
      this.off64.byteLength +
      this.off32.byteLength +
      this.count.byteLength +
      this.flags.byteLength +
      this.f64.byteLength +
      this.f32.byteLength
    );
  }

  private bucketsAt(slot: number): Bucket[] {
    const n = this.count[slot];
    const fl = this.flags[slot];
    const e = this.f64;
    const o = this.off64[slot];
    const out: Bucket[] = new Array(n);
    const edgeLen = fl & CONTIGUOUS ? n + 1 : 2 * n;
    const c32 = fl & COUNTS_F32 ? this.off32[slot] : -1;
    const c64 = o + edgeLen;
    for (let k = 0; k < n; k++) {
      const left = e[o + k];
      const right = fl & CONTIGUOUS ? e[o + k + 1] : e[o + n + k];
      out[k] = [left, right, c32 >= 0 ? this.f32[c32 + k] : e[c64 + k]];
    }
    return out;
  }

  private write(slot: number, wallTime: number, src: Float64Array, at: number, n: number): void {
    let contiguous = n > 0;
    let fits32 = true;
    for (let k = 0, b = at; k < n; k++, b += 3) {
      if (k > 0 && contiguous && !Object.is(src[b], src[b - 2])) contiguous = false;
      const c = src[b + 2];
      if (fits32 && !Object.is(Math.fround(c), c)) fits32 = false;
    }
    const edgeLen = contiguous ? n + 1 : 2 * n;
    const need64 = edgeLen + (fits32 ? 0 : n);
    this.ensureRoom(need64, fits32 ? n : 0);
    const o = this.used64;
    this.used64 += need64;
    const e = this.f64;
    if (contiguous) {
      for (let k = 0; k < n; k++) e[o + k] = src[at + 3 * k];
      e[o + n] = src[at + 3 * n - 2];
    } else {
      for (let k = 0; k < n; k++) {
        e[o + k] = src[at + 3 * k];
        e[o + n + k] = src[at + 3 * k + 1];
      }
    }
    let o32 = 0;
    if (fits32) {
      o32 = this.used32;
      this.used32 += n;
      for (let k = 0; k < n; k++) this.f32[o32 + k] = src[at + 3 * k + 2];
    } else {
      for (let k = 0; k < n; k++) e[o + edgeLen + k] = src[at + 3 * k + 2];
    }
    this.wall[slot] = wallTime;
    this.off64[slot] = o;
    this.off32[slot] = o32;
    this.count[slot] = n;
    this.flags[slot] = (contiguous ? CONTIGUOUS : 0) | (fits32 ? COUNTS_F32 : 0);
  }

  /** Pool elements a kept slot uses: [f64, f32]. */
  private extent(slot: number): [number, number] {
    const n = this.count[slot];
    const fl = this.flags[slot];
    const edges = fl & CONTIGUOUS ? (n > 0 ? n + 1 : 0) : 2 * n;
    return fl & COUNTS_F32 ? [edges, n] : [edges + n, 0];
  }

  private forget(slot: number): void {
    const [a, b] = this.extent(slot);
    this.dead64 += a;
    this.dead32 += b;
    this.count[slot] = 0;
    this.flags[slot] = COUNTS_F32;
  }

  /** Make room for `len64` + `len32` more pool elements (compacting or growing); offsets stay valid after. */
  private ensureRoom(len64: number, len32: number): void {
    const short64 = this.used64 + len64 > this.f64.length;
    const short32 = this.used32 + len32 > this.f32.length;
    if (!short64 && !short32) return;
    if ((short64 && this.dead64 * 4 >= this.used64) || (short32 && this.dead32 * 4 >= this.used32)) this.compact();
    if (this.used64 + len64 > this.f64.length) {
      const next = new Float64Array(grown(this.f64.length, this.used64 + len64));
      next.set(this.f64.subarray(0, this.used64));
      this.f64 = next;
    }
    if (this.used32 + len32 > this.f32.length) {
      const next = new Float32Array(grown(this.f32.length, this.used32 + len32));
      next.set(this.f32.subarray(0, this.used32));
      this.f32 = next;
    }
  }

  /** Copy the kept histograms' buckets into fresh pools sized to what is live (drops the dead space). */
  private compact(): void {
    let live64 = 0;
    let live32 = 0;
    for (let s = 0; s < this.n; s++) {
      const [a, b] = this.extent(s);
      live64 += a;
      live32 += b;
    }
    const f64 = new Float64Array(Math.max(INITIAL_POOL, Math.ceil(live64 * 1.25)));
    const f32 = new Float32Array(Math.max(INITIAL_POOL, Math.ceil(live32 * 1.25)));
    let p64 = 0;
    let p32 = 0;
    for (let s = 0; s < this.n; s++) {
      const [a, b] = this.extent(s);
      f64.set(this.f64.subarray(this.off64[s], this.off64[s] + a), p64);
      this.off64[s] = p64;
      p64 += a;
      if (b > 0) {
        f32.set(this.f32.subarray(this.off32[s], this.off32[s] + b), p32);
        this.off32[s] = p32;
        p32 += b;
      }
    }
    this.f64 = f64;
    this.f32 = f32;
    this.used64 = p64;
    this.used32 = p32;
    this.dead64 = 0;
    this.dead32 = 0;
  }

  protected growColumns(length: number): void {
    const grow = <T extends Float64Array | Uint32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const next = make(length);
      next.set(a.subarray(0, this.n) as never);
      return next;
    };
    this.wall = grow(this.wall, (k) => new Float64Array(k));
    this.off64 = grow(this.off64, (k) => new Uint32Array(k));
    this.off32 = grow(this.off32, (k) => new Uint32Array(k));
    this.count = grow(this.count, (k) => new Uint32Array(k));
    this.flags = grow(this.flags, (k) => new Uint8Array(k));
  }

  protected permuteColumns(order: Uint32Array): void {
    const perm = <T extends Float64Array | Uint32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const next = make(a.length);
      for (let i = 0; i < order.length; i++) next[i] = a[order[i]];
      return next;
    };
    this.wall = perm(this.wall, (k) => new Float64Array(k));
    this.off64 = perm(this.off64, (k) => new Uint32Array(k));
    this.off32 = perm(this.off32, (k) => new Uint32Array(k));
    this.count = perm(this.count, (k) => new Uint32Array(k));
    this.flags = perm(this.flags, (k) => new Uint8Array(k));
  }

  protected releaseSlots(from: number, to: number): void {
    for (let s = from; s < to; s++) this.forget(s);
    // Everything evicted: start the pools over (a rewind to the start is common for a restarted job).
    if (from === 0) {
      this.used64 = this.used32 = this.dead64 = this.dead32 = 0;
    }
  }
}
