// One run's export, accumulated in typed-array columns instead of an object per point (scalars, histogram
// buckets, image sizes), with the same step-rewind rules as the server (rewind.ts), and written out as JSON
// text in slices. Pure: records in, strings out; export-stream.ts does the I/O.
import type { ExportDocument } from '../../shared/types.ts';
import { dict } from '../../shared/dict.ts';
import { stringifyExact } from '../../shared/exact-int.ts';
import type { LogRecord } from './records.ts';
import { addPluginRecord } from './export-plugins.ts';
import { isRestart } from './rewind.ts';

type RunDoc = ExportDocument['runs'][string];

/** Growable f64 column. */
class Col {
  a = new Float64Array(16);
  n = 0;
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
}

/**
 * A series in step order: step, sample and wall time per point, `width` payload numbers per point, and for
 * histograms a flat column of bucket numbers (3 per bucket) addressed by each point's start offset.
 */
export class ColumnSeries {
  readonly steps = new Col();
  readonly samples = new Col();
  readonly walls = new Col();
  readonly payload = new Col();
  /** Histograms: start of each point's buckets in `flat` (the next point's start ends it). */
  readonly starts = new Col();
  readonly flat = new Col();
  /** Exact decimal of unsafe int64 steps, by point index (rare). */
  readonly exact = new Map<number, string>();

  constructor(readonly width: number) {}

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

  stepText(i: number): string {
    return this.exact.get(i) ?? num(this.steps.a[i]);
  }
}

/** A number as JSON text, NaN and ±Infinity as strings (as stringifyExact writes them). */
export function num(v: number): string {
  return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? '"NaN"' : v > 0 ? '"Infinity"' : '"-Infinity"';
}

/**
 * num() with its answers kept: a series' histograms share their bucket edges (TensorFlow's default
 * ladder), and turning the same doubles into text again and again was most of an export's time.
 * Bounded: forgets everything when full.
 */
export class NumberTexts {
  private readonly seen = new Map<number, string>();
  constructor(private readonly max = 8192) {}

  text(v: number): string {
    let t = this.seen.get(v);
    if (t === undefined) {
      t = num(v);
      if (this.seen.size >= this.max) this.seen.clear();
      this.seen.set(v, t);
    }
    return t;
  }
}

/** One run's records, accumulated for export. */
export class RunExport {
  /** Everything but the three big sections, in the key order the document has always had. */
  readonly doc: RunDoc = { scalars: dict(), histograms: dict(), images: dict(), graphs: [], tensors: dict(), warnings: [] };
  readonly scalars = new Map<string, ColumnSeries>();
  readonly histograms = new Map<string, ColumnSeries>();
  readonly images = new Map<string, ColumnSeries>();

  private series(m: Map<string, ColumnSeries>, tag: string, width: number): ColumnSeries {
    let s = m.get(tag);
    if (!s) m.set(tag, (s = new ColumnSeries(width)));
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
          for (const b of r.buckets) {
            s.flat.push(b[0]);
            s.flat.push(b[1]);
            s.flat.push(b[2]);
          }
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

  private countTensor(tag: string, plugin: string): void {
    const t = (this.doc.tensors[tag] ??= { plugin, count: 0 });
    t.count++;
  }

  /**
   * The run's JSON object as text slices of about `sliceChars` characters, in the same order and form as
   * exportToJson(buildExport(...)) writes it.
   */
  *json(sliceChars = 64 << 10): Generator<string> {
    let buf = '{';
    let firstKey = true;
    for (const key of Object.keys(this.doc) as (keyof RunDoc)[]) {
      if (this.doc[key] === undefined) continue;
      buf += `${firstKey ? '' : ','}${JSON.stringify(key)}:`;
      firstKey = false;
      const big = key === 'scalars' ? this.scalars : key === 'histograms' ? this.histograms : key === 'images' ? this.images : null;
      if (!big) {
        buf += stringifyExact(this.doc[key]);
        continue;
      }
      buf += '{';
      // A null-prototype object orders its keys (integer-like tags first) as the document always did.
      const order = dict<true>();
      for (const tag of big.keys()) order[tag] = true;
      let firstTag = true;
      const edges = new NumberTexts();
      for (const tag of Object.keys(order)) {
        const s = big.get(tag)!;
        buf += `${firstTag ? '' : ','}${JSON.stringify(tag)}:[`;
        firstTag = false;
        for (let i = 0; i < s.length; i++) {
          if (i > 0) buf += ',';
          buf += `[${num(s.walls.a[i])},${s.stepText(i)},`;
          if (key === 'scalars') buf += `${num(s.payload.a[i])}]`;
          else if (key === 'images') buf += `${num(s.payload.a[2 * i])},${num(s.payload.a[2 * i + 1])}]`;
          else {
            const end = i + 1 < s.length ? s.starts.a[i + 1] : s.flat.n;
            buf += '[';
            for (let j = s.starts.a[i]; j < end; j += 3) {
              if (j > s.starts.a[i]) buf += ',';
              buf += `[${edges.text(s.flat.a[j])},${edges.text(s.flat.a[j + 1])},${num(s.flat.a[j + 2])}]`;
            }
            buf += ']]';
          }
          if (buf.length >= sliceChars) {
            yield buf;
            buf = '';
          }
        }
        buf += ']';
      }
      buf += '}';
    }
    yield `${buf}}`;
  }
}
