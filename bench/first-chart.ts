// First chart against a server already running (npm run bench:first-chart -- --url http://127.0.0.1:7150/):
// opens the dashboard N times in headless chromium (a fresh browser context each time: empty HTTP cache,
// like a first visit) and prints milliseconds from navigation to the first SCALARS chart drawn with points,
// with the page's timeline for each visit: HTML, scripts and styles loaded, main.ts run, mounted, socket
// connected, hello, subscribe sent, ack, first series batch, first draw (the page's performance marks,
// web/src/lib/page-marks.ts), the first socket frames, and how many charts existed at the first draw; and
// when that first chart was complete (drawn with all the points it held once the whole backlog was in).
// Use it to iterate on the start path: bench/scale.ts measures the same on logdirs it generates and loads.
// --profile: one more visit under the CPU profiler; prints the functions with the most self time until the
// first chart (a build without minification names them: vite build --minify false, served with --web-dir).
// --trace: one more visit under chromium's tracing; prints the page's main-thread tasks (first-chart-trace.ts).
// Usage: node --import tsx bench/first-chart.ts --url URL [--runs 5] [--width 1400 --height 900] [--quiet] [--profile] [--trace]
import os from 'node:os';
import type { Browser } from 'playwright-core';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};

/** Everything one visit measured (ms since navigation start). */
export interface Visit {
  firstChart: number;
  /** The animation frame that first showed it (the draw may come earlier, outside a frame). */
  firstFrame: number;
  /** When the first chart was first drawn with every point it held once the whole backlog was in. */
  complete: number;
  /** Points the first chart drew first, and that draw's JS time. */
  firstPoints: number;
  firstDrawMs: number;
  html: number;
  assets: { name: string; start: number; end: number; bytes: number }[];
  marks: Record<string, number>;
  frames: { t: number; bytes: number }[];
  chartsAtFirst: number;
  cardsAtFirst: number;
}

// Runs in the page before its scripts: notes socket frames and polls every frame for the first chart with points.
const INIT = `(() => {
  const b = (window.__bench = { first: null, frames: [], charts: 0, cards: 0 });
  const WS = window.WebSocket;
  window.WebSocket = class extends WS {
    constructor(...a) {
      super(...a);
      this.addEventListener('message', (e) => {
        if (b.frames.length < 40) b.frames.push({ t: performance.now(), bytes: typeof e.data === 'string' ? e.data.length : (e.data.byteLength ?? e.data.size ?? 0) });
      });
    }
  };
  // Every draw of the first chart drawn with points: (time, points), to tell when it held all it would.
  b.history = [];
  const tick = () => {
    const ts = window.__trainscope;
    const list = ts ? ts.charts() : [];
    for (const c of list) if (c.fullPoints > 0 && b.first === null) {
      b.first = c.drawnAt;
      b.firstFrame = performance.now(); // this frame paints it
      b.firstId = c.id;
      b.firstPoints = c.fullPoints;
      b.firstDrawMs = c.drawMs;
      b.charts = list.length;
      b.cards = document.querySelectorAll('[data-testid=scalar-card]').length;
    }
    const f = b.first === null ? null : list.find((c) => c.id === b.firstId);
    if (f && (b.history.length === 0 || b.history[b.history.length - 1][0] !== f.drawnAt)) b.history.push([f.drawnAt, f.fullPoints]);
    if (b.history.length < 1000) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Functions by self time (ms) in a CPU profile, most first; only samples in [from, to) (profile clock, µs)
 * when given.
 */
export function selfTimes(p: CpuProfile & { startTime: number }, top = 25, from = -Infinity, to = Infinity): { fn: string; ms: number }[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const total = new Map<string, number>();
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    if (t < from || t >= to) continue;
    const f = byId.get(p.samples[i])!.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\//, '')}:${f.lineNumber + 1}`;
    total.set(key, (total.get(key) ?? 0) + (p.timeDeltas[i + 1] ?? 0) / 1000);
  }
  return [...total].map(([fn, ms]) => ({ fn, ms })).sort((a, b) => b.ms - a.ms).slice(0, top);
}

/** One visit in a fresh context of `browser` (under the CPU profiler when `profile`). */
export async function visit(browser: Browser, url: string, viewport = { width: 1400, height: 900 }, profile = false): Promise<Visit & { profile?: CpuProfile; wallMinusMono?: number; timeOrigin?: number }> {
  const context = await browser.newContext({ viewport, bypassCSP: true });
  try {
    const page = await context.newPage();
    await page.addInitScript(INIT);
    const cdp = profile ? await context.newCDPSession(page) : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    await page.goto(url);
    await page.waitForFunction('window.__bench && window.__bench.first !== null', undefined, { timeout: 120_000, polling: 50 });
    // The whole backlog in and drawn: the first chart's last point count is what it held when complete.
    await page.waitForFunction('window.__trainscope && window.__trainscope.dash.loading === null', undefined, { timeout: 120_000, polling: 100 });
    await page.waitForTimeout(500);
    const prof = cdp ? ((await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile }).profile : undefined;
    const wallMinusMono = Date.now() * 1000 - Number(process.hrtime.bigint() / 1000n);
    const timeOrigin = (await page.evaluate('performance.timeOrigin')) as number;
    const v = (await page.evaluate(`(() => {
      const b = window.__bench;
      const nav = performance.getEntriesByType('navigation')[0];
      const marks = {};
      for (const m of performance.getEntriesByType('mark')) if (m.name.startsWith('trainscope:')) marks[m.name.slice(11)] = m.startTime;
      const assets = performance.getEntriesByType('resource').filter((r) => !r.name.includes('/socket.io/'))
        .map((r) => ({ name: r.name.replace(/^.*\\//, ''), start: r.startTime, end: r.responseEnd, bytes: r.transferSize }));
      const final = b.history.length ? b.history[b.history.length - 1][1] : 0;
      const complete = (b.history.find((h) => h[1] >= final) || [null])[0];
      return { firstChart: b.first, firstFrame: b.firstFrame, complete, firstPoints: b.firstPoints, firstDrawMs: b.firstDrawMs, html: nav ? nav.responseEnd : 0, assets, marks, frames: b.frames, chartsAtFirst: b.charts, cardsAtFirst: b.cards };
    })()`)) as Visit;
    return prof ? { ...v, profile: prof, wallMinusMono, timeOrigin } : v;
  } finally {
    await context.close();
  }
}

