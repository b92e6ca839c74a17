// HPARAMS plot maths: axis scales (linear, log, categories), brushing between pixels and values, the
// parallel-coordinates layout and paths, the colour scale, and the refresh throttle.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { axisAt, MIN_BRUSH_PX, pcLayout, PC_MARGIN, sessionPath, unitOf, yOf } from '../../web/src/lib/hparams/parcoords.ts';
import { axisScale, brushFromUnits, brushToUnits, colorAt, COLOR_STOPS, numericScale, sessionColors } from '../../web/src/lib/hparams/scales.ts';
import type { Column, Session } from '../../web/src/lib/hparams/sessions.ts';
import { Throttle } from '../../web/src/lib/hparams/throttle.ts';

const num = (key: string): Column => ({ key, kind: 'metric', label: key, description: '', numeric: true, discrete: false, values: [], differs: true });
const cat: Column = { key: 'h:act', kind: 'hparam', label: 'act', description: '', hparam: 'act', numeric: false, discrete: true, values: ['relu', 'tanh', 'elu'], differs: true };
const s = (name: string, values: Session['values']): Session => ({ name, run: name, label: name, values, status: 'unknown', step: null });

describe('axis scales', () => {
  it('linear over the data extent, inverse of itself', () => {
    const sc = numericScale([2, 4, 10]);
    expect(sc.kind).toBe('linear');
    expect(sc.toUnit(2)).toBe(0);
    expect(sc.toUnit(10)).toBe(1);
    expect(sc.toUnit(4)).toBeCloseTo(0.25);
    expect(sc.fromUnit(0.25)).toBeCloseTo(4);
    expect(sc.toUnit('x')).toBeNull();
    expect(sc.toUnit(undefined)).toBeNull();
    const ticks = sc.ticks();
    expect(ticks.length).toBeGreaterThan(2);
    for (const t of ticks) expect(t.u).toBeGreaterThanOrEqual(0);
  });

  it('log when a positive range spans 50x or more (learning rates)', () => {
    const sc = numericScale([0.0001, 0.001, 0.1]);
    expect(sc.kind).toBe('log');
    expect(sc.toUnit(0.001)).toBeCloseTo(1 / 3);
    expect(sc.fromUnit(2 / 3)).toBeCloseTo(0.01);
    expect(numericScale([-1, 100]).kind).toBe('linear');
    expect(sc.ticks().map((t) => t.label)).toContain('0.01');
  });

  it('a single value sits mid-axis', () => {
    expect(numericScale([3, 3]).toUnit(3)).toBeCloseTo(0.5);
    expect(numericScale([]).toUnit(0.5)).toBeCloseTo(0.5);
  });

  it('categories evenly spaced in column order', () => {
    const sc = axisScale(cat, []);
    expect(sc.kind).toBe('category');
    expect([sc.toUnit('relu'), sc.toUnit('tanh'), sc.toUnit('elu'), sc.toUnit('gelu')]).toEqual([0, 0.5, 1, null]);
    expect(sc.ticks().map((t) => t.label)).toEqual(['relu', 'tanh', 'elu']);
  });
});

describe('brushing', () => {
  it('maps a unit interval to values and back, in either drag direction, clamped', () => {
    const sc = numericScale([0, 10]);
    expect(brushFromUnits(sc, 0.8, 0.2)).toEqual([2, 8]);
    expect(brushFromUnits(sc, -0.5, 0.3)[0]).toBe(0);
    expect(brushToUnits(sc, [2, 8])).toEqual([0.2, 0.8]);
    expect(brushToUnits(sc, [-5, 50])).toEqual([0, 1]);
    const lg = numericScale([0.001, 1]);
    const b = brushFromUnits(lg, 1 / 3, 2 / 3);
    expect(b[0]).toBeCloseTo(0.01);
    expect(b[1]).toBeCloseTo(0.1);
    const u = brushToUnits(lg, b)!;
    expect(u[0]).toBeCloseTo(1 / 3);
  });

  it('a categorical brush covers the category positions inside it', () => {
    const sc = axisScale(cat, []);
    expect(brushFromUnits(sc, 0.4, 1)).toEqual([0.8, 2]);
    expect(brushToUnits(sc, [0.8, 2])).toEqual([0.4, 1]);
  });
});

