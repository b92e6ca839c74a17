// Axis ranges and tick values for the line charts, handed to Chart.js through its scale options
// (min/max and afterBuildTicks). Ranges follow the data (a padded extent, not the next round number:
// accuracy does not run to 1.1, nor a loss to -0.2); ticks are round values inside the range, on
// linear, log and zoomed axes alike (Chart.js labels the ends of an explicit range, e.g. "3139.87").

/** What the values on an axis are: plain numbers, seconds (wall clock) or hours (relative time). */
export type TickUnit = 'number' | 'seconds' | 'hours';

// Time steps people read easily: seconds up to a day, then whole days.
const SECOND_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
const HOUR_STEPS = SECOND_STEPS.map((s) => s / 3600);

/**
 * A round step (1, 2 or 5 x 10^k, or a round time step) giving about `ticks` ticks over span: the one
 * nearest span / ticks on a log scale (as d3 picks them), so counts land within ~1.4x of `ticks`.
 */
export function niceStep(span: number, ticks: number, unit: TickUnit = 'number'): number {
  const raw = span / Math.max(1, ticks);
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const steps = unit === 'seconds' ? SECOND_STEPS : unit === 'hours' ? HOUR_STEPS : null;
  // below a second, time steps are plain decimal fractions of it
  if (steps && raw < steps[0] / Math.sqrt(2)) return niceStep(span, ticks, 'number');
  if (steps && raw <= steps[steps.length - 1]) {
    let best = steps[0];
    for (const s of steps) if (Math.abs(Math.log(s / raw)) < Math.abs(Math.log(best / raw))) best = s;
    return best;
  }
  const base = unit === 'number' ? 1 : unit === 'seconds' ? 86400 : 24; // beyond a day: round days
  const r = raw / base;
  const mag = Math.pow(10, Math.floor(Math.log10(r)));
  const f = r / mag;
  const m = f >= Math.sqrt(50) ? 10 : f >= Math.sqrt(10) ? 5 : f >= Math.sqrt(2) ? 2 : 1;
  return base * m * mag;
}

/** Decimal places that print multiples of step exactly (2.5 -> 1, 0.05 -> 2). */
function decimals(step: number): number {
  for (let d = 0; d < 15; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-9 * 10 ** d) return d;
  return 15;
}

/** Multiples of a round step inside [min, max] (no float noise: 0.3, not 0.30000000000000004). */
export function linearTicks(min: number, max: number, maxTicks = 6, unit: TickUnit = 'number'): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) return [];
  if (max === min) return [min];
  return linearTicksWithStep(min, max, niceStep(max - min, maxTicks, unit));
}

/** Ticks of a log axis: powers of ten (every few when there are many), else 1-2-5 steps, else linear ones. */
export function logTicks(min: number, max: number, maxTicks = 6): number[] {
  if (!(min > 0) || !(max >= min) || !Number.isFinite(max)) return [];
  const lo = Math.ceil(Math.log10(min) - 1e-9);
  const hi = Math.floor(Math.log10(max) + 1e-9);
  if (hi - lo + 1 >= 2) {
    const every = Math.ceil((hi - lo + 1) / maxTicks);
    const out: number[] = [];
    for (let e = lo; e <= hi; e++) if ((e - lo) % every === 0) out.push(Number(`1e${e}`));
    return out;
  }
  const out: number[] = [];
  for (let e = lo - 1; e <= hi; e++) {
    for (const m of [1, 2, 5]) {
      const v = Number(`${m}e${e}`);
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) out.push(v);
    }
  }
  return out.length >= 2 && out.length <= maxTicks ? out : linearTicks(min, max, Math.min(maxTicks, 4));
}

/**
 * The axis range for data spanning [lo, hi]: padded by 5% of the span on each side, without crossing 0
 * when all values are >= 0 (losses) nor 1 when they all lie in [0, 1] (accuracies, ratios). One value:
 * widened around it. Log: padded by a ratio; non-positive input -> null.
 */
