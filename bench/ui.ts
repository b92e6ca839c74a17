// UI benchmark (npm run bench:ui): headless chromium against a real server fed synthetic records.
//  1. time to the first drawn SCALARS card with 50 runs x 10,000 points per tag (2 tags per run);
//  2. frame times while 10 runs stream at 50 steps/s each (requestAnimationFrame deltas in the page),
//     on top of that heavy page and on a page holding just the 10 streaming runs.
// Targets: first chart < 1 s, frames < 33 ms. Prints figures; asserts nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../server/app.ts';
import { silentLogger } from '../server/config.ts';
import type { LogRecord } from '../server/logs/records.ts';
import type { Page } from 'playwright-core';
import { ensureWebBuild, launchChromium, WEB_DIR } from '../tests/e2e/helpers.ts';

const RUNS = 50;
const POINTS = 10_000;
const TAGS = ['train/loss', 'train/accuracy'];
const STREAM_RUNS = 10;
const STREAM_HZ = 50;
const STREAM_SEC = 6;

function points(run: number, from: number, count: number, t0: number): LogRecord[] {
  const out: LogRecord[] = [];
  for (let s = from; s < from + count; s++) {
    const noise = Math.sin(s * 12.9898 + run * 78.233) * 0.05;
    out.push({ kind: 'scalar', tag: TAGS[0], step: s, wallTime: t0 + s * 0.02, value: 2 * Math.exp(-s / (2000 + run * 50)) + 0.1 + noise });
    out.push({ kind: 'scalar', tag: TAGS[1], step: s, wallTime: t0 + s * 0.02, value: 1 - Math.exp(-s / (1500 + run * 40)) * 0.9 + noise / 2 });
  }
  return out;
}

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))] : NaN;
};

async function main() {
  await ensureWebBuild();
  console.log(`load average at start: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (${os.cpus().length} cores)`);
  const logdir = mkdtempSync(path.join(os.tmpdir(), 'trainscope-bench-ui-'));
  const app = await createApp({ logdir, port: 0, host: '127.0.0.1', training: false, webDir: WEB_DIR, logger: silentLogger });
  const browser = await launchChromium();
  try {
    const t0 = Date.now() / 1000 - 3600;
    for (let r = 0; r < RUNS; r++) app.ingest(`bench/run_${String(r).padStart(2, '0')}`, points(r, 0, POINTS, t0));
    console.log(`store: ${RUNS} runs x ${TAGS.length} tags x ${POINTS} points = ${(RUNS * TAGS.length * POINTS).toLocaleString()} points`);

    // 1. First drawn chart (cold page load; times relative to navigation start). Page code is passed as
    // strings: tsx would otherwise inject helpers the page does not have.
    // The probes below are string scripts, which playwright evaluates with eval: the dashboard's CSP forbids
    // that, so the bench's pages bypass it (it changes no parsing or rendering work).
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, bypassCSP: true });
    await page.addInitScript(`(() => {
      const b = (window.__bench = { first: null, full: null, id: null, drawn: 0 });
      const tick = () => {
        const ts = window.__trainscope;
        for (const c of ts ? ts.charts() : []) {
          if (c.fullPoints > 0 && b.first === null) b.first = c.drawnAt;
          if (c.fullPoints >= ${RUNS * POINTS} && b.full === null) {
            b.full = c.drawnAt; b.id = c.id; b.drawn = c.lengths.reduce((x, y) => x + y, 0);
          }
        }
        if (b.full === null) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    })()`);
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(app.url());
    await page
      .waitForFunction('window.__bench && window.__bench.full !== null', undefined, { timeout: 120_000, polling: 100 })
      .catch(async (e: Error) => {
        throw new Error(`${e.message}; page state: ${JSON.stringify(await page.evaluate('({ bench: window.__bench, charts: window.__trainscope?.charts() })'))}`);
      });
    const first = (await page.evaluate('window.__bench')) as { first: number; full: number; id: string; drawn: number };
    console.log(`first SCALARS card drawn (first points) at ${first.first.toFixed(0)} ms after navigation (target < 1000 ms)`);
    console.log(`first card with all ${RUNS} runs x ${POINTS.toLocaleString()} points drawn at ${first.full.toFixed(0)} ms ` +
      `(${first.id}: ${(RUNS * POINTS).toLocaleString()} points held, ${first.drawn.toLocaleString()} handed to Chart.js after min-max decimation)`);

    // 2. Live streaming on top of the heavy page (50 runs x 10k drawn in the same charts).
    await measureStreaming(page, app, t0, POINTS, 'with all 50 heavy runs overlaid in the visible cards');
    await page.close();

    // 3. Live streaming, the usual case: 10 training runs with 2,000 points each, all streaming.
    const light = await createApp({ logdir: mkdtempSync(path.join(os.tmpdir(), 'trainscope-bench-ui-')), port: 0, host: '127.0.0.1', training: false, webDir: WEB_DIR, logger: silentLogger });
    try {
      for (let r = 0; r < STREAM_RUNS; r++) light.ingest(`bench/run_${String(r).padStart(2, '0')}`, points(r, 0, 2000, t0));
      const p2 = await browser.newPage({ viewport: { width: 1400, height: 900 }, bypassCSP: true });
      await p2.goto(light.url());
      await p2.waitForFunction(`window.__trainscope && window.__trainscope.charts().some((c) => c.fullPoints >= ${STREAM_RUNS * 2000})`, undefined, { timeout: 60_000 });
      await measureStreaming(p2, light, t0, 2000, `${STREAM_RUNS} runs x 2,000 points each, nothing else loaded`);
    } finally {
      await light.close();
    }
  } finally {
    await browser.close();
    await app.close();
    rmSync(logdir, { recursive: true, force: true });
  }
}

