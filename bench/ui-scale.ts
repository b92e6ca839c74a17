// UI benchmark at scale (npm run bench:ui-scale): headless chromium against a server on a generated
// logdir of many runs (default 1,000 runs x 4 scalar tags x 100 steps, written with our EventWriter into
// the OS temp folder and reused on the next run). Measures, on the SCALARS tab with every run shown:
//   - time until the first card holds every run's points;
//   - toggling one run off and on in the run table: time from the click to the frame after the last
//     chart redraw (target < 100 ms);
//   - a regex run filter typed into the search and cleared again (target < 200 ms);
//   - the page's JS heap after a forced GC (target < 200 MB).
// Wall-clock figures grow with the machine's load; each act also reports the CPU time it took.
// Options: --runs N --tags N --points N --port P --web DIR (a dashboard build to serve instead of dist/web,
// e.g. another commit's, for a before / after) --screenshot FILE --profile FILE (a CPU profile of the
// toggles and filters, for chromium's DevTools; build with --minify false for readable names).
// Prints figures; asserts nothing.
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { createApp } from '../server/app.ts';
import { silentLogger } from '../server/config.ts';
import { EventWriter } from '../server/logs/event-writer.ts';
import { ensureWebBuild, launchChromium, WEB_DIR } from '../tests/e2e/helpers.ts';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
const RUNS = arg('runs', 1000);
const TAGS = ['train/loss', 'train/accuracy', 'val/loss', 'val/accuracy'].slice(0, arg('tags', 4));
// 400,000 points in all: a larger backlog (e.g. --points 500, 2 M points) is today cut off by the hub's
// "too far behind" drop (500,000 points pending while the browser's transport is backed up).
const POINTS = arg('points', 100);
const PORT = arg('port', 7160);

const runName = (r: number) => `sweep/run_${String(r).padStart(4, '0')}`;

/** Writes the logdir once (a marker file says it is complete); later runs of the bench reuse it. */
async function generate(dir: string): Promise<void> {
  const marker = path.join(dir, '.complete');
  if (existsSync(marker)) return;
  const t0 = Date.now() / 1000 - 86_400;
  for (let r = 0; r < RUNS; r++) {
    const w = await EventWriter.open(path.join(dir, runName(r)), { flushMs: 60_000 });
    for (let s = 0; s < POINTS; s++) {
      const noise = Math.sin(s * 12.9898 + r * 78.233) * 0.05;
      const wall = t0 + r * 10 + s * 0.5;
      const decay = Math.exp(-s / (100 + (r % 50) * 5));
      const values = [2 * decay + 0.1 + noise, 1 - 0.9 * decay + noise / 2, 2.1 * decay + 0.15 + noise, 0.95 - 0.9 * decay + noise / 2];
      TAGS.forEach((tag, i) => w.scalar(tag, values[i], s, wall));
    }
    await w.close();
  }
  writeFileSync(marker, '');
}

/** Runs in the page: performs `act`, waits for a redraw and then until no chart has drawn for 6 frames; times from the act. */
const SETTLE = `async (act) => {
  const ts = window.__trainscope;
  // draws() when the build has it: charts() copies every line's length, a cost the bench would add to each frame.
  const draws = () => (ts.draws ?? ts.charts)();
  const lastDraw = () => draws().reduce((m, c) => Math.max(m, c.drawnAt), 0);
  const before = lastDraw();
  const t0 = performance.now();
  act();
  const draws0 = new Map(draws().map((c) => [c.id, c.draws]));
  const drawJs = () => draws().filter((c) => c.draws > (draws0.get(c.id) ?? 0)).reduce((s, c) => s + c.drawMs, 0);
  return await new Promise((resolve) => {
    let last = before, quiet = 0, frameAfter = null;
    const tick = (t) => {
      const d = lastDraw();
      if (d > last) { last = d; quiet = 0; frameAfter = null; }
      else if (last > t0) { quiet++; if (frameAfter === null) frameAfter = t; }
      // Done 6 frames after the last redraw (a costly chart's redraw may wait a few frames in the queue).
      if (quiet >= 6 || performance.now() - t0 > 30000) resolve({ lastDraw: last > t0 ? last - t0 : null, frame: frameAfter === null ? null : frameAfter - t0, js: drawJs() });
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}`;

/**
 * lastDraw / frame: ms from the act to the last chart redraw / the frame after it; js: the redraws' own JS
 * time (ms); cpu / process: CPU time (ms) of the page's main thread / its whole renderer process from the
 * act until settled (chromium's Performance metrics ThreadTime / ProcessTime: these do not grow with the
 * machine's load as the wall-clock figures do).
 */
type Timing = { lastDraw: number | null; frame: number | null; js: number; cpu: number; process: number };
async function cpuTimes(cdp: CDPSession): Promise<{ thread: number; process: number }> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  const get = (n: string) => (metrics.find((m) => m.name === n)?.value ?? NaN) * 1000;
  return { thread: get('ThreadTime'), process: get('ProcessTime') };
}
async function timed(page: Page, act: string): Promise<Timing> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const c0 = await cpuTimes(cdp);
  const t = (await page.evaluate(`(${SETTLE})(() => { ${act} })`)) as Omit<Timing, 'cpu' | 'process'>;
  const c1 = await cpuTimes(cdp);
  await cdp.detach();
  return { ...t, cpu: c1.thread - c0.thread, process: c1.process - c0.process };
}

