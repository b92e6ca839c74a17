// A hub client's byte budget (pure): what waits for it below the hub (transport) and in its own queue,
// less the backlog it was handed (the server's own data, going out as fast as the client reads). Past
// an eighth of the budget it is "backed up" (pushes are held back and coalesce); past the budget it is
// dropped with a notice (--max-client-buffer-mb).
import type { DropNotice } from '../../shared/protocol.ts';
import type { Client } from './hub-model.ts';

export interface BudgetLimits {
  /** Transport packets allowed to be pending before a client's push is held back. */
  maxPendingPackets: number;
  maxClientBytes: number;
}

/**
 * What the transport holds for the client beyond its backlog. The backlog went first and leaves first,
 * so the least ever seen waiting since it was handed over bounds what is left of it.
 */
function beyondBacklog(c: Client, queued: number, what: 'bytes' | 'packets'): number {
  if (!c.inFlight) return queued;
  c.inFlight[what] = Math.min(c.inFlight[what], queued);
  const held = c.inFlight[what];
  if (c.inFlight.bytes === 0 && c.inFlight.packets === 0) c.inFlight = undefined;
  return queued - held;
}

/** The transport is not taking what it has: many packets, or an eighth of the byte budget, waiting. */
export function backedUp(c: Client, limits: BudgetLimits): boolean {
  try {
    return (
      beyondBacklog(c, c.sink.pending(), 'packets') > limits.maxPendingPackets ||
      beyondBacklog(c, c.sink.queuedBytes(), 'bytes') > limits.maxClientBytes / 8
    );
  } catch {
    return true;
  }
}

/** Bytes waiting for the client and held against its budget: transport buffers and its own queue (estimated). */
export function waitingBytes(c: Client): number {
  let below: number;
  try {
    below = beyondBacklog(c, c.sink.queuedBytes(), 'bytes');
  } catch {
    below = Infinity;
  }
  return below + (c.buffer ? Math.max(0, c.buffer.approxBytes() - (c.backlogBytes ?? 0)) : 0);
}

/** The notice for a client over its budget, or null while it is within. */
export function overBudget(c: Client, limits: BudgetLimits): DropNotice | null {
  const q = waitingBytes(c);
  if (q <= limits.maxClientBytes) return null;
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  return {
    reason: 'slow-client',
    message:
      `Trainscope dropped this connection: it was not reading what the server sent ` +
      `(${mb(q)} MB waiting, limit ${mb(limits.maxClientBytes)} MB; see --max-client-buffer-mb). Reconnect to resume.`,
    queuedBytes: Number.isFinite(q) ? q : undefined,
    limitBytes: limits.maxClientBytes,
  };
}
