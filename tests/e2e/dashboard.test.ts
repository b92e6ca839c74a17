// End to end: real server (createApp) + built dashboard + headless chromium. Starts a tiny sweep from
// the TRAIN panel, watches points arrive in a SCALARS chart (via the chart data, not the canvas),
// opens every tab, replays a real corpus log, and checks that a reloaded URL restores the view.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createApp } from '../../server/app.ts';
import { silentLogger } from '../../server/config.ts';
import { CORPUS, ensureWebBuild, launchChromium, ROOT, WEB_DIR } from './helpers.ts';

type App = Awaited<ReturnType<typeof createApp>>;
interface ChartInfo { id: string; lengths: number[]; fullPoints: number }

const ARTIFACTS = path.join(ROOT, 'test-artifacts');
// 50 steps over ~55 s of wall time: a replay that visibly advances.
const REPLAY_FILE = path.join(CORPUS, 'Alwaysproblem__tensorboard-review/logs/custom/20200328-162351/events.out.tfevents.1585383831.YONGXIdeMacBook-Pro.local.66143.345.v2');

let logdir: string;
let app: App;
let browser: Browser;
let page: Page;

const charts = (p: Page) => p.evaluate(() => (window as unknown as { __trainscope: { charts(): ChartInfo[] } }).__trainscope.charts());
async function chartPoints(p: Page, id: string): Promise<number> {
  return (await charts(p)).find((c) => c.id === id)?.fullPoints ?? 0;
}
async function shot(name: string) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

