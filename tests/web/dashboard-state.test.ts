// @vitest-environment jsdom
import { backlogPoints } from '../../web/src/lib/zoom-window.ts';
import { describe, expect, it } from 'vitest';
import type { DeltaBatch, SeriesDelta } from '../../shared/protocol.ts';
import type { DashSocket } from '../../web/src/lib/socket.ts';
import { Dashboard } from '../../web/src/lib/state/dashboard.svelte.ts';

/** Records what the dashboard emits and lets the test fire server events. */
class FakeSocket {
  connected = true;
  handlers = new Map<string, ((...a: unknown[]) => void)[]>();
  sent: { ev: string; args: unknown[] }[] = [];
  on(ev: string, fn: (...a: unknown[]) => void) {
    this.handlers.set(ev, [...(this.handlers.get(ev) ?? []), fn]);
    return this;
  }
  emit(ev: string, ...args: unknown[]) {
    this.sent.push({ ev, args });
    return this;
  }
  timeout() {
    return this;
  }
  fire(ev: string, ...args: unknown[]) {
    for (const fn of this.handlers.get(ev) ?? []) fn(...args);
  }
  last(ev: string) {
    return [...this.sent].reverse().find((s) => s.ev === ev);
  }
}

function scalars(run: string, tag: string, steps: number[], reset = false): SeriesDelta {
  return { kind: 'scalars', run, tag, reset, steps, wallTimes: steps.map((s) => 1000 + s), values: steps.map((s) => (s === 3 ? null : s * 0.5)) };
}

function setup() {
  const dash = new Dashboard();
  const sock = new FakeSocket();
  dash.attach(sock as unknown as DashSocket);
  sock.fire('connect');
  sock.fire('hello', { version: '0.1.0', logdir: '/logs', backend: 'cpu', runs: [{ name: 'sweep/relu', source: 'trainer', group: 'sweep' }, { name: 'disk', source: 'disk', group: '.' }] });
  return { dash, sock };
}

