// Our answers to TensorBoard's core, scalars, histograms, distributions and images routes against
// TensorBoard 2.21's recorded answers (load_fast=true, its default data server) on the golden logdir.
// Normalisations, each for a stated reason: /data/environment's data_location (our private copy of the
// logdir), version and debug (TensorBoard's own flags); histogram buckets (see normaliseBuckets).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, goldenRoutes, loadGolden, startGoldenServer, type GoldenServer } from './golden.ts';

const g = loadGolden('load_fast_true');
const slow = loadGolden('load_fast_false');
let s: GoldenServer;

beforeAll(async () => {
  s = await startGoldenServer();
}, 90_000);
afterAll(async () => {
  await s?.close();
});

type Bucket = [number, number, number];
/**
 * TensorBoard's Rust loader turns a TF1 HistogramProto into buckets [min, limit0], [limit0, limit1], ...,
 * [limitN-1, max] including the zero-count edge buckets the writer pads with (whose edges are inverted, e.g.
 * [min, limit0] with limit0 < min). We leave those empty edge buckets out and start/end at min/max, as
 * its Python loader does (the two loaders disagree; the figures of every non-empty bucket are the same).
 */
function normaliseBuckets(b: Bucket[]): Bucket[] {
  if (b.length === 0) return b;
  const min = b[0][0];
  const max = b[b.length - 1][1];
  let lo = 0;
  let hi = b.length;
  while (lo < hi - 1 && b[lo][2] === 0) lo++;
  while (hi - 1 > lo && b[hi - 1][2] === 0) hi--;
  const out = b.slice(lo, hi).map((x) => [...x] as Bucket);
  out[0][0] = min;
  out[out.length - 1][1] = max;
  return out;
}

describe('core routes', () => {
  it('GET /data/runs lists the runs in TensorBoard\'s order (first event time, then name)', async () => {
    const [r] = goldenRoutes(g, '/data/runs');
    const a = await ask(s.base, r);
    expect(a.status).toBe(200);
    expect(a.json).toEqual(r.json);
  });

  it('GET /data/plugins_listing says which dashboards have data, in TensorBoard\'s shape', async () => {
    const [r] = goldenRoutes(g, '/data/plugins_listing');
    const a = await ask(s.base, r);
    expect(a.json).toEqual(r.json);
    expect(Object.keys(a.json as object)).toEqual(Object.keys(r.json as object).sort());
  });

  it('GET /data/environment has TensorBoard\'s fields', async () => {
    const [r] = goldenRoutes(g, '/data/environment');
    const a = await ask(s.base, r);
    const { debug: _d, data_location: _l, version: _v, ...want } = r.json as Record<string, unknown>;
    expect(a.json).toEqual({ ...want, data_location: s.app.config.logdir, version: expect.any(String) });
  });
});

