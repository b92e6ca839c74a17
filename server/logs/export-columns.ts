// One run's export, accumulated in typed-array columns instead of an object per point (scalars, histogram
// buckets, image sizes), with the same step-rewind rules as the server (rewind.ts), and written out as JSON
// text (UTF-8 bytes, export-bytes.ts). Pure: records in, bytes out; export-stream.ts does the I/O.
import type { ExportDocument } from '../../shared/types.ts';
import { dict } from '../../shared/dict.ts';
import { stringifyExact } from '../../shared/exact-int.ts';
import type { LogRecord } from './records.ts';
import type { PackedRecords } from './packed-records.ts';
import { addPluginRecord } from './export-plugins.ts';
import { isRestart } from './rewind.ts';
import { BucketHeads, ByteOut, NUMBER_ROOM } from './export-bytes.ts';

type RunDoc = ExportDocument['runs'][string];

/**
 * Column arrays of runs already written, kept for the next run of the same export: a worker exporting run
 * after run then does not allocate (page-fault, and collect for) its ~60 MB of columns again each time.
 * Bounded; belongs to one export and goes with it.
 */
export class ColumnPool {
  private readonly spare = new Map<number, Float64Array[]>();
  private bytes = 0;
  constructor(private readonly maxBytes = 96 << 20) {}

  take(len: number): Float64Array {
    const a = this.spare.get(len)?.pop();
    if (!a) return new Float64Array(len);
    this.bytes -= a.byteLength;
    return a;
  }

  /** The largest spare of at least `len` values (a histogram's buckets: the last run's size is a fair guess). */
  takeLargest(len: number): Float64Array {
    let best = 0;
    for (const [n, l] of this.spare) if (n >= len && n > best && l.length > 0) best = n;
    return this.take(best || len);
  }

  give(a: Float64Array): void {
    if (a.length < 4096 || this.bytes + a.byteLength > this.maxBytes) return;
    let l = this.spare.get(a.length);
    if (!l) this.spare.set(a.length, (l = []));
    l.push(a);
    this.bytes += a.byteLength;
  }
}

/** Growable f64 column (lengths are powers of two, so a pool's spares fit again). */
class Col {
  a: Float64Array = new Float64Array(16);
  n = 0;
  /** `greedy`: grows straight to the pool's largest spare (histogram buckets, millions of values a run). */
  constructor(
    private readonly pool: ColumnPool | undefined,
    private readonly greedy = false,
  ) {}
  push(v: number): void {
    if (this.n === this.a.length) this.reserve(this.n + 1);
    this.a[this.n++] = v;
  }
  /** Grows the column (doubling) to hold at least `n` values. */
  reserve(n: number): void {
    if (n <= this.a.length) return;
    let len = this.a.length * 2;
    while (len < n) len *= 2;
    const b = !this.pool ? new Float64Array(len) : this.greedy ? this.pool.takeLargest(len) : this.pool.take(len);
    b.set(this.a.subarray(0, this.n));
    // A greedy column's outgrown arrays would sit in the pool unused (it asks for the largest next time).
    if (!this.greedy) this.pool?.give(this.a);
    this.a = b;
  }
  release(): void {
    this.pool?.give(this.a);
    this.a = new Float64Array(0);
    this.n = 0;
  }
}

/**
 * A series in step order: step, sample and wall time per point, `width` payload numbers per point, and for
 * histograms a flat column of bucket numbers (3 per bucket) addressed by each point's start offset.
 */
export class ColumnSeries {
  readonly steps: Col;
  readonly samples: Col;
  readonly walls: Col;
  readonly payload: Col;
  /** Histograms: start of each point's buckets in `flat` (the next point's start ends it). */
  readonly starts: Col;
  readonly flat: Col;
  /** Exact decimal of unsafe int64 steps, by point index (rare). */
  readonly exact = new Map<number, string>();

  constructor(
    readonly width: number,
    pool?: ColumnPool,
  ) {
    this.steps = new Col(pool);
    this.samples = new Col(pool);
    this.walls = new Col(pool);
    this.payload = new Col(pool);
    this.starts = new Col(pool);
    this.flat = new Col(pool, true);
  }

  /** Gives the columns back to the pool (the series is empty afterwards). */
  release(): void {
    for (const c of [this.steps, this.samples, this.walls, this.payload, this.starts, this.flat]) c.release();
    this.exact.clear();
  }

  get length(): number {
    return this.steps.n;
  }

