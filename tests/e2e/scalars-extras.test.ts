// End to end, SCALARS extras: the rich tooltip, the step selector's table (pinned step and shift-drag
// range), seed bands for runs differing only by seed, the PNG download with title and legend, and the
// chart zoom kept in the URL. Runs are written by our EventWriter with known values, so every figure
// shown can be checked against what was logged.
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createApp } from '../../server/app.ts';
import { silentLogger } from '../../server/config.ts';
import { EventWriter } from '../../server/logs/event-writer.ts';
import { smooth } from '../../shared/smoothing.ts';
import { fmt } from '../../web/src/lib/charts/line-data.ts';
import { ensureWebBuild, launchChromium, ROOT, WEB_DIR } from './helpers.ts';

type App = Awaited<ReturnType<typeof createApp>>;

const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const TAG = 'train/loss';
const STEPS = Array.from({ length: 41 }, (_, i) => i * 5); // 0, 5, ..., 200
const LONG = 'experiments/a-fairly-long-run-name-that-must-not-be-cut/lr=0.01';
const SEEDS = ['seeds/s1', 'seeds/s2', 'seeds/s3'];
const SMOOTHING = 0.6; // the default

/** The logged loss of a run at a step (distinct per run and step). */
function loss(run: string, step: number): number {
  const k = run === LONG ? 4 : SEEDS.indexOf(run) + 1;
  return Number((2 / (1 + step / 40) + 0.07 * k + 0.03 * Math.sin(step / 7 + k)).toFixed(6));
}
const wall0 = 1_700_000_000;
const wallOf = (step: number) => wall0 + step * 3;

let logdir: string;
let app: App;
let browser: Browser;
let page: Page;

async function shot(name: string) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

/** Page coordinates of a step on the chart's x axis, mid-height of the plot. */
function pointOf(step: number) {
  return page.evaluate(([id, s]) => {
    const c = (window as unknown as { __trainscope: { chart(id: string): import('chart.js').Chart } }).__trainscope.chart(id as string);
    const r = c.canvas.getBoundingClientRect();
    return { x: r.left + c.scales.x.getPixelForValue(s as number), y: r.top + (c.chartArea.top + c.chartArea.bottom) / 2 };
  }, [TAG, step] as const);
}

/** Table cells by row (data-run) and column (data-col). */
function cells(sel: string) {
  return page.locator(`${sel} tbody tr`).evaluateAll((trs) =>
    trs.map((tr) => ({
      run: (tr as HTMLElement).dataset.run!,
      col: Object.fromEntries([...tr.querySelectorAll('[data-col]')].map((td) => [(td as HTMLElement).dataset.col!, td.textContent!.trim()])),
    })),
  );
}

const allRuns = [...SEEDS, LONG];
const series = (run: string) => STEPS.map((s) => loss(run, s));

