import { describe, expect, it } from 'vitest';
import type { LogRecord, TensorRecord } from '../../server/logs/records.ts';
import { MAX_TENSOR_BYTES, PLUGIN_SAMPLE_DEFAULTS } from '../../server/store/plugin-series.ts';
import { DEFAULT_LIMITS, SeriesStore } from '../../server/store/series-store.ts';
import { seededRng } from './seeded-rng.ts';

const clip = (step: number, n = 1): TensorRecord => ({
  kind: 'tensor',
  tag: 'a',
  plugin: 'audio',
  wallTime: step,
  step,
  shape: [n, 2],
  strings: Array.from({ length: n * 2 }, (_, i) => new Uint8Array([step, i])),
});

describe('plugin series in the store', () => {
  it('keeps audio per --samples_per_plugin (always the newest) and counts clips per step', () => {
    const s = new SeriesStore({ ...DEFAULT_LIMITS, audio: 3 }, seededRng(3));
    s.ingest('r', Array.from({ length: 20 }, (_, i) => clip(i, i === 5 ? 4 : 1)));
    const pts = s.pluginSeries('r')!.points('audio', 'a');
    expect(pts).toHaveLength(3);
    expect(pts.at(-1)?.step).toBe(19);
    expect(s.pluginSeries('r')!.info('audio', 'a')?.maxLength).toBe(4);
  });
  it('uses TensorBoard\'s defaults when no limit is given (audio 10, text 100, pr_curves 100)', () => {
    const s = new SeriesStore(DEFAULT_LIMITS, seededRng(1));
    const recs: LogRecord[] = [];
    for (let i = 0; i < 150; i++) {
      recs.push(clip(i));
      recs.push({ kind: 'text', tag: 't', wallTime: i, step: i, text: `x${i}` });
      recs.push({ kind: 'tensor', tag: 'p', plugin: 'pr_curves', wallTime: i, step: i, shape: [6, 1], values: [1, 0, 0, 0, 1, 1] });
    }
    s.ingest('r', recs);
    expect(s.pluginSeries('r')!.points('audio', 'a')).toHaveLength(PLUGIN_SAMPLE_DEFAULTS.audio);
    expect(s.text('r', 't')).toHaveLength(PLUGIN_SAMPLE_DEFAULTS.text);
    expect(s.pluginSeries('r')!.points('pr_curves', 'p')).toHaveLength(PLUGIN_SAMPLE_DEFAULTS.pr_curves);
    const t = new SeriesStore({ ...DEFAULT_LIMITS, text: 7 }, seededRng(1));
    t.ingest('r', recs);
    expect(t.text('r', 't')).toHaveLength(7);
  });
  it('drops an oversized clip with a warning and ignores plugins it does not serve', () => {
    const s = new SeriesStore(DEFAULT_LIMITS, seededRng(1));
    const big: TensorRecord = { ...clip(1), strings: [new Uint8Array(MAX_TENSOR_BYTES + 1), new Uint8Array(0)] };
    s.ingest('r', [big, { kind: 'tensor', tag: 'z', plugin: 'mystery', wallTime: 0, step: 0, values: [1] }]);
    expect(s.pluginSeries('r')!.points('audio', 'a')).toHaveLength(0);
    expect(s.warnings('r').join('\n')).toMatch(/bytes is over/);
    expect(s.tensorTags('r')).toHaveProperty('z');
  });
});