  /** The server's rule: a step at or before the newest drops every point at or past it, then is added. */
  push(step: number, sample: number, wall: number, exact: string | undefined): number {
    const n = this.steps.n;
    if (n > 0) {
      const last = this.steps.a[n - 1];
      if (step < last || (step === last && sample <= this.samples.a[n - 1])) this.truncateFrom(step);
    }
    const i = this.steps.n;
    this.steps.push(step);
    this.samples.push(sample);
    this.walls.push(wall);
    this.starts.push(this.flat.n);
    if (exact !== undefined && !Number.isSafeInteger(step)) this.exact.set(i, exact);
    return i;
  }

  /** Drops every point at or past `step`. */
  truncateFrom(step: number): void {
    const n = this.steps.n;
    let keep = n;
    while (keep > 0 && this.steps.a[keep - 1] >= step) keep--;
    if (keep === n) return;
    // The first cut point's start is where the kept buckets end.
    this.flat.n = this.starts.a[keep];
    this.steps.n = this.samples.n = this.walls.n = this.starts.n = keep;
    this.payload.n = keep * this.width;
    for (const k of this.exact.keys()) if (k >= keep) this.exact.delete(k);
  }
}

/** A histogram's buckets `[[lo,hi,count],...]]` (closing its point too), from `flat[start..end)`. */
function writeBuckets(out: ByteOut, heads: BucketHeads, flat: Float64Array, start: number, end: number): void {
  out.byte(91);
  for (let j = start; j < end; j += 3) {
    out.room(3 * NUMBER_ROOM + 8);
    if (j > start) out.byte(44);
    heads.write(out, flat[j], flat[j + 1]);
    out.num(flat[j + 2]);
    out.byte(93);
  }
  out.room(2);
  out.byte(93);
  out.byte(93);
}

/** One run's records, accumulated for export. */
export class RunExport {
  /** Everything but the three big sections, in the key order the document has always had. */
  readonly doc: RunDoc = { scalars: dict(), histograms: dict(), images: dict(), graphs: [], tensors: dict(), warnings: [] };
  readonly scalars = new Map<string, ColumnSeries>();
  readonly histograms = new Map<string, ColumnSeries>();
  readonly images = new Map<string, ColumnSeries>();

  /** `pool`: where the columns come from and go back to (release()) when one export writes many runs. */
  constructor(private readonly pool?: ColumnPool) {}

  /** Gives every column back to the pool; the run is empty afterwards. */
  release(): void {
    for (const m of [this.scalars, this.histograms, this.images]) {
      for (const s of m.values()) s.release();
      m.clear();
    }
  }

  private series(m: Map<string, ColumnSeries>, tag: string, width: number): ColumnSeries {
    let s = m.get(tag);
    if (!s) m.set(tag, (s = new ColumnSeries(width, this.pool)));
    return s;
  }

  add(records: readonly LogRecord[]): void {
    for (const r of records) {
      addPluginRecord(this.doc, r);
      switch (r.kind) {
        case 'scalar': {
          const s = this.series(this.scalars, r.tag, 1);
          s.push(r.step, 0, r.wallTime, r.stepExact);
          s.payload.push(r.value);
          break;
        }
        case 'histogram': {
          const s = this.series(this.histograms, r.tag, 0);
          s.push(r.step, 0, r.wallTime, r.stepExact);
          const bs = r.buckets;
          const flat = s.flat;
          flat.reserve(flat.n + 3 * bs.length);
          const a = flat.a;
          let p = flat.n;
          for (let k = 0; k < bs.length; k++) {
            const b = bs[k];
            a[p] = b[0];
            a[p + 1] = b[1];
            a[p + 2] = b[2];
            p += 3;
          }
          flat.n = p;
          break;
        }
        case 'image': {
          const s = this.series(this.images, r.tag, 2);
          s.push(r.step, r.sample, r.wallTime, r.stepExact);
          s.payload.push(r.width);
          s.payload.push(r.height);
          break;
        }
        case 'graph':
          this.doc.graphs.push({ kind: r.graph.kind, step: r.graph.step, nodes: r.graph.nodes.length });
          break;
        case 'tensor':
          this.countTensor(r.tag, r.plugin);
          break;
        // Text and hparams have no section of their own: listed with the tensors so no tag is lost.
        case 'text':
          this.countTensor(r.tag, 'text');
          break;
        case 'hparams':
          this.countTensor(r.tag, 'hparams');
          break;
        case 'meta':
          if (isRestart(r)) for (const m of [this.scalars, this.histograms, this.images]) for (const s of m.values()) s.truncateFrom(r.step);
          break;
      }
    }
  }

