// One point, delivered once, although a cluster run reaches a server twice: live, from the Redis stream,
// and later from the shared logdir (the file watcher reads every run folder as it does without Redis).
//
// Why dedupe rather than not tailing remote runs' folders: the file is the truth. A stream entry can be
// lost (Redis killed before its AOF was written, a server too far behind the trimmed stream, a server that
// started mid-run) and then only the file can fill the hole; not tailing would need a hand-off at just the
// right moment. Our trainer writes each (kind, tag) in increasing (step, sample) order, so both sources are
// prefixes of the same sequence; keeping a record only when it is past the newest one held for its
// (kind, tag) merges two prefixes into the longer one, in order, with no duplicate. That holds only if the
// stream side is a prefix too: StreamOrder accepts a run's stream batches only while they arrive
// contiguous from its first one (seq 0); after a gap (or when joined late) the run is fed from disk alone.
// Logs that are not cluster runs pass through untouched (their steps may legitimately go back: rewind.ts).
import type { LogRecord } from '../logs/records.ts';

function keyOf(r: LogRecord): string {
  switch (r.kind) {
    case 'graph':
      return 'graph';
    case 'meta':
      return `meta\u0000${r.what}\u0000${r.detail ?? ''}`;
    default:
      return `${r.kind}\u0000${r.tag}`;
  }
}

const sampleOf = (r: LogRecord) => (r.kind === 'image' ? r.sample : 0);

/** Remembers per run and (kind, tag) the newest (step, sample) ingested. */
export class PointDedup {
  private marks = new Map<string, Map<string, [number, number]>>();

  /**
   * `enforce`: drop records at or before the mark (a cluster run). Otherwise every record passes and only
   * the marks follow (so a run learned to be a cluster run later is deduped from what it already has).
   */
  filter(run: string, records: readonly LogRecord[], enforce: boolean): LogRecord[] {
    let m = this.marks.get(run);
    if (!m) this.marks.set(run, (m = new Map()));
    const out: LogRecord[] = [];
    for (const r of records) {
      const k = keyOf(r);
      const s = sampleOf(r);
      const mark = m.get(k);
      if (enforce && mark && (r.step < mark[0] || (r.step === mark[0] && s <= mark[1]))) continue;
      m.set(k, [r.step, s]);
      out.push(r);
    }
    return out;
  }

  forget(run: string): void {
    this.marks.delete(run);
  }
}

/** Per run: is its stream still a contiguous prefix? Entries after a gap are refused for good. */
export class StreamOrder {
  private next = new Map<string, number>();
  private readonly max: number;

  constructor(maxRuns = 10_000) {
    this.max = maxRuns;
  }

  /** True when batch `seq` of `run` follows what was accepted (or is its first, seq 0). */
  accept(run: string, seq: number): boolean {
    const want = this.next.get(run) ?? 0;
    if (want < 0 || seq !== want) {
      this.next.set(run, -1);
      this.bound();
      return false;
    }
    this.next.set(run, seq + 1);
    this.bound();
    return true;
  }

  /** False once the run's stream had a gap (it is then read from disk alone). */
  contiguous(run: string): boolean {
    return (this.next.get(run) ?? 0) >= 0;
  }

  private bound(): void {
    if (this.next.size <= this.max) return;
    const oldest = this.next.keys().next().value;
    if (oldest !== undefined) this.next.delete(oldest);
  }
}
