// Main-thread timeline of one first-chart visit (chromium trace): every top-level task of the page's
// renderer main thread from navigation to the first chart, with its kind, start and duration, plus the
// time per kind (script, style and layout, paint, parse/compile, GC). bench/first-chart.ts --trace prints it.
import type { Browser } from 'playwright-core';

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  cat: string;
  args?: { data?: { url?: string; functionName?: string; type?: string; frame?: string }; name?: string };
}

/** Kind of a trace event (devtools.timeline names). */
function kind(e: TraceEvent): string {
  switch (e.name) {
    case 'EvaluateScript':
    case 'v8.compile':
    case 'v8.compileModule':
    case 'v8.evaluateModule':
    case 'v8.parseOnBackground':
      return 'script eval/compile';
    case 'FunctionCall':
    case 'TimerFire':
    case 'FireAnimationFrame':
    case 'EventDispatch':
    case 'RunMicrotasks':
    case 'V8.GCScavenger':
      return 'js';
    case 'UpdateLayoutTree':
    case 'Layout':
    case 'RecalculateStyles':
      return 'style/layout';
    case 'Paint':
    case 'PrePaint':
    case 'Layerize':
    case 'Commit':
    case 'UpdateLayer':
      return 'paint';
    case 'ParseHTML':
      return 'parse html';
    case 'MinorGC':
    case 'MajorGC':
      return 'gc';
    default:
      return 'other';
  }
}

/** Tasks on the page's main thread between navigation and `untilMs` (ms since the first event). */
export async function traceVisit(browser: Browser, url: string, viewport: { width: number; height: number }): Promise<string> {
  const context = await browser.newContext({ viewport, bypassCSP: true });
  try {
    const page = await context.newPage();
    await browser.startTracing(page, { categories: ['devtools.timeline', 'v8', 'disabled-by-default-devtools.timeline', 'blink.user_timing'] });
    await page.goto(url);
    await page.waitForFunction(
      '(() => { const t = window.__trainscope; return !!t && t.charts().some((c) => c.fullPoints > 0); })()',
      undefined,
      { timeout: 120_000, polling: 50 },
    );
    const buf = await browser.stopTracing();
    const { traceEvents } = JSON.parse(buf.toString()) as { traceEvents: TraceEvent[] };
    // The renderer main thread: the one running ParseHTML / EvaluateScript.
    const main = traceEvents.find((e) => e.name === 'ParseHTML' || e.name === 'EvaluateScript' || e.name === 'v8.evaluateModule');
    if (!main) return 'no main thread found in the trace';
    const nav = traceEvents.find((e) => e.name === 'navigationStart' && e.pid === main.pid) ?? traceEvents.find((e) => e.pid === main.pid)!;
    const t0 = nav.ts;
    const marks = traceEvents.filter((e) => e.cat.includes('blink.user_timing') && e.name.startsWith('trainscope:') && e.pid === main.pid);
    const lastMark = marks.find((m) => m.name === 'trainscope:first-draw');
    const end = lastMark ? lastMark.ts + 50_000 : Infinity;
    const tasks = traceEvents.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.name === 'RunTask' && (e.dur ?? 0) >= 3000 && e.ts < end);
    const inner = traceEvents.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.name !== 'RunTask');
    const byKind = new Map<string, number>();
    const lines: string[] = [];
    for (const t of tasks) {
      const kids = inner.filter((e) => e.ts >= t.ts && e.ts < t.ts + (t.dur ?? 0));
      // The biggest direct-ish child names the task.
      const parts = new Map<string, number>();
      for (const k of kids) {
        if (kind(k) === 'other' && !process.env.TRACE_ALL) continue;
        parts.set(`${k.name}${k.args?.data?.url ? ` ${k.args.data.url.replace(/^.*\//, '')}` : ''}${k.args?.data?.functionName ? ` ${k.args.data.functionName}` : ''}`, (parts.get(k.name) ?? 0) + (k.dur ?? 0));
      }
      const top = [...parts].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([n, d]) => `${n} ${(d / 1000).toFixed(0)}`).join(', ');
      lines.push(`  ${((t.ts - t0) / 1000).toFixed(0).padStart(5)} +${((t.dur ?? 0) / 1000).toFixed(0).padStart(4)} ms  ${top}`);
    }
    for (const k of inner) if (k.ts < end && ['Layout', 'UpdateLayoutTree', 'Paint', 'v8.compile', 'v8.compileModule', 'v8.evaluateModule', 'EvaluateScript', 'FunctionCall', 'FireAnimationFrame', 'MinorGC', 'MajorGC', 'ParseHTML', 'TimerFire', 'EventDispatch', 'RunMicrotasks'].includes(k.name)) byKind.set(k.name, (byKind.get(k.name) ?? 0) + (k.dur ?? 0) / 1000);
    // Style and layout passes (each forced one in a script shows up inside its task).
    const passes = inner.filter((e) => (e.name === 'Layout' || e.name === 'UpdateLayoutTree') && e.ts < end && (e.dur ?? 0) >= 2000);
    lines.push(`style/layout passes >= 2 ms: ${passes.map((e) => `${e.name === 'Layout' ? 'L' : 'S'}${((e.ts - t0) / 1000).toFixed(0)}+${((e.dur ?? 0) / 1000).toFixed(0)}`).join(' ')}`);
    const markLine = marks.map((m) => `${m.name.slice(11)} ${((m.ts - t0) / 1000).toFixed(0)}`).join(', ');
    const kinds = [...byKind].sort((a, b) => b[1] - a[1]).map(([n, d]) => `${n} ${d.toFixed(0)}`).join(', ');
    return [`main-thread tasks >= 3 ms (start +duration, biggest parts):`, ...lines, `marks: ${markLine}`, `time by event (nested events overlap): ${kinds}`].join('\n');
  } finally {
    await context.close();
  }
}
