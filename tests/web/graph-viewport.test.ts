import { describe, expect, it } from 'vitest';
import { fitView, focusView, panView, resizeView, zoomView } from '../../web/src/lib/graph/viewport.ts';

describe('graph viewport', () => {
  it('fit keeps the element aspect and contains the padded bounds, centred', () => {
    const vb = fitView({ x: 10, y: 20, width: 400, height: 100 }, 800, 600, 10);
    expect(vb.h / vb.w).toBeCloseTo(600 / 800);
    expect(vb.x).toBeLessThanOrEqual(0);
    expect(vb.x + vb.w).toBeGreaterThanOrEqual(420);
    expect(vb.y).toBeLessThanOrEqual(10);
    expect(vb.y + vb.h).toBeGreaterThanOrEqual(130);
    expect(vb.x + vb.w / 2).toBeCloseTo(210);
    expect(vb.y + vb.h / 2).toBeCloseTo(70);
    // a tall graph: height decides
    const tall = fitView({ x: 0, y: 0, width: 100, height: 1000 }, 800, 400, 0);
    expect(tall.h).toBeCloseTo(1000);
    expect(tall.w).toBeCloseTo(2000);
    // a tiny graph is shown at most 1.25x
    expect(fitView({ x: 0, y: 0, width: 50, height: 50 }, 1000, 500).w).toBe(800);
  });

  it('zoom keeps the point under the pointer fixed', () => {
    const vb = { x: 0, y: 0, w: 800, h: 600 };
    const z = zoomView(vb, 0.5, 0.25, 0.75);
    expect(z.w).toBe(400);
    expect(z.h).toBe(300);
    expect(z.x + 0.25 * z.w).toBeCloseTo(200);
    expect(z.y + 0.75 * z.h).toBeCloseTo(450);
    expect(zoomView(vb, 1e-6).w).toBe(20);
  });

  it('pan moves opposite to the drag in graph units', () => {
    const vb = { x: 0, y: 0, w: 1600, h: 1200 };
    expect(panView(vb, 10, -5, 800)).toEqual({ x: -20, y: 10, w: 1600, h: 1200 });
  });

  it('resize and focus keep sensible aspect and centre', () => {
    const r = resizeView({ x: 0, y: 0, w: 800, h: 600 }, 400, 400);
    expect(r.h).toBe(800);
    expect(r.y).toBe(-100);
    const f = focusView({ x: 0, y: 0, w: 4000, h: 3000 }, { x: 1000, y: 1000, width: 100, height: 30 });
    expect(f.x + f.w / 2).toBeCloseTo(1050);
    expect(f.y + f.h / 2).toBeCloseTo(1015);
    expect(f.w).toBeLessThan(4000);
    expect(f.h / f.w).toBeCloseTo(0.75);
    // never closer than 1:1 on an 800 px wide element
    expect(focusView({ x: 0, y: 0, w: 4000, h: 3000 }, { x: 0, y: 0, width: 50, height: 20 }, 800).w).toBe(800);
  });
});
