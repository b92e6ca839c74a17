// The scalars routes' optional ?points= and ?min_step=&max_step=: downsampled min / max per bucket (the
// spike survives), a step window at full resolution, 4xx on bad values, and TensorBoard's answer unchanged
// without them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.ts';
import type { LogRecord } from '../../server/logs/records.ts';
import { removeDir, startApp, tempDir } from './helpers.ts';

const N = 20_000;
const SPIKE = 12_345;
let dir: string;
let app: App;

type Tuple = [number, number, number];
const url = (p: string) => new URL(p, app.url()).toString();
async function get(q: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url(`/data/plugin/scalars/scalars?run=big&tag=loss${q}`));
  return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text() };
}

beforeAll(async () => {
  dir = await tempDir();
  app = await startApp({ logdir: dir });
  const recs: LogRecord[] = [];
  for (let s = 0; s < N; s++) recs.push({ kind: 'scalar', tag: 'loss', step: s * 2, wallTime: 1000 + s, value: s === SPIKE ? 99 : Math.sin(s / 300) });
  app.ingest('big', recs);
});
afterAll(async () => {
  await app?.close();
  await removeDir(dir);
});

describe('scalars ?points= and ?min_step=&max_step=', () => {
  it('without the parameters: every point, as before', async () => {
    const r = await get('');
    expect(r.status).toBe(200);
    expect((r.body as Tuple[]).length).toBe(N);
  });

  it('?points=N: about N points, first and last kept, steps ascending, the spike kept', async () => {
    const all = (await get('')).body as Tuple[];
    const r = (await get('&points=500')).body as Tuple[];
    expect(r.length).toBeLessThanOrEqual(502);
    expect(r.length).toBeGreaterThan(400);
    expect(r[0]).toEqual(all[0]);
    expect(r.at(-1)).toEqual(all.at(-1));
    for (let i = 1; i < r.length; i++) expect(r[i][1]).toBeGreaterThan(r[i - 1][1]);
    expect(r.find((t) => t[2] === 99)?.[1]).toBe(SPIKE * 2);
    // The multi-run form takes the same fields.
    const form = new URLSearchParams({ tag: 'loss', runs: 'big', points: '500' });
    const multi = (await (await fetch(url('/data/plugin/scalars/scalars_multirun'), { method: 'POST', body: form })).json()) as Record<string, Tuple[]>;
    expect(multi.big).toEqual(r);
  });

  it('a step window is served at full resolution; with points, downsampled within it', async () => {
    const r = (await get('&min_step=20000&max_step=20100')).body as Tuple[];
    expect(r.map((t) => t[1])).toEqual(Array.from({ length: 51 }, (_, i) => 20_000 + 2 * i));
    const wide = (await get('&min_step=0&max_step=30000&points=100')).body as Tuple[];
    expect(wide.length).toBeLessThanOrEqual(102);
    expect(wide.at(-1)![1]).toBe(30_000);
    const csv = (await get('&min_step=20000&max_step=20004&format=csv')).body as string;
    expect(csv.trim().split('\r\n')).toHaveLength(4); // header + 3 rows
  });

  it('bad values get a 400 with the reason', async () => {
    for (const [q, reason] of [
      ['&points=abc', 'points'],
      ['&points=1', 'points'],
      ['&points=2.5', 'points'],
      ['&points=', 'points'],
      ['&points=99999999', 'points'],
      ['&min_step=x', 'min_step'],
      ['&max_step=Infinity', 'max_step'],
      ['&min_step=10&max_step=5', 'min_step'],
      ['&points=10&points=20', 'points'],
    ]) {
      const r = await get(q);
      expect(r.status, q).toBe(400);
      expect(JSON.stringify(r.body), q).toContain(reason);
    }
    const form = new URLSearchParams({ tag: 'loss', runs: 'big', points: '0' });
    expect((await fetch(url('/data/plugin/scalars/scalars_multirun'), { method: 'POST', body: form })).status).toBe(400);
  });
});
