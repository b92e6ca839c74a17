// HTTP API against a real server: TensorBoard's shapes for a corpus logdir and for our own logs,
// hand-computed distributions, 4xx for bad/unknown/traversing requests, and the auth token.
import http from 'node:http';
import { cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.ts';
import { readEventFile } from '../../server/logs/event-file-reader.ts';
import { EventWriter } from '../../server/logs/event-writer.ts';
import { CORPUS, removeDir, startApp, tempDir } from './helpers.ts';

const PT = 'ZeroToMax-ZYZ__study_tensorboard/runs';
const TF1 = 'tensorflow__tensorboard/log_tayo/train';

let dir: string;
let outside: string;
let app: App;
let base: string;
let pngBytes: Uint8Array;

async function get(p: string, headers: Record<string, string> = {}) {
  const res = await fetch(base + p, { headers });
  return res;
}
async function json(p: string): Promise<unknown> {
  const res = await get(p);
  expect(res.status, `${p}: ${res.status}`).toBe(200);
  return res.json();
}
/** Raw request path (fetch would normalise "..") */
function rawGet(p: string): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    http
      .get({ host: u.hostname, port: u.port, path: p }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}
const q = (o: Record<string, string | number>) => new URLSearchParams(Object.entries(o).map(([k, v]) => [k, String(v)])).toString();

beforeAll(async () => {
  dir = await tempDir();
  outside = await tempDir('ts-outside-');
  await cp(path.join(CORPUS, PT), path.join(dir, 'pt'), { recursive: true });
  await cp(path.join(CORPUS, TF1), path.join(dir, 'tf1'), { recursive: true });
  // Our own log: every kind, including a NaN and a hand-checkable histogram.
  const w = await EventWriter.open(path.join(dir, 'ours'));
  w.scalar('loss', 0.5, 1, 1000);
  w.scalar('loss', NaN, 2, 1001);
  w.scalar('loss', Infinity, 3, 1002);
  w.histogramBuckets('weights', [[0, 2, 1], [2, 6, 3]], 1, 1000);
  const png = new PNG({ width: 2, height: 2 });
  png.data.fill(200);
  pngBytes = new Uint8Array(PNG.sync.write(png));
  w.image('samples', pngBytes, 2, 2, 1, 1000);
  w.text('notes', 'hello <b>world</b>', 1, 1000);
  w.hparams({ lr: 0.01, activation: 'relu' }, ['loss'], 999);
  await w.close();
  // A run outside the logdir, reachable only through a symlink inside it.
  const ow = await EventWriter.open(path.join(outside, 'secret'));
  ow.scalar('secret', 1, 1, 1000);
  await ow.close();
  await symlink(path.join(outside, 'secret'), path.join(dir, 'evil'));
  await writeFile(path.join(outside, 'passwd.txt'), 'root:x:0:0');
  // Corrupt logs: random bytes, and a corpus file cut in the middle of a record.
  await mkdir(path.join(dir, 'corrupt'));
  await writeFile(path.join(dir, 'corrupt', 'events.out.tfevents.1.garbage'), Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 251)));
  const whole = await readFile(path.join(CORPUS, PT, 'experiment_lr_0.1', 'events.out.tfevents.1771594954.zyzkings.14144.0'));
  await mkdir(path.join(dir, 'truncated'));
  await writeFile(path.join(dir, 'truncated', 'events.out.tfevents.2.cut'), whole.subarray(0, Math.floor(whole.length / 2) + 3));
  app = await startApp({ logdir: dir });
  base = app.url().replace(/\/$/, '');
});
afterAll(async () => {
  await app?.close();
  await removeDir(dir);
  await removeDir(outside);
});

