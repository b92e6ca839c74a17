// Fan-out over real sockets: clients with one subscription share one encoded frame per batch (counted at
// the server's encoder), each gets every point once and in order; other subscriptions get only theirs,
// and a client that did not ask for histograms gets none.
import { afterEach, describe, expect, it } from 'vitest';
import type { DeltaBatch } from '../../shared/protocol.ts';
import type { App } from '../../server/app.ts';
import type { LogRecord } from '../../server/logs/records.ts';
import { FIRST_CHUNK_POINTS } from '../../server/live/backlog-snapshot.ts';
import { wireStats } from '../../server/socket/io-server.ts';
import { client, ClientModel, connected, removeDir, request, sleep, startApp, tempDir, until, type Client } from './helpers.ts';

const scalar = (tag: string, step: number): LogRecord => ({ kind: 'scalar', tag, step, wallTime: 1000 + step, value: step / 7 });
const hist = (tag: string, step: number): LogRecord => ({ kind: 'histogram', tag, step, wallTime: 1000 + step, buckets: [[0, 1, step], [1, 2, 1]] });

let app: App | null = null;
let dir = '';
const sockets: Client[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await app?.close();
  app = null;
  if (dir) await removeDir(dir);
});

async function open(n: number): Promise<{ c: Client; model: ClientModel; batches: DeltaBatch[] }[]> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const c = client(app!);
    sockets.push(c);
    const batches: DeltaBatch[] = [];
    c.on('delta', (b) => batches.push(b));
    out.push({ c, model: new ClientModel(c), batches });
  }
  await Promise.all(out.map((o) => connected(o.c)));
  return out;
}

const steps = (m: ClientModel, run: string, tag: string) => m.scalars.get(run)?.get(tag)?.steps ?? [];

