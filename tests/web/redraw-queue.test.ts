import { describe, expect, it } from 'vitest';
import { COST_SPACING, RedrawQueue, type Drawable } from '../../web/src/lib/charts/redraw-queue.ts';

/** A fake clock; each chart's draw advances it by its cost. */
function setup(costs: number[]) {
  let t = 0;
  const log: number[] = [];
  const charts: Drawable[] = costs.map((c, i) => ({ draw: () => { log.push(i); t += c; } }));
  return { q: new RedrawQueue(), charts, log, now: () => t, advance: (ms: number) => (t += ms) };
}

describe('RedrawQueue', () => {
  it('draws queued charts in request order until the frame budget is spent, the rest next frame', () => {
    const { q, charts, log, now, advance } = setup([3, 3, 3, 3]);
    for (const c of charts) q.request(c);
    q.request(charts[0]); // already queued: keeps its place, drawn once
    expect(q.runFrame(now, 8)).toBe(3); // 3 ms each: after 9 ms the budget (8) is spent
    expect(log).toEqual([0, 1, 2]);
    advance(100);
    q.request(charts[0]); // asks again: goes behind chart 3, which waited
    expect(q.runFrame(now, 8)).toBe(2);
    expect(log).toEqual([0, 1, 2, 3, 0]);
    expect(q.pending).toBe(false);
  });

  it('always draws one chart per frame, even one costlier than the budget, and skips one that would overrun', () => {
    const { q, charts, log, now, advance } = setup([20, 1, 30]);
    for (const c of charts) q.request(c);
    q.runFrame(now, 8);
    expect(log).toEqual([0]);
    advance(1000);
    q.runFrame(now, 8);
    q.runFrame(now, 8);
    expect(log).toEqual([0, 1, 2]);
    advance(1000);
    // every chart's cost is known now: chart 2 (30 ms) is not started after chart 1 in the same frame
    q.request(charts[1]);
    q.request(charts[2]);
    q.runFrame(now, 8);
    expect(log).toEqual([0, 1, 2, 1]);
    expect(q.pending).toBe(true);
  });

  it('leaves off-screen charts queued until they are visible', () => {
    const { q, charts, log, now } = setup([1, 1]);
    q.setVisible(charts[0], false);
    expect(q.request(charts[0])).toBe(false);
    expect(q.pending).toBe(false);
    q.request(charts[1]);
    q.runFrame(now);
    expect(log).toEqual([1]);
    q.setVisible(charts[0], true);
    expect(q.pending).toBe(true);
    q.runFrame(now);
    expect(log).toEqual([1, 0]);
  });

  it('spaces the redraws of an expensive chart by COST_SPACING x its draw time', () => {
    const { q, charts, log, now, advance } = setup([10]);
    q.request(charts[0]);
    q.runFrame(now);
    q.request(charts[0]);
    advance(COST_SPACING * 10 - 5); // the last draw ended COST_SPACING x 10 - 5 ms ago: not yet due
    q.runFrame(now);
    expect(log).toEqual([0]);
    expect(q.pending).toBe(true);
    advance(5);
    q.runFrame(now);
    expect(log).toEqual([0, 0]);
  });
});
