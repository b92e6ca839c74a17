// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import type { DashSocket } from '../../web/src/lib/socket.ts';
import { Dashboard } from '../../web/src/lib/state/dashboard.svelte.ts';

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
  fire(ev: string, ...args: unknown[]) {
    for (const fn of this.handlers.get(ev) ?? []) fn(...args);
  }
  last(ev: string) {
    return [...this.sent].reverse().find((s) => s.ev === ev);
  }
}

function setup() {
  const dash = new Dashboard();
  const sock = new FakeSocket();
  dash.attach(sock as unknown as DashSocket);
  sock.fire('connect');
  sock.fire('hello', { version: '0.1.0', logdir: '/logs', backend: null, runs: [{ name: 'a', source: 'disk', group: '.' }, { name: 'b', source: 'disk', group: '.' }] });
  return { dash, sock };
}

describe('plugin data in the dashboard state', () => {
  it('learns runs\' plugins from the subscribe ack and deltas; tabs follow the selection', async () => {
    const { dash, sock } = setup();
    expect(dash.pluginsKnown).toBe(false);
    const ack = sock.last('subscribe')!.args[1] as (r: unknown) => void;
    ack({ ok: true, data: { runs: [], plugins: [{ run: 'a', plugin: 'text' }] } });
    // Known once the projector's run list has been asked for too (here it fails: no server).
    await vi.waitFor(() => expect(dash.pluginsKnown).toBe(true));
    expect(dash.visibleTabs).toContain('text');
    expect(dash.visibleTabs).not.toContain('pr_curves');
    const rev = dash.plugins.revision('pr_curves', 'b');
    sock.fire('delta', { series: [], plugins: [{ run: 'b', plugin: 'pr_curves' }] });
    expect(dash.visibleTabs).toContain('pr_curves');
    expect(dash.plugins.revision('pr_curves', 'b')).toBe(rev + 1);
    // Only b selected: TEXT hides, and a TEXT view shows scalars.
    dash.ui.selected = ['b'];
    expect(dash.visibleTabs).not.toContain('text');
    dash.ui.tab = 'text';
    expect(dash.shownTab).toBe('scalars');
    dash.ui.tab = 'pr_curves';
    expect(dash.shownTab).toBe('pr_curves');
    sock.fire('run:removed', 'b');
    expect(dash.plugins.of('b').size).toBe(0);
  });

  it('cuts a replayed run\'s plugin data at the replay\'s step, and no other run\'s', () => {
    const { dash } = setup();
    expect(dash.maxStep('a')).toBeNull();
    dash.replay.start('a');
    expect(dash.maxStep('a')).toBe(-Infinity); // nothing replayed yet
    dash.replay.onState({ replayId: 'r1', run: 'a', state: 'paused', speed: 1, step: 7, firstStep: 0, lastStep: 20 });
    expect(dash.maxStep('a')).toBe(7);
    expect(dash.maxStep('b')).toBeNull();
  });
});
