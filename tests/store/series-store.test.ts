import { describe, expect, it } from 'vitest';
import type { SeriesDelta } from '../../shared/protocol.ts';
import type { Bucket } from '../../shared/types.ts';
import type { LogRecord } from '../../server/logs/records.ts';
import { DEFAULT_LIMITS, STORE_BOUNDS, SeriesStore } from '../../server/store/series-store.ts';
import { seededRng } from './seeded-rng.ts';

const sc = (tag: string, step: number, value: number, wallTime = 1000 + step): LogRecord => ({ kind: 'scalar', tag, step, value, wallTime });
const hi = (tag: string, step: number): LogRecord => ({ kind: 'histogram', tag, step, wallTime: step, buckets: [[0, 1, step]] as Bucket[] });
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2]);
const JPG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 3]);
const GIF = Uint8Array.from([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 4]);
const im = (tag: string, step: number, sample = 0, data: Uint8Array = PNG): LogRecord => ({
  kind: 'image',
  tag,
  step,
  sample,
  wallTime: step,
  width: 2,
  height: 1,
  data,
});
const scalarSteps = (d: SeriesDelta) => (d.kind === 'scalars' ? d.steps : d.points.map((p) => (Array.isArray(p) ? p[1] : p.step)));

describe('SeriesStore ingest', () => {
  it('returns one delta per changed series with the accepted points in order', () => {
    const s = new SeriesStore();
    const d1 = s.ingest('a', [sc('loss', 0, 1), sc('acc', 0, 0.1), sc('loss', 1, 0.5), hi('w', 0)]);
    expect(d1).toEqual([
      { kind: 'scalars', run: 'a', tag: 'loss', wallTimes: [1000, 1001], steps: [0, 1], values: [1, 0.5] },
      { kind: 'scalars', run: 'a', tag: 'acc', wallTimes: [1000], steps: [0], values: [0.1] },
      { kind: 'histograms', run: 'a', tag: 'w', points: [[0, 0, [[0, 1, 0]]]] },
    ]);
    const d2 = s.ingest('a', [sc('loss', 2, 0.25)]);
    expect(d2).toEqual([{ kind: 'scalars', run: 'a', tag: 'loss', wallTimes: [1002], steps: [2], values: [0.25] }]);
    expect(s.scalars('a', 'loss')).toEqual([
      [1000, 0, 1],
      [1001, 1, 0.5],
      [1002, 2, 0.25],
    ]);
    expect(s.scalars('a', 'loss', 0)).toHaveLength(2);
    expect(s.runs()).toEqual(['a']);
    expect(s.scalarTags('a')).toEqual(['loss', 'acc']);
    expect(s.histogramTags('a')).toEqual(['w']);
    expect(s.ingest('a', [])).toEqual([]);
  });

  it('maps NaN/±Inf to null in deltas but keeps them in the store', () => {
    const s = new SeriesStore();
    const [d] = s.ingest('r', [sc('x', 0, NaN), sc('x', 1, Infinity), sc('x', 2, -Infinity), sc('x', 3, 2)]);
    expect(d.kind === 'scalars' && d.values).toEqual([null, null, null, 2]);
    expect(JSON.parse(JSON.stringify(d)).values).toEqual([null, null, null, 2]);
    expect(Number.isNaN(s.scalars('r', 'x')[0][2])).toBe(true);
  });

  it('reports a rewind as reset with the full current series', () => {
    const s = new SeriesStore();
    s.ingest('r', [0, 1, 2, 3, 4].map((i) => sc('x', i, i)));
    const [d] = s.ingest('r', [sc('x', 2, 20), sc('x', 3, 30)]);
    expect(d).toEqual({ kind: 'scalars', run: 'r', tag: 'x', reset: true, wallTimes: [1000, 1001, 1002, 1003], steps: [0, 1, 2, 3], values: [0, 1, 20, 30] });
    // the next batch is incremental again
    expect(s.ingest('r', [sc('x', 4, 40)])[0]).toEqual({ kind: 'scalars', run: 'r', tag: 'x', wallTimes: [1004], steps: [4], values: [40] });
    const [h] = s.ingest('r', [hi('h', 5), hi('h', 6), hi('h', 6)]);
    expect(h.reset).toBe(true);
    expect(scalarSteps(h)).toEqual([5, 6]);
  });

  it('under sampling, a batch delta holds the batch points the store kept', () => {
    const s = new SeriesStore({ ...DEFAULT_LIMITS, scalars: 10 }, seededRng(2));
    const [d] = s.ingest('r', Array.from({ length: 100 }, (_, i) => sc('x', i, i)));
    expect(scalarSteps(d)).toEqual(s.scalars('r', 'x').map((t) => t[1]));
    expect(scalarSteps(d)).toHaveLength(10);
    expect(scalarSteps(d).at(-1)).toBe(99);
    const [d2] = s.ingest('r', [sc('x', 100, 1), sc('x', 101, 2)]);
    const kept = s.scalars('r', 'x').map((t) => t[1]);
    expect(scalarSteps(d2)).toEqual(kept.filter((k) => k >= 100));
    expect(scalarSteps(d2).at(-1)).toBe(101);
  });

  it('a client applying every delta mirrors an unbounded store exactly, rewinds included', () => {
    const rng = seededRng(77);
    const s = new SeriesStore({ scalars: Infinity, histograms: Infinity, images: Infinity });
    const client = new Map<string, number[]>();
    let step = 0;
    for (let batch = 0; batch < 200; batch++) {
      const recs: LogRecord[] = [];
      for (let k = Math.floor(rng() * 20); k > 0; k--) {
        if (rng() < 0.03) step = Math.max(0, step - Math.floor(rng() * 30)); // restarted job
        const tag = rng() < 0.5 ? 'a' : 'b';
        recs.push(rng() < 0.8 ? sc(tag, step, step) : hi(tag, step));
        step++;
      }
      for (const d of s.ingest('r', recs)) {
        const key = `${d.kind}:${d.tag}`;
        const pts = d.reset ? [] : (client.get(key) ?? []);
        client.set(key, [...pts, ...scalarSteps(d)]);
      }
    }
    for (const tag of ['a', 'b']) {
      expect(client.get(`scalars:${tag}`)).toEqual(s.scalars('r', tag).map((t) => t[1]));
      expect(client.get(`histograms:${tag}`)).toEqual(s.histograms('r', tag).map((t) => t[1]));
    }
  });

  it('drops records with a non-finite step with a warning', () => {
    const s = new SeriesStore();
    expect(s.ingest('r', [sc('x', NaN, 1)])).toEqual([]);
    expect(s.warnings('r')[0]).toMatch(/non-finite step/);
    expect(s.hasRun('r')).toBe(true);
  });
});

