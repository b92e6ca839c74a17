// Queue admission for clients' training requests: a per-client share of the trainer's places and a
// reserve only newcomers may use, so clients that already hold runs can never take the last free places.
// Pure: the caller counts the runs.

export interface AdmissionLimits {
  /** Places in all: runs at once + runs waiting (the manager's maxRuns + maxQueue). */
  capacity: number;
  /** Queued + running runs one client may hold. */
  perClient: number;
  /** Places kept for clients that hold no run yet; each such client may take one of them. */
  reserve: number;
}

/**
 * Limits from the configuration: a client may hold at most half of the places (and at most
 * maxRunsPerClient), and a quarter of the places (at least 1) is kept for newcomers.
 */
export function admissionLimits(capacity: number, maxRunsPerClient: number): AdmissionLimits {
  const cap = Math.max(1, Math.floor(capacity));
  const reserve = Math.min(cap - 1, Math.max(1, Math.floor(cap / 4)));
  return { capacity: cap, perClient: Math.max(1, Math.min(Math.floor(maxRunsPerClient), Math.floor(cap / 2))), reserve };
}

export interface AdmissionState {
  /** Queued + running runs of the asking client. */
  held: number;
  /** Queued + running runs of everyone (CLI and demo runs included). */
  total: number;
}

/**
 * null when a client holding `s.held` runs may start `n` more while `s.total` places are taken;
 * else the reason, readable by the user. A client holding runs may fill the shared places only
 * (capacity - reserve); one holding none may also take a single reserved place.
 */
export function admissionError(n: number, s: AdmissionState, l: AdmissionLimits): string | null {
  if (s.held + n > l.perClient) {
    return `this client already has ${s.held} run(s) queued or running; at most ${l.perClient} at once (asked for ${n} more)`;
  }
  const free = l.capacity - s.total;
  if (n > free) {
    return `the training queue is full: ${s.total} of ${l.capacity} places taken, ${n} asked for; stop some runs or wait`;
  }
  const shared = l.capacity - l.reserve - s.total;
  if (n <= shared) return null;
  if (s.held === 0 && n === 1) return null; // a newcomer's first run may use the reserve
  return s.held === 0
    ? `the training queue is nearly full (${free} place(s) left, kept for clients that have no run yet, one each): start a single run or wait`
    : `the training queue is nearly full: its last ${l.reserve} place(s) are kept for clients that have no run yet, and this client has ${s.held}; stop some runs or wait`;
}