describe('HTTP data API', () => {
  it('lists runs (never the symlink out of the logdir) and status', async () => {
    const runs = (await json('/data/runs')) as string[];
    expect(runs).toEqual(expect.arrayContaining(['ours', 'tf1', `pt/experiment_lr_0.1`, 'pt/image_experiment']));
    expect(runs).not.toContain('evil');
    const infos = (await json('/api/runs')) as { name: string; source: string }[];
    // Same runs; /data/runs in TensorBoard's order (first event time, then name).
    expect(infos.map((r) => r.name).sort()).toEqual([...runs].sort());
    expect(await json('/api/status')).toMatchObject({ logdir: app.config.logdir, backend: null, version: expect.any(String) });
  });

  it('serves corpus scalars exactly as in the event file, in TensorBoard shape', async () => {
    const tags = (await json('/data/plugin/scalars/tags')) as Record<string, Record<string, { displayName: string }>>;
    const run = 'pt/experiment_lr_0.1';
    const file = path.join(dir, run, 'events.out.tfevents.1771594954.zyzkings.14144.0');
    const { records } = await readEventFile(file);
    const scal = records.filter((r) => r.kind === 'scalar');
    const tag = scal[0].kind === 'scalar' ? scal[0].tag : '';
    expect(Object.keys(tags[run])).toContain(tag);
    expect(tags[run][tag]).toMatchObject({ displayName: expect.any(String), description: expect.any(String) });
    const got = await json(`/data/plugin/scalars/scalars?${q({ run, tag })}`);
    const want = scal
      .filter((r) => r.kind === 'scalar' && r.tag === tag)
      .map((r) => (r.kind === 'scalar' ? [r.wallTime, r.step, r.value] : []))
      .sort((a, b) => a[1] - b[1]);
    expect(got).toEqual(want);
  });

  it('serves corpus histograms, distributions, images and graphs', async () => {
    const htags = (await json('/data/plugin/histograms/tags')) as Record<string, Record<string, unknown>>;
    expect(Object.keys(htags)).toEqual(expect.arrayContaining(['tf1', 'pt/histogram_experiment']));
    const hrun = 'pt/histogram_experiment';
    const htag = Object.keys(htags[hrun])[0];
    const hist = (await json(`/data/plugin/histograms/histograms?${q({ run: hrun, tag: htag })}`)) as [number, number, [number, number, number][]][];
    expect(hist.length).toBeGreaterThan(0);
    for (const [w, s, buckets] of hist) {
      expect(typeof w).toBe('number');
      expect(typeof s).toBe('number');
      for (const b of buckets) expect(b).toHaveLength(3);
    }
    const dist = (await json(`/data/plugin/distributions/distributions?${q({ run: hrun, tag: htag })}`)) as [number, number, [number, number][]][];
    expect(dist.map((d) => d[1])).toEqual(hist.map((h) => h[1]));
    for (const [, , bands] of dist) {
      expect(bands.map((b) => b[0])).toEqual([0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000]);
      for (let i = 1; i < bands.length; i++) expect(bands[i][1]).toBeGreaterThanOrEqual(bands[i - 1][1]);
    }
    expect(await json('/data/plugin/distributions/tags')).toEqual(htags);

    const itags = (await json('/data/plugin/images/tags')) as Record<string, Record<string, { samples: number }>>;
    const irun = 'pt/image_experiment';
    const itag = Object.keys(itags[irun])[0];
    const refs = (await json(`/data/plugin/images/images?${q({ run: irun, tag: itag })}`)) as { index: number; width: number; query: string }[];
    expect(refs.length).toBeGreaterThan(0);
    const img = await get(`/data/plugin/images/individualImage?${refs[0].query}`);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toMatch(/^image\//);
    expect((await img.arrayBuffer()).byteLength).toBeGreaterThan(100);

    const graphRuns = (await json('/api/graphs/runs')) as string[];
    expect(graphRuns).toContain('tf1');
    const graphs = (await json(`/api/graphs?${q({ run: 'tf1' })}`)) as { kind: string; nodes: unknown[] }[];
    expect(graphs[0].kind).toBe('graph_def');
    expect(graphs[0].nodes.length).toBeGreaterThan(10);
  });

  it('serves our own log: NaN/Infinity as strings, images as PNG bytes, text, hparams', async () => {
    expect(await json(`/data/plugin/scalars/scalars?${q({ run: 'ours', tag: 'loss' })}`)).toEqual([
      [1000, 1, 0.5],
      [1001, 2, 'NaN'],
      [1002, 3, 'Infinity'],
    ]);
    const refs = (await json(`/data/plugin/images/images?${q({ run: 'ours', tag: 'samples' })}`)) as { query: string; wall_time: number; step: number }[];
    expect(refs).toHaveLength(1);
    expect(refs[0]).toEqual({ query: expect.stringMatching(/^blob_key=[\w-]+$/), step: 1, wall_time: expect.any(Number) });
    const img = await get(`/data/plugin/images/individualImage?${refs[0].query}`);
    expect(img.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await img.arrayBuffer())).toEqual(pngBytes);
    expect(await json('/data/plugin/text/tags')).toMatchObject({ ours: ['notes'] });
    expect(await json(`/data/plugin/text/text?${q({ run: 'ours', tag: 'notes' })}`)).toEqual([
      // Rendered like TensorBoard: Markdown, with HTML outside its allow-list escaped.
      { wall_time: 1000, step: 1, text: '<p>hello &lt;b&gt;world&lt;/b&gt;</p>' },
    ]);
    expect(await json('/data/plugin/hparams/runs')).toMatchObject({ ours: { lr: 0.01, activation: 'relu' } });
  });

  it('computes distributions like TensorBoard (hand-checked case)', async () => {
    expect(await json(`/data/plugin/histograms/histograms?${q({ run: 'ours', tag: 'weights' })}`)).toEqual([
      [1000, 1, [[0, 2, 1], [2, 6, 3]]],
    ]);
    const [[, , bands]] = (await json(`/data/plugin/distributions/distributions?${q({ run: 'ours', tag: 'weights' })}`)) as [number, number, [number, number][]][];
    // Cumulative weights 2500 | 10000 over buckets [0,2] and [2,6]; linear inside each bucket.
    const want = [0, 0.5344, 1.2696, 2.312, 2 + (2500 * 4) / 7500, 2 + (4415 * 4) / 7500, 2 + (5913 * 4) / 7500, 2 + (6832 * 4) / 7500, 6];
    expect(bands.map((b) => b[0])).toEqual([0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000]);
    bands.forEach((b, i) => expect(b[1]).toBeCloseTo(want[i], 6));
  });

  it('downloads a scalar series as CSV and JSON, and the whole logdir as an export document', async () => {
    const csv = await get(`/api/download?${q({ run: 'ours', tag: 'loss', format: 'csv' })}`);
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="ours-loss.csv"/);
    expect(await csv.text()).toBe('wall_time,step,value\n1000,1,0.5\n1001,2,NaN\n1002,3,Infinity\n');
    const js = await get(`/api/download?${q({ run: 'ours', tag: 'loss', format: 'json' })}`);
    expect(await js.json()).toEqual([[1000, 1, 0.5], [1001, 2, 'NaN'], [1002, 3, 'Infinity']]);
    const doc = (await json('/api/export')) as { runs: Record<string, { scalars: Record<string, unknown[]> }> };
    expect(doc.runs.ours.scalars.loss).toHaveLength(3);
    expect(Object.keys(doc.runs)).toEqual(expect.arrayContaining(['tf1', 'pt/experiment_lr_0.1']));
    expect(Object.keys(doc.runs)).not.toContain('evil');
  });
});

