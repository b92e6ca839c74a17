// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import type { DashSocket } from '../../web/src/lib/socket.ts';
import { Dashboard } from '../../web/src/lib/state/dashboard.svelte.ts';

/** Just enough of a socket: records emits (with their ack callbacks) and fires server events. */
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
}

const runs = ['a', 'b', 'c'].map((name) => ({ name, source: 'disk' as const, group: '.' }));

describe('Dashboard: loading runs and features', () => {
  it('counts every selected run as loading until the ack, then only those with a backlog, until each is loaded', () => {
    const dash = new Dashboard();
    const sock = new FakeSocket();
    dash.attach(sock as unknown as DashSocket);
    sock.fire('hello', { version: '0', logdir: '/l', backend: null, runs, features: { training: false, replay: true } });
    expect(dash.features.training).toBe(false);
    sock.fire('connect');
    expect(dash.loading).toEqual({ loaded: 0, total: 3 });
    const sub = sock.sent.find((s) => s.ev === 'subscribe')!;
    (sub.args[1] as (a: unknown) => void)({ ok: true, data: { runs, loading: ['a', 'b'] } });
    expect(dash.loading).toEqual({ loaded: 0, total: 2 });
    dash.onDelta({ series: [], loaded: ['a'] });
    expect(dash.loading).toEqual({ loaded: 1, total: 2 });
    dash.onDelta({ series: [], loaded: ['b'] });
    expect(dash.loading).toBeNull();
  });

  it('an older server without `features` keeps TRAIN', () => {
    const dash = new Dashboard();
    const sock = new FakeSocket();
    dash.attach(sock as unknown as DashSocket);
    expect(dash.features.training).toBe(false); // nothing offered before hello
    sock.fire('hello', { version: '0', logdir: '/l', backend: null, runs });
    expect(dash.features.training).toBe(true);
  });
});
