// HPARAMS in chromium on a sweep written by TensorBoard's own hparams API (tests/fixtures/hparams-sweep,
// make_logs.py): the table's rows and their order after header clicks, a brushed parallel-coordinates axis
// filtering the rows, the scatter matrix's points, a selected session's curves, and the view kept in the
// URL across a reload; then, on a logdir written while the page is open, metric values following new
// points and failed / stopped sessions marked. Screenshots of every view (light, dark, 800 px) go to test-artifacts/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createApp } from '../../server/app.ts';
import { silentLogger } from '../../server/config.ts';
import { EventWriter } from '../../server/logs/event-writer.ts';
import { ensureWebBuild, launchChromium, ROOT, WEB_DIR } from './helpers.ts';

const LOGDIR = path.join(ROOT, 'tests', 'fixtures', 'hparams-sweep', 'logdir');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
// The final values make_logs.py writes: [session, accuracy, loss].
const FINAL: [string, number, number][] = [
  ['relu-adam', 0.95, 0.15], ['relu-sgd', 0.81, 0.52], ['tanh-adam', 0.91, 0.27], ['tanh-sgd', 0.77, 0.64],
  ['elu-adam', 0.89, 0.33], ['elu-sgd', 0.7, 0.85], ['sigmoid-adam', 0.84, 0.46], ['sigmoid-sgd', 0.58, 1.21],
];
let app: Awaited<ReturnType<typeof createApp>>;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await ensureWebBuild();
  mkdirSync(ARTIFACTS, { recursive: true });
  app = await createApp({ logdir: LOGDIR, port: 0, host: '127.0.0.1', training: false, webDir: WEB_DIR, logger: silentLogger });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1300, height: 950 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${app.url()}?tab=hparams`);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const rows = () => page.$$eval('[data-testid=hp-table] tbody tr', (els) => els.map((e) => e.getAttribute('data-session')));
const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `hparams-${name}.png`), fullPage: true });
const count = () => page.textContent('[data-testid=hp-count]');
const byAcc = (desc: boolean) => [...FINAL].sort((a, b) => (desc ? b[1] - a[1] : a[1] - b[1])).map((x) => x[0]);

describe('HPARAMS tab', () => {
  it('lists a row per session with a column per hparam and metric, sorted by a header click', async () => {
    await expect.poll(rows, { timeout: 60_000 }).toHaveLength(FINAL.length);
    expect(await rows()).toEqual(FINAL.map((x) => x[0]).sort());
    const heads = await page.$$eval('[data-testid=hp-sort]', (els) => els.map((e) => e.getAttribute('data-key')));
    expect(heads).toEqual(['h:activation', 'h:lr', 'h:optimizer', 'h:units', 'm::loss', 'm::accuracy', 'm:validation:accuracy']);
    await page.click('[data-testid=hp-sort][data-key="m::accuracy"]');
    await expect.poll(rows).toEqual(byAcc(false));
    expect(await page.getAttribute('th:has([data-key="m::accuracy"])', 'aria-sort')).toBe('ascending');
    await page.click('[data-testid=hp-sort][data-key="m::accuracy"]');
    await expect.poll(rows).toEqual(byAcc(true));
    // The accuracy cells read as the log's final values, in that order.
    const accCol = heads.indexOf('m::accuracy') + 2;
    const cells = await page.$$eval(`[data-testid=hp-table] tbody td:nth-child(${accCol})`, (els) => els.map((e) => Number(e.textContent)));
    expect(cells).toEqual(byAcc(true).map((n) => FINAL.find((x) => x[0] === n)![1]));
    expect(new URL(page.url()).searchParams.get('hpSort')).toBe('desc:m::accuracy');
    await shot('table');
  });

  it('a discrete filter and a hidden column apply to the table', async () => {
    await page.click('[data-key="h:optimizer"] [data-testid=hp-value][data-value=sgd]');
    await expect.poll(rows).toEqual(byAcc(true).filter((n) => n.endsWith('-adam')));
    await page.click('[data-key="h:optimizer"] [data-testid=hp-value][data-value=sgd]');
    await expect.poll(rows).toHaveLength(FINAL.length);
    await page.click('[data-key="h:units"] [data-testid=hp-show]');
    await expect.poll(() => page.locator('[data-testid=hp-sort][data-key="h:units"]').count()).toBe(0);
    await page.click('[data-key="h:units"] [data-testid=hp-show]');
    await expect.poll(() => page.locator('[data-testid=hp-sort][data-key="h:units"]').count()).toBe(1);
  });

  it('shows only the sessions of runs selected in the sidebar', async () => {
    const box = page.locator('[data-testid=run-list] [data-run="tanh-sgd"] input[type=checkbox]');
    await box.click();
    await expect.poll(rows).toEqual(byAcc(true).filter((n) => n !== 'tanh-sgd'));
    expect(await count()).toBe(`${FINAL.length - 1} of ${FINAL.length - 1} sessions`);
    await box.click();
    await expect.poll(rows).toEqual(byAcc(true));
  });

  it('brushing the loss axis in parallel coordinates filters the sessions and the table', async () => {
    await page.click('[data-testid=hp-mode-parallel]');
    await expect.poll(() => page.locator('[data-testid=hp-parallel] path[data-session]').count()).toBe(FINAL.length);
    const axis = (await page.locator('[data-testid=hp-axis][data-key="m::loss"]').boundingBox())!;
    // From the bottom of the axis (the lowest loss) to 40% of its height: loss up to min + 0.4 * range.
    const x = axis.x + axis.width / 2;
    const lo = Math.min(...FINAL.map((f) => f[2]));
    const hi = Math.max(...FINAL.map((f) => f[2]));
    const cut = lo + 0.4 * (hi - lo);
    const keep = FINAL.filter((f) => f[2] <= cut).map((f) => f[0]);
    expect(keep.length).toBeGreaterThan(1);
    expect(keep.length).toBeLessThan(FINAL.length);
    await page.mouse.move(x, axis.y + axis.height + 4);
    await page.mouse.down();
    await page.mouse.move(x, axis.y + axis.height * 0.8, { steps: 3 });
    await page.mouse.move(x, axis.y + axis.height * 0.6, { steps: 3 });
    await page.mouse.up();
    await page.locator('[data-testid=hp-brush]').waitFor();
    await expect.poll(count).toBe(`${keep.length} of ${FINAL.length} sessions`);
    const passing = await page.$$eval('[data-testid=hp-parallel] path[data-passing=true]', (els) => els.map((e) => e.getAttribute('data-session')));
    expect(passing.sort()).toEqual([...keep].sort());
    const f = JSON.parse(new URL(page.url()).searchParams.get('hpFilter') ?? '{}');
    expect(f.brush['m::loss'][1]).toBeCloseTo(cut, 2);
    await shot('parallel');
    await page.click('[data-testid=hp-mode-table]');
    await expect.poll(rows).toEqual(byAcc(true).filter((n) => keep.includes(n)));
  });

  it('the scatter matrix has a point per shown session in each metric x hparam cell', async () => {
    await page.click('[data-testid=hp-mode-scatter]');
    const cells = 3 * 4;
    await expect.poll(() => page.locator('[data-testid=hp-cell]').count()).toBe(cells);
    const shown = Number((await count())!.split(' ')[0]);
    await expect.poll(() => page.locator('[data-testid=hp-point]').count()).toBe(shown * cells);
    await page.click('[data-testid=hp-clear-filters]');
    await expect.poll(() => page.locator('[data-testid=hp-point]').count()).toBe(FINAL.length * cells);
    const inCell = await page.locator('[data-testid=hp-cell][data-x="h:activation"][data-y="m::accuracy"] [data-testid=hp-point]').count();
    expect(inCell).toBe(FINAL.length);
    await shot('scatter');
  });

  it('selecting sessions shows their metric curves, and the view survives a reload', async () => {
    await page.click('[data-testid=hp-mode-table]');
    await page.click('[data-testid=hp-table] tr[data-session=relu-adam]');
    await page.click('[data-testid=hp-table] tr[data-session=sigmoid-sgd]');
    await page.locator('[data-testid=hp-curves]').waitFor();
    await expect.poll(() => page.locator('[data-testid=hp-curve]').count()).toBe(3);
    const chart = page.locator('[data-testid=hp-curve][data-key="m::loss"] .lc');
    await expect.poll(async () => Number(await chart.getAttribute('data-full-points')), { timeout: 15_000 }).toBeGreaterThanOrEqual(2 * 12);
    expect(await chart.getAttribute('aria-label')).toMatch(/relu-adam.*sigmoid-sgd|sigmoid-sgd.*relu-adam/);
    // The validation accuracy comes from each session's "validation" sub-run (4 points each).
    const val = page.locator('[data-testid=hp-curve][data-key="m:validation:accuracy"] .lc');
    await expect.poll(async () => Number(await val.getAttribute('data-full-points'))).toBeGreaterThanOrEqual(2 * 4);
    await shot('curves');
    await page.reload();
    await expect.poll(rows, { timeout: 30_000 }).toEqual(byAcc(true));
    expect(await page.getAttribute('tr[data-session=relu-adam]', 'aria-selected')).toBe('true');
    await expect.poll(() => page.locator('[data-testid=hp-curve]').count()).toBe(3);
    await page.click('[data-testid=hp-clear-selection]');
    await expect.poll(() => page.locator('[data-testid=hp-curves]').count()).toBe(0);
  });

  it('keeps working while a session is replayed: rows stay, its curve refills from the replay', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.click('[data-testid=hp-table] tr[data-session=elu-sgd]');
    const chart = page.locator('[data-testid=hp-curve][data-key="m::accuracy"] .lc');
    await expect.poll(async () => Number(await chart.getAttribute('data-full-points')), { timeout: 15_000 }).toBeGreaterThanOrEqual(12);
    await page.selectOption('[data-testid=replay-run]', 'elu-sgd');
    await page.click('[data-testid=replay-play]');
    await expect.poll(() => page.textContent('[data-testid=connection]'), { timeout: 15_000 }).toMatch(/replaying\s*elu-sgd/);
    expect(await rows()).toHaveLength(FINAL.length);
    await expect.poll(async () => Number(await chart.getAttribute('data-full-points')), { timeout: 30_000 }).toBeGreaterThanOrEqual(12);
    await shot('replay');
    expect(errors).toEqual([]);
    await page.click('[data-testid=replay-stop]');
    await expect.poll(() => page.textContent('[data-testid=connection]')).toMatch(/live/);
    await page.click('[data-testid=hp-clear-selection]');
  });

  it('works in the dark theme and at 800 px', async () => {
    for (const [mode, scheme, width] of [['parallel', 'dark', 1300], ['scatter', 'dark', 800], ['table', 'light', 800], ['parallel', 'light', 800]] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width, height: 950 });
      await page.click(`[data-testid=hp-mode-${mode}]`);
      const view = mode === 'table' ? 'hp-table' : `hp-${mode}`;
      const box = (await page.locator(`[data-testid=${view}]`).boundingBox())!;
      // Drawn within the window (no sideways overflow at 800 px).
      expect(box.x + box.width).toBeLessThanOrEqual(width + 1);
      expect(box.height).toBeGreaterThan(100);
      await shot(`${mode}-${scheme}-${width}`);
    }
  });
});

describe('HPARAMS live', () => {
  let dir: string;
  let live: Awaited<ReturnType<typeof createApp>>;
  let p: Page;
  const session = async (name: string, act: string, loss: number, step: number, end?: 'STATUS_SUCCESS' | 'STATUS_FAILURE' | 'STATUS_ABORTED') => {
    mkdirSync(path.join(dir, name), { recursive: true });
    const w = await EventWriter.open(path.join(dir, name));
    if (step === 0) w.hparams({ activation: act }, ['loss'], 1000);
    w.scalar('loss', loss, step, 1000 + step);
    if (end) w.hparamsEnd(end, 1000 + step);
    await w.close();
  };
  const cell = (name: string) => p.textContent(`[data-testid=hp-table] tr[data-session="${name}"] td:nth-child(3)`);
  const status = (name: string) => p.getAttribute(`[data-testid=hp-table] tr[data-session="${name}"] [data-status]`, 'data-status');

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'trainscope-hparams-live-'));
    await session('relu', 'relu', 0.9, 0);
    await session('tanh', 'tanh', 0.8, 0);
    await session('elu', 'elu', 0.7, 0);
    live = await createApp({ logdir: dir, port: 0, host: '127.0.0.1', training: false, webDir: WEB_DIR, logger: silentLogger, reloadIntervalSec: 0.5 });
    p = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    await p.goto(`${live.url()}?tab=hparams`);
  }, 60_000);
  afterAll(async () => {
    await p?.close();
    await live?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('follows new metric points and marks failed and stopped sessions', async () => {
    await expect.poll(() => p.locator('[data-testid=hp-table] tbody tr').count(), { timeout: 30_000 }).toBe(3);
    expect(await cell('relu')).toBe('0.9');
    await session('relu', 'relu', 0.25, 1);
    await expect.poll(() => cell('relu'), { timeout: 20_000 }).toBe('0.25');
    await session('tanh', 'tanh', 0.5, 1, 'STATUS_FAILURE');
    await session('elu', 'elu', 0.6, 1, 'STATUS_ABORTED');
    await session('relu', 'relu', 0.2, 2, 'STATUS_SUCCESS');
    await expect.poll(() => status('tanh'), { timeout: 20_000 }).toBe('failure');
    await expect.poll(() => status('elu'), { timeout: 20_000 }).toBe('stopped');
    await expect.poll(() => status('relu'), { timeout: 20_000 }).toBe('success');
    await expect.poll(() => cell('relu'), { timeout: 20_000 }).toBe('0.2');
    await p.click('[data-testid=hp-mode-parallel]');
    await expect.poll(() => p.getAttribute('[data-testid=hp-parallel] path[data-session=tanh]', 'stroke-dasharray')).toBeTruthy();
    expect(await p.getAttribute('[data-testid=hp-parallel] path[data-session=relu]', 'stroke-dasharray')).toBeNull();
    await p.screenshot({ path: path.join(ARTIFACTS, 'hparams-live-status.png') });
  }, 90_000);
});
