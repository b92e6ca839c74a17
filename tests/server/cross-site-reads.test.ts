// Issue 18's cross-site reads: a page on another site or port can fire no-cors GETs at the data routes
// (it cannot read the answers, but each /api/export makes the server read the whole logdir). Those are
// refused; the dashboard's own reads, a typed URL and non-browser clients are not. Exports run a few at a
// time, the rest get a 429.
import { copyFileSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.ts';
import { MAX_CONCURRENT_EXPORTS } from '../../server/http/export-routes.ts';
import { readVerdict } from '../../server/security/origin.ts';
import { accessPolicy, checkHttpRequest } from '../../server/security/policy.ts';
import { corpusFile } from '../logs/corpus-files.ts';
import { removeDir, startApp, tempDir } from './helpers.ts';

function get(app: App, p: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const u = new URL(app.url());
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: p, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('reads of data from other origins (pure rule)', () => {
  const p = accessPolicy({ host: '127.0.0.1', allowedOrigins: ['http://127.0.0.1:7000'], authToken: undefined });
  const host = '127.0.0.1:6006';
  it('refuses cross-site and same-site (another port) reads of /data and /api, keeps the page linkable', () => {
    for (const site of ['cross-site', 'same-site']) {
      expect(checkHttpRequest({ method: 'GET', path: '/api/export', host, secFetchSite: site }, p).ok).toBe(false);
      expect(checkHttpRequest({ method: 'GET', path: '/data/runs', host, secFetchSite: site }, p).ok).toBe(false);
      expect(checkHttpRequest({ method: 'GET', path: '/', host, secFetchSite: site }, p).ok).toBe(true);
    }
    expect(checkHttpRequest({ method: 'GET', path: '/data/runs', host, origin: 'http://localhost:3000', secFetchSite: 'same-site' }, p).ok).toBe(false);
  });
  it('lets the dashboard, a typed URL, listed origins and non-browser clients read', () => {
    expect(checkHttpRequest({ method: 'GET', path: '/data/runs', host, secFetchSite: 'same-origin' }, p).ok).toBe(true);
    expect(checkHttpRequest({ method: 'GET', path: '/data/runs', host, secFetchSite: 'none' }, p).ok).toBe(true);
    expect(checkHttpRequest({ method: 'GET', path: '/data/runs', host }, p).ok).toBe(true);
    expect(checkHttpRequest({ method: 'GET', path: '/data/runs', host, origin: 'http://127.0.0.1:7000', secFetchSite: 'cross-site' }, p).ok).toBe(true);
    expect(readVerdict({ host, origin: `http://${host}`, secFetchSite: 'same-origin' }, new Set()).ok).toBe(true);
  });
});

describe('a real server', () => {
  let dir: string;
  let app: App;
  beforeAll(async () => {
    dir = await tempDir();
    for (let i = 0; i < 6; i++) {
      mkdirSync(path.join(dir, `run${i}`));
      const f = corpusFile('tensorflow__tensorboard/log_tayo');
      copyFileSync(f, path.join(dir, `run${i}`, path.basename(f)));
    }
    app = await startApp({ logdir: dir });
  });
  afterAll(async () => {
    await app?.close();
    await removeDir(dir);
  });

  it('answers 403 to a no-cors export from another port, and 200 to the dashboard', async () => {
    const attack = await get(app, '/api/export', { 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'no-cors' });
    expect(attack.status).toBe(403);
    expect(attack.body).toMatch(/Sec-Fetch-Site: same-site/);
    expect((await get(app, '/data/runs', { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await get(app, '/data/runs', { 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await get(app, '/api/export', { 'sec-fetch-site': 'same-origin' })).status).toBe(200);
  });

  it('runs a few exports at once and answers the rest 429 with a reason', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => get(app, '/api/export')));
    const ok = answers.filter((a) => a.status === 200).length;
    const busy = answers.filter((a) => a.status === 429);
    expect(ok).toBeGreaterThanOrEqual(1);
    expect(ok + busy.length).toBe(8);
    // Eight at once: the first MAX_CONCURRENT_EXPORTS are reading the logdir when the others arrive.
    expect(busy.length).toBeGreaterThanOrEqual(1);
    for (const b of busy) expect(b.body).toMatch(new RegExp(`at most ${MAX_CONCURRENT_EXPORTS} at once`));
    // once they are done, an export goes through again
    expect((await get(app, '/api/export')).status).toBe(200);
  });
});