  /**
   * Adds records packed as the decoder read them (packed-records.ts): plain scalars and histograms come as
   * columns and go into the series' columns without ever being objects; the rest, in order, through add().
   */
  addPacked(p: PackedRecords): void {
    for (const seg of p.segments) {
      if (seg.kind === 'records') {
        this.add(seg.records);
        continue;
      }
      const byTag: (ColumnSeries | undefined)[] = [];
      const { type, tag, step, wallTime, value, edges, counts } = seg;
      let e = 0;
      let c = 0;
      for (let k = 0; k < type.length; k++) {
        const hist = type[k] !== 0;
        const s = (byTag[tag[k] * 2 + (hist ? 1 : 0)] ??= this.series(hist ? this.histograms : this.scalars, seg.tags[tag[k]], hist ? 0 : 1));
        s.push(step[k], 0, wallTime[k], undefined);
        if (!hist) {
          s.payload.push(value[k]);
          continue;
        }
        const n = value[k];
        const flat = s.flat;
        flat.reserve(flat.n + 3 * n);
        const a = flat.a;
        let q = flat.n;
        for (let j = 0; j < n; j++) {
          a[q] = edges[e + j];
          a[q + 1] = edges[e + j + 1];
          a[q + 2] = counts[c + j];
          q += 3;
        }
        flat.n = q;
        if (n > 0) e += n + 1;
        c += n;
      }
    }
  }

  private countTensor(tag: string, plugin: string): void {
    const t = (this.doc.tensors[tag] ??= { plugin, count: 0 });
    t.count++;
  }

  /**
   * Writes the run's JSON object to `out`, in the same order and form as exportToJson(buildExport(...))
   * writes it; yields whenever `out` has handed on a chunk, so the caller can write it out and wait.
   */
  *writeJson(out: ByteOut): Generator<void> {
    let handed = out.handed;
    out.room(1);
    out.byte(123); // {
    let firstKey = true;
    for (const key of Object.keys(this.doc) as (keyof RunDoc)[]) {
      if (this.doc[key] === undefined) continue;
      out.text(`${firstKey ? '' : ','}${JSON.stringify(key)}:`);
      firstKey = false;
      const big = key === 'scalars' ? this.scalars : key === 'histograms' ? this.histograms : key === 'images' ? this.images : null;
      if (!big) {
        out.text(stringifyExact(this.doc[key]));
        if (out.handed !== handed) {
          handed = out.handed;
          yield;
        }
        continue;
      }
      out.room(1);
      out.byte(123);
      // A null-prototype object orders its keys (integer-like tags first) as the document always did.
      const order = dict<true>();
      for (const tag of big.keys()) order[tag] = true;
      let firstTag = true;
      const heads = new BucketHeads();
      for (const tag of Object.keys(order)) {
        const s = big.get(tag)!;
        out.text(`${firstTag ? '' : ','}${JSON.stringify(tag)}:[`);
        firstTag = false;
        const walls = s.walls.a;
        const steps = s.steps.a;
        const payload = s.payload.a;
        const flat = s.flat.a;
        const starts = s.starts.a;
        const exact = s.exact.size > 0 ? s.exact : null;
        for (let i = 0; i < s.length; i++) {
          out.room(4 * NUMBER_ROOM + 8);
          if (i > 0) out.byte(44);
          out.byte(91);
          out.num(walls[i]);
          out.byte(44);
          const ex = exact?.get(i);
          if (ex !== undefined) out.ascii(ex);
          else out.num(steps[i]);
          out.byte(44);
          if (key === 'scalars') {
            out.num(payload[i]);
            out.byte(93);
          } else if (key === 'images') {
            out.num(payload[2 * i]);
            out.byte(44);
            out.num(payload[2 * i + 1]);
            out.byte(93);
          } else {
            const start = starts[i];
            const end = i + 1 < s.length ? starts[i + 1] : s.flat.n;
            writeBuckets(out, heads, flat, start, end);
          }
          if (out.handed !== handed) {
            handed = out.handed;
            yield;
          }
        }
        out.room(1);
        out.byte(93);
      }
      out.room(1);
      out.byte(125);
    }
    out.room(1);
    out.byte(125);
  }
}
