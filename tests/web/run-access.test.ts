// @vitest-environment jsdom
// The dashboard's side of run ownership: a per-tab client id that survives reloads, sent in the socket
// handshake, and stop buttons only for runs this client may stop (the server's rule, shared/run-access.ts).
import { describe, expect, it } from 'vitest';
import { HandshakeAuthSchema } from '../../shared/protocol.ts';
import type { DashSocket } from '../../web/src/lib/socket.ts';
import { tabClientId } from '../../web/src/lib/socket.ts';
import { Dashboard } from '../../web/src/lib/state/dashboard.svelte.ts';

class MemoryStore {
  map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
}

describe('tab client id', () => {
  it('is random, valid for the handshake schema, and kept by the tab', () => {
    const tab = new MemoryStore();
    const id = tabClientId(tab);
    expect(HandshakeAuthSchema.parse({ clientId: id, token: 'x' })).toEqual({ clientId: id });
    expect(tabClientId(tab)).toBe(id); // a reload of the same tab
    expect(tabClientId(new MemoryStore())).not.toBe(id); // another tab
    tab.setItem('trainscope.clientId', 'bad id!');
    expect(tabClientId(tab)).not.toBe('bad id!');
  });
});

describe('stop buttons', () => {
  it('shows them for own runs and ownerless (CLI/demo) runs; an admin for all', () => {
    const dash = new Dashboard();
    const handlers = new Map<string, (...a: unknown[]) => void>();
    const sock = { connected: true, on: (ev: string, fn: (...a: unknown[]) => void) => (handlers.set(ev, fn), sock), emit: () => sock, timeout: () => sock };
    dash.attach(sock as unknown as DashSocket);
    const runs = [
      { name: 'mine', source: 'trainer', group: '.', startedBy: 'me', status: { state: 'running' } },
      { name: 'theirs', source: 'trainer', group: '.', startedBy: 'them', status: { state: 'running' } },
      { name: 'demo/relu', source: 'trainer', group: 'demo', status: { state: 'running' } },
    ];
    handlers.get('hello')!({ version: '0', logdir: '/l', backend: null, runs, you: { owner: 'me', admin: false } });
    expect(runs.map((r) => dash.mayStop(r))).toEqual([true, false, true]);
    handlers.get('hello')!({ version: '0', logdir: '/l', backend: null, runs, you: { owner: 'me', admin: true } });
    expect(runs.map((r) => dash.mayStop(r))).toEqual([true, true, true]);
    handlers.get('hello')!({ version: '0', logdir: '/l', backend: null, runs }); // an older server: no role known
    expect(runs.map((r) => dash.mayStop(r))).toEqual([false, false, true]);
  });
});