const ms = (n: number | undefined) => (n === undefined ? '–' : n.toFixed(0));

/** One line per visit: where its time went. */
export function timeline(v: Visit): string {
  const m = v.marks;
  const assets = v.assets.map((a) => `${a.name.replace(/-[\w-]{8}\./, '.')} ${ms(a.start)}-${ms(a.end)}`).join(', ');
  const frames = v.frames.slice(0, 8).map((f) => `${ms(f.t)}:${f.bytes < 1024 ? `${f.bytes}B` : `${(f.bytes / 1024).toFixed(0)}k`}`).join(' ');
  return [
    `first chart ${ms(v.firstChart)} ms (on screen ${ms(v.firstFrame)}), complete ${ms(v.complete)} ms | html ${ms(v.html)} | ${assets}`,
    `  main ${ms(m.main)} mounted ${ms(m.mounted)} connect ${ms(m.connect)} hello ${ms(m.hello)} subscribe ${ms(m.subscribe)} ack ${ms(m.ack)} first series ${ms(m['first-series'])} first draw ${ms(m['first-draw'])}`,
    `  charts at first draw ${v.chartsAtFirst} (cards ${v.cardsAtFirst}), its points ${v.firstPoints} drawn in ${ms(v.firstDrawMs)} ms | socket frames ${frames}`,
  ].join('\n');
}

export function summary(times: number[]): string {
  const s = [...times].sort((a, b) => a - b);
  const med = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return `${s.length} visits: median ${ms(med)} ms, range ${ms(s[0])}-${ms(s[s.length - 1])} ms (${s.map(ms).join(', ')})`;
}

async function main(): Promise<void> {
  const url = arg('url', '');
  if (!url) throw new Error('--url of a running Trainscope server is required (e.g. http://127.0.0.1:7150/)');
  const runs = Number(arg('runs', '5'));
  const viewport = { width: Number(arg('width', '1400')), height: Number(arg('height', '900')) };
  const quiet = process.argv.includes('--quiet');
  const { ensureWebBuild, launchChromium } = await import('../tests/e2e/helpers.ts');
  await ensureWebBuild();
  const load0 = os.loadavg();
  const browser = await launchChromium();
  const times: number[] = [];
  const complete: number[] = [];
  try {
    await visit(browser, url, viewport); // warms the browser process itself, not the page's cache (a new context each visit)
    for (let i = 0; i < runs; i++) {
      const v = await visit(browser, url, viewport);
      times.push(v.firstChart);
      complete.push(v.complete);
      if (!quiet) console.log(timeline(v));
    }
    if (process.argv.includes('--trace')) {
      const { traceVisit } = await import('./first-chart-trace.ts');
      console.log(await traceVisit(browser, url, viewport));
    }
    if (process.argv.includes('--profile')) {
      const v = await visit(browser, url, viewport, true);
      console.log(`profiled visit (slower under the profiler):\n${timeline(v)}`);
      for (const { fn, ms: t } of selfTimes(v.profile!)) console.log(`  ${t.toFixed(1).padStart(7)} ms  ${fn}`);
      // The profile's clock is the monotonic one (µs), the marks' the page's: mapped through the wall clock.
      const toTicks = (pageMs: number) => (v.timeOrigin! + pageMs) * 1000 - v.wallMinusMono!;
      const phases = ['main', 'mounted', 'connect', 'ack', 'first-series', 'first-draw'];
      for (let i = 0; i + 1 < phases.length; i++) {
        const [a, b] = [v.marks[phases[i]], v.marks[phases[i + 1]]];
        if (a === undefined || b === undefined) continue;
        console.log(`${phases[i]} -> ${phases[i + 1]} (${(b - a).toFixed(0)} ms):`);
        for (const { fn, ms: t } of selfTimes(v.profile!, 12, toTicks(a), toTicks(b))) console.log(`  ${t.toFixed(1).padStart(7)} ms  ${fn}`);
      }
    }
  } finally {
    await browser.close();
  }
  const load1 = os.loadavg();
  console.log(`first chart complete: ${summary(complete)}`);
  console.log(`first chart at ${url}: ${summary(times)}; load average ${load0.map((l) => l.toFixed(1)).join(' ')} at start, ${load1.map((l) => l.toFixed(1)).join(' ')} at the end (${os.cpus().length} cores)`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
