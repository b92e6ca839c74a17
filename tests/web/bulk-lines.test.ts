import { describe, expect, it } from 'vitest';
import { BULK_MIN_LINES, bulkExtent, pixelMap, strokeLines, type BulkLine } from '../../web/src/lib/charts/bulk-lines.ts';
import { LineDatasets } from '../../web/src/lib/charts/line-datasets.ts';
import { CHART_POINT_BUDGET, columnsPerLine, visibleArrays, visiblePoints, type LineSpec } from '../../web/src/lib/charts/line-data.ts';

const spec = (xs: number[], ys: number[]): LineSpec => ({ id: 'a', label: 'a', color: '#000', xs, ys, n: xs.length, key: '1' });
const bulk = (xs: number[], ys: number[], color = '#111'): BulkLine => ({ id: color, xs: Float64Array.from(xs), ys: Float64Array.from(ys), n: xs.length, color, width: 1, dash: [] });

/** A canvas context that records path calls. */
function recorder() {
  const calls: string[] = [];
  const ctx = {
    set strokeStyle(c: string) { calls.push(`color ${c}`); },
    set fillStyle(_c: string) {},
    set lineWidth(_w: number) {},
    setLineDash: () => undefined,
    beginPath: () => calls.push('begin'),
    moveTo: (x: number, y: number) => calls.push(`move ${x},${y}`),
    lineTo: (x: number, y: number) => calls.push(`line ${x},${y}`),
    arc: (x: number, y: number) => calls.push(`dot ${x},${y}`),
    stroke: () => calls.push('stroke'),
  };
  return { ctx: ctx as unknown as CanvasRenderingContext2D, calls };
}

describe('many lines on one chart', () => {
  it('columns per line: the plot width for a few lines, fewer for hundreds, within the point budget', () => {
    expect(columnsPerLine(600, 3)).toBe(600);
    const c = columnsPerLine(600, 1000);
    expect(c).toBeLessThan(600);
    expect(2 * c * 1000).toBeLessThanOrEqual(CHART_POINT_BUDGET);
    expect(columnsPerLine(600, 1_000_000)).toBe(25); // never below a readable minimum
  });

  it('typed-array decimation gives the same points as the object form', () => {
    const xs = Array.from({ length: 5000 }, (_, i) => i);
    const ys = xs.map((x) => (x === 2345 ? 100 : x === 77 ? NaN : Math.sin(x / 50)));
    const objs = visiblePoints(spec(xs, ys), 0, 4999, 100, false, 2);
    const arr = visibleArrays(spec(xs, ys), 0, 4999, 100, false, 2);
    expect(arr.n).toBe(objs.length);
    expect(Array.from(arr.xs)).toEqual(objs.map((p) => p.x));
    expect(Array.from(arr.ys)).toEqual(objs.map((p) => p.y));
    expect(Math.max(...Array.from(arr.ys).filter(Number.isFinite))).toBe(100); // the spike survives
  });

  it('strokes each line once, first line last (on top), breaks at gaps and dots lone points', () => {
    const { ctx, calls } = recorder();
    strokeLines(ctx, [bulk([0, 1, 2, 3, 4], [0, 1, NaN, 3, NaN], '#top'), bulk([0, 1], [5, 6], '#under')], (x) => x * 10, (y) => y);
    expect(calls).toEqual([
      'color #under', 'begin', 'move 0,5', 'line 10,6', 'stroke',
      'color #top', 'begin', 'move 0,0', 'line 10,1', 'move 30,3', 'dot 30,3', 'stroke',
    ]);
  });

  it('pixel map: a multiply-add equal to the scale on a linear axis, the scale itself on a log one', () => {
    const scale = (type: string) => ({ type, min: 2, max: 12, getPixelForValue: (v: number) => (type === 'linear' ? 400 - (v - 2) * 30 : 400 - Math.log10(v) * 100) });
    const lin = pixelMap(scale('linear'));
    for (const v of [2, 7.5, 12, -3, 40]) expect(lin(v)).toBeCloseTo(scale('linear').getPixelForValue(v), 9);
    const log = pixelMap(scale('logarithmic'));
    expect(log(100)).toBe(200);
  });

  it('y extent over bulk lines skips gaps, and non-positive values on a log axis', () => {
    const lines = [bulk([0, 1, 2], [-1, NaN, 4]), bulk([0, 1], [0.5, 2])];
    expect(bulkExtent(lines, false)).toEqual([-1, 4]);
    expect(bulkExtent(lines, true)).toEqual([0.5, 4]);
    expect(bulkExtent([bulk([0], [NaN])], false)).toBeNull();
  });
});