beforeAll(async () => {
  await ensureWebBuild();
  mkdirSync(ARTIFACTS, { recursive: true });
  logdir = mkdtempSync(path.join(os.tmpdir(), 'trainscope-e2e-'));
  mkdirSync(path.join(logdir, 'corpus'));
  copyFileSync(REPLAY_FILE, path.join(logdir, 'corpus', path.basename(REPLAY_FILE)));
  app = await createApp({ logdir, port: 0, host: '127.0.0.1', training: true, webDir: WEB_DIR, logger: silentLogger, reloadIntervalSec: 1 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(app.url());
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (logdir) rmSync(logdir, { recursive: true, force: true });
});

describe('dashboard end to end', () => {
  it('shows the corpus run and rejects an invalid TRAIN form with a clear error', async () => {
    await page.locator('[data-testid=run-list] [data-run=corpus]').waitFor();
    await expect.poll(() => page.textContent('[data-testid=connection]')).toContain('live');
    await page.click('[data-testid=open-train]');
    await page.fill('[data-testid=train-layers]', '16,x');
    await page.click('[data-testid=train-submit]');
    expect(await page.textContent('[data-testid=train-error]')).toContain('layers');
  });

  it('starts a 2-activation sweep and streams points into a SCALARS chart', async () => {
    await page.fill('[data-testid=train-name]', 'e2e');
    await page.fill('[data-testid=train-layers]', '8,8');
    await page.fill('[data-testid=train-epochs]', '3');
    await page.fill('[data-testid=train-batch]', '64');
    await page.click('[data-testid=train-submit]');
    await page.locator('[data-testid=train-dialog]').waitFor({ state: 'hidden' });
    await page.locator('[data-testid=run-list] [data-run="e2e/relu"]').waitFor();
    await page.locator('[data-testid=run-list] [data-run="e2e/tanh"]').waitFor();
    // Live: the train/loss chart holds points, and more keep arriving.
    await expect.poll(() => chartPoints(page, 'train/loss'), { timeout: 30_000 }).toBeGreaterThan(0);
    const first = await chartPoints(page, 'train/loss');
    await expect.poll(() => chartPoints(page, 'train/loss'), { timeout: 30_000 }).toBeGreaterThan(first);
    const loss = (await charts(page)).find((c) => c.id === 'train/loss')!;
    expect(loss.lengths.some((n) => n > 1)).toBe(true);
    // Wait for the sweep to end so every tab has its summaries.
    await expect.poll(() => page.locator('[data-testid=progress]').count(), { timeout: 60_000, interval: 500 }).toBe(0);
    await shot('scalars');
    expect(await page.textContent('[data-testid=backend]')).not.toBe('n/a');
  }, 100_000);

  it('opens every tab with content from the run', async () => {
    await page.click('[data-testid=tab-graphs]');
    await expect.poll(() => page.locator('section[aria-label=Graphs] svg').first().textContent(), { timeout: 15_000 }).toContain('dense');
    await shot('graphs');
    await page.click('[data-testid=tab-distributions]');
    await page.locator('section[aria-label=Distributions] article[aria-label*="e2e/relu"] canvas').first().waitFor();
    await shot('distributions');
    await page.click('[data-testid=tab-histograms]');
    await page.locator('section[aria-label=Histograms] article[aria-label*="e2e/relu"] path').first().waitFor();
    await shot('histograms');
    await page.click('[data-testid=tab-images]');
    const img = page.locator('section[aria-label=Images] img[src*="run=e2e%2Frelu"]').first();
    await img.waitFor();
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth), { timeout: 10_000 }).toBeGreaterThan(0);
    await shot('images');
    await page.click('[data-testid=tab-compare]');
    const table = page.locator('[data-testid=compare-table]');
    await expect.poll(() => table.textContent()).toContain('e2e/relu');
    expect(await table.textContent()).toContain('tanh');
    expect(await chartPoints(page, 'compare:loss')).toBeGreaterThan(0);
    await shot('compare');
  }, 60_000);

  it('replays the corpus log: the step advances, stop restores live data', async () => {
    await page.click('[data-testid=tab-scalars]');
    await page.selectOption('[data-testid=replay-run]', 'corpus');
    await page.getByRole('radio', { name: '10×' }).click();
    await page.click('[data-testid=replay-play]');
    const step = () => page.locator('[data-testid=replay-step]').textContent({ timeout: 10_000 }).then(Number);
    const s0 = await step();
    await expect.poll(step, { timeout: 15_000 }).toBeGreaterThan(s0);
    expect(await page.textContent('[data-testid=connection]')).toContain('replaying corpus');
    await shot('replay');
    await page.click('[data-testid=replay-stop]');
    await expect.poll(() => page.textContent('[data-testid=connection]')).toContain('live');
  }, 40_000);

  it('reloading the URL restores the same view', async () => {
    await page.click('[data-testid=tab-scalars]');
    await page.locator('[data-testid=smoothing]').evaluate((el) => {
      const input = el as HTMLInputElement;
      input.value = '0.85';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.locator('[data-testid=run-list] [data-run=corpus] input[type=checkbox]').uncheck();
    await page.fill('[data-testid=tag-filter]', 'loss');
    await page.click('[data-testid=tab-histograms]');
    await expect.poll(() => page.url()).toContain('tab=histograms');
    const url = page.url();
    expect(url).toContain('smoothing=0.85');

    await page.goto(url);
    await page.locator('[data-testid=run-list] [data-run="e2e/relu"]').waitFor();
    expect(await page.getAttribute('[data-testid=tab-histograms]', 'aria-selected')).toBe('true');
    // Scalar settings are shown only on the scalar views.
    expect(await page.locator('[data-testid=smoothing]').count()).toBe(0);
    expect(await page.inputValue('[data-testid=tag-filter]')).toBe('loss');
    expect(await page.locator('[data-testid=run-list] [data-run=corpus] input[type=checkbox]').isChecked()).toBe(false);
    expect(await page.locator('[data-testid=run-list] [data-run="e2e/relu"] input[type=checkbox]').isChecked()).toBe(true);
    await page.click('[data-testid=tab-scalars]');
    expect(await page.textContent('[data-testid=smoothing-value]')).toBe('0.850');
    await expect.poll(() => chartPoints(page, 'train/loss'), { timeout: 10_000 }).toBeGreaterThan(0);
    expect((await charts(page)).some((c) => c.id === 'lax/bar_3')).toBe(false);
  }, 40_000);
});
