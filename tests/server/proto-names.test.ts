// Run directories and tags literally named "__proto__" and "constructor", end to end: HTTP tag lists,
// series and downloads, the whole-logdir export, and socket resume (`have`) all treat them as
// ordinary names, and nothing lands on Object.prototype.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.ts';
import { EventWriter } from '../../server/logs/event-writer.ts';
import type { ExportDocument } from '../../shared/types.ts';
import { client, ClientModel, connected, removeDir, request, sleep, startApp, tempDir, until, type Client } from './helpers.ts';

const NAMES = ['__proto__', 'constructor'];
let dir: string;
let app: App;
let base: string;
const clients: Client[] = [];

beforeAll(async () => {
  dir = await tempDir();
  for (const run of NAMES) {
    const w = await EventWriter.open(path.join(dir, run));
    for (let s = 0; s < 5; s++) for (const tag of [...NAMES, 'loss']) w.scalar(tag, s / 10, s, 1000 + s);
    w.histogram('__proto__', [1, 2, 3], 0, 1000);
    await w.close();
  }
  app = await startApp({ logdir: dir });
  base = app.url().replace(/\/$/, '');
  await until(() => NAMES.every((r) => app.store.hasRun(r) && app.store.scalarTags(r).length === 3), 5000, 'runs loaded');
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await app?.close();
  await removeDir(dir);
});

async function get<T>(p: string): Promise<T> {
  const res = await fetch(base + p);
  expect(res.status, p).toBe(200);
  return (await res.json()) as T;
}

function pristine(): void {
  const o = {} as Record<string, unknown>;
  expect(o.loss).toBeUndefined();
  expect(typeof o.constructor).toBe('function');
  expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
  expect(Object.keys(Object.prototype)).toEqual([]);
}

describe('runs and tags named __proto__ / constructor', () => {
  it('are listed and served over HTTP, downloads included', async () => {
    expect((await get<string[]>('/data/runs')).sort()).toEqual([...NAMES].sort());
    const tags = await get<Record<string, Record<string, unknown>>>('/data/plugin/scalars/tags');
    for (const run of NAMES) {
      expect(Object.hasOwn(tags, run), run).toBe(true);
      expect(Object.keys(tags[run]).sort()).toEqual([...NAMES, 'loss'].sort());
    }
    const hist = await get<Record<string, Record<string, unknown>>>('/data/plugin/histograms/tags');
    expect(Object.keys(hist).sort()).toEqual([...NAMES].sort());
    expect(Object.keys(hist['__proto__'])).toEqual(['__proto__']);
    for (const run of NAMES) {
      for (const tag of NAMES) {
        const q = new URLSearchParams({ run, tag }).toString();
        expect(await get<unknown[]>(`/data/plugin/scalars/scalars?${q}`)).toHaveLength(5);
        const dl = await get<unknown[]>(`/api/download?${q}&format=json`);
        expect(dl).toHaveLength(5);
      }
    }
    pristine();
  });

  it('are kept whole by the export', async () => {
    const doc = await get<ExportDocument>('/api/export');
    for (const run of NAMES) {
      expect(Object.hasOwn(doc.runs, run), run).toBe(true);
      expect(Object.keys(doc.runs[run].scalars).sort()).toEqual([...NAMES, 'loss'].sort());
      expect(doc.runs[run].scalars['__proto__']).toHaveLength(5);
      expect(Object.keys(doc.runs[run].histograms)).toEqual(['__proto__']);
    }
    pristine();
  });

  it('resume over the socket with `have` keyed by them: exactly the missing points', async () => {
    const c = client(app);
    clients.push(c);
    await connected(c);
    const model = new ClientModel(c);
    // Raw JSON so "__proto__" is an own key on the wire, as a browser's JSON.stringify of a null-prototype map sends it.
    const have = JSON.parse('{"__proto__":{"__proto__":2,"constructor":3,"loss":4},"constructor":{"__proto__":1}}');
    const ack = await request(c, 'subscribe', { runs: NAMES, have });
    expect(ack.ok).toBe(true);
    // __proto__ run: 2 + 1 + 0 scalar points (+ histogram's 1, not had); constructor run: 3 + 5 + 5 (+1).
    await until(() => model.pointCount() === 3 + 13, 5000, 'resume backlog');
    await sleep(100);
    expect(model.pointCount('__proto__')).toBe(3);
    expect(model.scalars.get('__proto__')!.get('__proto__')!.steps).toEqual([3, 4]);
    expect(model.scalars.get('__proto__')!.get('constructor')!.steps).toEqual([4]);
    expect(model.scalars.get('__proto__')!.get('loss')).toBeUndefined();
    expect(model.scalars.get('constructor')!.get('__proto__')!.steps).toEqual([2, 3, 4]);
    expect(model.scalars.get('constructor')!.get('constructor')!.steps).toEqual([0, 1, 2, 3, 4]);
    expect(model.histograms.get('__proto__')!.get('__proto__')).toEqual([0]);
    pristine();
  });
});
