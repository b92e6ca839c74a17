// Run control over real sockets against a real training server: who may stop a run, how many places of
// the queue clients may take, disk budgets at train:start, and run folders that would leave the logdir.
import { mkdir, readdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hello, TrainRequest } from '../../shared/protocol.ts';
import type { Activation, RunInfo } from '../../shared/types.ts';
import type { App } from '../../server/app.ts';
import { client, connected, removeDir, request, startApp, tempDir, until, type Client } from './helpers.ts';

/** A run that keeps running until stopped (20 iterations a second for ~8 minutes). */
const LONG = (activations: Activation[], name?: string): TrainRequest => ({
  dataset: 'spiral',
  noise: 0.1,
  samples: 100,
  layers: [4],
  optimizer: 'adam',
  learningRate: 0.01,
  batchSize: 8,
  epochs: 1000,
  dropout: 0,
  batchNorm: false,
  seed: 1,
  summaryEvery: 10,
  maxItersPerSec: 20,
  activations,
  ...(name ? { name } : {}),
});

let dir: string;
let outside: string;
let app: App;
const clients: Client[] = [];

async function open(clientId?: string, token?: string, on = app): Promise<{ c: Client; hello: Hello }> {
  const c = client(on, { clientId, token });
  clients.push(c);
  const hello = new Promise<Hello>((resolve) => c.once('hello', resolve));
  await connected(c);
  return { c, hello: await hello };
}

async function stateOf(c: Client, run: string): Promise<RunInfo | undefined> {
  const r = await request<RunInfo[]>(c, 'runs:list');
  return r.ok ? r.data.find((i) => i.name === run) : undefined;
}

beforeAll(async () => {
  dir = await tempDir('ts-runctl-');
  outside = await tempDir('ts-runctl-outside-');
  // maxRuns 1 + the default queue of 64: 65 places, at most 16 per client, the last 16 kept for newcomers.
  app = await startApp({ logdir: dir, training: true, backend: 'wasm', maxRuns: 1 });
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await app?.close();
  await removeDir(dir);
  await removeDir(outside);
});

