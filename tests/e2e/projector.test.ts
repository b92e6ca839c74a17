// End to end: the PROJECTOR in headless chromium on two real logs: one written by TensorFlow / TensorBoard's
// projector API (tests/fixtures/projector-tf: 300 points in 16-D around 3 labelled centres, metadata with
// 3 columns, a sprite), and one our own MNIST run wrote (the trainer's worker, 1 epoch). Checks what the
// tab computed and draws: the point count, PCA coordinates against a PCA computed here (Jacobi), UMAP
// coordinates separating the labelled clusters, the hover label and thumbnail, the neighbour list against
// a brute-force kNN, search matches, the legend, and the view kept in the URL.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { silentLogger } from '../../server/config.ts';
import { TrainingManager } from '../../server/training/manager.ts';
import type { TrainSpec } from '../../shared/types.ts';
import { normalizeCoords } from '../../web/src/lib/projector/screen-pick.ts';
import { jacobiEigen } from '../web/projector-fixtures.ts';
import { ensureWebBuild, launchChromium, ROOT, WEB_DIR } from './helpers.ts';

type App = Awaited<ReturnType<typeof createApp>>;
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const FIXTURE = path.join(ROOT, 'tests', 'fixtures', 'projector-tf', 'logdir', 'clusters');
const MNIST: TrainSpec = {
  dataset: 'mnist', noise: 0, samples: 1500, activation: 'relu', layers: [48, 16], optimizer: 'adam',
  learningRate: 0.005, batchSize: 32, epochs: 1, dropout: 0, batchNorm: false, seed: 4, summaryEvery: 50,
};

let logdir: string;
let app: App;
let browser: Browser;
let page: Page;

const rows = (tsv: string): number[][] => tsv.trim().split('\n').map((l) => l.split('\t').map(Number));
const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `projector-${name}.png`) });

beforeAll(async () => {
  await ensureWebBuild();
  mkdirSync(ARTIFACTS, { recursive: true });
  logdir = mkdtempSync(path.join(os.tmpdir(), 'trainscope-projector-e2e-'));
  cpSync(FIXTURE, path.join(logdir, 'clusters'), { recursive: true });
  // Our own MNIST run, through the trainer's worker thread as the server runs it.
  const m = new TrainingManager({ logdir, backend: 'wasm' });
  m.startRun('mnist', MNIST);
  await m.waitFor('mnist');
  await m.close();
  app = await createApp({ logdir, port: 0, host: '127.0.0.1', training: false, webDir: WEB_DIR, logger: silentLogger, reloadIntervalSec: 1 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (logdir) rmSync(logdir, { recursive: true, force: true });
});

/** The projected coordinates the tab offers for download (once the projection is done). */
async function shownCoords(p: Page, previous: string | null = null): Promise<{ href: string; coords: number[][] }> {
  const link = p.locator('[data-testid=projector-download]');
  await link.waitFor({ timeout: 60_000 });
  let href = (await link.getAttribute('href'))!;
  for (let t = 0; previous !== null && href === previous && t < 600; t++) {
    await p.waitForTimeout(200);
    href = (await link.getAttribute('href'))!;
  }
  expect(href).not.toBe(previous);
  // As a user gets them: the link's download (the page's CSP keeps blob: out of fetch).
  const [download] = await Promise.all([p.waitForEvent('download'), link.click()]);
  return { href, coords: rows(readFileSync((await download.path())!, 'utf8')) };
}

/** PCA of the tensor here: centred, onto the covariance's top eigenvectors (Jacobi, not power iteration). */
function referencePca(x: number[][], k: number): number[][] {
  const n = x.length, d = x[0].length;
  const mean = Array.from({ length: d }, (_, j) => x.reduce((s, r) => s + r[j], 0) / n);
  const cov = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => x.reduce((s, r) => s + (r[a] - mean[a]) * (r[b] - mean[b]), 0) / (n - 1)));
  const { vectors } = jacobiEigen(cov);
  return x.map((r) => vectors.slice(0, k).map((v) => v.reduce((s, vj, j) => s + vj * (r[j] - mean[j]), 0)));
}