describe('Dashboard state', () => {
  it('subscribes on connect and lists runs from hello with stable colors', () => {
    const { dash, sock } = setup();
    // Long backlogs downsampled to 2 points per pixel of the window (zoom-window.ts).
    expect(sock.last('subscribe')!.args[0]).toEqual({ runs: '*', have: {}, points: backlogPoints(window.innerWidth), kinds: ['scalars', 'images'] });
    expect(dash.connection).toBe('live');
    expect(dash.backend).toBe('cpu');
    expect(dash.runs.map((r) => r.name)).toEqual(['disk', 'sweep/relu']);
    expect(dash.runs[0].color).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('appends columnar deltas, drops re-sent points, resets, and resumes with `have`', () => {
    const { dash, sock } = setup();
    dash.onDelta({ series: [scalars('sweep/relu', 'train/loss', [0, 1, 2, 3])] });
    dash.onDelta({ series: [scalars('sweep/relu', 'train/loss', [2, 3, 4])] }); // overlap from a resume
    const s = dash.series.scalar('sweep/relu', 'train/loss')!;
    expect(Array.from(s.steps.subarray(0, s.n))).toEqual([0, 1, 2, 3, 4]);
    expect(Number.isNaN(s.values[3])).toBe(true); // null on the wire = NaN
    dash.onDelta({ series: [{ kind: 'histograms', run: 'disk', tag: 'w', points: [[1, 5, [[0, 1, 3]]]] }] });

    sock.fire('disconnect');
    expect(dash.status).toBe('reconnecting');
    sock.fire('connect');
    expect(sock.last('subscribe')!.args[0]).toEqual({ runs: '*', have: { 'sweep/relu': { 'train/loss': 4 }, disk: { w: 5 } }, points: backlogPoints(window.innerWidth), kinds: ['scalars', 'images'] });

    dash.onDelta({ series: [scalars('sweep/relu', 'train/loss', [0, 1], true)] });
    expect(s.n).toBe(2);
  });

  it('asks for histograms only while a tab draws them, resuming with `have` on each change', () => {
    const { dash, sock } = setup();
    dash.onDelta({ series: [{ kind: 'histograms', run: 'disk', tag: 'w', points: [[1, 5, [[0, 1, 3]]]] }] });
    const subscribes = () => sock.sent.filter((s) => s.ev === 'subscribe').length;
    const n0 = subscribes();
    dash.followKinds(); // nothing changed: no resubscribe
    expect(subscribes()).toBe(n0);
    dash.ui.tab = 'distributions';
    dash.followKinds();
    expect(subscribes()).toBe(n0 + 1);
    expect(sock.last('subscribe')!.args[0]).toEqual({ runs: '*', have: { disk: { w: 5 } }, points: backlogPoints(window.innerWidth), kinds: ['scalars', 'histograms', 'images'] });
    dash.ui.tab = 'histograms';
    dash.followKinds(); // same kinds
    expect(subscribes()).toBe(n0 + 1);
    dash.ui.tab = 'scalars';
    dash.followKinds();
    expect(subscribes()).toBe(n0 + 2);
    expect((sock.last('subscribe')!.args[0] as { kinds: string[] }).kinds).toEqual(['scalars', 'images']);
  });

  it('shows why the server dropped the connection', () => {
    const { dash, sock } = setup();
    sock.fire('server:dropped', { reason: 'slow-client', message: 'Trainscope dropped this connection: it was not reading', queuedBytes: 9e6, limitBytes: 8e6 });
    expect(dash.notice).toMatch(/not reading/);
  });

  it('gives tabs a new histogram array when points arrive, and filters tags by regex', () => {
    const { dash } = setup();
    dash.onDelta({ series: [{ kind: 'histograms', run: 'disk', tag: 'dense/kernel', points: [[1, 1, [[0, 1, 3]]]] }] });
    const a = dash.histograms('disk', 'dense/kernel');
    dash.onDelta({ series: [{ kind: 'histograms', run: 'disk', tag: 'dense/kernel', points: [[2, 2, [[0, 1, 4]]]] }] });
    const b = dash.histograms('disk', 'dense/kernel');
    expect(a).not.toBe(b);
    expect(b.map((p) => p[1])).toEqual([1, 2]);
    expect(dash.histogramTags('disk')).toEqual(['dense/kernel']);
    dash.ui.tagFilter = '^dense/';
    expect(dash.tagMatches('dense/kernel')).toBe(true);
    expect(dash.tagMatches('train/loss')).toBe(false);
    expect(dash.imageUrl('a b', 'img/x', 2)).toBe('/data/plugin/images/individualImage?run=a+b&tag=img%2Fx&index=2');
  });

  it('replay: clears the run, feeds it only from its replay deltas, and restores live on stop', () => {
    const { dash, sock } = setup();
    dash.onDelta({ series: [scalars('disk', 'acc', [0, 1, 2, 5])] });
    dash.onDelta({ series: [scalars('sweep/relu', 'train/loss', [0, 1])] });
    dash.replay.start('disk', 10);
    expect(dash.series.scalar('disk', 'acc')).toBeUndefined();
    const start = sock.last('replay:start')!;
    expect(start.args[0]).toMatchObject({ run: 'disk', speed: 10 });
    (start.args[1] as (a: unknown) => void)({ ok: true, data: { replayId: 'r1', run: 'disk', state: 'playing', speed: 10, step: null, firstStep: 0, lastStep: 5 } });
    expect(dash.status).toBe('replaying');

    const replayBatch: DeltaBatch = { replayId: 'r1', series: [scalars('disk', 'acc', [0, 1])] };
    dash.onDelta(replayBatch);
    dash.onDelta({ series: [scalars('disk', 'acc', [7, 8])] }); // live data of the replayed run: ignored
    dash.onDelta({ replayId: 'other', series: [scalars('disk', 'acc', [9])] }); // someone else's replay id
    dash.onDelta({ series: [scalars('sweep/relu', 'train/loss', [2])] }); // other runs stay live
    const s = dash.series.scalar('disk', 'acc')!;
    expect(Array.from(s.steps.subarray(0, s.n))).toEqual([0, 1]);
    expect(dash.series.scalar('sweep/relu', 'train/loss')!.n).toBe(3);

    dash.replay.stop();
    expect(sock.last('replay:control')!.args[0]).toEqual({ replayId: 'r1', action: 'stop' });
    const sub = sock.last('subscribe')!.args[0] as { have: Record<string, Record<string, number>> };
    expect(sub.have.disk).toEqual({});
    expect(sub.have['sweep/relu']).toEqual({ 'train/loss': 2 });
    expect(dash.series.scalar('disk', 'acc')).toBeUndefined();
    expect(dash.status).toBe('live');
  });

  it('selection: implicit all, explicit after a toggle, started runs added; URL round trip', () => {
    const { dash } = setup();
    dash.ui.toggleRun('disk', dash.runsState.names);
    expect(dash.runs.map((r) => r.name)).toEqual(['sweep/relu']);
    dash.ui.addRuns(['sweep/tanh']);
    expect(dash.ui.selected).toEqual(['sweep/relu', 'sweep/tanh']);
    dash.ui.tab = 'histograms';
    dash.ui.smoothing = 0.9;
    dash.ui.syncUrl();
    expect(location.search).toContain('tab=histograms');
    const again = new Dashboard();
    expect(again.ui.view).toEqual(dash.ui.view);
  });
});
