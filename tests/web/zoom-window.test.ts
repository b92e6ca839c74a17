import { describe, expect, it } from 'vitest';
import { ScalarSeries } from '../../web/src/lib/state/scalar-series.ts';
import { backlogPoints, mergeWindow, stepWindowFor, zoomPointsPerRun, ZOOM_POINTS_TOTAL } from '../../web/src/lib/zoom-window.ts';

/** A coarse series: every 10th step of 0..1000, marked downsampled through `through`. */
function coarse(through = 1000): ScalarSeries {
  const s = new ScalarSeries();
  const steps = Array.from({ length: 101 }, (_, i) => i * 10);
  s.append(steps.map((x) => 1000 + x), steps, steps.map((x) => x / 10));
  s.decimatedThrough = through;
  return s;
}

describe('zoom window', () => {
  it('backlog points: 2 per pixel of the window, within bounds', () => {
    expect(backlogPoints(1400)).toBe(2800);
    expect(backlogPoints(0)).toBe(800);
    expect(backlogPoints(100_000)).toBe(8000);
  });

  it('points per run share a total, never below 4 per pixel nor above the server limit', () => {
    expect(zoomPointsPerRun(1, 500)).toBe(ZOOM_POINTS_TOTAL);
    expect(zoomPointsPerRun(1000, 500)).toBe(2000);
    expect(zoomPointsPerRun(10, 500)).toBe(ZOOM_POINTS_TOTAL / 10);
  });

  it('the step window reaches from the held point before the range to the one after it', () => {
    const s = coarse();
    expect(stepWindowFor(s, s.steps, 105, 148)).toEqual([100, 150]);
    expect(stepWindowFor(s, s.steps, 100, 150)).toEqual([90, 150]);
    expect(stepWindowFor(s, s.steps, -50, 5)).toEqual([0, 10]);
    // Nothing to fetch where the series was not downsampled, or holds nothing.
    expect(stepWindowFor(coarse(50), coarse(50).steps, 105, 148)).toBeNull();
    expect(stepWindowFor(new ScalarSeries(), new Float64Array(0), 0, 1)).toBeNull();
  });

  it('merging replaces the window with the fetched points and keeps the rest', () => {
    const s = coarse();
    const steps = Array.from({ length: 51 }, (_, i) => 100 + i);
    const m = mergeWindow(s, { walls: steps.map((x) => 1000 + x), steps, values: steps.map((x) => (x === 120 ? null : -x)) }, 100, 150);
    const held = Array.from(m.steps.subarray(0, m.n));
    expect(held.filter((x) => x >= 100 && x <= 150)).toEqual(steps);
    expect(held.filter((x) => x < 100)).toEqual(Array.from({ length: 10 }, (_, i) => i * 10));
    expect(held.filter((x) => x > 150)).toEqual(Array.from({ length: 85 }, (_, i) => 160 + i * 10));
    expect(m.values[held.indexOf(130)]).toBe(-130);
    expect(Number.isNaN(m.values[held.indexOf(120)])).toBe(true);
    expect(m.values[held.indexOf(90)]).toBe(9);
    expect(m.version).not.toBe(s.version);
  });
});
