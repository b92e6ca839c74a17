// The live socket protocol against a real server: hello, live tailing of a file another writer appends
// to, and malformed/hostile messages (garbage, missing acks, bad regex, oversized, bad auth) that get
// error acks or a disconnect while other clients keep being served.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hello } from '../../shared/protocol.ts';
import type { RunInfo } from '../../shared/types.ts';
import type { App } from '../../server/app.ts';
import { EventWriter } from '../../server/logs/event-writer.ts';
import { client, ClientModel, connected, removeDir, request, sleep, startApp, tempDir, until, type Client } from './helpers.ts';

let dir: string;
let app: App;
const clients: Client[] = [];
function open(opts?: Parameters<typeof client>[1]): Client {
  const c = client(app, opts);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  dir = await tempDir();
  const w = await EventWriter.open(path.join(dir, 'seed'));
  for (let s = 0; s < 5; s++) w.scalar('loss', 1 / (s + 1), s, 1000 + s);
  await w.close();
  app = await startApp({ logdir: dir, reloadIntervalSec: 0.1 });
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await app?.close();
  await removeDir(dir);
});

describe('socket protocol', () => {
  it('says hello with the runs, then streams points another writer appends to a tfevents file', async () => {
    const c = open();
    const hello = new Promise<Hello>((resolve) => c.once('hello', resolve));
    await connected(c);
    const h = await hello;
    expect(h.runs.map((r) => r.name)).toEqual(['seed']);
    expect(h.logdir).toBe(app.config.logdir);
    const model = new ClientModel(c);
    const ack = await request<{ runs: RunInfo[] }>(c, 'subscribe', { runs: '*' });
    expect(ack.ok).toBe(true);
    await until(() => model.pointCount('seed') === 5, 5000, 'backlog');

    const w = await EventWriter.open(path.join(dir, 'appended'), { flushMs: 20 });
    for (let s = 0; s < 10; s++) w.scalar('acc', s / 10, s, 2000 + s);
    await w.flush();
    await until(() => model.scalars.get('appended')?.get('acc')?.steps.length === 10, 5000, 'first appended points');
    const runsSeen = model.batches.flatMap((b) => b.runs ?? []).map((r) => r.name);
    expect(runsSeen).toContain('appended');
    for (let s = 10; s < 20; s++) w.scalar('acc', s / 10, s, 2000 + s);
    await w.close();
    await until(() => model.scalars.get('appended')?.get('acc')?.steps.length === 20, 5000, 'more appended points');
    expect(model.scalars.get('appended')!.get('acc')!.steps).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('tells clients when a run directory vanishes', async () => {
    const w = await EventWriter.open(path.join(dir, 'doomed'));
    w.scalar('x', 1, 1, 1000);
    await w.close();
    const c = open();
    await connected(c);
    await until(() => app.store.hasRun('doomed'), 5000, 'run discovered');
    const removed = new Promise<string>((resolve) => c.on('run:removed', resolve));
    await rm(path.join(dir, 'doomed'), { recursive: true, force: true });
    expect(await removed).toBe('doomed');
    const list = await request<RunInfo[]>(c, 'runs:list');
    expect(list.ok && list.data.map((r) => r.name)).not.toContain('doomed');
  });

  it('resumes with `have` and filters by tag pattern', async () => {
    const c = open();
    await connected(c);
    const model = new ClientModel(c);
    await request(c, 'subscribe', { runs: ['seed'], tagPattern: '^LOSS$', have: { seed: { loss: 2 } } });
    await until(() => model.pointCount() === 2, 5000);
    await sleep(100);
    expect(model.scalars.get('seed')!.get('loss')!.steps).toEqual([3, 4]);
  });

  it('answers garbage with readable error acks and keeps serving', async () => {
    const c = open();
    await connected(c);
    const garbage: unknown[] = [42, 'x', null, [], { runs: 5 }, { runs: '*', have: { r: { t: 'x' } } }];
    for (const g of garbage) {
      const r = await request(c, 'subscribe', g);
      expect(r.ok, JSON.stringify(g)).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/^subscribe: invalid request/);
    }
    const bad = await request(c, 'subscribe', { runs: '*', tagPattern: '(' });
    expect(bad).toMatchObject({ ok: false, error: expect.stringMatching(/not a valid regular expression/) });
    const backref = await request(c, 'subscribe', { runs: '*', tagPattern: '(a)\\1' });
    expect(backref).toMatchObject({ ok: false, error: expect.stringMatching(/backreferences are not supported/) });

    // Missing acks, acks in the wrong place, unknown events: nothing throws, nothing answers.
    const raw = c as unknown as { emit(ev: string, ...args: unknown[]): void };
    raw.emit('subscribe');
    raw.emit('subscribe', { runs: '*' });
    raw.emit('runs:list', 'not a function');
    raw.emit('train:start', { garbage: true });
    raw.emit('replay:control');
    raw.emit('no-such-event', 1);
    const list = await request<RunInfo[]>(c, 'runs:list');
    expect(list.ok && list.data.map((r) => r.name)).toContain('seed');

    const train = await request(c, 'train:start', { dataset: 'spiral', activations: ['relu'] });
    expect(train).toMatchObject({ ok: false, error: expect.stringMatching(/train:start: invalid request/) });
    const disabled = await request(c, 'train:start', {
      dataset: 'spiral',
      activations: ['relu'],
      layers: [4],
      learningRate: 0.01,
      batchSize: 8,
      epochs: 1,
    });
    expect(disabled).toMatchObject({ ok: false, error: expect.stringMatching(/training is disabled/) });
    expect(await request(c, 'train:stop', { run: 'seed' })).toMatchObject({ ok: false });
    expect(await request(c, 'replay:control', { replayId: 'nope', action: 'pause' })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/no replay "nope"/),
    });
    expect(await request(c, 'replay:start', { run: '../seed' })).toMatchObject({ ok: false });
    expect(await request(c, 'replay:start', { run: 'nope' })).toMatchObject({ ok: false, error: expect.stringMatching(/unknown run/) });
    expect(c.connected).toBe(true);
  });

  it('runs a catastrophic-backtracking pattern on long tags without blocking other clients or HTTP', async () => {
    // (.|.)*!$ on a 1000-character tag takes ~2^1000 steps on a backtracking engine: the subscribe's
    // backlog filtering alone would freeze the event loop (and this test would time out).
    const long = 'a'.repeat(1000);
    const w = await EventWriter.open(path.join(dir, 'hostile'), { flushMs: 20 });
    for (let s = 0; s < 3; s++) w.scalar(long, s, s, 3000 + s);
    await w.flush();
    await until(() => app.store.hasRun('hostile'), 5000, 'hostile run discovered');
    const watcher = open();
    await connected(watcher);
    const model = new ClientModel(watcher);
    await request(watcher, 'subscribe', { runs: ['hostile'] });
    await until(() => model.pointCount('hostile') === 3, 5000, 'watcher backlog');

    const attacker = open();
    await connected(attacker);
    const attackerModel = new ClientModel(attacker);
    const t0 = Date.now();
    const [ack, http] = await Promise.all([
      request(attacker, 'subscribe', { runs: '*', tagPattern: '(.|.)*!$' }),
      fetch(`${app.url().replace(/\/$/, '')}/api/runs`),
    ]);
    expect(ack.ok).toBe(true);
    expect(http.status).toBe(200);
    for (let s = 3; s < 6; s++) w.scalar(long, s, s, 3000 + s);
    await w.close();
    await until(() => model.pointCount('hostile') === 6, 5000, 'watcher keeps getting points');
    expect(Date.now() - t0).toBeLessThan(5000);
    await sleep(100);
    expect(attackerModel.pointCount('hostile')).toBe(0); // no tag ends in "!"
    const bang = open();
    await connected(bang);
    const bangModel = new ClientModel(bang);
    expect((await request(bang, 'subscribe', { runs: ['hostile'], tagPattern: '^(.|.)*A$' })).ok).toBe(true);
    await until(() => bangModel.pointCount('hostile') === 6, 5000, 'case-insensitive match of the long tag');
  });

  it('disconnects a client sending an oversized message; others are unaffected', async () => {
    const other = open();
    await connected(other);
    const c = open();
    await connected(c);
    const gone = new Promise<string>((resolve) => c.once('disconnect', (reason) => resolve(reason)));
    (c as unknown as { emit(ev: string, ...args: unknown[]): void }).emit('subscribe', { runs: '*', tagPattern: 'x'.repeat(200_000) });
    expect(await gone).toMatch(/close/);
    const list = await request<RunInfo[]>(other, 'runs:list');
    expect(list.ok).toBe(true);
  });
});

describe('socket auth', () => {
  it('refuses connections without the token', async () => {
    const logdir = await tempDir();
    const secured = await startApp({ logdir, authToken: 'socket-token-1' });
    try {
      const bad = client(secured, { token: 'wrong-token' });
      await expect(connected(bad)).rejects.toThrow(/unauthorized/);
      bad.close();
      const none = client(secured);
      await expect(connected(none)).rejects.toThrow(/unauthorized/);
      none.close();
      const good = client(secured, { token: 'socket-token-1' });
      await connected(good);
      const viaQuery = client(secured, { query: { token: 'socket-token-1' } });
      await connected(viaQuery);
      good.close();
      viaQuery.close();
    } finally {
      await secured.close();
      await removeDir(logdir);
    }
  });
});
