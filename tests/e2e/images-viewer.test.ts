// End to end: the IMAGES viewer in headless chromium on a TensorFlow-written log (tests/fixtures/tb-golden:
// tf.summary.image with max_outputs=2, so every step has two samples) and a run with a long name. Checks
// the enlarge dialog (actual size / fit), the brightness / contrast filter on the drawn images, every
// sample of a step, and names shown in full.
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { silentLogger } from '../../server/config.ts';
import { ensureWebBuild, launchChromium, ROOT, WEB_DIR } from './helpers.ts';

type App = Awaited<ReturnType<typeof createApp>>;
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const TF2 = path.join(ROOT, 'tests', 'fixtures', 'tb-golden', 'logdir', 'tf2', 'train');
// Longer than a card is wide: shown in full (wrapped), not cut in the middle.
const LONG = 'a_sweep_of_activations_with_a_deliberately_long_run_name_that_ends_in_a_seed_seed_1234567';

let logdir: string;
let app: App;
let browser: Browser;
let page: Page;
const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `images-${name}.png`) });

beforeAll(async () => {
  await ensureWebBuild();
  mkdirSync(ARTIFACTS, { recursive: true });
  logdir = mkdtempSync(path.join(os.tmpdir(), 'trainscope-images-e2e-'));
  cpSync(TF2, path.join(logdir, LONG), { recursive: true });
  app = await createApp({ logdir, port: 0, host: '127.0.0.1', training: false, webDir: WEB_DIR, logger: silentLogger, reloadIntervalSec: 1 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${app.url()}?tab=images`);
  await page.locator('[data-testid=image-thumb]').first().waitFor({ timeout: 30_000 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (logdir) rmSync(logdir, { recursive: true, force: true });
});

describe('IMAGES viewer', () => {
  it('shows every sample of the step, and the full run and tag names', async () => {
    const card = page.locator('article', { has: page.locator('[data-testid=card-tag]', { hasText: /^samples$/ }) });
    const imgs = card.locator('[data-testid=image-thumb] img');
    await expect.poll(() => imgs.count()).toBe(2);
    // Both loaded, and different pictures.
    const srcs = await imgs.evaluateAll((els) => els.map((e) => (e as HTMLImageElement).src));
    expect(new Set(srcs).size).toBe(2);
    await expect.poll(() => imgs.evaluateAll((els) => els.every((e) => (e as HTMLImageElement).naturalWidth === 8))).toBe(true);
    expect(await card.locator('figcaption').allInnerTexts()).toEqual(['sample 1', 'sample 2']);
    expect(await card.locator('[data-testid=card-run]').innerText()).toBe(LONG);
    const run = (await card.locator('[data-testid=card-run]').boundingBox())!;
    expect(run.width).toBeLessThanOrEqual((await card.boundingBox())!.width);
    await shot('samples');
  });

  it('brightness and contrast sliders set the CSS filter of the drawn images', async () => {
    const img = page.locator('[data-testid=image-thumb] img').first();
    expect(await img.evaluate((e) => getComputedStyle(e).filter)).toBe('none');
    await page.locator('[data-testid=image-brightness]').fill('1.5');
    await page.locator('[data-testid=image-contrast]').fill('0.5');
    await expect.poll(() => img.evaluate((e) => getComputedStyle(e).filter)).toBe('brightness(1.5) contrast(0.5)');
    await shot('filtered');
  });

  it('a click enlarges the image: fit to the window or actual size, and steps through the samples', async () => {
    const card = page.locator('article', { has: page.locator('[data-testid=card-tag]', { hasText: /^samples$/ }) });
    await card.locator('[data-testid=image-thumb]').nth(1).click();
    const dialog = page.locator('[data-testid=image-dialog]');
    await dialog.waitFor();
    const big = dialog.locator('[data-testid=dialog-image]');
    expect(await page.locator('[data-testid=dialog-sample]').innerText()).toBe('sample 2 / 2');
    // Fit: 8x6 pixels scaled up to the dialog's image area (many times the thumbnail).
    await expect.poll(async () => (await big.boundingBox())!.width).toBeGreaterThan(400);
    const fitBox = (await big.boundingBox())!;
    expect(fitBox.width / fitBox.height).toBeCloseTo(8 / 6, 1);
    expect(await big.evaluate((e) => getComputedStyle(e).filter)).toBe('brightness(1.5) contrast(0.5)');
    await shot('dialog-fit');
    await page.locator('[data-testid=dialog-fit]').uncheck();
    await expect.poll(async () => (await big.boundingBox())!.width).toBe(8);
    expect((await big.boundingBox())!.height).toBe(6);
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('[data-testid=dialog-sample]').innerText()).toBe('sample 1 / 2');
    const src1 = await big.getAttribute('src');
    await page.locator('button[aria-label="next sample"]').click();
    expect(await big.getAttribute('src')).not.toBe(src1);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
  });

  it('dark theme at 800 px wide', async () => {
    const narrow = await browser.newPage({ viewport: { width: 800, height: 900 }, colorScheme: 'dark' });
    await narrow.goto(`${app.url()}?tab=images`);
    await narrow.locator('[data-testid=image-thumb]').first().waitFor({ timeout: 30_000 });
    await narrow.locator('[data-testid=image-thumb]').first().click();
    const box = (await narrow.locator('[data-testid=image-dialog]').boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(800);
    await narrow.screenshot({ path: path.join(ARTIFACTS, 'images-dialog-dark-800.png') });
    await narrow.close();
  });
});
