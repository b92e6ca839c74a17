// One rule for steps that go back, shared by the store (what the server serves) and `trainscope export`:
// - a point whose step is <= the newest step of its series drops every earlier point at or past its step
//   (a restarted job rewrote them), as TensorBoard's default data server does;
// - a SessionLog START at step s (a restarted job says so) drops every point at or past s in every series
//   of the run, as TensorBoard's Python loader does.
// Images logged at one step as several samples stay together (a later sample of the newest step is no rewind).
import type { LogRecord, MetaRecord } from './records.ts';

export function isRestart(rec: LogRecord): rec is MetaRecord {
  return rec.kind === 'meta' && rec.what === 'session_log' && typeof rec.detail === 'string' && /^START\b/.test(rec.detail);
}

interface Point {
  step: number;
  sample: number;
}

/** Appends `p` to a series kept in step order, applying the rewind rule. */
export function pushWithRewind<P extends Point>(series: P[], p: P): void {
  const last = series[series.length - 1];
  if (last && (p.step < last.step || (p.step === last.step && p.sample <= last.sample))) {
    let keep = series.length;
    while (keep > 0 && series[keep - 1].step >= p.step) keep--;
    series.length = keep;
  }
  series.push(p);
}

/** Drops every point at or past `step` (a restart). */
export function truncateFrom<P extends Point>(series: P[], step: number): void {
  let keep = series.length;
  while (keep > 0 && series[keep - 1].step >= step) keep--;
  series.length = keep;
}