/** Mean share of each point's k nearest (euclidean) neighbours with the same label. */
function agreement(c: number[][], labels: string[], k = 10): number {
  let sum = 0;
  for (let i = 0; i < c.length; i++) {
    const near = c.map((q, j) => ({ j, d: q.reduce((s, v, t) => s + (v - c[i][t]) ** 2, 0) })).filter((e) => e.j !== i).sort((a, b) => a.d - b.d).slice(0, k);
    sum += near.filter((e) => labels[e.j] === labels[i]).length / k;
  }
  return sum / c.length;
}

/** Hovers the point farthest from its screen neighbours (2-D view: orthographic, frame ±1.2) and returns its index. */
async function hoverIsolated(p: Page, coords: number[][]): Promise<number> {
  const canvas = p.locator('[data-testid=projector-canvas]');
  const box = (await canvas.boundingBox())!;
  const norm = normalizeCoords(Float32Array.from(coords.flat()), 2);
  const aspect = box.width / box.height;
  const px = coords.map((_, i) => [((norm[3 * i] / (1.2 * aspect) + 1) / 2) * box.width, ((1 - norm[3 * i + 1] / 1.2) / 2) * box.height]);
  let best = 0, bestGap = -1;
  px.forEach((a, i) => {
    const gap = Math.min(...px.map((b, j) => (j === i ? Infinity : Math.hypot(a[0] - b[0], a[1] - b[1]))));
    if (gap > bestGap) (bestGap = gap), (best = i);
  });
  await p.mouse.move(box.x + px[best][0], box.y + px[best][1]);
  return best;
}

