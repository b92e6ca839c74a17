// End to end: the TEXT, PR CURVES, AUDIO and CUSTOM SCALARS tabs in headless chromium, on logs written by
// PyTorch's SummaryWriter and TF2's tf.summary (tests/fixtures/plugin-views) and a PyTorch PR curve from the
// corpus. Checks what is drawn against the routes' numbers (Chart.js datasets, the <audio> element's
// decoded duration, the rendered HTML), that tabs show only while a selected run has their data (and
// appear live), and takes screenshots of each view in both themes and at 800 px.
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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
const FIXTURE = path.join(ROOT, 'tests', 'fixtures', 'plugin-views', 'logdir');
const CORPUS_PR = path.join(CORPUS, 'ZeroToMax-ZYZ__study_tensorboard/runs/pr_curve_experiment/events.out.tfevents.1771596445.zyzkings.30376.0');

let logdir: string;
let app: App;
let browser: Browser;
let page: Page;
let plain: EventWriter;

const shot = (name: string, p: Page = page) => p.screenshot({ path: path.join(ARTIFACTS, `plugin-${name}.png`), fullPage: true });

async function getJson<T>(route: string): Promise<T> {
  const res = await fetch(new URL(route, app.url()));
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

async function tabs(p: Page = page): Promise<string[]> {
  return p.locator('[role=tab]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice(4)));
}

async function open(url: string, p: Page = page): Promise<void> {
  await p.goto(new URL(url, app.url()).toString());
  await p.locator('[data-testid=run-list] [data-run=torch]').waitFor({ state: 'attached', timeout: 20_000 });
}

beforeAll(async () => {
  await ensureWebBuild();
  mkdirSync(ARTIFACTS, { recursive: true });
  logdir = mkdtempSync(path.join(os.tmpdir(), 'trainscope-plugins-e2e-'));
  cpSync(FIXTURE, logdir, { recursive: true });
  mkdirSync(path.join(logdir, 'corpus_pr'));
  copyFileSync(CORPUS_PR, path.join(logdir, 'corpus_pr', path.basename(CORPUS_PR)));
  // A run with scalars only: selecting it alone hides every plugin tab.
  plain = await EventWriter.open(path.join(logdir, 'plain'));
  for (let s = 0; s < 5; s++) plain.scalar('loss', 1 / (s + 1), s);
  await plain.flush();
  app = await createApp({ logdir, port: 0, host: '127.0.0.1', training: false, webDir: WEB_DIR, logger: silentLogger, reloadIntervalSec: 1 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await open('/');
  await page.locator('[data-testid=run-list] [data-run=plain]').waitFor({ timeout: 20_000 });
}, 120_000);

afterAll(async () => {
  await plain?.close();
  await browser?.close();
  await app?.close();
  if (logdir) rmSync(logdir, { recursive: true, force: true });
});

describe('plugin tabs', () => {
  it('shows a plugin tab only while a selected run has its data, falls back to scalars, and adds it live', async () => {
    await expect.poll(() => tabs()).toEqual(['scalars', 'custom_scalars', 'images', 'audio', 'graphs', 'distributions', 'histograms', 'text', 'pr_curves', 'compare']);
    await open('/?tab=text&runs=plain');
    await expect.poll(() => page.getAttribute('[data-testid=tab-scalars]', 'aria-selected')).toBe('true');
    expect(await tabs()).toEqual(['scalars', 'images', 'graphs', 'distributions', 'histograms', 'compare']);
    await expect.poll(() => page.url()).not.toContain('tab=text');
    // The run logs text: the TEXT tab appears without a reload.
    plain.text('log', 'first **note** from plain', 5);
    await plain.flush();
    await page.locator('[data-testid=tab-text]').waitFor({ timeout: 20_000 });
    await page.click('[data-testid=tab-text]');
    await expect.poll(() => page.locator('[data-testid=text-card][data-run=plain] [data-testid=text-html]').innerHTML(), { timeout: 15_000 }).toContain('<strong>note</strong>');
    // More text arrives: the card follows it (refetched over the socket's notice).
    plain.text('log', 'second note', 6);
    await plain.flush();
    await expect.poll(() => page.locator('[data-testid=text-card][data-run=plain] [data-testid=step]').textContent(), { timeout: 15_000 }).toBe('6');
  }, 90_000);

  it('TEXT: markdown rendered with its script inert, a 2-D string tensor as a table, step slider and raw toggle in the URL', async () => {
    await open('/?tab=text');
    const notes = page.locator('[data-testid=text-card][data-run=torch][data-tag="notes/text_summary"] [data-testid=text-html]');
    await expect.poll(() => notes.innerHTML(), { timeout: 15_000 }).toContain('Epoch 15');
    expect(await notes.locator('h2').textContent()).toBe('Epoch 15');
    expect(await notes.locator('script').count()).toBe(0);
    expect(await notes.textContent()).toContain('<script>window.__pwned = 1</script>');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    // PyTorch writes text as a 1-element tensor (a one-cell table, as TensorBoard shows it); the Markdown table is inside.
    expect(await notes.locator('td table td').allTextContents()).toEqual(['1', '2']);
    const grid = page.locator('[data-testid=text-card][data-run=tf2][data-tag=grid] [data-testid=text-html] table');
    await grid.waitFor();
    const rows = await grid.locator('tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())));
    expect(rows).toEqual([['name', 'value'], ['lr', '0.01'], ['step', '10']]);
    await shot('text');
    // Step slider: back to the first step; kept in the URL.
    const slider = page.locator('[data-testid=text-card][data-run=tf2][data-tag=grid] input[type=range]');
    await slider.fill('0');
    await expect.poll(() => grid.locator('tr').last().textContent()).toContain('0');
    await expect.poll(() => page.url()).toContain('psteps=');
    // Raw: the Markdown source, not rendered.
    await page.locator('[data-testid=text-raw]').check();
    await expect.poll(() => notes.textContent(), { timeout: 15_000 }).toContain('## Epoch 15');
    expect(await notes.locator('h2').count()).toBe(0);
    await expect.poll(() => page.url()).toContain('raw=1');
    const url = page.url();
    await open(url);
    await expect.poll(() => page.locator('[data-testid=text-card][data-run=tf2][data-tag=grid] [data-testid=step]').textContent()).toBe('0');
    expect(await page.locator('[data-testid=text-raw]').isChecked()).toBe(true);
  }, 90_000);

  it('PR CURVES: the drawn points are the route\'s, and the readout names the nearest point', async () => {
    await open('/?tab=pr_curves');
    const tag = 'pr/quality';
    const route = await getJson<Record<string, { step: number; precision: number[]; recall: number[]; thresholds: number[]; true_positives: number[]; false_positives: number[]; true_negatives: number[]; false_negatives: number[] }[]>>(
      `/data/plugin/pr_curves/pr_curves?run=torch&tag=${encodeURIComponent(tag)}`,
    );
    const latest = route.torch[route.torch.length - 1];
    const drawn = () => page.evaluate((id) => {
      const ch = (window as unknown as { __trainscope: { chart(id: string): { data: { datasets: { label: string; data: { x: number; y: number }[] }[] } } | undefined } }).__trainscope.chart(id);
      return ch?.data.datasets.filter((d) => d.label !== 'mark').map((d) => ({ label: d.label, data: d.data })) ?? [];
    }, `pr:${tag}`);
    await expect.poll(async () => (await drawn()).length, { timeout: 15_000 }).toBe(1);
    const [line] = await drawn();
    expect(line.label).toBe('torch');
    expect(line.data).toEqual(latest.recall.map((r, i) => ({ x: r, y: latest.precision[i] })));
    // Every point is painted in the run's colour on the canvas (Chart.js skips points it wrongly thinks are out of view).
    const painted = await page.evaluate(({ id, pts }) => {
      const ch = (window as unknown as { __trainscope: { chart(id: string): { canvas: HTMLCanvasElement; scales: Record<string, { getPixelForValue(v: number): number }>; data: { datasets: { borderColor: string }[] } } } }).__trainscope.chart(id);
      const ctx = ch.canvas.getContext('2d')!;
      const dpr = ch.canvas.width / ch.canvas.clientWidth;
      const want = ch.data.datasets[0].borderColor.match(/[0-9a-f]{2}/gi)!.map((h) => parseInt(h, 16));
      return pts.map(([x, y]) => {
        const d = ctx.getImageData(Math.round(ch.scales.x.getPixelForValue(x) * dpr), Math.round(ch.scales.y.getPixelForValue(y) * dpr), 1, 1).data;
        return d[3] > 200 && [0, 1, 2].every((k) => Math.abs(d[k] - want[k]) < 60);
      });
    }, { id: `pr:${tag}`, pts: latest.recall.map((r, k) => [r, latest.precision[k]]) });
    expect(painted).toEqual(latest.recall.map(() => true));
    // Hover a drawn point: the readout row is that point's threshold, precision, recall and counts.
    const i = Math.floor(latest.recall.length / 2);
    const canvas = page.locator(`[data-testid=pr-card][data-tag="${tag}"] canvas`);
    const px = await page.evaluate(({ id, x, y }) => {
      const ch = (window as unknown as { __trainscope: { chart(id: string): { scales: Record<string, { getPixelForValue(v: number): number }> } } }).__trainscope.chart(id)!;
      return { x: ch.scales.x.getPixelForValue(x), y: ch.scales.y.getPixelForValue(y) };
    }, { id: `pr:${tag}`, x: latest.recall[i], y: latest.precision[i] });
    await canvas.hover({ position: px });
    const row = page.locator(`[data-testid=pr-card][data-tag="${tag}"] [data-testid=pr-readout] tbody tr`).first();
    const f = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(3));
    await expect.poll(() => row.locator('td').allTextContents()).toEqual([
      'torch', String(latest.step), f(latest.thresholds[i]), f(latest.precision[i]), f(latest.recall[i]),
      String(latest.true_positives[i]), String(latest.false_positives[i]), String(latest.true_negatives[i]), String(latest.false_negatives[i]),
    ]);
    await shot('pr-curves');
    // The corpus PyTorch PR curve is drawn too, at its route's points.
    const corpusTags = Object.keys((await getJson<Record<string, Record<string, unknown>>>('/data/plugin/pr_curves/tags')).corpus_pr);
    const c = await getJson<Record<string, { recall: number[]; precision: number[] }[]>>(`/data/plugin/pr_curves/pr_curves?run=corpus_pr&tag=${encodeURIComponent(corpusTags[0])}`);
    const cl = c.corpus_pr[c.corpus_pr.length - 1];
    await expect.poll(() => page.evaluate((id) => (window as unknown as { __trainscope: { chart(id: string): { data: { datasets: { data: unknown[] }[] } } | undefined } }).__trainscope.chart(id)?.data.datasets[0]?.data, `pr:${corpusTags[0]}`), { timeout: 15_000 })
      .toEqual(cl.recall.map((r, k) => ({ x: r, y: cl.precision[k] })));
  }, 90_000);

  it('AUDIO: a player per clip whose source is a WAV the browser decodes; the sample selector switches clips', async () => {
    await open('/?tab=audio');
    const card = page.locator('[data-testid=audio-card][data-run=tf2][data-tag=voice]');
    const audio = card.locator('audio');
    await audio.waitFor({ timeout: 15_000 });
    const src = await audio.getAttribute('src');
    expect(src).toMatch(/^\/data\/plugin\/audio\/individualAudio\?blob_key=/);
    const res = await page.evaluate(async (u) => {
      const r = await fetch(u);
      const b = new Uint8Array(await r.arrayBuffer());
      return { status: r.status, type: r.headers.get('content-type'), riff: String.fromCharCode(...b.slice(0, 4)), wave: String.fromCharCode(...b.slice(8, 12)) };
    }, src!);
    expect(res).toEqual({ status: 200, type: 'audio/wav', riff: 'RIFF', wave: 'WAVE' });
    await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.readyState), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    expect(await audio.evaluate((a: HTMLAudioElement) => a.duration)).toBeCloseTo(0.25, 2);
    // Two clips per step: the selector offers both; the second is another clip (index 1 in its blob key).
    await card.locator('[data-testid=audio-sample]').selectOption('1');
    await expect.poll(() => audio.getAttribute('src')).not.toBe(src);
    const key = new URLSearchParams((await audio.getAttribute('src'))!.split('?')[1]).get('blob_key')!;
    expect(JSON.parse(Buffer.from(key, 'base64url').toString())).toEqual(['', 'tf2', 'voice', 10, 1]);
    await expect.poll(() => page.url()).toContain('asample=');
    // PyTorch's clip (a TF1-style Summary.Audio without an encoding, listed as octet-stream as TensorBoard's
    // default loader does) is asked for as WAV and decodes.
    const listed = await getJson<{ contentType: string }[]>('/data/plugin/audio/audio?run=torch&tag=beep');
    expect(listed[0].contentType).toBe('application/octet-stream');
    const beep = page.locator('[data-testid=audio-card][data-run=torch][data-tag=beep] audio');
    const beepSrc = (await beep.getAttribute('src'))!;
    expect(beepSrc).toContain('content_type=audio%2Fwav');
    const head = await page.evaluate(async (u) => {
      const r = await fetch(u);
      return { type: r.headers.get('content-type'), riff: String.fromCharCode(...new Uint8Array(await r.arrayBuffer()).slice(0, 4)) };
    }, beepSrc);
    expect(head).toEqual({ type: 'audio/wav', riff: 'RIFF' });
    await expect.poll(() => beep.evaluate((a: HTMLAudioElement) => a.readyState), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    expect(await beep.evaluate((a: HTMLAudioElement) => a.duration)).toBeGreaterThan(0);
    await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.readyState), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    await shot('audio');
  }, 60_000);

  it('CUSTOM SCALARS: the declared categories, a multiline chart of matched tags and a margin chart with its band', async () => {
    await open('/?tab=custom_scalars');
    const datasets = (id: string) => page.evaluate((cid) => {
      const ch = (window as unknown as { __trainscope: { chart(id: string): { data: { datasets: { label: string; fill?: unknown; data: { x: number; y: number }[] }[] } } | undefined } }).__trainscope.chart(cid);
      return ch?.data.datasets.map((d) => ({ label: d.label, fill: d.fill, ys: d.data.map((p) => p.y) })) ?? [];
    }, id);
    const band = page.locator('[data-testid=cs-chart][data-title="loss band"]');
    await band.waitFor({ timeout: 15_000 });
    const id = (await band.getAttribute('data-chart-id'))!;
    await expect.poll(async () => (await datasets(id)).length, { timeout: 15_000 }).toBe(4);
    const ds = await datasets(id);
    const scalars = async (run: string, tag: string) => (await getJson<[number, number, number][]>(`/data/plugin/scalars/scalars?run=${run}&tag=${encodeURIComponent(tag)}`)).map((p) => p[2]);
    // lower, upper filled down to it, then the value lines (torch's, and tf2's without a band).
    expect(ds.map((d) => [d.label, d.fill])).toEqual([
      ['train/loss_lo · torch', false], ['train/loss_hi · torch', '-1'], ['train/loss · tf2', false], ['train/loss · torch', false],
    ]);
    const byLabel = new Map(ds.map((d) => [d.label, d]));
    expect(byLabel.get('train/loss_hi · torch')!.fill).toBe('-1');
    expect(ds.findIndex((d) => d.label === 'train/loss_lo · torch')).toBe(ds.findIndex((d) => d.label === 'train/loss_hi · torch') - 1);
    for (const [label, tag] of [['train/loss_lo · torch', 'train/loss_lo'], ['train/loss_hi · torch', 'train/loss_hi'], ['train/loss · torch', 'train/loss']]) {
      const want = (await scalars('torch', tag)).map((v) => Math.fround(v));
      expect(byLabel.get(label)!.ys.map((v) => Math.fround(v))).toEqual(want);
    }
    // The band is painted: at step 1 (lower 0.7, value 1, upper 1.3) the canvas between value and upper holds
    // the translucent fill; above the upper edge there is none.
    const alphaAt = (x: number, y: number) => page.evaluate(({ cid, x, y }) => {
      const ch = (window as unknown as { __trainscope: { chart(id: string): { canvas: HTMLCanvasElement; scales: Record<string, { getPixelForValue(v: number): number }> } } }).__trainscope.chart(cid);
      const dpr = ch.canvas.width / ch.canvas.clientWidth;
      return ch.canvas.getContext('2d')!.getImageData(Math.round(ch.scales.x.getPixelForValue(x) * dpr), Math.round(ch.scales.y.getPixelForValue(y) * dpr), 1, 1).data[3];
    }, { cid: id, x, y });
    const inBand = await alphaAt(1, 1.15);
    expect(inBand).toBeGreaterThan(20);
    expect(inBand).toBeLessThan(200);
    expect(await alphaAt(1, 1.8)).toBeLessThan(20);
    const multi = page.locator('[data-testid=cs-chart][data-title=losses]');
    const multiDs = await datasets((await multi.getAttribute('data-chart-id'))!);
    expect(multiDs.map((d) => d.label).sort()).toEqual(['train/loss · tf2', 'train/loss · torch', 'val/loss · torch']);
    await shot('custom-scalars');
    // Categories collapse; the state is kept in the URL.
    await page.locator('[data-testid=cs-category][data-title=training] > summary').click();
    await expect.poll(() => page.url()).toContain('cs=training');
    expect(await page.locator('[data-testid=cs-category][data-title=training] [data-testid=cs-chart]').count()).toBe(0);
    await open(page.url());
    await page.locator('[data-testid=cs-category][data-title=training]').waitFor();
    expect(await page.locator('[data-testid=cs-category][data-title=training]').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
  }, 60_000);

  it('follows a replay: a replayed run shows plugin data only up to the replay\'s step', async () => {
    await open('/?tab=text');
    const step = page.locator('[data-testid=text-card][data-run=torch][data-tag="notes/text_summary"] [data-testid=step]');
    await expect.poll(() => step.textContent(), { timeout: 15_000 }).toBe('15');
    await page.evaluate(() => {
      const d = (window as unknown as { __trainscope: { dash: { replay: { start(run: string, speed: number): void } } } }).__trainscope.dash;
      d.replay.start('torch', 1);
    });
    const replay = () => page.evaluate(() => (window as unknown as { __trainscope: { dash: { replay: { state: { step: number | null; replayId: string } | null; pause(): void; seek(s: number): void } } } }).__trainscope.dash.replay.state);
    await expect.poll(async () => (await replay())?.replayId, { timeout: 15_000 }).toBeTruthy();
    await page.evaluate(() => {
      const r = (window as unknown as { __trainscope: { dash: { replay: { pause(): void; seek(s: number): void } } } }).__trainscope.dash.replay;
      r.pause();
      r.seek(7);
    });
    await expect.poll(async () => (await replay())?.step, { timeout: 15_000 }).toBe(7);
    await expect.poll(() => step.textContent(), { timeout: 15_000 }).toBe('5');
    await page.evaluate(() => (window as unknown as { __trainscope: { dash: { replay: { stop(): void } } } }).__trainscope.dash.replay.stop());
    await expect.poll(() => step.textContent(), { timeout: 15_000 }).toBe('15');
  }, 60_000);

  it('draws every plugin tab at 800 px wide and in the dark theme', async () => {
    for (const [scheme, width] of [['dark', 1400], ['light', 800], ['dark', 800]] as const) {
      const p = await browser.newPage({ viewport: { width, height: 900 }, colorScheme: scheme });
      try {
        for (const tab of ['text', 'pr_curves', 'audio', 'custom_scalars']) {
          await open(`/?tab=${tab}`, p);
          await p.locator(`[data-testid=panel-${tab}] article`).first().waitFor({ timeout: 15_000 });
          await p.waitForTimeout(300);
          // Nothing spills out sideways.
          const overflow = await p.locator(`[data-testid=panel-${tab}]`).evaluate((el) => el.scrollWidth - el.clientWidth);
          expect(overflow, `${tab} at ${width} px (${scheme})`).toBeLessThanOrEqual(1);
          await p.screenshot({ path: path.join(ARTIFACTS, `plugin-${tab}-${width}-${scheme}.png`) });
        }
      } finally {
        await p.close();
      }
    }
  }, 120_000);
});