describe('SeriesStore images', () => {
  it('gives every image a never-reused id and serves bytes with the sniffed mime', () => {
    const s = new SeriesStore({ ...DEFAULT_LIMITS, images: 2 }, seededRng(1));
    const [d] = s.ingest('r', [im('img', 0, 0, PNG), im('img', 0, 1, JPG), im('img', 1, 0, GIF)]);
    expect(d).toEqual({
      kind: 'images',
      run: 'r',
      tag: 'img',
      points: [
        { wallTime: 0, step: 0, width: 2, height: 1, index: 0, sample: 0 },
        { wallTime: 0, step: 0, width: 2, height: 1, index: 1, sample: 1 },
        { wallTime: 1, step: 1, width: 2, height: 1, index: 2, sample: 0 },
      ],
    });
    expect(s.imageData('r', 'img', 0)).toEqual({ data: PNG, mime: 'image/png' });
    expect(s.imageData('r', 'img', 1)?.mime).toBe('image/jpeg');
    expect(s.imageData('r', 'img', 2)?.mime).toBe('image/gif');
    // a later sample of the newest step joins it, and only the new image is in the delta
    const [d2] = s.ingest('r', [im('img', 1, 1, Uint8Array.from([9, 9]))]);
    expect(d2.kind === 'images' && d2.points.map((p) => [p.step, p.index, p.sample])).toEqual([[1, 3, 1]]);
    expect(s.imageData('r', 'img', 3)?.mime).toBe('application/octet-stream');
    // capacity counts steps: a third step evicts one of the first two (the newest stays)
    s.ingest('r', [im('img', 2)]);
    const refs = s.images('r', 'img');
    expect(new Set(refs.map((r) => r.step)).size).toBe(2);
    expect(refs.at(-1)).toMatchObject({ step: 2, index: 4 });
    for (const r of refs) expect(s.imageData('r', 'img', r.index)).toBeDefined();
    const gone = [0, 1, 2, 3].filter((i) => !refs.some((r) => r.index === i));
    expect(gone.length).toBeGreaterThan(0);
    for (const i of gone) expect(s.imageData('r', 'img', i)).toBeUndefined();
    // a rewind never reuses ids
    const [d3] = s.ingest('r', [im('img', 0)]);
    expect(d3.reset).toBe(true);
    expect(s.images('r', 'img').map((r) => r.index)).toEqual([5]);
    expect(s.imageData('r', 'img', 5)?.mime).toBe('image/png');
    expect(s.imageData('r', 'other', 5)).toBeUndefined();
  });

  it('copies image bytes out of a larger buffer', () => {
    const big = new Uint8Array(1000);
    big.set(PNG, 100);
    const s = new SeriesStore();
    s.ingest('r', [im('i', 0, 0, big.subarray(100, 100 + PNG.length))]);
    const got = s.imageData('r', 'i', 0)!;
    expect(Array.from(got.data)).toEqual(Array.from(PNG));
    expect(got.data.buffer.byteLength).toBe(PNG.length);
  });
});