export function dataRange(lo: number, hi: number, log = false): [number, number] | null {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) return null;
  if (log) {
    if (!(lo > 0)) return null;
    const f = hi > lo ? Math.pow(hi / lo, 0.05) : 1.5;
    return [lo / f, hi * f];
  }
  if (hi === lo) {
    const pad = Math.abs(lo) * 0.1 || 1;
    return [lo >= 0 && lo - pad < 0 ? 0 : lo - pad, hi + pad];
  }
  const pad = (hi - lo) * 0.05;
  let a = lo - pad;
  let b = hi + pad;
  if (lo >= 0 && a < 0) a = 0;
  if (lo >= 0 && hi <= 1 && b > 1) b = 1;
  return [a, b];
}

/** Finite min and max of y over point lists (positive values only for a log axis); null when none. */
export function yExtent(series: readonly (readonly { y: number }[])[], log = false): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const pts of series) {
    for (const p of pts) {
      const y = p.y;
      if (!Number.isFinite(y) || (log && !(y > 0))) continue;
      if (y < lo) lo = y;
      if (y > hi) hi = y;
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

/** The next round step above `step` (1-2-5 x 10^k, or the next time step). */
function nextStep(step: number, unit: TickUnit): number {
  const steps = unit === 'seconds' ? SECOND_STEPS : unit === 'hours' ? HOUR_STEPS : null;
  if (steps && step < steps[0] * (1 - 1e-9)) return Math.min(steps[0], nextStep(step, 'number'));
  const after = steps?.find((s) => s > step * (1 + 1e-9));
  if (after !== undefined) return after;
  const base = unit === 'number' ? 1 : unit === 'seconds' ? 86400 : 24;
  const r = step / base;
  const mag = Math.pow(10, Math.floor(Math.log10(r) + 1e-9));
  const f = Math.round(r / mag);
  return base * mag * (f < 2 ? 2 : f < 5 ? 5 : 10);
}

/**
 * Round ticks for a Chart.js scale's current range, in the shape its afterBuildTicks hook expects. At
 * most maxTicks of them: Chart.js would otherwise skip every other label (leaving 5, 15, 25 of a 5-step).
 */
export function scaleTicks(min: number, max: number, opts: { log?: boolean; maxTicks?: number; unit?: TickUnit } = {}): { value: number }[] {
  const n = Math.max(2, opts.maxTicks ?? 6);
  if (opts.log) return logTicks(min, max, n).map((value) => ({ value }));
  const unit = opts.unit ?? 'number';
  if (!Number.isFinite(min) || !Number.isFinite(max) || !(max > min)) return linearTicks(min, max, n, unit).map((value) => ({ value }));
  let step = niceStep(max - min, n, unit);
  const count = (s: number): number => Math.floor(max / s + 1e-9) - Math.ceil(min / s - 1e-9) + 1;
  for (let guard = 0; count(step) > n && guard < 60; guard++) step = nextStep(step, unit);
  return linearTicksWithStep(min, max, step).map((value) => ({ value }));
}

function linearTicksWithStep(min: number, max: number, step: number): number[] {
  const d = decimals(step);
  // tolerance for float noise: relative to the step, and to the values (wall-clock seconds are ~1.5e9)
  const eps = Math.max(step * 1e-9, Math.max(Math.abs(min), Math.abs(max)) * 1e-14);
  const out: number[] = [];
  for (let k = Math.ceil((min - eps) / step); k * step <= max + eps; k++) out.push(Number((k * step).toFixed(d)) || 0);
  return out;
}

/** Ticks of a line chart's x axis `widthPx` wide; `label` is its axis title ('step' | 'hours' | 'time'). Steps are whole. */
export function xAxisTicks(min: number, max: number, widthPx: number, label: string): { value: number }[] {
  const unit: TickUnit = label === 'time' ? 'seconds' : label === 'hours' ? 'hours' : 'number';
  const ticks = scaleTicks(min, max, { maxTicks: Math.min(8, Math.floor(widthPx / 90)), unit });
  return label === 'step' ? ticks.filter((t) => Number.isInteger(t.value)) : ticks;
}

/** Ticks of a line chart's y axis `heightPx` tall. */
export function yAxisTicks(min: number, max: number, heightPx: number, log: boolean): { value: number }[] {
  return scaleTicks(min, max, { log, maxTicks: Math.min(6, Math.floor(heightPx / 36)) });
}
