// A run's data in the store (RunData and the series classes under it) to bytes and back, for the log
// cache: the objects are walked once, each instance of a known store class is written as its fields with
// the class's name, and the structure goes through v8 serialization. Typed arrays (a run's columns) are
// laid out after it, each at an 8-byte boundary, and come back as views into the blob read from the cache:
// a restart touches a run's bytes once (fresh memory is what a restore pays for, ~5 µs a page on our VMs),
// where copying each column out again doubled it. Histogram series, the bulk of a big run, go in blobs of
// their own, read back only when something touches them (decodeRun's loadSeries). Pure: no I/O.
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
/** Typed arrays by name, for the column table (a Number object in the structure is a column's index). */
const VIEWS = { Float64Array, Float32Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array, Uint8Array, Uint8ClampedArray, BigInt64Array, BigUint64Array } as const;
type ViewName = keyof typeof VIEWS;
const ALIGN = 8;
const pad = (n: number) => (n + ALIGN - 1) & ~(ALIGN - 1);

/** Source files of the classes a snapshot holds (and of this codec). */
const LAYOUT_SOURCES = ['../store/run-data.ts', '../store/reservoir.ts', '../store/scalar-series.ts', '../store/histogram-series.ts', '../store/image-series.ts', '../store/plugin-series.ts', './run-codec.ts'];

/**
 * Changes whenever the code of a class a snapshot holds changes: a cache written by other code is rebuilt,
 * never misread. Hashes their source files (the same whatever transpiles them); the classes' text when the
 * sources are not there.
 */
export function codecLayout(): string {
  const h = createHash('sha1').update('run-codec 2');
  try {
    for (const f of LAYOUT_SOURCES) h.update(readFileSync(fileURLToPath(new URL(f, import.meta.url))));
  } catch {
    for (const c of [...Object.values(CLASSES), ReservoirCore]) h.update(String(c));
  }
  return h.digest('hex').slice(0, 16);
}

/** A column: its typed-array name and bytes. */
type Column = [ViewName, Uint8Array];

function encode(v: unknown, where: string, cols: Column[]): unknown {
  if (typeof v === 'function') return new String(RNG);
  if (v === null || typeof v !== 'object') return v;
  if (ArrayBuffer.isView(v)) {
    const name = v.constructor.name as ViewName;
    if (!(name in VIEWS)) throw new Error(`${where}: cannot cache a ${name}`);
    cols.push([name, new Uint8Array(v.buffer, v.byteOffset, v.byteLength)]);
    return new Number(cols.length - 1);
  }
  if (Array.isArray(v)) return v.map((x) => encode(x, where, cols));
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, encode(x, where, cols)]));
  if (v instanceof Set) return new Set(v);
  const proto = Object.getPrototypeOf(v) as object | null;
  const fields: Record<string, unknown> = {};
  for (const k of Object.keys(v)) fields[k] = encode((v as Record<string, unknown>)[k], where, cols);
  if (proto === Object.prototype || proto === null) return fields;
  const name = NAME_OF.get(proto as object);
  if (!name) throw new Error(`${where}: cannot cache an instance of ${(v as object).constructor?.name ?? 'an unknown class'}`);
  return [new String(name), fields];
}

function decode(v: unknown, rng: Rng, cols: ArrayBufferView[]): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof String) return rng;
  if (v instanceof Number) {
    const c = cols[v.valueOf()];
    if (!c) throw new Error(`column ${v.valueOf()} is not in the cached blob`);
    return c;
  }
  if (Array.isArray(v)) {
    if (v.length === 2 && v[0] instanceof String) {
      const cls = CLASSES[String(v[0])];
      if (!cls) throw new Error(`unknown class ${String(v[0])} in the cache`);
      return Object.assign(Object.create(cls.prototype) as object, decode(v[1], rng, cols));
    }
    return v.map((x) => decode(x, rng, cols));
  }
  if (v instanceof Map) {
    for (const [k, x] of v) v.set(k, decode(x, rng, cols));
    return v;
  }
  if (v instanceof Set) return v;
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) o[k] = decode(o[k], rng, cols);
  return o;
}

/**
 * Blob layout: u32 length of the structure, the structure (v8-serialized: the walked value and the column
 * table [name, byteLength][]), then each column's bytes at the next 8-byte boundary.
 */
function pack(value: unknown, where: string): Buffer {
  const cols: Column[] = [];
  const root = encode(value, where, cols);
  const head = serialize({ root, cols: cols.map(([name, bytes]) => [name, bytes.byteLength]) });
  let size = pad(4 + head.byteLength);
  for (const [, bytes] of cols) size = pad(size + bytes.byteLength);
  const out = Buffer.alloc(size);
  out.writeUInt32LE(head.byteLength, 0);
  out.set(head, 4);
  let at = pad(4 + head.byteLength);
  for (const [, bytes] of cols) {
    out.set(bytes, at);
    at = pad(at + bytes.byteLength);
  }
  return out;
}

/** pack()'s value back, its columns views into `blob` (copied once first when the blob is not aligned). */
function unpack(blob: Uint8Array, rng: Rng): unknown {
  const data = blob.byteOffset % ALIGN === 0 ? blob : blob.slice();
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const headLen = data.byteLength >= 4 ? view.getUint32(0, true) : -1;
  if (headLen < 0 || 4 + headLen > data.byteLength) throw new Error('cached blob is cut short');
  const { root, cols } = deserialize(data.subarray(4, 4 + headLen)) as { root: unknown; cols: [ViewName, number][] };
  if (!Array.isArray(cols)) throw new Error('cached blob has no column table');
  let at = pad(4 + headLen);
  const views: ArrayBufferView[] = [];
  for (const [name, len] of cols) {
    const C = VIEWS[name];
    if (!C || !Number.isInteger(len) || len < 0 || len % C.BYTES_PER_ELEMENT !== 0 || at + len > data.byteLength) throw new Error(`cached column ${views.length} (${String(name)}, ${len} bytes) does not fit its blob`);
    views.push(new C(data.buffer as ArrayBuffer, data.byteOffset + at, len / C.BYTES_PER_ELEMENT));
    at = pad(at + len);
  }
  return decode(root, rng, views);
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
    series.push([tag, pack(e.series, run)]);
    hists.set(tag, { ...e, series: null });
  }
  const shallow = Object.assign(Object.create(RunData.prototype) as RunData, rd, { histograms: hists });
  return { core: pack(shallow, run), series };
}

/**
 * A run's data back from encodeRun's blobs. `loadSeries(tag)` gives a histogram series' blob the first time
 * the series is touched (a throw there is the caller's to handle: it should return the blob or an empty
 * series' blob). Per-ingest bookkeeping starts afresh.
 */
export function decodeRun(core: Uint8Array, rng: Rng, loadSeries: (tag: string) => HistogramSeries): RunData {
  const rd = unpack(core, rng) as RunData;
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
  const s = unpack(data, rng);
  if (!(s instanceof HistogramSeries)) throw new Error('cached series is not a histogram series');
  return s;
}
