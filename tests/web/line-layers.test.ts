import { describe, expect, it } from 'vitest';
import { LAYER_PIXEL_BUDGET, layerSize, LineLayers, partition, type Ctx2D, type LayerCanvas } from '../../web/src/lib/charts/line-layers.ts';
import { chartLabel, steadyRange } from '../../web/src/lib/charts/line-chart-draw.ts';
import type { LineSpec } from '../../web/src/lib/charts/line-data.ts';

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ id: `sweep/run_${String(i + from).padStart(4, '0')}` }));

/** Fake canvases: each records the groups stroked into it; the target records the layers composited. */
function fakes() {
  let made = 0;
  const canvases: (LayerCanvas & { n: number })[] = [];
  const makeCanvas = (width: number, height: number) => {
    const c = { width, height, n: made++, getContext: () => ({ setTransform() {}, clearRect() {} }) };
    canvases.push(c);
    return c;
  };
  const drawn: number[] = [];
  const target = {
    save() {}, restore() {}, setTransform() {}, clearRect() {},
    getTransform: () => ({}) as DOMMatrix,
    drawImage: (c: { n: number }) => drawn.push(c.n),
  } as unknown as Ctx2D;
  return { makeCanvas, canvases, drawn, target, made: () => made };
}

describe('line layers', () => {
  it('layer size: about an eighth of the lines, a power of two, at least 16', () => {
    expect(layerSize(1000)).toBe(128);
    expect(layerSize(999)).toBe(128);
    expect(layerSize(10)).toBe(16);
    expect(layerSize(8000)).toBe(1024);
  });

  it('groups are contiguous, cover every line in order, and are cut at 3 x size at most', () => {
    const lines = ids(1000);
    const groups = partition(lines, 128);
    expect(groups.flat()).toEqual(lines);
    expect(groups.length).toBeGreaterThan(2);
    for (const g of groups) expect(g.length).toBeLessThanOrEqual(3 * 128);
  });

  it('removing or adding one line changes only the group it is in', () => {
    const lines = ids(1000);
    const before = partition(lines, 64);
    const key = (g: { id: string }[]) => g.map((l) => l.id).join(',');
    const old = new Set(before.map(key));
    for (const drop of [0, 2, 500, 999]) {
      const after = partition(lines.filter((_, i) => i !== drop), 64);
      const changed = after.filter((g) => !old.has(key(g)));
      expect(changed.length).toBeLessThanOrEqual(1);
      expect(after.length).toBeGreaterThanOrEqual(before.length - 1);
    }
  });

  it('a redraw after one line is hidden re-strokes one layer and composites all of them in draw order', () => {
    const f = fakes();
    const layers = new LineLayers<{ id: string }>(f.makeCanvas);
    const lines = ids(1000);
    const stroked: string[][] = [];
    const stroke = (_c: unknown, g: readonly { id: string }[]) => stroked.push(g.map((l) => l.id));
    expect(layers.draw(f.target, lines, 'k', 400, 200, stroke)).toBe(true);
    const groups = partition(lines, layerSize(1000));
    expect(layers.restroked).toBe(groups.length);
    // Last group first, so the first line ends on top.
    expect(f.drawn).toEqual(groups.map((_, i) => i).reverse());
    stroked.length = 0;
    f.drawn.length = 0;
    const hidden = lines.filter((l) => l.id !== 'sweep/run_0500');
    layers.draw(f.target, hidden, 'k', 400, 200, stroke);
    expect(layers.restroked).toBe(1);
    expect(stroked).toHaveLength(1);
    expect(stroked[0]).not.toContain('sweep/run_0500');
    expect(f.drawn).toHaveLength(partition(hidden, layerSize(999)).length);
    // Shown again: that layer again, the others kept; no new canvas was needed.
    const made = f.made();
    layers.draw(f.target, lines, 'k', 400, 200, stroke);
    expect(layers.restroked).toBe(1);
    expect(f.made()).toBe(made);
  });

  it('a new mapping (zoom, y range, size) re-strokes every layer', () => {
    const f = fakes();
    const layers = new LineLayers<{ id: string }>(f.makeCanvas);
    const lines = ids(300);
    layers.draw(f.target, lines, 'k', 400, 200, () => undefined);
    layers.draw(f.target, lines, 'k2', 400, 200, () => undefined);
    expect(layers.restroked).toBe(partition(lines, layerSize(300)).length);
    layers.draw(f.target, lines, 'k2', 500, 200, () => undefined);
    expect(layers.restroked).toBe(partition(lines, layerSize(300)).length);
    expect(f.canvases.every((c) => c.width === 500)).toBe(true);
  });

  it('layers beyond the pixel budget are not kept: the chart draws directly', () => {
    const f = fakes();
    const layers = new LineLayers<{ id: string }>(f.makeCanvas);
    expect(layers.draw(f.target, ids(1000), 'k', 4000, Math.ceil(LAYER_PIXEL_BUDGET / 4000 / 2), () => undefined)).toBe(false);
    expect(f.made()).toBe(0);
  });

  it('charts drawn longest ago give up their layers when the budget is exceeded', () => {
    const f = fakes();
    const a = new LineLayers<{ id: string }>(f.makeCanvas);
    const b = new LineLayers<{ id: string }>(f.makeCanvas);
    const lines = ids(1000);
    const groups = partition(lines, layerSize(1000)).length;
    // Each chart alone fits; both do not.
    const h = Math.floor((0.6 * LAYER_PIXEL_BUDGET) / groups / 1000);
    a.draw(f.target, lines, 'k', 1000, h, () => undefined);
    b.draw(f.target, lines, 'k', 1000, h, () => undefined);
    a.draw(f.target, lines, 'k', 1000, h, () => undefined);
    expect(a.restroked).toBe(groups); // a's layers were dropped when b drew
    a.release();
    b.release();
  });
});

describe('steady y range', () => {
  it('keeps the previous range while the new one is within 2% of its span at both ends', () => {
    expect(steadyRange([0, 1], [0.01, 0.995], false)).toEqual([0, 1]);
    expect(steadyRange([0, 1], [0.05, 1], false)).toEqual([0.05, 1]);
    expect(steadyRange([0, 1], [0, 1.5], false)).toEqual([0, 1.5]);
    expect(steadyRange(null, [0, 1], false)).toEqual([0, 1]);
    expect(steadyRange([0, 1], null, false)).toBeNull();
  });

  it('on a log axis the tolerance is in decades', () => {
    expect(steadyRange([1, 1000], [1.05, 1000], true)).toEqual([1, 1000]);
    expect(steadyRange([1, 1000], [2, 1000], true)).toEqual([2, 1000]);
  });
});

describe('chart label', () => {
  const line = (label: string, faint = false) => ({ id: label, label, faint }) as LineSpec;
  it('names the lines, the first few of many, and leaves out faint ones', () => {
    expect(chartLabel([line('a'), line('a raw', true), line('b')])).toBe('line chart: a, b');
    const many = Array.from({ length: 1000 }, (_, i) => line(`r${i}`));
    expect(chartLabel(many, 3)).toBe('line chart: r0, r1, r2 and 997 more');
  });
});