beforeAll(async () => {
  await ensureWebBuild();
  mkdirSync(ARTIFACTS, { recursive: true });
  logdir = mkdtempSync(path.join(os.tmpdir(), 'trainscope-scalars-'));
  for (const run of allRuns) {
    const w = await EventWriter.open(path.join(logdir, run));
    const seed = run === LONG ? 1 : SEEDS.indexOf(run) + 1;
    w.hparams({ dataset: 'spiral', activation: 'relu', learning_rate: run === LONG ? 0.01 : 0.1, seed }, [TAG], wall0 - 1);
    for (const s of STEPS) w.scalar(TAG, loss(run, s), s, wallOf(s));
    await w.close();
  }
  app = await createApp({ logdir, port: 0, host: '127.0.0.1', training: false, webDir: WEB_DIR, logger: silentLogger, reloadIntervalSec: 1 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(app.url());
  const full = () => page.evaluate(() => (window as unknown as { __trainscope: { charts(): { id: string; fullPoints: number }[] } }).__trainscope.charts().find((c) => c.id === 'train/loss')?.fullPoints ?? 0);
  // Every point of the 4 runs in the chart (expect.poll only works inside tests).
  for (const end = Date.now() + 30_000; (await full()) !== STEPS.length * allRuns.length; ) {
    if (Date.now() > end) throw new Error(`chart ${TAG} holds ${await full()} points, expected ${STEPS.length * allRuns.length}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (logdir) rmSync(logdir, { recursive: true, force: true });
});

describe('SCALARS extras end to end', () => {
  it('hovering shows every run with its full name, smoothed and raw value, step and times, sorted by value', async () => {
    const p = await pointOf(100);
    await page.mouse.move(p.x, p.y);
    const tip = page.locator('[data-testid=chart-tooltip]');
    await tip.waitFor();
    await shot('scalars-tooltip');
    const rows = await cells('[data-testid=chart-tooltip]');
    expect(rows.map((r) => r.run).sort()).toEqual([...allRuns].sort());
    const i = STEPS.indexOf(100);
    for (const r of rows) {
      expect(r.col.step).toBe('100');
      expect(r.col.value).toBe(fmt(loss(r.run, 100)));
      expect(r.col.smoothed).toBe(fmt(smooth(series(r.run), SMOOTHING)[i]));
      expect(r.col.relative).toBe('5m 0s'); // 100 steps x 3 s after the first point
      expect(r.col.wall).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    }
    const shown = rows.map((r) => smooth(series(r.run), SMOOTHING)[i]);
    expect(shown).toEqual([...shown].sort((a, b) => b - a));
    // The long name is shown whole, not cut.
    expect(await tip.locator(`tr[data-run="${LONG}"] .run`).textContent()).toBe(LONG);
  });

  it('a click pins a step: the table lists each run at it; shift-drag gives min / max / mean over a range', async () => {
    const p = await pointOf(61.4); // between logged steps: snaps to 60
    await page.mouse.click(p.x, p.y);
    const table = page.locator('[data-testid=step-table]');
    await expect.poll(() => table.getAttribute('data-kind')).toBe('step');
    expect(await table.getAttribute('data-x')).toBe('60');
    await page.locator('[data-testid=pinned-step]').waitFor();
    const rows = await cells('[data-testid=step-table]');
    expect(rows.map((r) => r.run).sort()).toEqual([...allRuns].sort());
    for (const r of rows) {
      expect(r.col.step).toBe('60');
      expect(r.col.value).toBe(fmt(loss(r.run, 60)));
    }
    await page.mouse.move(10, 10); // tooltip away for the screenshot
    await shot('scalars-pinned-step');

    const a = await pointOf(40);
    const b = await pointOf(150);
    await page.keyboard.down('Shift');
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move((a.x + b.x) / 2, a.y, { steps: 4 });
    await page.mouse.move(b.x, a.y, { steps: 4 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    await expect.poll(() => table.getAttribute('data-kind')).toBe('range');
    expect(await page.locator('[data-testid="chart-train/loss"]').getAttribute('data-zoomed')).toBe('0'); // shift-drag did not zoom
    const lo = Number(await table.getAttribute('data-lo'));
    const hi = Number(await table.getAttribute('data-hi'));
    expect(lo).toBeGreaterThan(35);
    expect(hi).toBeLessThan(155);
    const inRange = STEPS.filter((s) => s >= lo && s <= hi);
    for (const r of await cells('[data-testid=step-table]')) {
      const vals = inRange.map((s) => loss(r.run, s));
      expect(r.col.count).toBe(String(inRange.length));
      expect(r.col.min).toBe(fmt(Math.min(...vals)));
      expect(r.col.max).toBe(fmt(Math.max(...vals)));
      expect(r.col.mean).toBe(fmt(vals.reduce((x, y) => x + y, 0) / vals.length));
      expect(r.col.start).toBe(fmt(vals[0]));
    }
    await page.mouse.move(10, 10);
    await shot('scalars-range');
    expect(await page.textContent('[data-testid=gesture-hint]')).toContain('shift+drag');
    await page.click('[data-testid=step-table-clear]');
    await table.waitFor({ state: 'detached' });
  });

  it('the seed toggle draws runs differing only by seed as one mean line over a band', async () => {
    const datasets = () => page.evaluate((id) => {
      const c = (window as unknown as { __trainscope: { chart(id: string): import('chart.js').Chart } }).__trainscope.chart(id);
      return c.data.datasets.map((d) => ({ label: String(d.label), fill: (d as { fill?: unknown }).fill ?? false }));
    }, TAG);
    expect((await datasets()).filter((d) => SEEDS.includes(d.label)).length).toBeGreaterThanOrEqual(3);
    await page.click('[data-testid=seed-bands]');
    await expect.poll(async () => (await datasets()).filter((d) => d.label.includes('mean ± std of 3 seeds')).length).toBe(1);
    const ds = await datasets();
    expect(ds.filter((d) => d.fill === '-1')).toHaveLength(1); // the band
    expect(ds.some((d) => SEEDS.includes(d.label))).toBe(false); // no per-seed line left
    expect(ds.some((d) => d.label === LONG)).toBe(true); // the other configuration stays a run of its own
    expect(page.url()).toContain('seeds=1');

    const p = await pointOf(100);
    await page.mouse.move(p.x, p.y);
    await page.locator('[data-testid=chart-tooltip]').waitFor();
    await shot('scalars-seed-band');
    const rows = await cells('[data-testid=chart-tooltip]');
    expect(rows).toHaveLength(2);
    const group = rows.find((r) => r.run.includes('mean ± std'))!;
    expect(group.run).toBe('seeds/s1, seeds/s2, seeds/s3 (mean ± std of 3 seeds)');
    const vals = SEEDS.map((r) => loss(r, 100));
    const mean = vals.reduce((x, y) => x + y, 0) / 3;
    const std = Math.sqrt(vals.reduce((x, v) => x + (v - mean) ** 2, 0) / 2);
    expect(group.col.value).toBe(`${fmt(mean)} ± ${fmt(std)}`);
    await page.mouse.move(10, 10);
  });

  it('the PNG download carries the title and a legend below the chart', async () => {
    const canvas = await page.evaluate((id) => {
      const c = (window as unknown as { __trainscope: { chart(id: string): import('chart.js').Chart } }).__trainscope.chart(id);
      return { w: c.canvas.width, h: c.canvas.height };
    }, TAG);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-tag="${TAG}"] [data-testid=download-png]`)]);
    expect(download.suggestedFilename()).toBe('train_loss.png');
    const file = path.join(ARTIFACTS, 'scalars-download.png');
    await download.saveAs(file);
    const png = PNG.sync.read(readFileSync(file)); // throws unless it is a valid PNG
    expect(png.width).toBeGreaterThanOrEqual(canvas.w);
    expect(png.height).toBeGreaterThan(canvas.h + 30); // title above, legend below
    // The legend's swatches are painted in the lines' colors below the chart.
    const colors: [string, string][] = await page.evaluate(() => (window as unknown as { __trainscope: { dash: { runs: { name: string; color: string }[] } } }).__trainscope.dash.runs.map((r) => [r.name, r.color]));
    const want = new Set([colors.find(([n]) => n === SEEDS[0])![1], colors.find(([n]) => n === LONG)![1]]);
    const found = new Set<string>();
    for (let y = png.height - 30; y < png.height; y++) {
      for (let x = 0; x < png.width; x++) {
        const o = (y * png.width + x) * 4;
        const hex = `#${[0, 1, 2].map((k) => png.data[o + k].toString(16).padStart(2, '0')).join('')}`;
        if (want.has(hex)) found.add(hex);
      }
    }
    expect(found).toEqual(want);
  });

  it('a drag zooms; the zoom is in the URL and a reload restores it', async () => {
    const a = await pointOf(50);
    const b = await pointOf(120);
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move(b.x, a.y, { steps: 5 });
    await page.mouse.up();
    const chart = page.locator('[data-testid="chart-train/loss"]');
    await expect.poll(() => chart.getAttribute('data-zoomed')).toBe('1');
    await expect.poll(() => page.url()).toContain('zoom=');
    const zoom = new URL(page.url()).searchParams.get('zoom')!;
    const [lo, hi] = zoom.slice(zoom.lastIndexOf('@') + 1).split('~').map(Number);
    expect(zoom.startsWith(`${TAG}@`)).toBe(true);
    expect(lo).toBeGreaterThan(45);
    expect(hi).toBeLessThan(125);
    expect(zoom.length).toBeLessThan(30);
    await page.goto(page.url());
    await expect.poll(() => page.locator('[data-testid="chart-train/loss"]').getAttribute('data-zoomed'), { timeout: 15_000 }).toBe('1');
    const range = await page.evaluate((id) => {
      const c = (window as unknown as { __trainscope: { chart(id: string): import('chart.js').Chart } }).__trainscope.chart(id);
      return [c.options.scales!.x!.min, c.options.scales!.x!.max];
    }, TAG);
    expect(range).toEqual([lo, hi]);
    expect(await page.locator('[data-testid=seed-bands]').isChecked()).toBe(true);
    await shot('scalars-zoom-restored');
    await page.dblclick('[data-testid="chart-train/loss"]');
    await expect.poll(() => page.url()).not.toContain('zoom=');
  });
});
