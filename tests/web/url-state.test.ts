import { describe, expect, it } from 'vitest';
import { compileFilter, decodeZoom, DEFAULT_VIEW, encodeZoom, MAX_ZOOMS, parseView, roundForUrl, tagGroup, writeView } from '../../web/src/lib/url-state.ts';
import { hashString, runColor, PALETTE } from '../../web/src/lib/colors.ts';
import { seriesToCsv, seriesToJson } from '../../web/src/lib/csv.ts';

describe('url state', () => {
  it('round-trips a view and keeps unrelated params', () => {
    const v = { ...DEFAULT_VIEW, tab: 'compare' as const, runs: ['a|b', 'c,d', 'e\\f'], smoothing: 0.9, tagFilter: 'loss', runFilter: 'relu', xAxis: 'wall' as const, logY: true, ignoreOutliers: false, pinned: ['train/loss'] };
    const p = writeView(v, new URLSearchParams('token=abc'));
    expect(p.get('token')).toBe('abc');
    expect(parseView(new URLSearchParams(p.toString()))).toEqual(v);
  });

  it('leaves defaults out and ignores junk', () => {
    expect(writeView(DEFAULT_VIEW, new URLSearchParams()).toString()).toBe('');
    const v = parseView(new URLSearchParams('tab=nope&smoothing=5&x=bogus'));
    expect(v.tab).toBe('scalars');
    expect(v.smoothing).toBe(0.999);
    expect(v.xAxis).toBe('step');
    expect(parseView(new URLSearchParams('runs=')).runs).toEqual([]);
  });

  it('compiles filters; an invalid regex falls back to a substring match', () => {
    expect(compileFilter('^val/')('val/loss')).toBe(true);
    expect(compileFilter('^val/')('train/val')).toBe(false);
    expect(compileFilter('loss(')('my_loss(x)')).toBe(true);
    expect(compileFilter('')('anything')).toBe(true);
    expect(tagGroup('dense_1/kernel')).toBe('dense_1');
    expect(tagGroup('loss')).toBe('loss');
  });

  it('gives runs a stable palette color from their name', () => {
    expect(runColor('sweep/relu')).toBe(runColor('sweep/relu'));
    expect(PALETTE).toContain(runColor('x'));
    expect(hashString('a')).toBe(0xe40c292c); // FNV-1a reference value
  });

  it('writes CSV and JSON downloads', () => {
    const s = { run: 'r,1', tag: 'loss', walls: [1, 2], steps: [0, 1], values: [0.5, NaN], n: 2 };
    expect(seriesToCsv([s])).toBe('run,tag,wall_time,step,value\n"r,1",loss,1,0,0.5\n"r,1",loss,2,1,NaN\n');
    expect(JSON.parse(seriesToJson([s]))).toEqual({ 'r,1': { loss: [[1, 0, 0.5], [2, 1, null]] } });
  });
});

describe('url state: seed bands and scalar zoom', () => {
  it('round-trips the seed-band toggle and zoom ranges (tags with separators included)', () => {
    const v = { ...DEFAULT_VIEW, seedBands: true, zoom: { 'train/loss': [10, 250] as [number, number], 'a|b@c': [-1.5, 2] as [number, number] } };
    const p = writeView(v, new URLSearchParams());
    expect(p.get('seeds')).toBe('1');
    expect(parseView(new URLSearchParams(p.toString()))).toEqual(v);
    expect(parseView(new URLSearchParams('')).zoom).toEqual({});
  });

  it('keeps zoom short: ~4 significant digits of the range', () => {
    expect(roundForUrl(123.456789, 100)).toBe(123.46);
    expect(roundForUrl(0.00012345678, 0.00001)).toBe(0.000123457);
    const s = encodeZoom({ loss: [1234.5678901, 5678.123456] });
    expect(s).toBe('loss@1234.6~5678.1');
    expect(decodeZoom(s)).toEqual({ loss: [1234.6, 5678.1] });
  });

  it('drops junk and bounds the number of zoomed charts', () => {
    expect(decodeZoom('a@5~1|b@x~2|c@~3|@1~2|d@1~2')).toEqual({ d: [1, 2] });
    const many = Object.fromEntries(Array.from({ length: MAX_ZOOMS + 5 }, (_, i) => [`t${i}`, [0, 1] as [number, number]]));
    const kept = decodeZoom(encodeZoom(many));
    expect(Object.keys(kept)).toHaveLength(MAX_ZOOMS);
    expect(kept[`t${MAX_ZOOMS + 4}`]).toEqual([0, 1]); // the latest are kept
  });
});

describe('url state: plugin tabs', () => {
  it('round-trips plugin tabs, per-card steps and samples, the raw toggle and toggled categories', async () => {
    const { encodeIntMap, decodeIntMap } = await import('../../web/src/lib/url-state.ts');
    const v = { ...DEFAULT_VIEW, tab: 'pr_curves' as const, pluginSteps: { 'run|a\u0000t@x': 5, b: -2 }, textRaw: true, audioSamples: { k: 3 }, csToggled: ['losses', 'a|b'] };
    const p = writeView(v, new URLSearchParams());
    expect(parseView(new URLSearchParams(p.toString()))).toEqual(v);
    expect(decodeIntMap(encodeIntMap({ 'a@b': 7 }))).toEqual({ 'a@b': 7 });
    expect(decodeIntMap('x@1.5|@3|y@|z@9')).toEqual({ z: 9 });
    expect(parseView(new URLSearchParams('tab=text')).tab).toBe('text');
  });
});
