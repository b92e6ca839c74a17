// The sidebar's run table in chromium on 1,500 runs written by our writer: only the rows in view are in
// the DOM, scrolling reaches the last run, the search matches hyper-parameters, sorting by a metric's last
// value orders the rows, a hyper-parameter column shows, and under 1000 px the sidebar folds away.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createApp } from '../../server/app.ts';
import { silentLogger } from '../../server/config.ts';
import { EventWriter } from '../../server/logs/event-writer.ts';
import { ensureWebBuild, launchChromium, ROOT, WEB_DIR } from './helpers.ts';

const RUNS = 1500;
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
let logdir: string;
let app: Awaited<ReturnType<typeof createApp>>;
let browser: Browser;
let page: Page;

const name = (i: number) => `r${String(i).padStart(4, '0')}`;
const acts = ['relu', 'tanh', 'elu'];

beforeAll(async () => {
  await ensureWebBuild();
  mkdirSync(ARTIFACTS, { recursive: true });
  logdir = mkdtempSync(path.join(os.tmpdir(), 'trainscope-runtable-'));
  for (let i = 0; i < RUNS; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, RUNS - i) }, async (_, k) => {
        const n = i + k;
        const dir = path.join(logdir, name(n));
        mkdirSync(dir);
        const w = await EventWriter.open(dir);
        w.hparams({ activation: acts[n % 3], seed: n }, ['loss'], 1000 + n);
        // The last loss is a scramble of n, so sorting by it differs from sorting by name.
        w.scalar('loss', 1, 0, 1000 + n);
        w.scalar('loss', ((n * 7919) % RUNS) / RUNS, 1, 1001 + n);
        await w.close();
      }),
    );
  }
  app = await createApp({ logdir, port: 0, host: '127.0.0.1', training: false, webDir: WEB_DIR, logger: silentLogger });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(app.url());
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (logdir) rmSync(logdir, { recursive: true, force: true });
});

const rowNames = () => page.$$eval('[data-testid=run-list] [data-run]', (els) => els.map((e) => e.getAttribute('data-run')));

describe('run table', () => {
  it('renders only the rows in view of 1,500 runs and scrolls to the last', async () => {
    await expect.poll(() => page.textContent('.side h2 .n'), { timeout: 60_000 }).toContain(`/${RUNS}`);
    const first = await rowNames();
    expect(first[0]).toBe(name(0));
    expect(first.length).toBeGreaterThan(5);
    expect(first.length).toBeLessThan(80);
    await page.$eval('[data-testid=run-list]', (el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(async () => (await rowNames()).at(-1)).toBe(name(RUNS - 1));
    expect((await rowNames()).length).toBeLessThan(80);
  });

  it('searches hyper-parameters and names together', async () => {
    await page.fill('[data-testid=run-filter]', 'activation=tanh r00');
    // r0001, r0004, ..., r0097: 33 tanh runs whose name matches /r00/ (only those in view are rendered)
    await expect.poll(() => page.textContent('.side h2 .n')).toContain(`33/${RUNS}`);
    const shown = await rowNames();
    expect(shown[0]).toBe('r0001');
    expect(shown.every((r) => Number(r!.slice(1)) % 3 === 1 && r!.startsWith('r00'))).toBe(true);
  });

  it('sorts by the last value of a metric and shows a hyper-parameter column', async () => {
    await page.selectOption('[data-testid=run-sort]', 'metric');
    await page.selectOption('[data-testid=run-metric-tag]', 'loss');
    const expected = Array.from({ length: 100 }, (_, n) => n)
      .filter((n) => n % 3 === 1)
      .sort((a, b) => ((a * 7919) % RUNS) - ((b * 7919) % RUNS))
      .map(name);
    const prefix = async (want: string[]) => {
      const got = await rowNames();
      return got.length > 5 && got.every((r, i) => r === want[i]);
    };
    await expect.poll(() => prefix(expected)).toBe(true);
    await page.click('[data-testid=run-sort-dir]');
    await expect.poll(() => prefix([...expected].reverse())).toBe(true);
    await page.click('[data-testid=run-columns]');
    await page.getByLabel('activation', { exact: true }).check();
    await expect.poll(() => page.textContent(`[data-run=${expected.at(-1)}]`)).toContain('tanh');
    expect(page.url()).toContain('sort=metric');
    await page.screenshot({ path: path.join(ARTIFACTS, 'run-table.png') });
  });

  it('folds the sidebar away under 1000 px and opens it from the menu', async () => {
    await page.setViewportSize({ width: 800, height: 800 });
    await expect.poll(() => page.isVisible('[data-testid=sidebar]')).toBe(false);
    await page.click('[data-testid=sidebar-toggle]');
    await expect.poll(() => page.isVisible('[data-testid=sidebar]')).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'run-table-narrow.png') });
  });
});
