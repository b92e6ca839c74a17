// Runs whose folder names hold a backslash, spaces or non-ASCII work like any other run on every
// TensorBoard route; a symlinked run folder leading out of the logdir is refused by name and makes no run.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../server/app.ts';
import type { Logger } from '../../server/config.ts';
import { EventWriter } from '../../server/logs/event-writer.ts';
import { ask } from './golden.ts';

const ODD = process.platform === 'win32' ? ['with space', 'ünïcødé 名前'] : ['back\\slash', 'with space', 'ünïcødé 名前'];
// 1x1 PNG
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5' + 'e2fb3a0000000049454e44ae426082', 'hex');

let dir: string;
let outside: string;
let app: App;
let base: string;
const warnings: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'trainscope-names-'));
  outside = mkdtempSync(path.join(os.tmpdir(), 'trainscope-outside-'));
  for (const name of ODD) {
    const w = await EventWriter.open(path.join(dir, name));
    w.scalar('loss', 0.5, 1, 10);
    w.scalar('loss', 0.25, 2, 11);
    w.image('img', PNG, 1, 1, 2, 11);
    await w.close();
  }
  const o = await EventWriter.open(path.join(outside, 'secret'));
  o.scalar('leak', 1, 1, 1);
  await o.close();
  symlinkSync(path.join(outside, 'secret'), path.join(dir, 'escape'));
  const logger: Logger = { log() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };
  app = await createApp({ logdir: dir, port: 0, host: '127.0.0.1', training: false, logger });
  base = app.url().replace(/\/$/, '');
  for (let i = 0; i < 100; i++) {
    const runs = (await (await fetch(`${base}/data/runs`)).json()) as string[];
    if (ODD.every((r) => runs.includes(r))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
}, 60_000);
afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const get = (p: string) => ask(base, { method: 'GET', path: p });

describe('odd run names', () => {
  it('are listed, and every route answers for them', async () => {
    const runs = (await get('/data/runs')).json as string[];
    expect([...runs].sort()).toEqual([...ODD].sort());
    for (const run of ODD) {
      const q = new URLSearchParams({ run, tag: 'loss' }).toString();
      expect((await get(`/data/plugin/scalars/scalars?${q}`)).json, run).toEqual([
        [10, 1, 0.5],
        [11, 2, 0.25],
      ]);
      expect((await get(`/data/plugin/scalars/scalars?${q}&format=csv`)).text).toBe('Wall time,Step,Value\r\n10.0,1,0.5\r\n11.0,2,0.25\r\n');
      const multi = await ask(base, { method: 'POST', path: '/data/plugin/scalars/scalars_multirun', body: new URLSearchParams([['tag', 'loss'], ['runs', run]]).toString(), bodyType: 'application/x-www-form-urlencoded' });
      expect(Object.keys(multi.json as object)).toEqual([run]);
      const imgs = (await get(`/data/plugin/images/images?${new URLSearchParams({ run, tag: 'img' })}`)).json as { query: string }[];
      expect(imgs).toHaveLength(1);
      const bytes = await get(`/data/plugin/images/individualImage?${imgs[0].query}`);
      expect(bytes.type).toBe('image/png');
      expect(bytes.raw.equals(PNG)).toBe(true);
    }
    const tags = (await get('/data/plugin/scalars/tags')).json as Record<string, unknown>;
    expect(Object.keys(tags).sort()).toEqual([...ODD].sort());
  });

  it('a symlink out of the logdir makes no run and is named in a warning', async () => {
    const runs = (await get('/data/runs')).json as string[];
    expect(runs).not.toContain('escape');
    expect((await get('/data/plugin/scalars/tags')).json).not.toHaveProperty('escape');
    expect(warnings.join('\n')).toMatch(/escape/);
  });
});