describe('HTTP refusals', () => {
  it('unknown run or tag -> 404 with a reason; bad parameters -> 400', async () => {
    const r1 = await get(`/data/plugin/scalars/scalars?${q({ run: 'nope', tag: 'loss' })}`);
    expect(r1.status).toBe(404);
    expect(((await r1.json()) as { error: string }).error).toMatch(/unknown run "nope"/);
    const r2 = await get(`/data/plugin/scalars/scalars?${q({ run: 'ours', tag: 'nope' })}`);
    expect(r2.status).toBe(404);
    expect(((await r2.json()) as { error: string }).error).toMatch(/no scalar tag "nope"/);
    const r3 = await get(`/data/plugin/scalars/scalars?run=ours`);
    expect(r3.status).toBe(400);
    expect(((await r3.json()) as { error: string }).error).toMatch(/tag/);
    expect((await get(`/data/plugin/scalars/scalars?run=ours&run=tf1&tag=loss`)).status).toBe(400);
    expect((await get(`/data/plugin/images/individualImage?${q({ run: 'ours', tag: 'samples', index: 'x' })}`)).status).toBe(400);
    expect((await get(`/data/plugin/images/individualImage?${q({ run: 'ours', tag: 'samples', index: 7 })}`)).status).toBe(404);
    expect((await get(`/api/download?${q({ run: 'ours', tag: 'loss', format: 'xml' })}`)).status).toBe(400);
    expect((await get('/data/plugin/nope/x')).status).toBe(404);
  });

  it('refuses traversal: .., encoded .., absolute paths, symlinks out of the logdir', async () => {
    for (const run of ['../x', '..', 'ours/../../etc', '/etc/passwd', outside]) {
      const r = await get(`/data/plugin/scalars/scalars?${q({ run, tag: 'loss' })}`);
      expect(r.status, run).toBe(400);
    }
    const enc = await get(`/data/plugin/scalars/scalars?run=%2e%2e%2fsecret&tag=secret`);
    expect(enc.status).toBe(400);
    const sym = await get(`/data/plugin/scalars/scalars?${q({ run: 'evil', tag: 'secret' })}`);
    expect(sym.status).toBe(404);
    expect((await get(`/data/plugin/graphs/graph?${q({ run: '../tf1' })}`)).status).toBe(400);
    for (const p of ['/%2e%2e/%2e%2e/etc/passwd', '/../../../etc/passwd', `/..%2f..%2f${path.basename(outside)}/passwd.txt`]) {
      const r = await rawGet(p);
      expect(r.body, p).not.toMatch(/root:x:0/);
      expect(r.status, p).toBeGreaterThanOrEqual(400);
    }
  });

  it('survives corrupt and truncated logs: the good part is served, the rest is skipped', async () => {
    const runs = (await json('/data/runs')) as string[];
    expect(runs).toContain('ours');
    const tags = (await json('/data/plugin/scalars/tags')) as Record<string, Record<string, unknown>>;
    const full = Object.keys(tags['pt/experiment_lr_0.1']);
    const tag = full[0];
    const cut = (await json(`/data/plugin/scalars/scalars?${q({ run: 'truncated', tag })}`)) as unknown[];
    const whole = (await json(`/data/plugin/scalars/scalars?${q({ run: 'pt/experiment_lr_0.1', tag })}`)) as unknown[];
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.length).toBeLessThan(whole.length);
    expect(cut).toEqual(whole.slice(0, cut.length));
  });

  it('without a built dashboard, / says how to build it', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(await r.text()).toMatch(/npm run build/);
  });

  it('rejects a foreign Host header while bound to loopback (DNS rebinding)', async () => {
    const u = new URL(base);
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get({ host: u.hostname, port: u.port, path: '/data/runs', headers: { host: 'evil.example.com' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject);
    });
    expect(status).toBe(403);
  });
});