describe('SeriesStore deltasAfter (zero-gap resume)', () => {
  it('prefix held by the client + deltasAfter == full series, no gap, no duplicate', () => {
    const rng = seededRng(5);
    const s = new SeriesStore({ scalars: 50, histograms: 20, images: 5 }, rng);
    const recs: LogRecord[] = [];
    for (let i = 0; i < 300; i++) {
      recs.push(sc('loss', i, i), sc('acc', i * 2, i));
      if (i % 3 === 0) recs.push(hi('w', i));
      if (i % 10 === 0) recs.push(im('img', i, 0), im('img', i, 1));
    }
    s.ingest('r', recs);
    const full = {
      loss: s.scalars('r', 'loss').map((t) => t[1]),
      acc: s.scalars('r', 'acc').map((t) => t[1]),
      w: s.histograms('r', 'w').map((t) => t[1]),
      img: s.images('r', 'img').map((t) => t.index),
    };
    for (let trial = 0; trial < 20; trial++) {
      const cut = (xs: number[]) => xs.slice(0, Math.floor(rng() * (xs.length + 1)));
      const held = { loss: cut(full.loss), acc: cut(full.acc), w: cut(full.w) };
      const have: Record<string, number> = {};
      for (const [k, v] of Object.entries(held)) if (v.length) have[k] = v[v.length - 1];
      const ds = s.deltasAfter('r', have);
      const byTag = new Map(ds.map((d) => [d.tag, d]));
      for (const k of ['loss', 'acc', 'w'] as const) {
        const d = byTag.get(k);
        expect(d?.reset).toBeUndefined();
        expect([...held[k], ...(d ? scalarSteps(d) : [])]).toEqual(full[k]);
      }
      // the client lacks the image tag entirely: it gets everything
      const di = byTag.get('img');
      expect(di?.kind === 'images' && di.points.map((p) => p.index)).toEqual(full.img);
    }
  });

  it('filters tags, resets a client that is ahead, and omits empty series', () => {
    const s = new SeriesStore();
    s.ingest('r', [sc('a', 1, 1), sc('a', 2, 2), sc('b', 1, 1)]);
    expect(s.deltasAfter('r', {}, (t) => t === 'b').map((d) => d.tag)).toEqual(['b']);
    expect(s.deltasAfter('r', { a: 2, b: 1 })).toEqual([]);
    expect(s.deltasAfter('r', { a: 9, b: 1 })).toEqual([
      { kind: 'scalars', run: 'r', tag: 'a', reset: true, wallTimes: [1001, 1002], steps: [1, 2], values: [1, 2] },
    ]);
    expect(s.deltasAfter('nope', {})).toEqual([]);
    expect(s.deltasAfter('r', { constructor: 5 } as Record<string, number>).length).toBe(2);
  });
});

