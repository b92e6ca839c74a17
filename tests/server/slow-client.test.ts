// Clients that never read: a websocket whose TCP socket is paused, and a polling client that keeps its
// session alive (pongs) but never polls. What waits for each is capped in bytes (--max-client-buffer-mb,
// 2 MB here): the server drops them with a `server:dropped` notice, its memory stays put, and a client
// that does read gets every point meanwhile.
import http from 'node:http';
import type { Socket as NetSocket } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decodeMsgpack } from '../../shared/msgpack-decode.ts';
import { encodeMsgpack } from '../../shared/msgpack-encode.ts';
import type { App } from '../../server/app.ts';
import type { LogRecord } from '../../server/logs/records.ts';
import { queuedBytes } from '../../server/socket/io-server.ts';
import { client, connected, removeDir, request, sleep, startApp, tempDir, until, type Client } from './helpers.ts';

const CAP = 2 * 1024 * 1024;
const BUCKETS = Array.from({ length: 300 }, (_, i): [number, number, number] => [i, i + 1, i * 3 + 0.5]);
/** ~7 kB on the wire per point: the stream outruns the kernel's socket buffers quickly. */
const hist = (step: number): LogRecord => ({ kind: 'histogram', tag: 'w', step, wallTime: 1000 + step, buckets: BUCKETS });

let app: App | null = null;
let dir = '';
const cleanup: (() => void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) f();
  await app?.close();
  app = null;
  if (dir) await removeDir(dir);
});

type Packet = { type: number; nsp: string; data?: unknown[]; id?: number };