describe('auth token', () => {
  it('refuses requests without the token; accepts header, query (then a same-origin-only cookie)', async () => {
    const logdir = await tempDir();
    await mkdir(path.join(logdir, 'r'));
    const secured = await startApp({ logdir, authToken: 's3cret-token' });
    const b = secured.url().replace(/\/$/, '');
    try {
      const r0 = await fetch(`${b}/data/runs`);
      expect(r0.status).toBe(401);
      expect((await fetch(`${b}/data/runs`, { headers: { authorization: 'Bearer wrong-token' } })).status).toBe(401);
      expect((await fetch(`${b}/data/runs`, { headers: { authorization: 'Bearer s3cret-token' } })).status).toBe(200);
      const r1 = await fetch(`${b}/?token=s3cret-token`);
      expect(r1.status).toBe(200);
      const cookie = r1.headers.get('set-cookie')!;
      expect(cookie).toMatch(/HttpOnly/i);
      // The cookie counts only for the tab's own same-origin reads (never from another port's page).
      const c = cookie.split(';')[0];
      expect((await fetch(`${b}/api/status`, { headers: { cookie: c, 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
      // From another port's page the read is refused before the token is looked at (cross-site reads).
      expect((await fetch(`${b}/api/status`, { headers: { cookie: c, 'sec-fetch-site': 'same-site' } })).status).toBe(403);
      expect((await fetch(`${b}/api/status`, { headers: { cookie: c } })).status).toBe(401);
    } finally {
      await secured.close();
      await removeDir(logdir);
    }
  });
});
