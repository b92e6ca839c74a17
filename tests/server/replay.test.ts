// Replays over the socket: a corpus file delivered completely and in order; pause, seek, speed; the
// per-client cap; other clients' live streams undisturbed.
import { cp } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayState } from '../../shared/protocol.ts';
import type { App } from '../../server/app.ts';
import { readEventFile } from '../../server/logs/event-file-reader.ts';
import { EventWriter } from '../../server/logs/event-writer.ts';
import { client, ClientModel, connected, CORPUS, removeDir, request, scalarsOf, sleep, startApp, tempDir, until, type Client } from './helpers.ts';

const CORPUS_RUN = 'janosh__tensorboard-reducer/tests/runs/lax/run_1';
const CORPUS_FILE = 'events.out.tfevents.1622543341.janoshs-mbp.lan.86862.3';

let dir: string;
let app: App;
const clients: Client[] = [];
async function open(): Promise<Client> {
  const c = client(app);
  clients.push(c);
  await connected(c);
  return c;
}

beforeAll(async () => {
  dir = await tempDir();
  await cp(path.join(CORPUS, CORPUS_RUN), path.join(dir, 'corpus'), { recursive: true });
  const w = await EventWriter.open(path.join(dir, 'slow'));
  for (let s = 0; s < 30; s++) w.scalar('loss', 1 / (s + 1), s, 5000 + s);
  await w.close();
  app = await startApp({ logdir: dir });
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await app?.close();
  await removeDir(dir);
});

describe('replay', () => {
  it('delivers every point of a corpus run, in order, tagged with its replayId', async () => {
    const c = await open();
    const watcher = await open();
    const live = new ClientModel(watcher);
    await request(watcher, 'subscribe', { runs: '*' });
    let id: string | undefined;
    const model = new ClientModel(c, (b) => b.replayId !== undefined);
    const ack = await request<ReplayState>(c, 'replay:start', { run: 'corpus', speed: 'max' });
    expect(ack.ok).toBe(true);
    if (!ack.ok) return;
    id = ack.data.replayId;
    expect(ack.data).toMatchObject({ run: 'corpus', speed: 'max' });
    await until(() => model.states.some((s) => s.replayId === id && s.state === 'finished'), 5000, 'replay to finish');

    const { records } = await readEventFile(path.join(dir, 'corpus', CORPUS_FILE));
    const sorted = [...records].sort((a, b) => a.wallTime - b.wallTime);
    const want = scalarsOf(sorted);
    expect(want.size).toBeGreaterThan(0);
    const got = model.scalars.get('corpus')!;
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [tag, h] of want) expect(got.get(tag), tag).toEqual(h);
    // The first batch resets the client's view of the run.
    expect(model.batches[0].series.every((d) => d.reset)).toBe(true);
    expect(new Set(model.batches.map((b) => b.replayId))).toEqual(new Set([id]));
    // The other client's live stream saw no replay batches.
    await sleep(50);
    expect(live.batches.some((b) => b.replayId)).toBe(false);
  });

  it('pauses, seeks to a step, changes speed and finishes', async () => {
    const c = await open();
    let id: string | undefined;
    const model = new ClientModel(c, (b) => b.replayId !== undefined);
    const ack = await request<ReplayState>(c, 'replay:start', { run: 'slow', speed: 10, maxGapSec: 2 });
    if (!ack.ok) throw new Error(ack.error);
    id = ack.data.replayId;
    expect(ack.data).toMatchObject({ firstStep: 0, lastStep: 29 });
    await until(() => model.pointCount() >= 2, 5000, 'first points');
    const paused = await request<ReplayState>(c, 'replay:control', { replayId: id, action: 'pause' });
    expect(paused).toMatchObject({ ok: true, data: { state: 'paused' } });
    const held = model.pointCount();
    expect(held).toBeLessThan(30);
    await sleep(300);
    expect(model.pointCount()).toBe(held);

    const seek = await request<ReplayState>(c, 'replay:control', { replayId: id, action: 'seek', step: 20 });
    expect(seek).toMatchObject({ ok: true, data: { state: 'paused', step: 20 } });
    await until(() => model.scalars.get('slow')?.get('loss')?.steps.length === 21, 3000, 'seek batch');
    expect(model.scalars.get('slow')!.get('loss')!.steps).toEqual(Array.from({ length: 21 }, (_, i) => i));
    const back = await request<ReplayState>(c, 'replay:control', { replayId: id, action: 'seek', step: 3 });
    expect(back.ok).toBe(true);
    await until(() => model.scalars.get('slow')?.get('loss')?.steps.length === 4, 3000, 'seek back');

    await request(c, 'replay:control', { replayId: id, action: 'speed', speed: 'max' });
    await request(c, 'replay:control', { replayId: id, action: 'resume' });
    await until(() => model.states.some((s) => s.state === 'finished'), 5000, 'finish');
    expect(model.scalars.get('slow')!.get('loss')!.steps).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(model.scalars.get('slow')!.get('loss')!.values[29]).toBeCloseTo(1 / 30);
    const bad = await request(c, 'replay:control', { replayId: id, action: 'speed' });
    expect(bad).toMatchObject({ ok: false, error: expect.stringMatching(/speed/) });
  });

  it('caps concurrent replays per client; stopping one makes room', async () => {
    const c = await open();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await request<ReplayState>(c, 'replay:start', { run: 'slow', speed: 1 });
      if (!r.ok) throw new Error(r.error);
      ids.push(r.data.replayId);
    }
    const fifth = await request(c, 'replay:start', { run: 'slow', speed: 1 });
    expect(fifth).toMatchObject({ ok: false, error: expect.stringMatching(/at most 4 replays/) });
    const other = await open();
    expect(await request(other, 'replay:start', { run: 'slow', speed: 1 })).toMatchObject({ ok: true });
    const stop = await request<ReplayState>(c, 'replay:control', { replayId: ids[0], action: 'stop' });
    expect(stop).toMatchObject({ ok: true, data: { state: 'finished' } });
    expect(await request(c, 'replay:start', { run: 'slow', speed: 1 })).toMatchObject({ ok: true });
  });
});

describe('server-wide replay cap', () => {
  it('refuses past --max-replays across clients, and a client leaving frees its slots', async () => {
    const capped = await startApp({ logdir: dir, maxReplays: 2 });
    try {
      const conn = async () => {
        const c = client(capped);
        clients.push(c);
        await connected(c);
        return c;
      };
      const a = await conn();
      const b = await conn();
      expect(await request(a, 'replay:start', { run: 'slow', speed: 1 })).toMatchObject({ ok: true });
      expect(await request(b, 'replay:start', { run: 'slow', speed: 1 })).toMatchObject({ ok: true });
      const refused = await request(b, 'replay:start', { run: 'slow', speed: 1 });
      expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/running 2 replays already.*--max-replays/) });
      a.disconnect();
      let again: { ok: boolean } = { ok: false };
      for (let i = 0; i < 50 && !again.ok; i++) {
        again = await request(b, 'replay:start', { run: 'slow', speed: 1 });
        if (!again.ok) await sleep(20);
      }
      expect(again.ok).toBe(true);
    } finally {
      await capped.close();
    }
  });
});