describe('parallel-coordinates layout', () => {
  const cols = [cat, num('m::loss'), num('m::acc')];
  const sessions = [s('a', { 'h:act': 'relu', 'm::loss': 1, 'm::acc': 0.5 }), s('b', { 'h:act': 'elu', 'm::loss': 3, 'm::acc': 0.9 }), s('c', { 'h:act': 'tanh', 'm::acc': 0.7 })];
  const l = pcLayout(cols, sessions, 400, 300);

  it('spreads the axes across the width inside the margins', () => {
    expect(l.axes.map((a) => a.x)).toEqual([PC_MARGIN.side, 200, 400 - PC_MARGIN.side]);
    expect(l.top).toBe(PC_MARGIN.top);
    expect(l.bottom).toBe(300 - PC_MARGIN.bottom);
  });

  it('maps y pixels to units (top = 1) and back, clamped', () => {
    expect(yOf(l, 1)).toBe(l.top);
    expect(yOf(l, 0)).toBe(l.bottom);
    expect(unitOf(l, yOf(l, 0.3))).toBeCloseTo(0.3);
    expect(unitOf(l, -100)).toBe(1);
    expect(unitOf(l, 1000)).toBe(0);
  });

  it('draws a polyline per session, lifting the pen over missing values', () => {
    expect(sessionPath(l, sessions[0])).toBe(`M48.0 ${l.bottom.toFixed(1)}L200.0 ${l.bottom.toFixed(1)}L352.0 ${l.bottom.toFixed(1)}`);
    expect(sessionPath(l, sessions[1])).toBe(`M48.0 ${l.top.toFixed(1)}L200.0 ${l.top.toFixed(1)}L352.0 ${l.top.toFixed(1)}`);
    const mid = yOf(l, 0.5).toFixed(1);
    expect(sessionPath(l, sessions[2])).toBe(`M48.0 ${mid}h0.01M352.0 ${mid}h0.01`);
    expect(sessionPath(l, s('q', { 'h:act': 'relu' }))).toBe(`M48.0 ${l.bottom.toFixed(1)}h0.01`);
  });

  it('finds the axis under the pointer within the slop', () => {
    expect(axisAt(l, 205)?.col.key).toBe('m::loss');
    expect(axisAt(l, 130)).toBeNull();
    expect(MIN_BRUSH_PX).toBeGreaterThan(0);
  });
});

describe('colour scale', () => {
  it('runs from the first stop to the last', () => {
    expect(colorAt(0)).toBe(COLOR_STOPS[0]);
    expect(colorAt(1)).toBe(COLOR_STOPS[COLOR_STOPS.length - 1]);
    expect(colorAt(-3)).toBe(COLOR_STOPS[0]);
    expect(colorAt(Number.NaN)).toBe(COLOR_STOPS[0]);
    expect(colorAt(0.5)).toBe(COLOR_STOPS[2]);
  });

  it('colours sessions over the metric range, grey without a value', () => {
    const c = sessionColors([s('a', { m: 1 }), s('b', { m: 3 }), s('c', {})], 'm', '#999999');
    expect(c.get('a')).toBe(COLOR_STOPS[0]);
    expect(c.get('b')).toBe(COLOR_STOPS[COLOR_STOPS.length - 1]);
    expect(c.get('c')).toBe('#999999');
    expect(sessionColors([s('a', { m: 1 })], null, '#999999').get('a')).toBe('#999999');
  });
});

describe('refresh throttle', () => {
  afterEach(() => vi.useRealTimers());

  it('runs the first request at once and folds the rest of the interval into one trailing call', () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    const t = new Throttle(fn, 2000);
    t.request();
    expect(fn).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(100);
      t.request();
    }
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1000);
    expect(fn).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(5000);
    expect(fn).toHaveBeenCalledTimes(2);
    t.request();
    expect(fn).toHaveBeenCalledTimes(3);
    t.request();
    t.cancel();
    vi.advanceTimersByTime(5000);
    expect(fn).toHaveBeenCalledTimes(3);
  });
});