describe('run ownership over sockets', () => {
  it('a client that started no runs cannot stop another client\'s run; the owner can, also after reconnecting', { timeout: 60_000 }, async () => {
    const owner = await open('owner-tab-0123456789');
    const stranger = await open(); // no clientId: owns what this connection starts
    expect(owner.hello.you).toEqual({ owner: expect.any(String), admin: false });
    expect(stranger.hello.you!.owner).not.toBe(owner.hello.you!.owner);

    const started = await request<{ runs: string[] }>(owner.c, 'train:start', LONG(['relu'], 'owned'));
    if (!started.ok) throw new Error(started.error);
    const info = await stateOf(stranger.c, 'owned');
    expect(info?.startedBy).toBe(owner.hello.you!.owner); // what the dashboard hides the button by

    const refused = await request(stranger.c, 'train:stop', { run: 'owned' });
    expect(refused).toEqual({ ok: false, error: expect.stringMatching(/started by another client/) });
    expect((await stateOf(stranger.c, 'owned'))?.status?.state).toMatch(/queued|running/);

    // The same tab reconnects (same clientId, new socket) and stops its run.
    owner.c.disconnect();
    const again = await open('owner-tab-0123456789');
    expect(again.hello.you!.owner).toBe(owner.hello.you!.owner);
    expect(await request(again.c, 'train:stop', { run: 'owned' })).toEqual({ ok: true, data: null });
    let state: string | undefined;
    for (let i = 0; i < 200 && state !== 'stopped'; i++) {
      state = (await stateOf(again.c, 'owned'))?.status?.state;
      if (state !== 'stopped') await new Promise((r) => setTimeout(r, 100));
    }
    expect(state).toBe('stopped');
  });

  it('a malformed clientId is ignored (the connection owns its runs)', async () => {
    const { hello } = await open('x');
    const other = await open('y');
    expect(hello.you!.owner).not.toBe(other.hello.you!.owner);
  });

  it('10 clients queueing all they can do not lock out an 11th', { timeout: 60_000 }, async () => {
    const greedy = await Promise.all(Array.from({ length: 10 }, (_, i) => open(`greedy-client-${String(i).padStart(8, '0')}`)));
    const refusals: string[] = [];
    for (let round = 0; round < 8; round++) {
      for (const { c } of greedy) {
        for (const acts of [['relu', 'tanh', 'sigmoid'], ['elu']] as Activation[][]) {
          const r = await request(c, 'train:start', LONG(acts));
          if (!r.ok) refusals.push(r.error);
        }
      }
    }
    expect(refusals.length).toBeGreaterThan(0);
    for (const e of refusals) expect(e).toMatch(/at most 16 at once|queue is (nearly )?full/);
    const list = await request<RunInfo[]>(greedy[0].c, 'runs:list');
    const active = list.ok ? list.data.filter((r) => r.status?.state === 'queued' || r.status?.state === 'running') : [];
    expect(active.length).toBeGreaterThan(40);
    expect(active.length).toBeLessThan(65);

    const newcomer = await open('newcomer-0123456789ab');
    const mine = await request<{ runs: string[] }>(newcomer.c, 'train:start', LONG(['relu'], 'newcomer'));
    expect(mine).toEqual({ ok: true, data: { runs: ['newcomer'] } });

    // Free the places for the tests below: every client stops its own runs.
    for (const { c, hello } of [...greedy, newcomer]) {
      const l = await request<RunInfo[]>(c, 'runs:list');
      for (const r of l.ok ? l.data : []) {
        if (r.startedBy === hello.you!.owner && (r.status?.state === 'queued' || r.status?.state === 'running')) {
          expect((await request(c, 'train:stop', { run: r.name })).ok).toBe(true);
        }
      }
    }
  });

  it('refuses the 39 GB/hour sweep with its estimate and the budget', async () => {
    const { c } = await open();
    const r = await request(c, 'train:start', { ...LONG(['relu', 'tanh']), samples: 60_000, batchSize: 1, epochs: 1000, summaryEvery: 1, layers: [16, 16], maxItersPerSec: undefined });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatch(/estimated at [\d.]+ (GB|TB) \(48000000 iterations.*over the per-run disk budget of 2\.0 GB/);
    expect(r.error).toMatch(/summaryEvery/);
  });

  it('refuses a sweep named after a symlink that leads out of the logdir, and writes nothing there', async () => {
    await symlink(outside, path.join(dir, 'shared'));
    const { c } = await open();
    const r = await request(c, 'train:start', { ...LONG(['relu', 'tanh'], 'shared'), epochs: 1, maxItersPerSec: undefined });
    expect(r).toEqual({ ok: false, error: expect.stringMatching(/symlink to .*outside the logdir/) });
    expect(await readdir(outside)).toEqual([]);
    // A symlink to a folder inside the logdir is fine.
    await mkdir(path.join(dir, 'real-inside'));
    await symlink(path.join(dir, 'real-inside'), path.join(dir, 'alias'));
    const ok = await request<{ runs: string[] }>(c, 'train:start', { ...LONG(['relu', 'tanh'], 'alias'), epochs: 1, maxItersPerSec: undefined });
    expect(ok).toEqual({ ok: true, data: { runs: ['alias/relu', 'alias/tanh'] } });
  });
});

describe('with --auth-token', () => {
  let authDir: string;
  let authApp: App;
  beforeAll(async () => {
    authDir = await tempDir('ts-runctl-auth-');
    authApp = await startApp({ logdir: authDir, training: true, backend: 'wasm', maxRuns: 1, authToken: 'secret-token-123' });
  });
  afterAll(async () => {
    await authApp?.close();
    await removeDir(authDir);
  });

  it('token holders are admins and may stop any run', { timeout: 60_000 }, async () => {
    const a = await open('tab-a-0123456789abcd', 'secret-token-123', authApp);
    const b = await open('tab-b-0123456789abcd', 'secret-token-123', authApp);
    expect(b.hello.you!.admin).toBe(true);
    const started = await request<{ runs: string[] }>(a.c, 'train:start', LONG(['relu'], 'a-run'));
    expect(started.ok).toBe(true);
    expect(await request(b.c, 'train:stop', { run: 'a-run' })).toEqual({ ok: true, data: null });
  });
});