type BenchApp = Awaited<ReturnType<typeof createApp>>;

/** Streams STREAM_RUNS runs at STREAM_HZ steps/s for STREAM_SEC and prints the page's frame times. */
async function measureStreaming(page: Page, app: BenchApp, t0: number, fromStep: number, what: string): Promise<void> {
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__long = [];
    let last = performance.now();
    const tick = (t) => { window.__frames.push(t - last); last = t; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__long.push(e.duration))).observe({ type: 'longtask' });
  })()`);
  type Info = { id: string; draws: number; drawMs: number };
  const before = new Map(((await page.evaluate('window.__trainscope.charts()')) as Info[]).map((c) => [c.id, c.draws]));
  let step = fromStep;
  const streamStart = Date.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      for (let r = 0; r < STREAM_RUNS; r++) app.ingest(`bench/run_${String(r).padStart(2, '0')}`, points(r, step, 1, t0));
      step++;
      if (Date.now() - streamStart >= STREAM_SEC * 1000) {
        clearInterval(timer);
        resolve();
      }
    }, 1000 / STREAM_HZ);
  });
  await page.waitForTimeout(300);
  const { frames, long } = (await page.evaluate('({ frames: window.__frames.slice(1), long: window.__long })')) as { frames: number[]; long: number[] };
  const streamed = step - fromStep;
  const held = (await page.evaluate(`window.__trainscope.charts().find((c) => c.id === 'train/loss')?.fullPoints ?? 0`)) as number;
  console.log(`streaming ${STREAM_RUNS} runs at ${STREAM_HZ} steps/s for ${STREAM_SEC} s, ${what} (${streamed} steps each; train/loss chart holds ${held.toLocaleString()} points):`);
  const after = (await page.evaluate('window.__trainscope.charts()')) as Info[];
  const rates = after.filter((c) => c.draws > (before.get(c.id) ?? 0)).map((c) => `${c.id} ${((c.draws - (before.get(c.id) ?? 0)) / STREAM_SEC).toFixed(1)}/s (last ${c.drawMs.toFixed(1)} ms JS)`);
  console.log(`  frames: ${frames.length} (${(frames.length / STREAM_SEC).toFixed(0)} fps), median ${pct(frames, 0.5).toFixed(1)} ms, p95 ${pct(frames, 0.95).toFixed(1)} ms, ` +
    `p99 ${pct(frames, 0.99).toFixed(1)} ms, max ${Math.max(...frames).toFixed(1)} ms (target < 33 ms); long tasks: ${long.length}${long.length ? `, max ${Math.max(...long).toFixed(0)} ms` : ''}`);
  console.log(`  card redraws: ${rates.join(', ') || 'none'}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