describe('scalars', () => {
  it('tags: displayName as stored, description rendered from markdown', async () => {
    const [r] = goldenRoutes(g, '/data/plugin/scalars/tags');
    const a = await ask(s.base, r);
    expect(a.json).toEqual(r.json);
    expect((a.json as any)['tf2/train'].loss.description).toBe('<p>Training <strong>loss</strong> (cross-entropy)</p>');
  });

  it('every recorded series, JSON and CSV, is TensorBoard\'s', async () => {
    const routes = goldenRoutes(g, '/data/plugin/scalars/scalars');
    expect(routes.length).toBeGreaterThan(40);
    for (const r of routes) {
      const a = await ask(s.base, r);
      expect(a.status, r.path).toBe(r.status);
      expect(a.type, r.path).toBe(r.type);
      if (r.json !== undefined) expect(a.json, r.path).toEqual(r.json);
      else expect(a.text, r.path).toBe(r.text);
    }
  });

  it('a step past 2^53 keeps its exact value in JSON and CSV', async () => {
    const q = '/data/plugin/scalars/scalars?run=tf2%2Ftrain&tag=bigstep';
    const json = await ask(s.base, { method: 'GET', path: q });
    // TensorBoard's JSON passes the step through a double (…996); its CSV and the log hold …995.
    expect(json.raw.toString()).toBe('[[1796504391.267053,9007199254740995,1.5]]');
    const csv = goldenRoutes(g, '/data/plugin/scalars/scalars').find((r) => r.path === `${q}&format=csv`)!;
    expect(csv.text).toContain(',9007199254740995,');
    expect((await ask(s.base, csv)).text).toBe(csv.text);
  });

  it('POST scalars_multirun answers as TensorBoard (form-encoded tag + repeated runs)', async () => {
    const routes = goldenRoutes(g, '/data/plugin/scalars/scalars_multirun', 'POST');
    expect(routes.length).toBeGreaterThan(3);
    for (const r of routes) {
      const a = await ask(s.base, r);
      expect(a.status, r.body).toBe(200);
      expect(a.json, r.body).toEqual(r.json);
    }
    const none = await ask(s.base, { method: 'POST', path: '/data/plugin/scalars/scalars_multirun', body: 'tag=loss&runs=nope&runs=tf2%2Ftrain', bodyType: 'application/x-www-form-urlencoded' });
    expect(Object.keys(none.json as object)).toEqual(['tf2/train']);
    const bad = await ask(s.base, { method: 'POST', path: '/data/plugin/scalars/scalars_multirun', body: 'runs=tf2%2Ftrain', bodyType: 'application/x-www-form-urlencoded' });
    expect(bad.status).toBe(400);
    // TensorBoard's own frontend posts FormData (multipart): the same answer.
    const fd = new FormData();
    fd.append('tag', 'acc');
    fd.append('runs', 'tf2/train');
    fd.append('runs', 'tf2/validation');
    const multi = await fetch(`${s.base}/data/plugin/scalars/scalars_multirun`, { method: 'POST', body: fd });
    expect(await multi.json()).toEqual(routes.find((r) => r.body === 'tag=acc&runs=tf2%2Ftrain&runs=tf2%2Fvalidation')!.json);
    const broken = await fetch(`${s.base}/data/plugin/scalars/scalars_multirun`, { method: 'POST', body: 'x', headers: { 'content-type': 'multipart/form-data; boundary=zz' } });
    expect(broken.status).toBe(400);
  });

  it('a rewound series keeps only the points logged after the rewind (load_fast=true\'s rule)', async () => {
    const r = goldenRoutes(g, '/data/plugin/scalars/scalars').find((x) => x.path === '/data/plugin/scalars/scalars?run=tf2%2Ftrain&tag=rewound')!;
    const a = await ask(s.base, r);
    expect((a.json as number[][]).map((p) => p[1])).toEqual([110, 111, 112, 113, 114]);
    // The Python loader keeps the stale 120..124 too, out of step order: we do not copy that.
    const old = slow.routes.find((x) => x.path === r.path)!;
    expect((old.json as number[][]).length).toBe(10);
  });
});

describe('histograms and distributions', () => {
  it('tags of both plugins', async () => {
    for (const route of ['/data/plugin/histograms/tags', '/data/plugin/distributions/tags']) {
      const [r] = goldenRoutes(g, route);
      expect((await ask(s.base, r)).json, route).toEqual(r.json);
    }
  });

  it('every histogram series (empty edge buckets normalised)', async () => {
    const routes = goldenRoutes(g, '/data/plugin/histograms/histograms');
    expect(routes.length).toBeGreaterThan(5);
    for (const r of routes) {
      const a = await ask(s.base, r);
      const want = (r.json as [number, number, Bucket[]][]).map(([w, st, b]) => [w, st, normaliseBuckets(b)]);
      expect(a.json, r.path).toEqual(want);
    }
  });

  it('every distribution series, to the last digit', async () => {
    const routes = goldenRoutes(g, '/data/plugin/distributions/distributions');
    expect(routes.length).toBeGreaterThan(5);
    for (const r of routes) expect((await ask(s.base, r)).json, r.path).toEqual(r.json);
  });
});

describe('images', () => {
  it('tags with samples', async () => {
    const [r] = goldenRoutes(g, '/data/plugin/images/tags');
    expect((await ask(s.base, r)).json).toEqual(r.json);
  });

  it('one entry per step per sample, with TensorBoard\'s blob keys', async () => {
    const routes = goldenRoutes(g, '/data/plugin/images/images');
    expect(routes.some((r) => r.path.includes('sample=1'))).toBe(true);
    for (const r of routes) expect((await ask(s.base, r)).json, r.path).toEqual(r.json);
  });

  it('individualImage serves the same bytes and content type for every recorded blob key', async () => {
    const routes = goldenRoutes(g, '/data/plugin/images/individualImage');
    expect(routes.length).toBeGreaterThan(5);
    for (const r of routes) {
      const a = await ask(s.base, r);
      expect(a.status, r.path).toBe(200);
      expect(a.type, r.path).toBe(r.type);
      expect(a.sha256, r.path).toBe(r.sha256);
    }
  });

  it('a bad or unknown blob key is a 4xx with a reason', async () => {
    const bad = await ask(s.base, { method: 'GET', path: '/data/plugin/images/individualImage?blob_key=%%%' });
    expect(bad.status).toBe(400);
    const key = Buffer.from(JSON.stringify(['', 'tf1', 'tf1_image/image/0', 99, 2])).toString('base64url');
    const gone = await ask(s.base, { method: 'GET', path: `/data/plugin/images/individualImage?blob_key=${key}` });
    expect(gone.status).toBe(404);
    expect((gone.json as { error: string }).error).toContain('step 99');
  });
});