describe('PROJECTOR on a TensorFlow-written log', () => {
  const tensor = rows(readFileSync(path.join(FIXTURE, 'tensors.tsv'), 'utf8'));
  const meta = readFileSync(path.join(FIXTURE, 'metadata.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  const labels = meta.map((r) => r[0]);
  const clusters = meta.map((r) => r[1]);

  it('PCA: every point, at the coordinates of a PCA computed here (up to each axis sign)', async () => {
    await page.goto(`${app.url()}?tab=projector&prun=clusters&pdim=2`);
    const canvas = page.locator('[data-testid=projector-canvas]');
    await canvas.waitFor({ timeout: 30_000 });
    await expect.poll(() => canvas.getAttribute('data-points'), { timeout: 30_000 }).toBe('300');
    const { coords } = await shownCoords(page);
    expect(coords).toHaveLength(300);
    const ref = referencePca(tensor, 2);
    for (let c = 0; c < 2; c++) {
      const sign = Math.sign(coords.reduce((s, r, i) => s + r[c] * ref[i][c], 0));
      const scale = Math.max(...ref.map((r) => Math.abs(r[c])));
      for (let i = 0; i < 300; i++) expect(Math.abs(sign * coords[i][c] - ref[i][c])).toBeLessThan(1e-3 * scale);
    }
    await expect.poll(() => page.locator('[data-testid=projector-legend] li').allInnerTexts()).toEqual(['alpha\n100', 'beta\n100', 'gamma\n100'].map((s) => s.replace('\n', '\n')));
    await shot('tf-pca-2d');
  });

  it('hover shows the label and the sprite cell; a click lists the 10 nearest neighbours (cosine, original space)', async () => {
    const { coords } = await shownCoords(page);
    const i = await hoverIsolated(page, coords);
    const tip = page.locator('[data-testid=projector-hover]');
    await expect.poll(() => tip.innerText()).toBe(labels[i]);
    await expect(tip.locator('[data-testid=sprite-thumb]').count()).resolves.toBe(1);
    await page.mouse.down();
    await page.mouse.up();
    const list = page.locator('[data-testid=projector-neighbors] li button');
    await expect.poll(() => list.count()).toBe(10);
    const norm = (v: number[]) => Math.hypot(...v);
    const cos = (a: number[], b: number[]) => 1 - a.reduce((s, x, j) => s + x * b[j], 0) / (norm(a) * norm(b));
    const expected = tensor.map((r, j) => ({ j, d: cos(tensor[i], r) })).filter((e) => e.j !== i).sort((a, b) => a.d - b.d).slice(0, 10).map((e) => labels[e.j]);
    expect(await list.allInnerTexts()).toEqual(expected);
    expect(await page.locator('[data-testid=projector-selected]').innerText()).toContain(labels[i]);
    expect(new URL(page.url()).searchParams.get('ppoint')).toBe(String(i));
    await shot('tf-selected');
  });

  it('search highlights the matches (substring, and regex through RE2)', async () => {
    await page.locator('[data-testid=projector-search]').fill('beta-1');
    await expect.poll(() => page.locator('[data-testid=projector-matches]').innerText()).toBe(`${labels.filter((l) => l.includes('beta-1')).length} matches`);
    await page.locator('[data-testid=projector-regex]').check();
    await page.locator('[data-testid=projector-search]').fill('^gamma-2\\d$');
    await expect.poll(() => page.locator('[data-testid=projector-matches]').innerText()).toBe(`${labels.filter((l) => /^gamma-2\d$/.test(l)).length} matches`);
    await shot('tf-search');
  });

  it('UMAP in the worker, with progress: every point, finite, the three clusters apart; 3-D too', async () => {
    const before = (await page.locator('[data-testid=projector-download]').getAttribute('href'))!;
    await page.locator('[data-testid=projector-method-umap]').check();
    await page.locator('[data-testid=projector-progress]').filter({ hasText: /epoch \d+ \/ \d+/ }).waitFor({ timeout: 30_000 });
    const { coords, href } = await shownCoords(page, before);
    expect(coords).toHaveLength(300);
    expect(coords.every((r) => r.length === 2 && r.every(Number.isFinite))).toBe(true);
    const a = agreement(coords, clusters);
    // Random labels agree ~1/3 of the time; UMAP keeps the three clusters apart.
    expect(a).toBeGreaterThan(0.9);
    await shot('tf-umap-2d');
    await page.locator('[data-testid=projector-dim-3]').check();
    const three = await shownCoords(page, href);
    expect(three.coords.every((r) => r.length === 3 && r.every(Number.isFinite))).toBe(true);
    expect(agreement(three.coords, clusters)).toBeGreaterThan(0.9);
    // The view is in the URL, and a reload restores it.
    const params = new URL(page.url()).searchParams;
    expect([params.get('pmethod'), params.get('pdim'), params.get('psearch'), params.get('pre')]).toEqual(['umap', null, '^gamma-2\\d$', '1']);
    await page.reload();
    await expect.poll(() => page.locator('[data-testid=projector-method-umap]').isChecked(), { timeout: 20_000 }).toBe(true);
    expect(await page.locator('[data-testid=projector-search]').inputValue()).toBe('^gamma-2\\d$');
    await expect.poll(() => page.locator('[data-testid=projector-neighbors] li').count(), { timeout: 20_000 }).toBe(10);
    await shot('tf-umap-3d');
  });

  it('cancel stops a running UMAP', async () => {
    await page.goto(`${app.url()}?tab=projector&prun=clusters&pmethod=umap`);
    await page.locator('[data-testid=projector-cancel]').click({ timeout: 30_000 });
    await page.locator('[data-testid=projector-summary]').waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-testid=projector-progress]').count()).toBe(0);
  });
});

describe('PROJECTOR on our own MNIST run', () => {
  it('the last hidden layer of the validation digits: labels, digit thumbnails, PCA, classes apart after UMAP', async () => {
    const cfg = readFileSync(path.join(logdir, 'mnist', 'projector_config.pbtxt'), 'utf8');
    const tsvPath = /tensor_path: "([^"]+)"/.exec(cfg)![1];
    const tensor = rows(readFileSync(path.join(logdir, 'mnist', tsvPath), 'utf8'));
    const labels = readFileSync(path.join(logdir, 'mnist', 'projector', 'metadata.tsv'), 'utf8').trim().split('\n');
    expect(tensor).toHaveLength(300);
    expect(tensor[0]).toHaveLength(16);
    await page.goto(`${app.url()}?tab=projector&prun=mnist&pdim=2`);
    const canvas = page.locator('[data-testid=projector-canvas]');
    await expect.poll(() => canvas.getAttribute('data-points'), { timeout: 30_000 }).toBe('300');
    const { coords, href } = await shownCoords(page);
    const ref = referencePca(tensor, 2);
    for (let c = 0; c < 2; c++) {
      const sign = Math.sign(coords.reduce((s, r, i) => s + r[c] * ref[i][c], 0));
      const scale = Math.max(...ref.map((r) => Math.abs(r[c])));
      coords.forEach((r, i) => expect(Math.abs(sign * r[c] - ref[i][c])).toBeLessThan(2e-3 * scale));
    }
    expect(await page.locator('[data-testid=projector-legend] li').count()).toBe(10);
    const i = await hoverIsolated(page, coords);
    await expect.poll(() => page.locator('[data-testid=projector-hover]').innerText()).toBe(labels[i]);
    expect(await page.locator('[data-testid=projector-hover] [data-testid=sprite-thumb]').count()).toBe(1);
    await shot('mnist-pca-hover');
    await page.locator('[data-testid=projector-method-umap]').check();
    const umap = await shownCoords(page, href);
    expect(umap.coords).toHaveLength(300);
    expect(umap.coords.every((r) => r.every(Number.isFinite))).toBe(true);
    // Ten digit classes after one epoch: far above the 10% that random labels agree.
    expect(agreement(umap.coords, labels)).toBeGreaterThan(0.5);
    await shot('mnist-umap');
  });

  it('reads well in the dark theme and at 800 px wide', async () => {
    const narrow = await browser.newPage({ viewport: { width: 800, height: 900 }, colorScheme: 'dark' });
    await narrow.goto(`${app.url()}?tab=projector&prun=mnist`);
    await expect.poll(() => narrow.locator('[data-testid=projector-canvas]').getAttribute('data-points'), { timeout: 30_000 }).toBe('300');
    const box = (await narrow.locator('[data-testid=projector-canvas]').boundingBox())!;
    expect(box.width).toBeGreaterThan(400);
    expect(box.x + box.width).toBeLessThanOrEqual(800);
    // The legend moves below the scatter, still on screen.
    expect(await narrow.locator('[data-testid=projector-legend] li').count()).toBe(10);
    expect(await narrow.locator('[data-testid=projector-side]').isVisible()).toBe(true);
    await narrow.waitForTimeout(500);
    await narrow.screenshot({ path: path.join(ARTIFACTS, 'projector-mnist-dark-800.png') });
    await narrow.close();
  });
});

