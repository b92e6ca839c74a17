import { describe, expect, it } from 'vitest';
import { AfterFirstChart } from '../../web/src/lib/after-first-chart.ts';

/** Hand-driven timers: advance(ms) runs what is due, frame() runs the animation frame callbacks. */
function clock() {
  let now = 0;
  let timers: { at: number; fn: () => void }[] = [];
  let frames: (() => void)[] = [];
  return {
    timers: {
      setTimeout: (fn: () => void, ms: number) => timers.push({ at: now + ms, fn }),
      requestAnimationFrame: (fn: () => void) => frames.push(fn),
    },
    advance(ms: number) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.fn();
    },
    frame() {
      const f = frames;
      frames = [];
      for (const fn of f) fn();
    },
  };
}

describe('AfterFirstChart', () => {
  it('runs waiting work after the frame that shows the first chart, once, not at its fallback again', () => {
    const c = clock();
    const a = new AfterFirstChart(c.timers);
    let runs = 0;
    a.run(() => runs++, 400);
    c.advance(100);
    a.chartDrawn();
    c.advance(0);
    expect(runs).toBe(0); // not before the frame that paints the chart
    c.frame();
    c.advance(0);
    expect(runs).toBe(1);
    c.advance(1000);
    expect(runs).toBe(1);
  });

  it('runs it at the fallback when no chart comes, and at once once a chart was drawn', () => {
    const c = clock();
    const a = new AfterFirstChart(c.timers);
    let runs = 0;
    a.run(() => runs++, 400);
    c.advance(399);
    expect(runs).toBe(0);
    c.advance(1);
    expect(runs).toBe(1);
    a.chartDrawn();
    c.frame();
    c.advance(0);
    expect(runs).toBe(1);
    a.run(() => runs++, 400);
    expect(runs).toBe(2);
  });
});