describe('fan-out', () => {
  it('50 clients with the same subscription: one encode per batch, every point once and in order', async () => {
    dir = await tempDir();
    app = await startApp({ logdir: dir });
    app.ingest('r', [scalar('loss', 0)]);
    const clients = await open(50);
    for (const { c } of clients) expect((await request(c, 'subscribe', { runs: '*' })).ok).toBe(true);
    await until(() => clients.every((x) => steps(x.model, 'r', 'loss').length === 1), 10_000, 'backlogs');
    await until(() => app!.hub.privateCount === 0, 5000, 'every client in its group');
    const before = wireStats(app.io).deltaEncodes;
    const counts = clients.map((x) => x.batches.length);

    const N = 300;
    for (let s = 1; s < N; s += 10) {
      app.ingest('r', Array.from({ length: Math.min(10, N - s) }, (_, i) => scalar('loss', s + i)));
      await sleep(7);
    }
    await until(() => clients.every((x) => steps(x.model, 'r', 'loss').length === N), 15_000, 'live points');
    await sleep(100); // nothing more is on its way

    const encodes = wireStats(app.io).deltaEncodes - before;
    const received = clients.map((x, i) => x.batches.length - counts[i]);
    expect(new Set(received).size).toBe(1); // everyone got the same batches
    expect(received[0]).toBeGreaterThan(1);
    expect(encodes).toBe(received[0]); // ...each encoded once, not once per client
    for (const x of clients) expect(steps(x.model, 'r', 'loss')).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(app.hub.groupCount).toBe(1);
  }, 60_000);

  it('30 late joiners with one subscription: the backlog is encoded once; each gets every point once and in order while points keep coming', async () => {
    dir = await tempDir();
    app = await startApp({ logdir: dir });
    const B = 90_000; // three chunks of the hub's 40k-point batches (and under the store's 100k points a series)
    for (let s = 0; s < B; s += 10_000) app.ingest('r', Array.from({ length: 10_000 }, (_, i) => scalar('loss', s + i)));
    const clients = await open(30);
    let step = B;
    let producing = true;
    const producer = (async () => {
      while (producing) {
        app!.ingest('r', [scalar('loss', step++), scalar('loss', step++)]);
        await sleep(5);
      }
    })();
    const before = { ...wireStats(app.io) };
    const acks = await Promise.all(clients.map(({ c }) => request(c, 'subscribe', { runs: '*', kinds: ['scalars'] })));
    for (const a of acks) expect(a.ok).toBe(true);
    await sleep(200);
    producing = false;
    await producer;
    const last = step;
    await until(() => clients.every((x) => steps(x.model, 'r', 'loss').length === last), 30_000, 'every point');
    await until(() => app!.hub.privateCount === 0, 5000, 'every client in its group');

    const stats = wireStats(app.io);
    expect(app.hub.snapshotBuilds).toBe(1);
    // A small first chunk (the first chart draws sooner), then chunks of the hub's 40k-point batches.
    const chunks = 1 + Math.ceil((B - FIRST_CHUNK_POINTS) / 40_000);
    expect(stats.frozenEncodes - before.frozenEncodes).toBe(chunks); // the backlog's chunks, once
    expect(stats.frozenReuses - before.frozenReuses).toBe(29 * chunks); // ...sent as they are to the other 29
    const want = Array.from({ length: last }, (_, i) => i);
    for (const x of clients) {
      expect(steps(x.model, 'r', 'loss')).toEqual(want);
      expect(x.batches.flatMap((b) => b.loaded ?? [])).toEqual(['r']);
    }
    expect(app.hub.groupCount).toBe(1);
  }, 90_000);

  it('different subscriptions get only theirs; a client without histograms gets none', async () => {
    dir = await tempDir();
    app = await startApp({ logdir: dir });
    app.ingest('r1', [scalar('loss', 0)]);
    app.ingest('r2', [scalar('loss', 0)]);
    const [all, acc, r2, noHist] = await open(4);
    expect((await request(all.c, 'subscribe', { runs: '*' })).ok).toBe(true);
    expect((await request(acc.c, 'subscribe', { runs: '*', tagPattern: '^acc' })).ok).toBe(true);
    expect((await request(r2.c, 'subscribe', { runs: ['r2'] })).ok).toBe(true);
    expect((await request(noHist.c, 'subscribe', { runs: '*', kinds: ['scalars', 'images'] })).ok).toBe(true);
    const bad = await request(noHist.c, 'subscribe', { runs: '*', kinds: ['audio'] });
    expect(bad.ok).toBe(false); // an unknown kind is refused with a reason, and the old subscription stays

    for (let s = 1; s <= 20; s++) {
      for (const run of ['r1', 'r2']) app.ingest(run, [scalar('loss', s), scalar('acc', s), hist('w', s)]);
      await sleep(3);
    }
    await until(() => steps(all.model, 'r2', 'acc').length === 20 && (all.model.histograms.get('r2')?.get('w')?.length ?? 0) === 20, 10_000, 'the full client');
    await until(() => steps(noHist.model, 'r2', 'acc').length === 20, 10_000, 'the histogram-less client');
    await until(() => steps(acc.model, 'r2', 'acc').length === 20 && steps(r2.model, 'r2', 'acc').length === 20, 10_000, 'filtered clients');
    await sleep(100);

    const seen = (x: { batches: DeltaBatch[] }) => new Set(x.batches.flatMap((b) => b.series.map((d) => `${d.kind}:${d.run}:${d.tag}`)));
    expect([...seen(all)].sort()).toEqual(['histograms:r1:w', 'histograms:r2:w', 'scalars:r1:acc', 'scalars:r1:loss', 'scalars:r2:acc', 'scalars:r2:loss']);
    expect([...seen(acc)].sort()).toEqual(['scalars:r1:acc', 'scalars:r2:acc']);
    expect([...seen(r2)].sort()).toEqual(['histograms:r2:w', 'scalars:r2:acc', 'scalars:r2:loss']);
    expect([...seen(noHist)].sort()).toEqual(['scalars:r1:acc', 'scalars:r1:loss', 'scalars:r2:acc', 'scalars:r2:loss']);
    for (const x of [all, noHist]) {
      expect(steps(x.model, 'r1', 'loss')).toEqual(Array.from({ length: 21 }, (_, i) => i));
      expect(steps(x.model, 'r2', 'acc')).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    }
    expect(all.model.histograms.get('r1')?.get('w')).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(app.hub.groupCount).toBe(4);
  }, 60_000);
});