/** A raw engine.io websocket speaking our MessagePack socket.io packets; `pause()` stops reading TCP. */
async function rawWebsocket(url: string): Promise<{ ws: WebSocket; packets: Packet[]; pause(): void; resume(): void }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}socket.io/?EIO=4&transport=websocket`);
  const packets: Packet[] = [];
  ws.on('message', (data, isBinary) => {
    // Big frames (the streamed histograms) are only counted: decoding them here, in the server's own
    // process, made a resumed reader take longer than the drop's grace period to reach the notice.
    if (isBinary) packets.push((data as Buffer).byteLength > 4096 ? { type: 2, nsp: '/', data: ['delta'] } : (decodeMsgpack(data as Buffer) as Packet));
    else if (String(data) === '2') ws.send('3'); // ping -> pong, while it still reads
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.send(encodeMsgpack({ type: 0, nsp: '/' }));
  await until(() => packets.some((p) => p.type === 0), 5000, 'socket.io connect');
  ws.send(encodeMsgpack({ type: 2, nsp: '/', data: ['subscribe', { runs: '*' }], id: 1 }));
  await until(() => packets.some((p) => p.type === 3 && p.id === 1), 5000, 'subscribe ack');
  const tcp = (ws as unknown as { _socket: NetSocket })._socket;
  return { ws, packets, pause: () => tcp.pause(), resume: () => tcp.resume() };
}

function httpRequest(url: string, method: 'GET' | 'POST', body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: body ? { 'content-type': 'text/plain;charset=UTF-8' } : {} }, (res) => {
      let out = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (out += c));
      res.on('end', () => resolve(out));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Socket.io packets in a polling answer (binary ones are base64 with a "b"; engine packets split by \x1e). */
const pollPackets = (body: string): Packet[] =>
  body.split('\x1e').filter((p) => p.startsWith('b')).map((p) => decodeMsgpack(Buffer.from(p.slice(1), 'base64')) as Packet);
const postBody = (p: Packet) => 'b' + Buffer.from(encodeMsgpack(p)).toString('base64');

/** A polling session that connects and subscribes, then never polls again (it only sends pongs). */
async function idlePoller(url: string): Promise<{ sid: string; path: string; stop(): void }> {
  const open = await httpRequest(`${url}socket.io/?EIO=4&transport=polling`, 'GET');
  const sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
  const path = `${url}socket.io/?EIO=4&transport=polling&sid=${sid}`;
  await httpRequest(path, 'POST', postBody({ type: 0, nsp: '/' }));
  expect(pollPackets(await httpRequest(path, 'GET')).some((p) => p.type === 0)).toBe(true);
  await httpRequest(path, 'POST', postBody({ type: 2, nsp: '/', data: ['subscribe', { runs: '*' }], id: 1 }));
  const timer = setInterval(() => void httpRequest(path, 'POST', '3').catch(() => {}), 300);
  return { sid, path, stop: () => clearInterval(timer) };
}

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
/** Live heap and buffers, after a full collection. */
const memory = () => {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

describe('clients that stop reading', () => {
  it('a paused websocket and a never-polling client are dropped at the byte cap with a notice; others keep receiving', async () => {
    dir = await tempDir();
    // The store keeps one histogram: memory growth is then what waits for clients.
    app = await startApp({ logdir: dir, maxClientBufferBytes: CAP, samplesPerPlugin: { histograms: 1 } });
    app.ingest('r', [hist(0)]);
    const reader: Client = client(app);
    cleanup.push(() => reader.close());
    // Steps only: the decoded buckets are not kept (they would be this process's own growth).
    const got: number[] = [];
    reader.on('delta', (b) => {
      for (const d of b.series) if (d.kind === 'histograms') for (const p of d.points) got.push(p[1]);
    });
    await connected(reader);
    expect((await request(reader, 'subscribe', { runs: '*' })).ok).toBe(true);

    const paused = await rawWebsocket(app.url());
    cleanup.push(() => paused.ws.terminate());
    const poller = await idlePoller(app.url());
    cleanup.push(() => poller.stop());
    const serverSockets = () => [...app!.io.of('/').sockets.values()];
    expect(serverSockets()).toHaveLength(3);
    const stuck = serverSockets().filter((s) => s.id !== reader.id);
    const pollSocket = stuck.find((s) => (s.conn as unknown as { id: string }).id === poller.sid)!;
    expect(pollSocket).toBeDefined();
    let pollAnswer: Promise<string> | null = null;
    paused.pause();
    const mem0 = memory();

    // Stream until both are gone and 8x the cap went out, watching what waits for each of them.
    let maxQueued = 0;
    let step = 1;
    const t0 = Date.now();
    while ((app.hub.clientCount > 1 || step * 7000 < 8 * CAP) && Date.now() - t0 < 30_000) {
      app.ingest('r', [hist(step++)]); // one at a time: the store keeps one (each is still streamed)
      app.ingest('r', [hist(step++)]);
      for (const s of stuck) if (s.connected) maxQueued = Math.max(maxQueued, queuedBytes(s));
      // The poller polls once it was dropped (a real one polls all the time, and gets the notice at once).
      if (!pollSocket.connected) pollAnswer ??= httpRequest(poller.path, 'GET');
      await sleep(2);
    }
    expect(app.hub.clientCount).toBe(1); // only the reader is left
    // Transport bytes never went much past the cap (one tick's batch at most before the drop).
    expect(maxQueued).toBeGreaterThan(CAP / 8);
    expect(maxQueued).toBeLessThan(CAP + 1024 * 1024);
    const sent = step * 7000;
    await until(() => serverSockets().length === 1, 5000, 'the dropped sockets to close');

    // The poller learns why on its next poll; the paused websocket, once it reads again.
    expect(pollAnswer).not.toBeNull();
    const answer = pollPackets(await pollAnswer!);
    const notice = answer.find((p) => p.data?.[0] === 'server:dropped')?.data?.[1] as { reason: string; message: string; limitBytes: number } | undefined;
    expect(notice).toMatchObject({ reason: 'slow-client', limitBytes: CAP });
    expect(notice!.message).toMatch(/not reading/);

    // The reader got every point, in order.
    await until(() => got.length >= step, 20_000, 'the reader to catch up');
    expect(got).toEqual(Array.from({ length: step }, (_, i) => i));
    // Heap and buffers grew by far less than what was streamed past the stuck clients.
    await sleep(2500); // the dropped transports' grace period
    const grown = memory() - mem0;
    expect(grown).toBeLessThan(sent / 2);
  }, 90_000);

  it('a paused websocket that reads again within the grace period gets the notice', async () => {
    dir = await tempDir();
    app = await startApp({ logdir: dir, maxClientBufferBytes: CAP });
    const paused = await rawWebsocket(app.url());
    cleanup.push(() => paused.ws.terminate());
    paused.pause();
    let step = 0;
    while (app.hub.clientCount > 0 && step < 6000) {
      app.ingest('r', [hist(step++), hist(step++)]);
      await sleep(2);
    }
    expect(app.hub.clientCount).toBe(0);
    // Listening before it reads again: the close follows the notice at once, often before `until` looks.
    const closed = new Promise((r) => paused.ws.once('close', r));
    paused.resume();
    await until(() => paused.packets.some((p) => p.data?.[0] === 'server:dropped'), 5000, 'the notice');
    await closed;
  }, 60_000);
});
