import { describe, expect, it } from 'vitest';
import { estimateEtaSec, EtaTracker, type ProgressSample } from '../../shared/eta.ts';

/**
 * A paced run as the trainer sees it: `pace` it/s, each iteration `computeSec` of work then a sleep to
 * keep the pace, a validation pass of `valSec` at each epoch end, and a `startPauseSec` warm-up before
 * the first iteration. Returns the wall time of each iteration's end (index = iteration).
 */
function pacedRun(o: { total: number; perEpoch: number; pace: number; computeSec: number; valSec: number; startPauseSec: number }): number[] {
  const times = [0];
  let t = o.startPauseSec;
  for (let it = 1; it <= o.total; it++) {
    t += o.computeSec;
    // The trainer sleeps while it is ahead of its schedule (it / pace after its start), so time lost to
    // the warm-up or a validation pass is made up by running unpaced for a while.
    const due = it / o.pace;
    if (t < due) t = due;
    if (it % o.perEpoch === 0) t += o.valSec;
    times.push(t);
  }
  return times;
}

describe('ETA from wall-clock progress', () => {
  it('at 50 % of a paced run is within 20 % of the remaining wall time', () => {
    const run = { total: 1000, perEpoch: 100, pace: 40, computeSec: 0.002, valSec: 0.3, startPauseSec: 3 };
    const times = pacedRun(run);
    const tracker = new EtaTracker(run.total);
    tracker.update(0, 0);
    let eta: number | null = null;
    for (let it = 1; it <= run.total / 2; it++) eta = tracker.update(times[it], it);
    const actual = times[run.total] - times[run.total / 2];
    expect(eta).not.toBeNull();
    expect(Math.abs(eta! - actual) / actual).toBeLessThan(0.2);
    // The old estimate (compute time per iteration x iterations left) was about 10x too short here.
    expect(run.computeSec * (run.total / 2)).toBeLessThan(actual / 10);
  });

  it('is not thrown off by a long pause at the start', () => {
    // 20 s warm-up, then 10 it/s: at iteration 300 (30 s in) a whole-run average would say 20 s/300 it slower.
    const samples: ProgressSample[] = [{ t: 0, done: 0 }];
    for (let it = 1; it <= 300; it++) samples.push({ t: 20 + it / 10, done: it });
    const eta = estimateEtaSec(samples, 600);
    expect(eta).toBeCloseTo(30, 5);
  });

  it('has no estimate before there is progress to go on, and 0 when done', () => {
    expect(estimateEtaSec([], 10)).toBeNull();
    expect(estimateEtaSec([{ t: 0, done: 0 }], 10)).toBeNull();
    expect(estimateEtaSec([{ t: 0, done: 0 }, { t: 0.1, done: 1 }], 10)).toBeNull(); // under minSpanSec
    expect(estimateEtaSec([{ t: 0, done: 0 }, { t: 5, done: 0 }], 10)).toBeNull(); // stalled
    expect(estimateEtaSec([{ t: 0, done: 0 }, { t: 5, done: 10 }], 10)).toBe(0);
  });

  it('keeps a bounded number of samples', () => {
    const tr = new EtaTracker(1_000_000, { maxWindowSec: 5, resolutionSec: 0.1 });
    let eta: number | null = null;
    for (let it = 1; it <= 100_000; it++) eta = tr.update(it / 1000, it); // 1000 it/s for 100 s
    expect(tr.size).toBeLessThan(60);
    expect(eta).toBeCloseTo((1_000_000 - 100_000) / 1000, 0);
  });
});
