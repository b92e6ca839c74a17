// End to end: the real server and dashboard in headless chromium on a logdir holding the corpus log_tayo
// run (TF1 histograms with exponential buckets) and a run with one scalar point and a long name. Checks
// what is drawn (SVG paths, the Chart.js instance, canvas pixels), not what the code meant to draw.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createApp } from '../../server/app.ts';
import { silentLogger } from '../../server/config.ts';
import { EventWriter } from '../../server/logs/event-writer.ts';
import { CORPUS, ensureWebBuild, launchChromium, ROOT, WEB_DIR } from './helpers.ts';

type App = Awaited<ReturnType<typeof createApp>>;

const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const TAYO = path.join(CORPUS, 'tensorflow__tensorboard/log_tayo/train/events.out.tfevents.1515280092.tayo-glaptop');
const TAG = 'layer1/weights/summaries/histogram';
// Differs from a sibling only at its end, as runs of one sweep do.
const LONG = 'lone_point_run_with_a_deliberately_long_name_that_differs_only_at_the_end_seed_42';
const LONE_TAG = 'lone/value';

let logdir: string;
let app: App;
let browser: Browser;
let page: Page;

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `hist-${name}.png`), fullPage: false });

beforeAll(async () => {
  await ensureWebBuild();
  mkdirSync(ARTIFACTS, { recursive: true });
  logdir = mkdtempSync(path.join(os.tmpdir(), 'trainscope-hist-e2e-'));
  mkdirSync(path.join(logdir, 'tayo'));
  copyFileSync(TAYO, path.join(logdir, 'tayo', path.basename(TAYO)));
  const w = await EventWriter.open(path.join(logdir, LONG));
  w.scalar(LONE_TAG, 0.42, 7);
  await w.close();
  app = await createApp({ logdir, port: 0, host: '127.0.0.1', training: false, webDir: WEB_DIR, logger: silentLogger, reloadIntervalSec: 1 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(app.url());
  await page.locator(`[data-testid=run-list] [data-run="${LONG}"]`).waitFor({ timeout: 20_000 });
  await page.locator('[data-testid=run-list] [data-run=tayo]').waitFor({ timeout: 20_000 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (logdir) rmSync(logdir, { recursive: true, force: true });
});

/** Value at the middle of the highest segment of the newest slice's outline, and the bin width. */
async function drawnPeak(p: Page): Promise<{ x: number; binWidth: number; slices: number }> {
  const card = p.locator(`section[aria-label=Histograms] article[aria-label="${TAG} — tayo"]`);
  const svg = card.locator('svg');
  await svg.locator('path[data-step]').first().waitFor();
  return svg.evaluate((el) => {
    const [xMin, xMax] = el.getAttribute('data-x-domain')!.split(',').map(Number);
    const [left, width] = el.getAttribute('data-plot')!.split(',').map(Number);
    const paths = [...el.querySelectorAll('path[data-step]')];
    const newest = paths.reduce((a, b) => (Number(b.getAttribute('data-step')) > Number(a.getAttribute('data-step')) ? b : a));
    const pts = [...newest.getAttribute('d')!.matchAll(/[ML]([-\d.]+),([-\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    const top = Math.min(...pts.map((q) => q[1]));
    const xs = pts.filter((q) => q[1] === top).map((q) => q[0]);
    const px = (Math.min(...xs) + Math.max(...xs)) / 2;
    return { x: xMin + ((px - left) / width) * (xMax - xMin), binWidth: (xMax - xMin) / 30, slices: paths.length };
  });
}

describe('charts people can trust, end to end', () => {
  it('HISTOGRAMS: a bell logged with TF exponential buckets peaks at 0 (offset and overlay)', async () => {
    await page.click('[data-testid=tab-histograms]');
    const offset = await drawnPeak(page);
    expect(offset.slices).toBe(9);
    expect(Math.abs(offset.x)).toBeLessThanOrEqual(offset.binWidth);
    // the hover readout still shows the bucket as logged
    const svg = page.locator(`section[aria-label=Histograms] article[aria-label="${TAG} — tayo"] svg`);
    const box = (await svg.boundingBox())!;
    const [left, width] = ((await svg.getAttribute('data-plot')) ?? '').split(',').map(Number);
    await page.mouse.move(box.x + left + width * 0.6, box.y + box.height - 26);
    const tip = page.locator(`section[aria-label=Histograms] article[aria-label="${TAG} — tayo"] .tip`);
    await expect.poll(() => tip.textContent()).toMatch(/step 9[\s\S]*logged \[0\.\d+, 0\.\d+\): \d+/);
    // the card title: the whole tag, or the tag cut in the middle, with the full tag as its tooltip
    const title = page.locator(`section[aria-label=Histograms] article[aria-label="${TAG} — tayo"] header .tag .mid`);
    expect(await title.getAttribute('title')).toBe(TAG);
    const text = (await title.textContent())!;
    const cut = text.indexOf('…');
    if (cut < 0) expect(text).toBe(TAG);
    else expect(TAG.startsWith(text.slice(0, cut)) && TAG.endsWith(text.slice(cut + 1))).toBe(true);
    await shot('offset');
    await page.getByRole('radio', { name: 'overlay' }).check();
    await expect.poll(() => svg.getAttribute('aria-label')).toContain('overlay');
    const overlay = await drawnPeak(page);
    expect(Math.abs(overlay.x)).toBeLessThanOrEqual(overlay.binWidth);
    await shot('overlay');
  }, 60_000);

  it('SCALARS: a one-point series is a visible dot, and axes have round ticks inside a data-driven range', async () => {
    await page.click('[data-testid=tab-scalars]');
    const card = page.locator(`[data-testid=scalar-card][data-tag="${LONE_TAG}"]`);
    await card.scrollIntoViewIfNeeded();
    await expect
      .poll(() => page.evaluate((id) => (window as unknown as { __trainscope: { charts(): { id: string; fullPoints: number }[] } }).__trainscope.charts().find((c) => c.id === id)?.fullPoints ?? 0, LONE_TAG), { timeout: 15_000 })
      .toBe(1);
    const dot = await page.evaluate((id) => {
      const ch = (window as unknown as { __trainscope: { chart(id: string): any } }).__trainscope.chart(id);
      // the last dataset of the run: its smoothed line (a faint raw one may be drawn under it)
      const el = ch.getDatasetMeta(ch.data.datasets.findLastIndex((d: { label: string }) => d.label.startsWith('lone_point')))?.data[0];
      const a = ch.chartArea;
      const dpr = ch.currentDevicePixelRatio;
      const px = ch.ctx.getImageData(Math.round(el.x * dpr), Math.round(el.y * dpr), 1, 1).data;
      return { x: el.x, y: el.y, r: el.options.radius, inside: el.x > a.left && el.x < a.right && el.y > a.top && el.y < a.bottom, alpha: px[3] };
    }, LONE_TAG);
    expect(dot.r).toBeGreaterThan(0);
    expect(dot.inside).toBe(true);
    expect(dot.alpha).toBeGreaterThan(200); // painted, not blank canvas
    // hovering the chart shows the run's full name in the tooltip
    const chartBox = (await card.locator('canvas').boundingBox())!;
    await page.mouse.move(chartBox.x + dot.x, chartBox.y + dot.y);
    await expect.poll(() => card.locator('[data-testid=chart-tooltip] td.run').first().textContent()).toBe(LONG);
    await shot('lone-point');

    // accuracy (0.14 .. 0.69) stays inside [0, 1]; every tick is a round number
    const acc = page.locator('[data-testid=scalar-card][data-tag=accuracy_1]');
    await acc.scrollIntoViewIfNeeded();
    await expect.poll(() => page.evaluate(() => Boolean((window as unknown as { __trainscope: { chart(id: string): unknown } }).__trainscope.chart('accuracy_1'))), { timeout: 15_000 }).toBe(true);
    const scalesOf = () =>
      page.evaluate(() => {
        const ch = (window as unknown as { __trainscope: { chart(id: string): any } }).__trainscope.chart('accuracy_1');
        const s = (k: string) => ({ min: ch.scales[k].min, max: ch.scales[k].max, ticks: ch.scales[k].ticks.map((t: { value: number }) => t.value) });
        return { x: s('x'), y: s('y') };
      });
    const roundTicks = (v: number[]) => v.every((t) => /^-?\d+(\.\d{1,2})?$/.test(String(t)));
    // outliers ignored (the default): the 5..95% range, still inside [0, 1], round ticks
    const robust = await scalesOf();
    expect(robust.y.min).toBeGreaterThanOrEqual(0);
    expect(robust.y.max).toBeLessThanOrEqual(1);
    expect(roundTicks(robust.y.ticks) && roundTicks(robust.x.ticks)).toBe(true);
    // every value shown: the range covers the data (0.14 .. 0.69), padded but not past 0 or 1
    await page.getByLabel('Ignore outliers').uncheck();
    await expect.poll(async () => (await scalesOf()).y.min).toBeLessThan(0.14);
    const full = await scalesOf();
    expect(full.y.min).toBeGreaterThanOrEqual(0);
    expect(full.y.max).toBeGreaterThan(0.69);
    expect(full.y.max).toBeLessThan(0.8);
    expect(full.y.ticks.length).toBeGreaterThanOrEqual(3);
    expect(roundTicks(full.y.ticks) && roundTicks(full.x.ticks)).toBe(true);
    await shot('accuracy');
  }, 60_000);

  it('a long run name is cut in the middle, the full name in its title', async () => {
    const name = page.locator(`[data-testid=run-list] [data-run="${LONG}"] .mid`);
    await expect.poll(() => name.textContent()).toContain('…');
    const shown = (await name.textContent())!;
    expect(shown.length).toBeLessThan(LONG.length);
    expect(LONG.startsWith(shown.slice(0, shown.indexOf('…')))).toBe(true);
    expect(LONG.endsWith(shown.slice(shown.indexOf('…') + 1))).toBe(true);
    expect(shown.endsWith('seed_42')).toBe(true);
    expect(await name.getAttribute('title')).toBe(LONG);
    // it fits: nothing hidden by overflow
    expect(await name.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
    await page.locator('[data-testid=run-list]').screenshot({ path: path.join(ARTIFACTS, 'hist-run-list.png') });
  }, 30_000);
});
