import { afterEach, describe, expect, it } from 'vitest';
import type { PluginNotice } from '../../shared/protocol.ts';
import { LiveHub } from '../../server/live/hub.ts';
import { createIngest } from '../../server/live/ingest.ts';
import { recordPlugins, runPlugins, subscribedPlugins } from '../../server/live/plugin-notices.ts';
import { RunsService } from '../../server/live/runs-service.ts';
import { compileTagFilter, type TagFilter } from '../../server/live/tag-filter.ts';
import type { LogRecord } from '../../server/logs/records.ts';
import { SeriesStore } from '../../server/store/series-store.ts';
import { until } from './helpers.ts';
import { RecordingSink } from './recording-sink.ts';

class Sink extends RecordingSink {
  notices(): PluginNotice[] {
    return this.batches.flatMap((b) => b.plugins ?? []);
  }
}

const text = (step: number): LogRecord => ({ kind: 'text', tag: 'notes', step, wallTime: step, text: `s${step}` });
const pr = (step: number): LogRecord => ({ kind: 'tensor', tag: 'pr', plugin: 'pr_curves', step, wallTime: step, shape: [6, 1], values: [1, 0, 0, 0, 1, 1] });
const scalar = (step: number): LogRecord => ({ kind: 'scalar', tag: 'loss', step, wallTime: step, value: 1 });
const all = compileTagFilter(undefined) as TagFilter;

let hubs: LiveHub[] = [];
afterEach(() => {
  for (const h of hubs) h.close();
  hubs = [];
});

describe('plugin notices', () => {
  it('names the plugins a run holds and a record batch touches', () => {
    const store = new SeriesStore();
    store.ingest('a', [text(1), pr(1), scalar(1)]);
    store.ingest('b', [scalar(1), { kind: 'tensor', tag: 'z', plugin: 'mystery', step: 0, wallTime: 0, values: [1] }]);
    expect(runPlugins(store, 'a')).toEqual(['text', 'pr_curves']);
    expect(runPlugins(store, 'b')).toEqual([]);
    expect([...recordPlugins([scalar(2), pr(2), pr(3)])]).toEqual(['pr_curves']);
    expect(subscribedPlugins(store, '*')).toEqual([{ run: 'a', plugin: 'text' }, { run: 'a', plugin: 'pr_curves' }]);
    expect(subscribedPlugins(store, ['b', 'gone'])).toEqual([]);
  });

  it('sends new plugin data live, only to clients subscribed to the run', async () => {
    const store = new SeriesStore();
    const hub = new LiveHub(store);
    hubs.push(hub);
    const ingest = createIngest(store, hub, new RunsService(store, null), () => {});
    ingest('a', [text(1), scalar(1)]);
    ingest('b', [scalar(1)]);
    const s = new Sink('s');
    const onlyB = new Sink('o');
    hub.addClient(s);
    hub.addClient(onlyB);
    hub.subscribe('s', { runs: '*', filter: all });
    hub.subscribe('o', { runs: ['b'], filter: all });
    ingest('b', [pr(2), pr(3)]);
    await until(() => s.notices().length > 0 && onlyB.notices().length > 0, 5000, 'live notices');
    expect(s.notices()).toEqual([{ run: 'b', plugin: 'pr_curves' }]);
    expect(onlyB.notices()).toEqual([{ run: 'b', plugin: 'pr_curves' }]);
    ingest('a', [text(2)]);
    await until(() => s.notices().length > 1, 5000, 'text notice');
    expect(s.notices()[1]).toEqual({ run: 'a', plugin: 'text' });
    expect(onlyB.notices()).toHaveLength(1);
  });
});