describe('SeriesStore other data', () => {
  it('keeps text (bounded), tensors counts, latest graphs, hparams, tag info', () => {
    const s = new SeriesStore();
    const recs: LogRecord[] = [
      { kind: 'text', tag: 'notes', step: 1, wallTime: 1, text: 'hello' },
      { kind: 'text', tag: 'notes', step: 2, wallTime: 2, text: 'x'.repeat(STORE_BOUNDS.textChars + 10) },
      { kind: 'tensor', tag: 'pr', plugin: 'pr_curves', step: 1, wallTime: 1 },
      { kind: 'tensor', tag: 'pr', plugin: 'pr_curves', step: 2, wallTime: 2 },
      { kind: 'hparams', tag: '_hparams_/experiment', part: 'experiment', metrics: ['loss'], step: 0, wallTime: 0 },
      { kind: 'hparams', tag: '_hparams_/session_start_info', part: 'session_start', hparams: { lr: 0.1, act: 'relu' }, step: 0, wallTime: 0 },
      { kind: 'hparams', tag: '_hparams_/session_start_info', part: 'session_start', hparams: { lr: 0.2, bn: true, __proto__: 1 } as Record<string, number | boolean>, step: 0, wallTime: 0 },
      { kind: 'hparams', tag: '_hparams_/session_end_info', part: 'session_end', status: 'STATUS_SUCCESS', step: 0, wallTime: 0 },
      { kind: 'meta', what: 'file_version', detail: 'brain.Event:2', step: 0, wallTime: 0 },
      { kind: 'scalar', tag: 'loss', step: 0, wallTime: 0, value: 1, displayName: 'Loss', description: 'train loss' },
      { kind: 'scalar', tag: 'loss', step: 1, wallTime: 0, value: 1, displayName: 'Other', description: 'ignored' },
      { kind: 'histogram', tag: 'h', step: 0, wallTime: 0, buckets: [], displayName: '' },
    ];
    for (let i = 0; i < 5; i++) recs.push({ kind: 'graph', step: i, wallTime: 0, graph: { kind: 'keras', step: i, nodes: [] } });
    expect(s.ingest('r', recs).map((d) => d.tag)).toEqual(['loss', 'h']);
    expect(s.textTags('r')).toEqual(['notes']);
    const text = s.text('r', 'notes');
    expect(text[0]).toEqual({ wallTime: 1, step: 1, text: 'hello' });
    expect(text[1].text.length).toBeLessThan(STORE_BOUNDS.textChars + 20);
    expect(text[1].text).toMatch(/truncated\]$/);
    expect(s.tensorTags('r')).toEqual({ pr: { plugin: 'pr_curves', count: 2 } });
    expect(s.graphs('r').map((g) => g.step)).toEqual([2, 3, 4]);
    const hp = s.hparams('r')!;
    expect(hp).toMatchObject({ lr: 0.2, act: 'relu', bn: true });
    expect(Object.getPrototypeOf(hp)).toBe(Object.prototype);
    expect(s.hparamsInfo('r')).toMatchObject({ metrics: ['loss'], status: 'STATUS_SUCCESS' });
    expect(s.tagInfo('r', 'loss')).toEqual({ displayName: 'Loss', description: 'train loss' });
    // As stored (TensorBoard answers '' for a tag whose writer set no display name).
    expect(s.tagInfo('r', 'h')).toEqual({ displayName: '', description: '' });
    expect(s.tagInfo('r', 'unknown')).toEqual({ displayName: '', description: '' });
    expect(s.hparams('none')).toBeUndefined();
  });

  it('bounds text samples per tag, warnings per run and tags per kind', () => {
    const s = new SeriesStore();
    s.ingest('r', Array.from({ length: STORE_BOUNDS.textSamples * 3 }, (_, i): LogRecord => ({ kind: 'text', tag: 't', step: i, wallTime: i, text: `${i}` })));
    const t = s.text('r', 't');
    expect(t).toHaveLength(STORE_BOUNDS.textSamples);
    expect(t.at(-1)?.step).toBe(STORE_BOUNDS.textSamples * 3 - 1);
    for (let i = 0; i < STORE_BOUNDS.warningsPerRun + 5; i++) s.addWarning('r', `w${i}`);
    const w = s.warnings('r');
    expect(w).toHaveLength(STORE_BOUNDS.warningsPerRun + 1);
    expect(w.at(-1)).toBe('(5 more warnings not kept)');
    const s2 = new SeriesStore();
    s2.ingest('r', Array.from({ length: STORE_BOUNDS.tagsPerKind + 2 }, (_, i) => sc(`t${i}`, 0, 0)));
    expect(s2.scalarTags('r')).toHaveLength(STORE_BOUNDS.tagsPerKind);
    expect(s2.warnings('r').filter((x) => /scalars tags/.test(x))).toHaveLength(1);
  });

  it('removes runs', () => {
    const s = new SeriesStore();
    s.ingest('a', [sc('x', 0, 0)]);
    s.addRun('b');
    expect(s.runs()).toEqual(['a', 'b']);
    s.removeRun('a');
    expect(s.runs()).toEqual(['b']);
    expect(s.hasRun('a')).toBe(false);
    expect(s.scalars('a', 'x')).toEqual([]);
  });

  it('carries the exact text of steps past 2^53 in deltas, resumes and reads', () => {
    const s = new SeriesStore();
    const big = 2 ** 53 + 4; // the double nearest 2^53+3
    const deltas = s.ingest('r', [
      { kind: 'scalar', tag: 'x', step: 1, wallTime: 1, value: 1 },
      { kind: 'scalar', tag: 'x', step: big, stepExact: '9007199254740995', wallTime: 2, value: 2 },
    ]);
    expect(deltas[0]).toMatchObject({ steps: [1, big], exactSteps: { [String(big)]: '9007199254740995' } });
    expect(s.exactStep('r', big)).toBe('9007199254740995');
    expect(s.exactStep('r', 1)).toBeUndefined();
    expect(s.deltasAfter('r', { x: 1 })[0]).toMatchObject({ steps: [big], exactSteps: { [String(big)]: '9007199254740995' } });
    const plain = s.ingest('q', [{ kind: 'scalar', tag: 'x', step: 1, wallTime: 1, value: 1 }]);
    expect(plain[0]).not.toHaveProperty('exactSteps');
  });
});
