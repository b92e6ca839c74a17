// End to end (chromium): a read-only server offers no TRAIN, an invalid tag regex is called that, and
// COMPARE shows dataset / status columns with stopped and failed runs marked, not ranked.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createApp } from '../../server/app.ts';
import { silentLogger } from '../../server/config.ts';
import { EventWriter } from '../../server/logs/event-writer.ts';
import { ensureWebBuild, launchChromium, ROOT, WEB_DIR } from './helpers.ts';

type App = Awaited<ReturnType<typeof createApp>>;
const ARTIFACTS = path.join(ROOT, 'test-artifacts');

let logdir: string;
let app: App;
let browser: Browser;
let page: Page;

/** One run as our trainer would log it: hparams, per-iteration train/loss, epoch markers, val/accuracy, session end. */
async function writeRun(name: string, dataset: string, end: 'STATUS_SUCCESS' | 'STATUS_FAILURE' | 'STATUS_ABORTED', valAcc: number): Promise<void> {
  const w = await EventWriter.open(path.join(logdir, name));
  w.hparams({ dataset, activation: path.basename(name), seed: 1 }, ['val/accuracy']);
  for (let it = 1; it <= 40; it++) {
    w.scalar('train/loss', 1 / it, it);
    if (it % 10 === 0) {
      w.scalar('epoch', it / 10, it);
      w.scalar('val/accuracy', valAcc * (it / 40), it);
    }
  }
  w.hparamsEnd(end);
  await w.close();
}

beforeAll(async () => {
  await ensureWebBuild();
  mkdirSync(ARTIFACTS, { recursive: true });
  logdir = mkdtempSync(path.join(os.tmpdir(), 'trainscope-e2e-status-'));
  app = await createApp({ logdir, port: 0, host: '127.0.0.1', training: false, webDir: WEB_DIR, logger: silentLogger, reloadIntervalSec: 0.2 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(app.url());
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (logdir) rmSync(logdir, { recursive: true, force: true });
});

describe('status and empty states (read-only server)', () => {
  it('offers no TRAIN button and no TRAIN hint when training is off', async () => {
    await expect.poll(() => page.textContent('[data-testid=connection]')).toContain('live');
    const empty = page.locator('[data-testid=empty-state]');
    await expect.poll(() => empty.textContent()).toContain('training is off');
    expect(await empty.textContent()).not.toContain('TRAIN');
    expect(await page.locator('[data-testid=open-train]').count()).toBe(0);
    expect(await page.locator('[data-testid=train-dialog]').count()).toBe(0);
  });

  it('says "invalid regex" for an invalid tag filter', async () => {
    await writeRun('sw/relu', 'spiral', 'STATUS_SUCCESS', 0.9);
    await writeRun('sw/tanh', 'spiral', 'STATUS_FAILURE', 0.99);
    await writeRun('sw/sigmoid', 'spiral', 'STATUS_ABORTED', 0.95);
    await writeRun('mnist-a', 'mnist', 'STATUS_SUCCESS', 0.97);
    for (const r of ['sw/relu', 'sw/tanh', 'sw/sigmoid', 'mnist-a']) await page.locator(`[data-testid=run-list] [data-run="${r}"]`).waitFor({ timeout: 15_000 });
    await page.fill('[data-testid=tag-filter]', '(');
    const empty = page.locator('[data-testid=empty-state]');
    await expect.poll(() => empty.textContent()).toMatch(/invalid regex/i);
    expect(await empty.textContent()).not.toMatch(/No tag matches/);
    expect(await page.textContent('[data-testid=tag-filter-error]')).toMatch(/invalid regex/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'status-invalid-regex.png') });
    await page.fill('[data-testid=tag-filter]', '');
  });

  it('COMPARE: one dataset at a time, dataset and status columns, stopped and failed marked and not ranked', async () => {
    await page.click('[data-testid=tab-compare]');
    const table = page.locator('[data-testid=compare-table]');
    await table.waitFor();
    const headers = await table.locator('th').allTextContents();
    expect(headers.map((h) => h.trim())).toEqual(expect.arrayContaining(['dataset', 'status']));
    await expect.poll(async () => (await page.getAttribute('[data-testid=compare-table] tr[data-run="sw/sigmoid"]', 'data-ranked')) ?? '').toBe('false');
    const rows = table.locator('tbody tr');
    const runs = await rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-run'), tr.getAttribute('data-ranked'), tr.textContent]));
    // The default scope is the selected spiral runs: no MNIST run among them.
    // Sorted by val acc (descending): tanh (0.99, failed) and sigmoid (0.95, stopped) beat relu (0.9) but
    // come after it, marked, in the same order among themselves.
    expect(runs.map((r) => r[0])).toEqual(['sw/relu', 'sw/tanh', 'sw/sigmoid']);
    expect(runs[0][1]).toBe('true');
    for (const r of runs.slice(1)) {
      expect(r[1]).toBe('false');
      expect(r[2]).toContain('not ranked');
    }
    expect(runs[1][2]).toContain('failed');
    expect(runs[2][2]).toContain('stopped');
    for (const r of runs) expect(r[2]).toContain('spiral');
    // The table scrolls within its box rather than being clipped.
    const overflow = await page.locator('.tablewrap').evaluate((el) => [getComputedStyle(el).overflowX, getComputedStyle(el).overflowY]);
    expect(overflow).toEqual(['auto', 'auto']);
    expect(await page.textContent('[data-testid=compare-note]')).toContain('mean over the last complete epoch');
    // The MNIST run has its own scope.
    const options = await page.locator('[data-testid=compare-source] option').allTextContents();
    expect(options).toEqual(expect.arrayContaining(['selected runs · mnist (1)']));
    await page.screenshot({ path: path.join(ARTIFACTS, 'status-compare.png') });
  });
});
