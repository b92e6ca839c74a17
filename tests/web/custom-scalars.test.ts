import { describe, expect, it } from 'vitest';
import { beforeAll } from 'vitest';
import { categoryOpen, chartLines, loadRegexEngine, parseLayout, tagMatcher, type ChartRun, type SeriesLike } from '../../web/src/lib/custom-scalars/layout.ts';

const series = (vals: number[], version = 1): SeriesLike => ({
  steps: Float64Array.from(vals.map((_, i) => i)),
  values: Float64Array.from(vals),
  walls: Float64Array.from(vals.map((_, i) => 100 + i)),
  n: vals.length,
  version,
});
const run = (name: string, tags: Record<string, number[]>): ChartRun => ({ name, color: '#112233', series: new Map(Object.entries(tags).map(([t, v]) => [t, series(v)])) });

// The layout PyTorch's add_custom_scalars wrote in tests/fixtures/plugin-views (as the layout route answers it).
const LAYOUT = {
  version: 0,
  category: [
    { title: 'training', closed: false, chart: [
      { title: 'losses', multiline: { tag: ['train/loss$', 'val/.*'] } },
      { title: 'loss band', margin: { series: [{ value: 'train/loss', lower: 'train/loss_lo', upper: 'train/loss_hi' }] } },
    ] },
    { title: 'shut', closed: true, chart: [{ title: 'junk' }, 'x'] },
  ],
};

beforeAll(() => loadRegexEngine());

describe('custom scalars layout', () => {
  it('parses the layout route and skips malformed parts', () => {
    const cats = parseLayout(LAYOUT);
    expect(cats.map((c) => [c.title, c.closed, c.charts.map((ch) => ch.kind)])).toEqual([['training', false, ['multiline', 'margin']], ['shut', true, []]]);
    expect(parseLayout({})).toEqual([]);
    expect(parseLayout(null)).toEqual([]);
  });

  it('opens a category as the layout says, flipped when the user toggled it', () => {
    const [open, shut] = parseLayout(LAYOUT);
    expect(categoryOpen(open, [])).toBe(true);
    expect(categoryOpen(open, ['training'])).toBe(false);
    expect(categoryOpen(shut, [])).toBe(false);
    expect(categoryOpen(shut, ['shut'])).toBe(true);
  });

  it('matches tags from their start on RE2 (as TensorBoard\'s re.match), refusing what RE2 cannot run', () => {
    const m = tagMatcher('train/');
    expect(m instanceof Error ? m : m('train/loss')).toBe(true);
    expect(m instanceof Error ? m : m('x/train/loss')).toBe(false);
    expect(tagMatcher('(a)\\1')).toBeInstanceOf(Error);
    // A pattern that backtracks exponentially on RegExp runs in linear time here.
    const evil = tagMatcher('(a|a)*b');
    const t0 = performance.now();
    expect(evil instanceof Error ? evil : evil('a'.repeat(5000))).toBe(false);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('draws a multiline chart per matching (run, tag) and a margin chart as lower, upper filled to it, then the value', () => {
    const [training] = parseLayout(LAYOUT);
    const runs = [run('torch', { 'train/loss': [2, 1], 'train/loss_lo': [1.4, 0.7], 'train/loss_hi': [2.6, 1.3], 'val/loss': [2.2, 1.1], 'train/loss_lo2': [0] }), run('tf2', { 'train/loss': [1] })];
    const multi = chartLines(training.charts[0], runs, () => '#abcdef');
    expect(multi.lines.map((l) => l.label)).toEqual(['train/loss · torch', 'val/loss · torch', 'train/loss · tf2']);
    expect(multi.lines[0].color).toBe('#abcdef'); // several tags of one run: a color per (run, tag)
    expect(multi.lines[2].color).toBe('#112233'); // one tag: the run's color
    const margin = chartLines(training.charts[1], runs, () => '#000000');
    expect(margin.lines.map((l) => [l.label, l.fill ?? false, l.faint ?? false])).toEqual([
      ['train/loss_lo · torch', false, true],
      ['train/loss_hi · torch', '-1', true],
      ['train/loss · torch', false, false],
      ['train/loss · tf2', false, false],
    ]);
    expect(Array.from(margin.lines[1].ys)).toEqual([2.6, 1.3]);
    const bad = chartLines({ title: 'b', kind: 'multiline', patterns: ['(x', 'val/'] }, runs, () => '#000000');
    expect(bad.errors).toHaveLength(1);
    expect(bad.lines.map((l) => l.label)).toEqual(['val/loss · torch']);
  });
});
