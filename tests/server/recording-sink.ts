// A hub client (ClientSink) for tests: keeps every delta batch it is sent, never pushes back.
import type { DeltaBatch, DropNotice } from '../../shared/protocol.ts';
import type { ClientSink } from '../../server/live/hub.ts';

export class RecordingSink implements ClientSink {
  batches: DeltaBatch[] = [];
  constructor(readonly id: string) {}
  emitDelta(b: DeltaBatch) {
    this.batches.push(b);
  }
  pending() {
    return 0;
  }
  queuedBytes() {
    return 0;
  }
  drop(_notice: DropNotice) {}
  /** The scalar steps received for run/tag, in order; a reset starts them again. */
  steps(run: string, tag: string): number[] {
    const out: number[] = [];
    for (const b of this.batches)
      for (const d of b.series)
        if (d.kind === 'scalars' && d.run === run && d.tag === tag) {
          if (d.reset) out.length = 0;
          out.push(...d.steps);
        }
    return out;
  }
}
