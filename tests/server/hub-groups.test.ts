import { describe, expect, it } from 'vitest';
import type { SeriesDelta } from '../../shared/protocol.ts';
import { HubGroups } from '../../server/live/hub-groups.ts';
import type { ClientSink } from '../../server/live/hub-model.ts';

const sink = (id: string): ClientSink => ({ id, emitDelta: () => {}, pending: () => 0, queuedBytes: () => 0, drop: () => {} });
const point = (run: string, tag: string, step: number): SeriesDelta => ({ kind: 'scalars', run, tag, wallTimes: [step], steps: [step], values: [step] });
const all = () => true;
const steps = (batch: { series: SeriesDelta[] } | null) => (batch?.series ?? []).flatMap((d) => (d.kind === 'scalars' ? d.steps : []));

function subscribed(ids: string[], runs: '*' | string[], kinds: SeriesDelta['kind'][] | null = null) {
  const m = new HubGroups();
  for (const id of ids) {
    m.add(sink(id));
    const c = m.clients.get(id)!;
    m.regroup(c, `k:${JSON.stringify(runs)}:${kinds}`, runs === '*' ? '*' : new Set(runs), all, kinds && new Set(kinds));
  }
  return m;
}

describe('HubGroups', () => {
  it('shares one group between equal subscriptions and forgets it when its last client goes', () => {
    const m = subscribed(['a', 'b'], ['r1']);
    expect(m.groups.size).toBe(1); // the no-subscription group went with its last client
    const [g] = m.groups.values();
    expect(g!.refs).toBe(2);
    m.remove('a');
    expect(g!.refs).toBe(1);
    m.remove('b');
    expect(m.groups.size).toBe(0);
    expect(m.remove('b')).toBeUndefined();
  });

  it('queues each point once: in the group for its members, in its own buffer for a private client', () => {
    const m = subscribed(['a', 'b'], ['r1']);
    const [a, b] = [m.clients.get('a')!, m.clients.get('b')!];
    // Both are private after subscribing; b rejoins its group, a stays private.
    m.rejoin(b);
    const seen: string[] = [];
    expect(m.fanOut([point('r1', 't', 1), point('r2', 't', 1)], (c) => void seen.push(c.sink.id))).toBe(true);
    expect(seen).toEqual(['a']);
    expect(steps(a.buffer!.take())).toEqual([1]);
    expect(steps(b.group.buffer.take())).toEqual([1]);
    expect(m.fanOut([point('r2', 't', 2)], () => {})).toBe(false);
  });

  it('hands a client going private what its group holds for the next tick', () => {
    const m = subscribed(['a', 'b'], '*');
    const [a, b] = [m.clients.get('a')!, m.clients.get('b')!];
    m.rejoin(a);
    m.rejoin(b);
    expect(m.privateClients()).toEqual([]);
    m.fanOut([point('r', 't', 5)], () => {});
    const own = m.privatize(a);
    expect(m.privateClients()).toEqual([a]);
    expect(steps(own.take())).toEqual([5]);
    expect(steps(b.group.buffer.take())).toEqual([5]);
    expect(b.group.shared.has(a)).toBe(false);
  });

  it('regrouping clears queued points but keeps run infos; ungroup leaves no subscription', () => {
    const m = subscribed(['a'], ['r1']);
    const a = m.clients.get('a')!;
    m.fanOut([point('r1', 't', 1)], () => {});
    m.queue((buf) => buf.pushRuns([{ name: 'r1', source: 'disk', group: '' }]));
    const buf = m.ungroup(a);
    expect(a.group.runs).toBeNull();
    expect(m.wants('r1')).toBe(false);
    const batch = buf.take();
    expect(steps(batch)).toEqual([]);
    expect(batch?.runs?.map((r) => r.name)).toEqual(['r1']);
  });

  it('answers which runs and kinds are wanted, and queues notices only where wanted', () => {
    const m = subscribed(['a'], ['r1'], ['scalars']);
    expect(m.wants('r1')).toBe(true);
    expect(m.wants('r2')).toBe(false);
    expect(m.wants('r1', 'scalars')).toBe(true);
    expect(m.wants('r1', 'histograms')).toBe(false);
    const a = m.clients.get('a')!;
    m.queue((buf) => buf.pushGraph('r2'), (g) => g.runs !== null && g.runs !== '*' && g.runs.has('r2'));
    expect(a.buffer!.isEmpty()).toBe(true);
    m.queue((buf) => buf.pushGraph('r1'));
    m.dropRun('r1');
    expect(a.buffer!.isEmpty()).toBe(true);
  });
});
