// Cross-origin attacks in a real browser: pages served from other local origins (another port on
// 127.0.0.1 and localhost, [::1], https://127.0.0.1) try socket.io over websocket and polling, a
// state-changing request and a cookie-carrying read against our server (with and without --auth-token).
// Each attempt must be refused by our guard (seen in the server's request log) and no run may start.
// The real dashboard, under its strict CSP, still connects, draws charts, the graph and images, exports
// a PNG through a blob, and drops ?token= from the address bar.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { PNG } from 'pngjs';
import { io as connectIo } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { wireParser } from '../../shared/wire-parser.ts';
import { createApp, type App } from '../../server/app.ts';
import { silentLogger } from '../../server/config.ts';
import { EventWriter } from '../../server/logs/event-writer.ts';
import { CORPUS, ensureWebBuild, launchChromium, ROOT, WEB_DIR } from './helpers.ts';

const TOKEN = 'e2e-secret-token-1';
const IMDB = path.join(CORPUS, 'TheCodeheadMT__TensorBoard-Tutorial/archive/logs/imdb-model-1690485351/train');
const SIO_BUNDLE = path.join(ROOT, 'node_modules', 'socket.io-client', 'dist', 'socket.io.min.js');
const TRAIN = { dataset: 'xor', layers: [4], learningRate: 0.05, batchSize: 32, epochs: 1, samples: 100, activations: ['relu'] };

interface Logged { method: string; url: string; status: number; origin?: string; site?: string }
interface Served { app: App; log: Logged[] }
interface AttemptReport { ws: { connected: boolean; ack?: unknown; error?: string }; polling: { connected: boolean; ack?: unknown; error?: string }; post: string; read: string }

let logdir: string;
let certDir: string;
let open: Served;
let secured: Served;
const attackers: http.Server[] = [];
let browser: Browser;
let ctx: BrowserContext;
const cspViolations: string[] = [];

async function serve(authToken?: string): Promise<Served> {
  const app = await createApp({ logdir, port: 0, host: '127.0.0.1', training: true, webDir: WEB_DIR, logger: silentLogger, reloadIntervalSec: 0.5, authToken });
  const log: Logged[] = [];
  const rec = (req: http.IncomingMessage, status: number) =>
    log.push({ method: req.method ?? '', url: req.url ?? '', status, origin: req.headers.origin, site: req.headers['sec-fetch-site'] as string | undefined });
  app.http.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => res.on('finish', () => rec(req, res.statusCode)));
  // A websocket upgrade gets no response object: it is logged as 101 when switched, 403 when closed unanswered.
  app.http.prependListener('upgrade', (req: http.IncomingMessage, socket: Duplex) => {
    let switched = false;
    const write = socket.write.bind(socket) as (chunk: unknown, ...rest: unknown[]) => boolean;
    (socket as unknown as { write: typeof write }).write = (chunk: unknown, ...rest: unknown[]) => {
      if (!switched && String(chunk).startsWith('HTTP/1.1 101')) {
        switched = true;
        rec(req, 101);
      }
      return write(chunk, ...rest);
    };
    socket.once('close', () => {
      if (!switched) rec(req, 403);
    });
  });
  return { app, log };
}

function attackerPage(targets: string[]): string {
  // Runs on the attacker's origin: what any web page on another port or scheme of this machine can do.
  return `<!doctype html><meta charset="utf-8"><script src="/sio.js"></script><script>
const targets = ${JSON.stringify(targets)};
const train = ${JSON.stringify({ ...TRAIN, name: 'pwned' })};
function tryIo(t, transports) {
  return new Promise((resolve) => {
    const s = io(t, { transports, reconnection: false, forceNew: true, timeout: 4000, withCredentials: true });
    s.on('connect', () => s.timeout(4000).emit('train:start', train, (err, ack) => { resolve({ connected: true, ack: err ? String(err) : ack }); s.close(); }));
    s.on('connect_error', (e) => { resolve({ connected: false, error: String(e && e.message) }); s.close(); });
  });
}
async function attack(t) {
  const r = {};
  r.ws = await tryIo(t, ['websocket']);
  r.polling = await tryIo(t, ['polling']);
  try { r.post = (await fetch(t + '/api/runs', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(train) })).type; } catch (e) { r.post = 'error'; }
  try { r.read = String((await fetch(t + '/api/runs', { credentials: 'include' })).status); } catch (e) { r.read = 'blocked'; }
  return r;
}
window.done = (async () => { const out = {}; for (const t of targets) out[t] = await attack(t); return out; })();
</script>`;
}

