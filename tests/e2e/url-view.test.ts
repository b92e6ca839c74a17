// The URL holds each tab's own view too: the GRAPHS run, the HISTOGRAMS mode and the IMAGES step survive
// a reload (real PyTorch and TF1 logs from the corpus).
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createApp } from '../../server/app.ts';
import { silentLogger } from '../../server/config.ts';
import { CORPUS, ensureWebBuild, launchChromium, WEB_DIR } from './helpers.ts';

const Z = path.join(CORPUS, 'ZeroToMax-ZYZ__study_tensorboard/runs');
const FILES: Record<string, string> = {
  'torch-graph': path.join(Z, 'graph_experiment/events.out.tfevents.1771596179.zyzkings.9384.0'),
  'tf1-graph': path.join(CORPUS, 'tensorflow__tensorboard/tensorboard/functionaltests/testdata/events.out.tfevents.1476472047.localhost'),
  images: path.join(Z, 'image_experiment/events.out.tfevents.1771595107.zyzkings.11980.0'),
  hists: path.join(Z, 'histogram_experiment/events.out.tfevents.1771596220.zyzkings.19040.0'),
};

let logdir: string;
let app: Awaited<ReturnType<typeof createApp>>;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await ensureWebBuild();
  logdir = mkdtempSync(path.join(os.tmpdir(), 'trainscope-urlview-'));
  for (const [run, file] of Object.entries(FILES)) {
    mkdirSync(path.join(logdir, run));
    copyFileSync(file, path.join(logdir, run, path.basename(file)));
  }
  app = await createApp({ logdir, port: 0, host: '127.0.0.1', training: false, webDir: WEB_DIR, logger: silentLogger });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (logdir) rmSync(logdir, { recursive: true, force: true });
});

const param = (k: string) => new URL(page.url()).searchParams.get(k);

describe('tab view state in the URL', () => {
  it('keeps the GRAPHS run across a reload', async () => {
    await page.goto(`${app.url()}?tab=graphs`);
    const select = page.locator('[data-testid=panel-graphs] .toolbar select').first();
    await select.waitFor();
    await expect.poll(() => select.locator('option').count()).toBeGreaterThan(1);
    await select.selectOption('tf1-graph');
    await expect.poll(() => param('graph')).toBe('tf1-graph');
    await page.reload();
    await expect.poll(() => page.locator('[data-testid=panel-graphs] .toolbar select').first().inputValue()).toBe('tf1-graph');
  });

  it('keeps the HISTOGRAMS mode across a reload', async () => {
    await page.goto(`${app.url()}?tab=histograms`);
    await page.locator('input[name=histogram-mode][value=overlay]').check();
    await expect.poll(() => param('hmode')).toBe('overlay');
    await page.reload();
    await expect.poll(() => page.locator('input[name=histogram-mode][value=overlay]').isChecked()).toBe(true);
  });

  it('keeps the IMAGES step across a reload', async () => {
    await page.goto(`${app.url()}?tab=images`);
    const slider = page.locator('[data-testid=panel-images] article input[type=range]').first();
    await slider.waitFor();
    // Pick the first step (the slider starts on the latest).
    await slider.evaluate((el: HTMLInputElement) => {
      el.value = '0';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await expect.poll(() => param('imgStep')).not.toBeNull();
    const step = param('imgStep');
    const label = () => page.locator('[data-testid=panel-images] .meta b').first().textContent();
    expect(await label()).toBe(step);
    await page.reload();
    await page.locator('[data-testid=panel-images] article input[type=range]').first().waitFor();
    await expect.poll(label).toBe(step);
  });
});
