// The log cache's run codec: a run's store data to blobs and back answers every store read the same,
// samples on the same way afterwards, loads histogram series only when touched, and refuses what it
// does not know instead of writing something it could not read back.
import { describe, expect, it } from 'vitest';
import { decodeRun, decodeSeries, encodeRun } from '../../server/cache/run-codec.ts';
import type { LogRecord } from '../../server/logs/records.ts';
import { HistogramSeries } from '../../server/store/histogram-series.ts';
import type { RunData } from '../../server/store/run-data.ts';
import { SeriesStore } from '../../server/store/series-store.ts';

/** A deterministic sampler (the store and its copy must draw the same numbers). */
function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

function records(from: number, to: number): LogRecord[] {
  const out: LogRecord[] = [];
  for (let step = from; step < to; step++) {
    out.push({ kind: 'scalar', tag: 'loss', step, wallTime: 100 + step, value: step === 3 ? NaN : 1 / (step + 1), ...(step === from ? { displayName: 'Loss', description: 'the *loss*' } : {}) });
    if (step % 2 === 0) out.push({ kind: 'histogram', tag: 'w', step, wallTime: 100 + step, buckets: [[-1, 0, step], [0, 1, 2 * step + 1]] });
    if (step % 5 === 0) out.push({ kind: 'image', tag: 'img', step, wallTime: 100 + step, sample: 0, width: 1, height: 1, data: PNG } as LogRecord);
  }
  out.push({ kind: 'text', tag: 'notes', step: from, wallTime: 100, text: 'hello' });
  out.push({ kind: 'hparams', tag: '_hparams_/session_start_info', part: 'session_start', step: 0, wallTime: 100, hparams: { lr: 0.1, $c: 'not a class', __proto__x: true } } as LogRecord);
  return out;
}

function reads(store: SeriesStore, run: string) {
  return {
    scalars: store.scalars(run, 'loss'),
    histograms: store.histograms(run, 'w'),
    images: store.images(run, 'img'),
    imageData: store.imageData(run, 'img', 0),
    text: store.text(run, 'notes'),
    tagInfo: store.tagInfo(run, 'loss'),
    hparams: store.hparams(run),
    startTime: store.startTime(run),
    bytes: store.runBytes(run),
  };
}

describe('run codec', () => {
  it('round-trips a run: same reads, same sampling afterwards, histograms loaded when touched', () => {
    // Small reservoirs so sampling (and its random draws) matters.
    const limits = { scalars: 20, histograms: 8, images: 3 };
    const a = new SeriesStore(limits, rng(7));
    a.ingest('r', records(0, 60));
    const enc = encodeRun('r', a.heldRunData('r')!);
    expect(enc.series.map(([t]) => t)).toEqual(['w']);

    const b = new SeriesStore(limits, rng(7));
    // Draw the same numbers b's twin drew while ingesting, so both samplers are at the same point.
    const twin = new SeriesStore(limits, b.sampler);
    twin.ingest('r', records(0, 60));
    const loaded: string[] = [];
    const rd = decodeRun(enc.core, b.sampler, (tag) => {
      loaded.push(tag);
      return decodeSeries(enc.series.find(([t]) => t === tag)![1], b.sampler);
    });
    b.adoptRunData('r', rd);
    expect(b.scalars('r', 'loss')).toEqual(a.scalars('r', 'loss'));
    expect(loaded).toEqual([]);
    expect(reads(b, 'r')).toEqual(reads(a, 'r'));
    expect(loaded).toEqual(['w']);
    expect(b.totalBytes).toBe(a.totalBytes);

    // Both go on alike (reservoirs keep their seen counts; ingest bookkeeping starts afresh).
    const more = records(60, 140);
    const da = a.ingest('r', more);
    const db = b.ingest('r', more);
    expect(db).toEqual(da);
    expect(reads(b, 'r')).toEqual(reads(a, 'r'));
  });

  it('copies views into bigger buffers, and refuses unknown classes', () => {
    const s = new SeriesStore();
    const big = new Uint8Array(1 << 20);
    big.set(PNG, 4096);
    s.ingest('r', [{ kind: 'image', tag: 'img', step: 1, wallTime: 1, sample: 0, width: 1, height: 1, data: big.subarray(4096, 4096 + PNG.length) } as LogRecord]);
    const enc = encodeRun('r', s.heldRunData('r')!);
    expect(enc.core.length).toBeLessThan(64 * 1024);

    const rd = s.heldRunData('r')!;
    (rd as unknown as { odd: unknown }).odd = new (class Odd {})();
    expect(() => encodeRun('r', rd)).toThrow(/cannot cache an instance of Odd/);
  });

  it('gives back columns as views into the blob, and copies a blob that is not 8-byte aligned first', () => {
    const a = new SeriesStore({ scalars: 1000, histograms: 8, images: 3 });
    a.ingest('r', records(0, 300));
    const { core } = encodeRun('r', a.heldRunData('r')!);
    const columns = (rd: RunData) => {
      const found: ArrayBufferView[] = [];
      const walk = (v: unknown): void => {
        if (ArrayBuffer.isView(v)) found.push(v);
        else if (v instanceof Map) for (const x of v.values()) walk(x);
        else if (v && typeof v === 'object' && typeof v !== 'function') for (const x of Object.values(v)) walk(x);
      };
      for (const e of rd.scalars.values()) walk(e);
      return found;
    };
    const b = new SeriesStore();
    const rd = decodeRun(core, b.sampler, () => new HistogramSeries(8));
    const cols = columns(rd);
    expect(cols.length).toBeGreaterThan(0);
    for (const c of cols) expect(c.buffer).toBe(core.buffer); // no copy
    b.adoptRunData('r', rd);
    expect(b.scalars('r', 'loss')).toEqual(a.scalars('r', 'loss'));

    // The same bytes one byte off an 8-byte boundary: read from an aligned copy, same answers.
    const shifted = new Uint8Array(core.byteLength + 1).subarray(1);
    shifted.set(core);
    const c = new SeriesStore();
    const rd2 = decodeRun(shifted, c.sampler, () => new HistogramSeries(8));
    for (const col of columns(rd2)) expect(col.buffer).not.toBe(shifted.buffer);
    c.adoptRunData('r', rd2);
    expect(c.scalars('r', 'loss')).toEqual(a.scalars('r', 'loss'));
  });

  it('rejects blobs that are not what it wrote', () => {
    // Cut short, or a column table that points past the end.
    const { core } = encodeRun('r', (() => {
      const s = new SeriesStore();
      s.ingest('r', records(0, 20));
      return s.heldRunData('r')!;
    })());
    expect(() => decodeRun(core.subarray(0, 2), Math.random, () => new HistogramSeries(1))).toThrow(/cut short/);
    expect(() => decodeRun(core.subarray(0, core.byteLength - 16), Math.random, () => new HistogramSeries(1))).toThrow(/does not fit its blob/);
    expect(() => decodeRun(Buffer.from([0xff, 0x0d, 0x22]), Math.random, () => new HistogramSeries(1))).toThrow();
    const notASeries = encodeRun('r', new SeriesStore().heldRunData('r') ?? (() => {
      const s = new SeriesStore();
      s.addRun('r');
      return s.heldRunData('r')!;
    })()).core;
    expect(() => decodeSeries(notASeries, Math.random)).toThrow(/not a histogram series/);
  });
});