describe('line datasets kept by line id', () => {
  const line = (id: string, extra: Partial<LineSpec> = {}): LineSpec => ({ ...spec([0, 1, 2], [1, 2, 3]), id, label: id, ...extra });

  it('adding or removing one line keeps the other datasets (same objects, not recomputed)', () => {
    const b = new LineDatasets();
    const first = b.build([line('a'), line('b')], 0, 2, 400, false);
    const second = b.build([line('a'), line('new'), line('b')], 0, 2, 400, false);
    expect(second.datasets[0]).toBe(first.datasets[0]);
    expect(second.datasets[2]).toBe(first.datasets[1]);
    expect(second.datasets[0].data).toBe(first.datasets[0].data); // not recomputed
    expect(second.datasets.map((d) => d.label)).toEqual(['a', 'new', 'b']);
    const third = b.build([line('b')], 0, 2, 400, false);
    expect(third.datasets).toEqual([first.datasets[1]]);
    // A changed data key recomputes that line.
    const old = third.datasets[0].data;
    expect(b.build([line('b', { key: '2' })], 0, 2, 400, false).datasets[0].data).not.toBe(old);
  });

  it(`from ${BULK_MIN_LINES} lines on, plain lines are drawn in bulk; a seed band and its fill stay datasets`, () => {
    const many = Array.from({ length: BULK_MIN_LINES }, (_, i) => line(`r${i}`));
    const band = [line('lo', { faint: true }), line('hi', { faint: true, fill: '-1' })];
    const out = new LineDatasets().build([...band, ...many], 0, 2, 400, false);
    expect(out.datasets.map((d) => d.label)).toEqual(['lo', 'hi']);
    expect(out.bulk.map((l) => l.id)).toEqual(many.map((l) => l.id));
    expect(out.fullN).toBe(3 * BULK_MIN_LINES);
    expect(new LineDatasets().build(many.slice(1), 0, 2, 400, false).bulk).toEqual([]);
  });

  it('a chart whose runs are still loading is built as it will be: in bulk when it will hold many lines, the same lines kept as runs come', () => {
    const b = new LineDatasets();
    const first = b.build([line('r0'), line('r1')], 0, 2, 400, false, BULK_MIN_LINES + 2);
    expect(first.datasets).toEqual([]);
    expect(first.bulk.map((l) => l.id)).toEqual(['r0', 'r1']);
    const later = b.build([line('r0'), line('r1'), line('r2')], 0, 2, 400, false, BULK_MIN_LINES + 2);
    expect(later.bulk[0]).toBe(first.bulk[0]); // the columns per line did not change: not recomputed
    expect(new LineDatasets().build([line('r0'), line('r1')], 0, 2, 400, false).bulk).toEqual([]);
  });

  it('lines filtered away and shown again are not recomputed (kept up to the peak line count)', () => {
    const b = new LineDatasets();
    const all = Array.from({ length: 200 }, (_, i) => line(`r${i}`));
    const first = b.build(all, 0, 2, 400, false).bulk;
    b.build(all.slice(0, 60), 0, 2, 400, false);
    const again = b.build(all, 0, 2, 400, false).bulk;
    // (the 60 shown in between were decimated to more columns meanwhile, so they are recomputed)
    expect(again.slice(60).every((l, i) => l === first[60 + i])).toBe(true);
    // Beyond the peak, lines not drawn are dropped: other runs do not pile up.
    const others = Array.from({ length: 200 }, (_, i) => line(`s${i}`));
    b.build(others, 0, 2, 400, false);
    expect(b.build(all, 0, 2, 400, false).bulk[100]).not.toBe(first[100]);
  });

  it('says whether the Chart.js datasets changed (bulk lines aside)', () => {
    const b = new LineDatasets();
    expect(b.build([line('a'), line('b')], 0, 2, 400, false).datasetsChanged).toBe(true);
    expect(b.build([line('a'), line('b')], 0, 2, 400, false).datasetsChanged).toBe(false);
    expect(b.build([line('a')], 0, 2, 400, false).datasetsChanged).toBe(true);
    expect(b.build([line('a', { key: '2' })], 0, 2, 400, false).datasetsChanged).toBe(true);
    const many = Array.from({ length: BULK_MIN_LINES + 1 }, (_, i) => line(`r${i}`));
    b.build(many, 0, 2, 400, false);
    expect(b.build(many.slice(1), 0, 2, 400, false).datasetsChanged).toBe(false);
  });
});
