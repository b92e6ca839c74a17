// What a private hub client is owed, as the batches to send now (pure): the shared snapshot's chunks
// (frozen, their frames encoded once for all joiners), then its own buffer (catch-up and live points,
// encoded for it alone) in batches of bounded points; the last one names in `loaded` the runs whose
// backlog is out. The backlog's bytes are counted as in flight (not held against the client's budget).
import type { DeltaBatch } from '../../shared/protocol.ts';
import { deltaBytes, type ClientBuffer } from './client-buffer.ts';
import { emptyBatch, type Client } from './hub-model.ts';

/** Names in `batch.loaded` the backlog runs with nothing left in the client's buffer. */
export function markLoaded(c: Client, batch: DeltaBatch): void {
  const queued = c.buffer?.queuedRuns() ?? new Set<string>();
  const done: string[] = [];
  for (const run of c.backlog ?? []) if (!queued.has(run)) done.push(run);
  for (const run of done) c.backlog!.delete(run);
  if (done.length > 0) batch.loaded = done;
}

/**
 * Empties the client's snapshot and buffer into batches, in the order they must be sent. A snapshot still
 * being built: the chunks built so far go; when there were none to send, more are built (at least one,
 * then while `mayBuild()`), and its buffer waits until the whole snapshot is out (c.snapshot stays set).
 */
export function drainBatches(c: Client, b: ClientBuffer, maxBatchPoints: number, mayBuild: () => boolean = () => true): DeltaBatch[] {
  const inFlight = (c.inFlight ??= { bytes: 0, packets: 0 });
  const batches: DeltaBatch[] = [];
  const cur = c.snapshot;
  if (cur) {
    const { snap } = cur;
    const sendBuilt = (): void => {
      for (; cur.next < snap.chunks.length; cur.next++) {
        batches.push(snap.chunks[cur.next]);
        inFlight.bytes += snap.chunkBytes[cur.next];
        inFlight.packets++;
      }
    };
    sendBuilt();
    // Chunks ready go out at once (the first one right after the ack); building waits for the next call.
    if (batches.length === 0 && snap.rest && !snap.rest.done) {
      do {
        snap.rest.buildNext();
        sendBuilt();
      } while (!snap.rest.done && mayBuild());
    }
    if (snap.rest && !snap.rest.done) return batches;
    c.snapshot = undefined;
  }
  for (let batch = b.take(maxBatchPoints); batch; batch = b.take(maxBatchPoints)) {
    if (c.backlogBytes) {
      let sent = 0;
      for (const d of batch.series) sent += deltaBytes(d);
      sent = Math.min(sent, c.backlogBytes);
      c.backlogBytes -= sent;
      inFlight.bytes += sent;
      inFlight.packets++;
    }
    if (!emptyBatch(batch)) batches.push(batch);
  }
  if (c.backlog?.size) {
    // Everything is out: the last batch (never a shared, frozen one) names the runs whose backlog is done.
    const last = batches.at(-1);
    if (!last || Object.isFrozen(last)) batches.push({ series: [] });
    markLoaded(c, batches.at(-1)!);
  }
  return batches;
}
