// Downsampled on the wire, full resolution on zoom: a run of 200,000 points with one spike arrives at
// about 2 points per pixel (the spike drawn); a drag-zoom fetches every point of the zoomed step range;
// a double-click goes back to the downsampled view; the CSV download still has every point.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createApp } from '../../server/app.ts';
import { silentLogger } from '../../server/config.ts';
import type { LogRecord } from '../../server/logs/records.ts';
import { backlogPoints } from '../../web/src/lib/zoom-window.ts';
import { ensureWebBuild, launchChromium, WEB_DIR } from './helpers.ts';

const N = 200_000;
const SPIKE_STEP = 123_457;
const SPIKE = 40;
const WIDTH = 1400;
const TAG = 'loss';

let logdir: string;
let app: Awaited<ReturnType<typeof createApp>>;
let browser: Browser;
let page: Page;

type Ts = {
  chart(id: string): import('chart.js').Chart;
  dash: { series: { scalar(r: string, t: string): unknown }; zoom: { seriesFor(t: string, r: string, b: unknown): { n: number; steps: Float64Array } }; ui: { zoomOf(t: string): [number, number] | null } };
};

const fullPoints = async () => Number(await page.locator(`[data-testid="chart-${TAG}"]`).getAttribute('data-full-points'));

beforeAll(async () => {
  await ensureWebBuild();
  logdir = mkdtempSync(path.join(os.tmpdir(), 'ts-e2e-zoom-'));
  app = await createApp({ logdir, port: 0, host: '127.0.0.1', training: false, webDir: WEB_DIR, logger: silentLogger, samplesPerPlugin: { scalars: 1_000_000 } });
  for (let from = 0; from < N; from += 20_000) {
    const recs: LogRecord[] = [];
    for (let s = from; s < from + 20_000; s++) recs.push({ kind: 'scalar', tag: TAG, step: s, wallTime: 1_700_000_000 + s, value: s === SPIKE_STEP ? SPIKE : 1 + Math.sin(s / 3000) * 0.5 + Math.sin(s * 1.7) * 0.05 });
    app.ingest('long', recs);
  }
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: WIDTH, height: 900 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (logdir) rmSync(logdir, { recursive: true, force: true });
});

describe('a long run: downsampled first view, full resolution when zoomed', () => {
  it('holds about 2 points per pixel with the spike drawn; a zoom brings every point of its range; reset goes back', async () => {
    // Raw values (no smoothing) and a y axis that shows outliers, so the spike is on the chart.
    await page.goto(`${app.url()}?smoothing=0&outliers=0`);
    const chart = page.locator(`[data-testid="chart-${TAG}"]`);
    await expect.poll(fullPoints, { timeout: 60_000 }).toBeGreaterThan(0);
    // The first chart is drawn from the backlog's first chunk: the first view is the one with all of it.
    const held = () => page.evaluate((tag) => {
      const d = (window as unknown as { __trainscope: Ts & { dash: { loading: unknown } } }).__trainscope.dash;
      return d.loading === null ? ((d.series.scalar('long', tag) as { n: number } | undefined)?.n ?? 0) : -1;
    }, TAG);
    await expect.poll(held, { timeout: 60_000 }).toBeGreaterThan(0);
    const backlog = await held();
    await expect.poll(fullPoints).toBe(backlog);
    const first = await fullPoints();
    const plotWidth = await page.evaluate((id) => (window as unknown as { __trainscope: Ts }).__trainscope.chart(id).chartArea.width, TAG);
    expect(first).toBeLessThanOrEqual(backlogPoints(WIDTH) + 2);
    expect(first).toBeGreaterThanOrEqual(2 * plotWidth);
    expect(first).toBeLessThan(N / 50);
    // The spike is in what Chart.js draws, and the y axis reaches it.
    const drawn = await page.evaluate((id) => {
      const c = (window as unknown as { __trainscope: Ts }).__trainscope.chart(id);
      return { maxY: Math.max(...c.data.datasets.flatMap((d) => (d.data as { y: number }[]).map((p) => p.y))), axisMax: c.scales.y.max };
    }, TAG);
    expect(drawn.maxY).toBe(SPIKE);
    expect(drawn.axisMax).toBeGreaterThanOrEqual(SPIKE);

    // Drag-zoom over ~4% of the steps (some 20 pixels).
    const at = (step: number) => page.evaluate(([id, s]) => {
      const c = (window as unknown as { __trainscope: Ts }).__trainscope.chart(id as string);
      const r = c.canvas.getBoundingClientRect();
      return { x: r.left + c.scales.x.getPixelForValue(s as number), y: r.top + (c.chartArea.top + c.chartArea.bottom) / 2 };
    }, [TAG, step] as const);
    const a = await at(100_000);
    const b = await at(108_000);
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move(b.x, a.y, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => chart.getAttribute('data-zoomed')).toBe('1');
    const inRange = () => page.evaluate((tag) => {
      const d = (window as unknown as { __trainscope: Ts }).__trainscope.dash;
      const [lo, hi] = d.ui.zoomOf(tag)!;
      const s = d.zoom.seriesFor(tag, 'long', d.series.scalar('long', tag));
      let count = 0;
      for (let i = 0; i < s.n; i++) if (s.steps[i] >= lo && s.steps[i] <= hi) count++;
      return { count, want: Math.floor(hi) - Math.ceil(lo) + 1 };
    }, TAG);
    await expect.poll(async () => { const r = await inRange(); return r.count === r.want && r.want > 1000; }, { timeout: 20_000 }).toBe(true);
    await expect.poll(fullPoints).toBeGreaterThan(first + 1000);

    // Zoom out: the downsampled view again.
    await page.dblclick(`[data-testid="chart-${TAG}"]`);
    await expect.poll(() => chart.getAttribute('data-zoomed')).toBe('0');
    await expect.poll(fullPoints).toBe(first);

    // The CSV download has every logged point, not the downsampled ones.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-tag="${TAG}"] button[title="download CSV"]`)]);
    const csv = readFileSync(await download.path(), 'utf8').trim().split(/\r?\n/);
    expect(csv.length).toBe(N + 1); // a header and every point
    expect(csv.some((row) => row.endsWith(`,${SPIKE}`))).toBe(true);
  }, 120_000);
});
