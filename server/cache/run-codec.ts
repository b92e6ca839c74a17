// A run's data in the store (RunData and the series classes under it) to bytes and back, for the log
// cache: the objects are walked once, each instance of a known store class is written as its fields with
// the class's name, and the whole goes through v8 serialization (typed arrays are copied as they are, so a
// run's columns cost a memcpy each way). Histogram series, the bulk of a big run, go in blobs of their own,
// read back only when something touches them (decodeRun's loadSeries). Pure: no I/O.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { HistogramSeries } from '../store/histogram-series.ts';
import { ImageSeries } from '../store/image-series.ts';
import { PluginSeries } from '../store/plugin-series.ts';
import { Reservoir, ReservoirCore, type Rng } from '../store/reservoir.ts';
import { RunData, type Entry } from '../store/run-data.ts';
import { ScalarSeries } from '../store/scalar-series.ts';

/** Every class a run's data holds instances of (a class not listed here stops the snapshot with an error). */
const CLASSES: Record<string, { prototype: object }> = { RunData, ScalarSeries, HistogramSeries, ImageSeries, Reservoir, PluginSeries };
const NAME_OF = new Map<object, string>(Object.entries(CLASSES).map(([name, c]) => [c.prototype, name]));
/** Fields holding the sampler (a function) are written as this marker; user data never holds a String object. */
const RNG = 'rng';

/** Source files of the classes a snapshot holds (and of this codec). */
const LAYOUT_SOURCES = ['../store/run-data.ts', '../store/reservoir.ts', '../store/scalar-series.ts', '../store/histogram-series.ts', '../store/image-series.ts', '../store/plugin-series.ts', './run-codec.ts'];

/**
 * Changes whenever the code of a class a snapshot holds changes: a cache written by other code is rebuilt,
 * never misread. Hashes their source files (the same whatever transpiles them); the classes' text when the
 * sources are not there.
 */
export function codecLayout(): string {
  const h = createHash('sha1').update('run-codec 1');
  try {
    for (const f of LAYOUT_SOURCES) h.update(readFileSync(fileURLToPath(new URL(f, import.meta.url))));
  } catch {
    for (const c of [...Object.values(CLASSES), ReservoirCore]) h.update(String(c));
  }
  return h.digest('hex').slice(0, 16);
}

function encode(v: unknown, where: string): unknown {
  if (typeof v === 'function') return new String(RNG);
  if (v === null || typeof v !== 'object') return v;
  // A view into a bigger buffer (e.g. a read chunk) would drag the whole buffer along: copy its bytes.
  if (ArrayBuffer.isView(v)) return v.byteOffset === 0 && v.byteLength === v.buffer.byteLength ? v : new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice();
  if (Array.isArray(v)) return v.map((x) => encode(x, where));
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, encode(x, where)]));
  if (v instanceof Set) return new Set(v);
  const proto = Object.getPrototypeOf(v) as object | null;
  const fields: Record<string, unknown> = {};
  for (const k of Object.keys(v)) fields[k] = encode((v as Record<string, unknown>)[k], where);
  if (proto === Object.prototype || proto === null) return fields;
  const name = NAME_OF.get(proto as object);
  if (!name) throw new Error(`${where}: cannot cache an instance of ${(v as object).constructor?.name ?? 'an unknown class'}`);
  return [new String(name), fields];
}

function decode(v: unknown, rng: Rng): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof String) return rng;
  if (ArrayBuffer.isView(v)) return v;
  if (Array.isArray(v)) {
    if (v.length === 2 && v[0] instanceof String) {
      const cls = CLASSES[String(v[0])];
      if (!cls) throw new Error(`unknown class ${String(v[0])} in the cache`);
      return Object.assign(Object.create(cls.prototype) as object, decode(v[1], rng));
    }
    return v.map((x) => decode(x, rng));
  }
  if (v instanceof Map) {
    for (const [k, x] of v) v.set(k, decode(x, rng));
    return v;
  }
  if (v instanceof Set) return v;
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) o[k] = decode(o[k], rng);
  return o;
}

export interface EncodedRun {
  /** Everything but the histogram series. */
  core: Buffer;
  /** One blob per histogram tag. */
  series: [tag: string, data: Buffer][];
}

/** The run's data as blobs (reads every series, so lazily restored ones load first). Throws on a class it does not know. */
export function encodeRun(run: string, rd: RunData): EncodedRun {
  const series: [string, Buffer][] = [];
  const hists = new Map<string, Entry<null>>();
  for (const [tag, e] of rd.histograms) {
    series.push([tag, serialize(encode(e.series, run))]);
    hists.set(tag, { ...e, series: null });
  }
  const shallow = Object.assign(Object.create(RunData.prototype) as RunData, rd, { histograms: hists });
  return { core: serialize(encode(shallow, run)), series };
}

/**
 * A run's data back from encodeRun's blobs. `loadSeries(tag)` gives a histogram series' blob the first time
 * the series is touched (a throw there is the caller's to handle: it should return the blob or an empty
 * series' blob). Per-ingest bookkeeping starts afresh.
 */
export function decodeRun(core: Uint8Array, rng: Rng, loadSeries: (tag: string) => HistogramSeries): RunData {
  const rd = decode(deserialize(core), rng) as RunData;
  if (!(rd instanceof RunData)) throw new Error('cached run data is not a run');
  for (const m of [rd.scalars, rd.histograms, rd.images] as Map<string, Entry<unknown>>[]) {
    for (const e of m.values()) e.track = { epoch: 0, slots: [], reset: false, minIndex: 0 };
  }
  for (const [tag, e] of rd.histograms) {
    Object.defineProperty(e, 'series', {
      configurable: true,
      enumerable: true,
      get(): HistogramSeries {
        const s = loadSeries(tag);
        Object.defineProperty(e, 'series', { value: s, writable: true, configurable: true, enumerable: true });
        return s;
      },
      set(s: HistogramSeries) {
        Object.defineProperty(e, 'series', { value: s, writable: true, configurable: true, enumerable: true });
      },
    });
  }
  return rd;
}

/** One histogram series back from its blob. */
export function decodeSeries(data: Uint8Array, rng: Rng): HistogramSeries {
  const s = decode(deserialize(data), rng);
  if (!(s instanceof HistogramSeries)) throw new Error('cached series is not a histogram series');
  return s;
}