const ms = (v: number | null) => (v === null ? 'no redraw' : `${v.toFixed(0)} ms`);

/** Layer bitmaps each chart re-stroked in its last redraw (line-layers.ts; '-' = drawn without layers). */
async function restroked(page: Page): Promise<string> {
  const r = (await page.evaluate('window.__trainscope.charts().map((c) => c.restroked)')) as (number | null)[];
  return r.map((v) => (v === null || v === undefined ? '-' : String(v))).join(',');
}

async function heapMb(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  await cdp.detach();
  return usedSize / 1e6;
}

async function main() {
  const web = process.argv.indexOf('--web');
  const webDir = web >= 0 ? path.resolve(process.argv[web + 1]) : WEB_DIR;
  if (web < 0) await ensureWebBuild();
  const logdir = path.join(os.tmpdir(), `trainscope-ui-scale-${RUNS}x${TAGS.length}x${POINTS}`);
  let t = Date.now();
  await generate(logdir);
  console.log(`logdir ${logdir}: ${RUNS} runs x ${TAGS.length} tags x ${POINTS} steps (${((Date.now() - t) / 1000).toFixed(1)} s to write or reuse)`);
  console.log(`load average at start: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (${os.cpus().length} cores)`);
  t = Date.now();
  const app = await createApp({ logdir, port: PORT, host: '127.0.0.1', training: false, webDir, logger: silentLogger });
  console.log(`server up in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, bypassCSP: true });
    page.on('pageerror', (e) => console.error('page error:', e.message));
    t = Date.now();
    await page.goto(app.url());
    const want = RUNS * POINTS;
    await page.waitForFunction(`window.__trainscope && window.__trainscope.charts().some((c) => c.fullPoints >= ${want * 0.99})`, undefined, { timeout: 300_000, polling: 200 });
    console.log(`first card with all ${RUNS} runs drawn ${((Date.now() - t) / 1000).toFixed(1)} s after navigation`);
    // Toggles are timed once every card holds all its points (not while the other cards still load).
    await page.waitForFunction(`window.__trainscope.charts().filter((c) => c.fullPoints >= ${want * 0.99}).length >= ${TAGS.length}`, undefined, { timeout: 300_000, polling: 200 });
    console.log(`every card with all ${RUNS} runs drawn ${((Date.now() - t) / 1000).toFixed(1)} s after navigation`);
    await page.evaluate(`(${SETTLE})(() => {})`);
    const charts = (await page.evaluate('window.__trainscope.charts().map((c) => ({ id: c.id, n: c.lengths.length, pts: c.lengths.reduce((a, b) => a + b, 0) }))')) as { id: string; n: number; pts: number }[];
    console.log(`charts drawn: ${charts.map((c) => `${c.id} (${c.n} lines, ${c.pts.toLocaleString()} points drawn)`).join(', ')}`);
    console.log(`JS heap after load (after GC): ${(await heapMb(page)).toFixed(0)} MB (target < 200 MB)`);
    const shot = process.argv.indexOf('--screenshot');
    if (shot >= 0) await page.screenshot({ path: process.argv[shot + 1] });

    const profile = process.argv.indexOf('--profile');
    const cdp = profile >= 0 ? await page.context().newCDPSession(page) : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    const box = `document.querySelector('[data-run="${runName(2)}"] input[type=checkbox]').click()`;
    for (let i = 0; i < 3; i++) {
      const off = await timed(page, box);
      const layersOff = await restroked(page);
      const on = await timed(page, box);
      console.log(`toggle one run of ${RUNS}: off: frame ${ms(off.frame)} (chart redraws ${ms(off.js)} JS, CPU: main thread ${ms(off.cpu)}, renderer ${ms(off.process)}); on: frame ${ms(on.frame)} (${ms(on.js)} JS, CPU ${ms(on.cpu)} / ${ms(on.process)}) (target < 100 ms); layers re-stroked per chart: ${layersOff} / ${await restroked(page)}`);
    }
    const type = (v: string) => `const el = document.querySelector('[data-testid=run-filter]'); el.value = ${JSON.stringify(v)}; el.dispatchEvent(new Event('input', { bubbles: true }));`;
    for (let i = 0; i < 2; i++) {
      const f = await timed(page, type('run_00[0-4]'));
      const shown = await page.evaluate('window.__trainscope.dash.runs.length');
      const c = await timed(page, type(''));
      console.log(`regex run filter "run_00[0-4]" (${shown} runs shown): frame ${ms(f.frame)} (${ms(f.js)} JS, CPU ${ms(f.cpu)} / ${ms(f.process)}); cleared: frame ${ms(c.frame)} (${ms(c.js)} JS, CPU ${ms(c.cpu)} / ${ms(c.process)}) (target < 200 ms)`);
    }
    if (cdp) {
      const { profile: p } = (await cdp.send('Profiler.stop')) as { profile: object };
      writeFileSync(process.argv[profile + 1], JSON.stringify(p));
      await cdp.detach();
    }
    console.log(`JS heap at the end (after GC): ${(await heapMb(page)).toFixed(0)} MB; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  } finally {
    await browser.close();
    await app.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
