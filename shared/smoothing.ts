// TensorBoard's scalar smoothing: an exponential moving average, debiased like Adam's moments so the
// first points are not dragged towards 0. Non-finite values pass through and are not accumulated;
// a constant series is returned as is (debiasing float error would otherwise make it wobble).

/** Resumable state so live appends extend the smoothed series without recomputing it. */
export interface SmoothState {
  weight: number;
  /** Number of input values consumed. */
  done: number;
  last: number;
  numAccum: number;
  /** First value seen, and whether every value so far equals it (constant series stay constant). */
  first: number;
  constant: boolean;
}

export function newSmoothState(weight: number): SmoothState {
  return { weight, done: 0, last: 0, numAccum: 0, first: NaN, constant: true };
}

/**
 * Smooth values[state.done .. n) into out[state.done .. n), continuing from state. Returns false (and
 * does nothing) when the series was constant so far and stops being so: the caller must restart from
 * a fresh state, because earlier outputs were left unsmoothed.
 */
export function smoothInto(values: ArrayLike<number>, n: number, out: Float64Array | number[], state: SmoothState): boolean {
  const w = Math.min(Math.max(state.weight, 0), 1);
  for (let i = state.done; i < n; i++) {
    const v = values[i];
    if (state.constant) {
      if (i === 0) state.first = v;
      else if (!(v === state.first || (Number.isNaN(v) && Number.isNaN(state.first)))) return false;
      out[i] = v;
      state.done = i + 1;
      continue;
    }
    state.done = i + 1;
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    state.last = state.last * w + (1 - w) * v;
    state.numAccum++;
    const debias = w === 1 ? 1 : 1 - Math.pow(w, state.numAccum);
    out[i] = state.last / debias;
  }
  return true;
}

/** Smooth a whole series (weight in [0, 1); 0 = no smoothing). */
export function smooth(values: ArrayLike<number>, weight: number): Float64Array {
  const out = new Float64Array(values.length);
  let st = newSmoothState(weight);
  if (!smoothInto(values, values.length, out, st)) {
    st = newSmoothState(weight);
    st.constant = false;
    smoothInto(values, values.length, out, st);
  }
  return out;
}

/**
 * Smooths values[0..n) into out, reusing state when it is for the same weight (only new points are
 * computed). Returns the state to keep for the next call.
 */
export function extendSmoothed(values: ArrayLike<number>, n: number, out: Float64Array | number[], state: SmoothState | null, weight: number): SmoothState {
  let st = state && state.weight === weight && state.done <= n ? state : newSmoothState(weight);
  if (!smoothInto(values, n, out, st)) {
    st = newSmoothState(weight);
    st.constant = false;
    smoothInto(values, n, out, st);
  }
  return st;
}