async function attackerServer(host: string, tls?: { key: Buffer; cert: Buffer }): Promise<number> {
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.url === '/sio.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(readFileSync(SIO_BUNDLE));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(attackerPage([open.app.url().replace(/\/$/, ''), secured.app.url().replace(/\/$/, '')]));
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  attackers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as AddressInfo).port;
}

function selfSignedCert(): { key: Buffer; cert: Buffer } {
  certDir = mkdtempSync(path.join(os.tmpdir(), 'trainscope-cert-'));
  const key = path.join(certDir, 'key.pem');
  const cert = path.join(certDir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

function watch(p: Page): Page {
  p.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  p.on('pageerror', (e) => console.error('page error:', e.message));
  return p;
}

async function runNames(s: Served): Promise<string[]> {
  const res = await fetch(`${s.app.url()}api/runs`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return ((await res.json()) as { name: string }[]).map((r) => r.name).sort();
}

beforeAll(async () => {
  await ensureWebBuild();
  logdir = mkdtempSync(path.join(os.tmpdir(), 'trainscope-xo-'));
  cpSync(IMDB, path.join(logdir, 'imdb'), { recursive: true }); // scalars + a keras graph
  const w = await EventWriter.open(path.join(logdir, 'pics'));
  const png = new PNG({ width: 8, height: 8 });
  png.data.fill(180);
  for (let s = 0; s < 3; s++) {
    w.scalar('loss', 1 / (s + 1), s, 1000 + s);
    w.image('samples', new Uint8Array(PNG.sync.write(png)), 8, 8, s, 1000 + s);
  }
  await w.close();
  open = await serve();
  secured = await serve(TOKEN);
  browser = await launchChromium();
  ctx = await browser.newContext({ viewport: { width: 1300, height: 850 }, ignoreHTTPSErrors: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await open?.app.close();
  await secured?.app.close();
  for (const s of attackers) s.close();
  if (logdir) rmSync(logdir, { recursive: true, force: true });
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

async function checkDashboard(p: Page, s: Served): Promise<void> {
  await p.click('[data-testid=tab-scalars]');
  await expect.poll(() => p.textContent('[data-testid=connection]'), { timeout: 20_000 }).toContain('live');
  await p.locator('[data-testid=run-list] [data-run=pics]').waitFor();
  await p.locator('[data-testid=run-list] [data-run=imdb]').waitFor();
  // Charts draw (Chart.js under the CSP).
  const points = () => p.evaluate(() => (window as unknown as { __trainscope: { charts(): { fullPoints: number }[] } }).__trainscope.charts().reduce((a, c) => a + c.fullPoints, 0));
  await expect.poll(points, { timeout: 15_000 }).toBeGreaterThan(0);
  // The graph lays out (elkjs) and exports as PNG through a blob URL.
  await p.click('[data-testid=tab-graphs]');
  await expect.poll(() => p.locator('section[aria-label=Graphs] svg').first().textContent(), { timeout: 20_000 }).toMatch(/dense/i);
  const download = p.waitForEvent('download', { timeout: 15_000 });
  await p.click('section[aria-label=Graphs] button:text-is("PNG")');
  const d = await download;
  const saved = path.join(logdir, `graph-${Date.now()}.png`);
  await d.saveAs(saved);
  expect(readFileSync(saved).subarray(1, 4).toString()).toBe('PNG');
  rmSync(saved);
  // Images load (with --auth-token: through the tab's same-origin cookie, no token in the URL).
  await p.click('[data-testid=tab-images]');
  const img = p.locator('section[aria-label=Images] img[src*="run=pics"]').first();
  await img.waitFor();
  expect(await img.getAttribute('src')).not.toContain('token');
  await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth), { timeout: 10_000 }).toBe(8);
  await p.click('[data-testid=tab-scalars]');
  // A same-origin polling handshake from the page (a GET: no Origin header, Sec-Fetch-Site: same-origin) passes.
  expect(await p.evaluate(() => fetch('/socket.io/?EIO=4&transport=polling').then((r) => r.status))).toBe(200);
  expect(s.log.some((l) => l.url.startsWith('/socket.io/') && (l.status === 101 || l.status === 200))).toBe(true);
}

describe('the dashboard on its own origin', () => {
  it('works without a token under the CSP', async () => {
    // Vite's build needs no inline script.
    expect(readFileSync(path.join(WEB_DIR, 'index.html'), 'utf8')).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const p = watch(await ctx.newPage());
    const res = await p.goto(open.app.url());
    expect(res?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    await checkDashboard(p, open);
    await p.close();
    expect(cspViolations).toEqual([]);
  }, 90_000);

  it('with --auth-token: takes ?token= once, strips it from the address bar, and keeps working after a reload', async () => {
    const p = watch(await ctx.newPage());
    await p.goto(`${secured.app.url()}?token=${TOKEN}&tab=images`);
    await expect.poll(() => p.textContent('[data-testid=connection]'), { timeout: 20_000 }).toContain('live');
    expect(p.url()).not.toContain('token');
    expect(p.url()).toContain('tab=images'); // other parameters stay
    await checkDashboard(p, secured);
    // Data requests carried the token in a header, never in the URL.
    expect(secured.log.filter((l) => l.url.includes('token=')).map((l) => l.url)).toEqual([`/?token=${TOKEN}&tab=images`]);
    await p.reload();
    await expect.poll(() => p.textContent('[data-testid=connection]'), { timeout: 20_000 }).toContain('live');
    expect(p.url()).not.toContain('token');
    await p.close();
    expect(cspViolations).toEqual([]);
  }, 120_000);
});

describe('pages on other local origins', () => {
  it('cannot open the socket (websocket or polling), change state or read data; no run starts', async () => {
    const before = { open: await runNames(open), secured: await runNames(secured) };
    const plain = await attackerServer('127.0.0.1');
    const v6 = await attackerServer('::1');
    const tls = await attackerServer('127.0.0.1', selfSignedCert());
    const origins = [`http://127.0.0.1:${plain}`, `http://localhost:${plain}`, `http://[::1]:${v6}`, `https://127.0.0.1:${tls}`];
    open.log.length = 0;
    secured.log.length = 0;
    for (const origin of origins) {
      // The same browser context holds the token cookie set by the dashboard test above.
      const p = await ctx.newPage();
      await p.goto(`${origin}/`);
      const out = (await p.evaluate(() => (window as unknown as { done: Promise<unknown> }).done)) as Record<string, AttemptReport>;
      for (const [target, r] of Object.entries(out)) {
        expect(r.ws.connected, `${origin} -> ${target} websocket`).toBe(false);
        expect(r.polling.connected, `${origin} -> ${target} polling`).toBe(false);
        expect(r.read, `${origin} -> ${target} read`).toBe('blocked'); // CORS: never readable
      }
      await p.close();
      // Our guard refused them: each target saw this origin's socket.io attempts and POST, all answered 403.
      for (const s of [open, secured]) {
        const mine = s.log.filter((l) => l.origin === new URL(origin).origin);
        const sio = mine.filter((l) => l.url.startsWith('/socket.io/'));
        expect(sio.length, `${origin}: socket.io attempts reached the server`).toBeGreaterThan(0);
        expect(sio.every((l) => l.status === 403), `${origin}: ${JSON.stringify(sio)}`).toBe(true);
        const posts = mine.filter((l) => l.method === 'POST');
        expect(posts.length, `${origin}: the POST reached the server`).toBeGreaterThan(0);
        expect(posts.every((l) => l.status === 403)).toBe(true);
        // The page's read of the data (with the token cookie the browser holds, sent from another port) is
        // refused as a cross-site read, with or without --auth-token.
        const reads = mine.filter((l) => l.method === 'GET' && l.url === '/api/runs');
        if (s === secured) expect(reads.length, `${origin}: the read reached the server`).toBeGreaterThan(0);
        expect(reads.every((l) => l.status === 403), `${origin}: ${JSON.stringify(reads)}`).toBe(true);
        s.log.length = 0;
      }
    }
    for (const s of [open, secured]) {
      const own = new URL(s.app.url()).origin;
      const foreign = [...s.app.io.of('/').sockets.values()].filter((k) => k.handshake.headers.origin !== own);
      expect(foreign.map((k) => k.handshake.headers.origin)).toEqual([]);
    }
    expect(await runNames(open)).toEqual(before.open);
    expect(await runNames(secured)).toEqual(before.secured);
    expect(before.open).not.toContain('pwned');
  }, 120_000);

  it('control: the same train:start from an accepted client does start a run', async () => {
    const c = connectIo(open.app.url(), { parser: wireParser, transports: ['websocket'], forceNew: true, reconnection: false });
    const ack = (await c.timeout(10_000).emitWithAck('train:start', { ...TRAIN, name: 'control' })) as { ok: boolean };
    c.close();
    expect(ack.ok).toBe(true);
    await expect.poll(() => runNames(open), { timeout: 30_000 }).toContain('control');
  }, 60_000);
});
