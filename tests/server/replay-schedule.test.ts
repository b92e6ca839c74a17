import { describe, expect, it } from 'vitest';
import {
  clockPosition,
  compressTimeline,
  dueEnd,
  msUntilNext,
  newClock,
  pauseClock,
  resumeClock,
  seekClock,
  seekIndex,
  setClockSpeed,
} from '../../server/live/replay-schedule.ts';

describe('replay schedule', () => {
  it('follows wall-time gaps, capping long ones and ignoring backwards or non-finite times', () => {
    expect(compressTimeline([100, 100.5, 101, 200, 199, NaN, 201], 2)).toEqual([0, 0.5, 1, 3, 3, 3, 3]);
    expect(compressTimeline([], 2)).toEqual([]);
  });

  it('delivers the records whose time has come, at the chosen speed', () => {
    const tl = compressTimeline([0, 1, 2, 3, 4], 10);
    const c = newClock(1, 0);
    expect(dueEnd(tl, 0, clockPosition(c, 0))).toBe(1); // record at t=0 immediately
    expect(dueEnd(tl, 1, clockPosition(c, 999))).toBe(1);
    expect(dueEnd(tl, 1, clockPosition(c, 2500))).toBe(3);
    const fast = newClock(10, 0);
    expect(dueEnd(tl, 0, clockPosition(fast, 300))).toBe(4); // 3 log-seconds in 300 ms
    expect(msUntilNext(fast, 300, tl, 4)).toBeCloseTo(100);
  });

  it("'max' makes everything due, chunked by maxCount", () => {
    const tl = compressTimeline([0, 50, 100, 150], 1000);
    const c = newClock('max', 0);
    expect(dueEnd(tl, 0, clockPosition(c, 0), 3)).toBe(3);
    expect(dueEnd(tl, 3, clockPosition(c, 0), 3)).toBe(4);
    expect(msUntilNext(c, 0, tl, 1)).toBe(0);
    // Slowing down from 'max' continues from the last delivered record, not from infinity.
    const slow = setClockSpeed(c, 1, 10, tl, 2);
    expect(clockPosition(slow, 10)).toBe(50);
    expect(clockPosition(slow, 1010)).toBe(51);
  });

  it('pause freezes the position; resume continues from it', () => {
    const tl = [0, 1, 2, 3];
    let c = newClock(1, 0);
    c = pauseClock(c, 1500, tl, 2);
    expect(clockPosition(c, 99_999)).toBe(1.5);
    expect(msUntilNext(c, 99_999, tl, 2)).toBeNull();
    c = resumeClock(c, 10_000, tl, 2);
    expect(clockPosition(c, 10_500)).toBe(2);
    expect(dueEnd(tl, 2, clockPosition(c, 10_500))).toBe(3);
  });

  it('seek puts the cursor after the last record at or before the step, and the clock there', () => {
    const steps = [0, 1, 2, 3, 4];
    const tl = [0, 10, 20, 30, 40];
    expect(seekIndex(steps, 2)).toBe(3);
    expect(seekIndex(steps, -1)).toBe(0);
    expect(seekIndex(steps, 99)).toBe(5);
    // A rewound log (resumed job): the first record past the step in time order.
    expect(seekIndex([0, 1, 2, 1, 2, 3], 1)).toBe(2);
    const c = seekClock(pauseClock(newClock(2, 0), 0, tl, 0), 5000, tl, 3);
    expect(c.playing).toBe(false);
    expect(clockPosition(c, 6000)).toBe(20);
    expect(dueEnd(tl, 3, clockPosition(resumeClock(c, 6000, tl, 3), 11_000))).toBe(4); // 20 + 5 s * 2
  });
});