describe('PROJECTOR live: a run training now', () => {
  it('new epochs appear while the run trains, and the view follows the latest', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'trainscope-projector-live-'));
    const live = await createApp({ logdir: dir, port: 0, host: '127.0.0.1', training: true, webDir: WEB_DIR, logger: silentLogger, reloadIntervalSec: 1 });
    const p = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await live.backend;
      await p.goto(`${live.url()}?tab=projector`);
      await p.locator('[data-testid=empty-state]').waitFor({ timeout: 20_000 });
      live.manager!.startRun('live', { ...MNIST, samples: 600, layers: [16, 8], epochs: 3, maxItersPerSec: 3 });
      // No run had embeddings, so the page fell back to SCALARS; the tab appears with the first epoch's.
      await p.locator('[data-testid=tab-projector]').click({ timeout: 60_000 });
      const options = p.locator('[data-testid=projector-tensor] option');
      // The first epoch's embedding shows while the run is still training...
      await expect.poll(() => options.allInnerTexts(), { timeout: 60_000 }).toContain('dense_2 epoch 1 (120×8)');
      await expect.poll(() => p.locator('[data-testid=projector-canvas]').getAttribute('data-points'), { timeout: 30_000 }).toBe('120');
      expect(live.manager!.list().find((r) => r.name === 'live')?.status?.state).toBe('running');
      // ...and the later ones are added, the view moving on to the latest.
      await expect.poll(() => options.count(), { timeout: 90_000 }).toBe(4);
      await expect.poll(() => options.first().innerText(), { timeout: 30_000 }).toBe('latest (dense_2 epoch 3)');
      await p.locator('[data-testid=projector-summary]').waitFor({ timeout: 30_000 });
      await p.screenshot({ path: path.join(ARTIFACTS, 'projector-live.png') });
    } finally {
      await p.close();
      await live.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
