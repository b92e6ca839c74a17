// Pure replay scheduling: where a replay's clock is, and which records are due. No timers, no I/O —
// the session in replay.ts calls these with the current time.
import type { ReplaySpeed } from '../../shared/protocol.ts';

/**
 * The replay timeline: for records sorted by wall time, the (compressed) second each one is due at,
 * starting at 0. Idle gaps longer than maxGapSec count as maxGapSec; non-finite or backwards times
 * count as no gap.
 */
export function compressTimeline(wallTimes: readonly number[], maxGapSec: number): number[] {
  const out = new Array<number>(wallTimes.length);
  let t = 0;
  for (let i = 0; i < wallTimes.length; i++) {
    if (i > 0) t += gapAdvance(wallTimes[i - 1], wallTimes[i], maxGapSec);
    out[i] = t;
  }
  return out;
}

/** Timeline seconds between a record at wall time `prev` and the next at `next` (the rule above). */
export function gapAdvance(prev: number, next: number, maxGapSec: number): number {
  const gap = next - prev;
  return Number.isFinite(gap) && gap > 0 ? Math.min(gap, maxGapSec) : 0;
}

export interface ReplayClock {
  playing: boolean;
  speed: ReplaySpeed;
  /** Timeline position (seconds) at anchorAtMs. */
  anchorPos: number;
  anchorAtMs: number;
}

export function newClock(speed: ReplaySpeed, nowMs: number): ReplayClock {
  return { playing: true, speed, anchorPos: 0, anchorAtMs: nowMs };
}

/** Timeline position now; Infinity while playing at 'max' (everything is due, delivery is chunked). */
export function clockPosition(clock: ReplayClock, nowMs: number): number {
  if (!clock.playing) return clock.anchorPos;
  if (clock.speed === 'max') return Infinity;
  return clock.anchorPos + ((nowMs - clock.anchorAtMs) / 1000) * clock.speed;
}

/**
 * The clock re-anchored at now, at a finite position: after a 'max' stretch the position is the time of
 * the last record delivered (records before `cursor`).
 */
export function rebase(clock: ReplayClock, nowMs: number, timeline: readonly number[], cursor: number): ReplayClock {
  return rebaseAt(clock, nowMs, cursor > 0 ? timeline[Math.min(cursor, timeline.length) - 1] : 0);
}

/** rebase() for a timeline known only up to now: `lastPos` is the position of the last record delivered. */
export function rebaseAt(clock: ReplayClock, nowMs: number, lastPos: number): ReplayClock {
  let pos = clockPosition(clock, nowMs);
  if (!Number.isFinite(pos)) pos = lastPos;
  return { ...clock, anchorPos: pos, anchorAtMs: nowMs };
}

export function pauseClock(clock: ReplayClock, nowMs: number, timeline: readonly number[], cursor: number): ReplayClock {
  return { ...rebase(clock, nowMs, timeline, cursor), playing: false };
}

export function resumeClock(clock: ReplayClock, nowMs: number, timeline: readonly number[], cursor: number): ReplayClock {
  return { ...rebase(clock, nowMs, timeline, cursor), playing: true };
}

export function setClockSpeed(
  clock: ReplayClock,
  speed: ReplaySpeed,
  nowMs: number,
  timeline: readonly number[],
  cursor: number,
): ReplayClock {
  return { ...rebase(clock, nowMs, timeline, cursor), speed };
}

/**
 * End (exclusive) of the records due: the first index >= cursor whose time is after `position`,
 * but no more than maxCount records past the cursor.
 */
export function dueEnd(timeline: readonly number[], cursor: number, position: number, maxCount = Infinity): number {
  const limit = Math.min(timeline.length, cursor + maxCount);
  if (cursor >= limit) return cursor;
  // Binary search in [cursor, limit) for the first time > position.
  let lo = cursor;
  let hi = limit;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (timeline[mid] <= position) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Where a seek to `step` puts the cursor: just before the first record (in time order) whose step is
 * past it, so every record up to that point is delivered.
 */
export function seekIndex(steps: readonly number[], step: number): number {
  for (let i = 0; i < steps.length; i++) if (steps[i] > step) return i;
  return steps.length;
}

/** The clock after a seek: paused or playing as before, positioned at the last record before `cursor`. */
export function seekClock(clock: ReplayClock, nowMs: number, timeline: readonly number[], cursor: number): ReplayClock {
  const pos = cursor > 0 ? timeline[cursor - 1] : 0;
  return { ...clock, anchorPos: pos, anchorAtMs: nowMs };
}

/** Milliseconds until the next record is due, or null when nothing will become due (paused or done). */
export function msUntilNext(clock: ReplayClock, nowMs: number, timeline: readonly number[], cursor: number): number | null {
  return msUntilPosition(clock, nowMs, cursor < timeline.length ? timeline[cursor] : null);
}

/** Milliseconds until the clock reaches `nextPos` (the next record's position; null when there is none). */
export function msUntilPosition(clock: ReplayClock, nowMs: number, nextPos: number | null): number | null {
  if (!clock.playing || nextPos === null) return null;
  if (clock.speed === 'max') return 0;
  const pos = clockPosition(clock, nowMs);
  return Math.max(0, ((nextPos - pos) / clock.speed) * 1000);
}
