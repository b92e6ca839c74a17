// One client's outgoing queue (pure, no timers): series deltas coalesced per (kind, run, tag), run info
// updates (latest per run) and graph notices, drained as DeltaBatch chunks of bounded size.
import type { DeltaBatch, PluginNotice, SeriesDelta, SeriesKind } from '../../shared/protocol.ts';
import type { RunInfo } from '../../shared/types.ts';

interface Entry {
  delta: SeriesDelta;
  /** false while `delta` is the shared object from the store (then it must be copied before merging). */
  owned: boolean;
}

export function seriesKey(d: { kind: string; run: string; tag: string }): string {
  return `${d.kind}\u0000${d.run}\u0000${d.tag}`;
}

export function deltaLength(d: SeriesDelta): number {
  return d.kind === 'scalars' ? d.steps.length : d.points.length;
}

/**
 * How many leading points of d fit in `budget` of weight: a point weighs 1, a histogram point 1 + its
 * buckets (each about a scalar point's size once encoded), so a batch's bound holds in bytes too.
 */
export function pointsFitting(d: SeriesDelta, budget: number): number {
  if (d.kind !== 'histograms') return Math.max(0, Math.min(d.kind === 'scalars' ? d.steps.length : d.points.length, Math.floor(budget)));
  let w = 0;
  let k = 0;
  for (const p of d.points) {
    w += 1 + p[2].length;
    if (w > budget) break;
    k++;
  }
  return k;
}

/** The weight of all of d's points (see pointsFitting). */
export function deltaWeight(d: SeriesDelta): number {
  if (d.kind !== 'histograms') return deltaLength(d);
  let w = 0;
  for (const p of d.points) w += 1 + p[2].length;
  return w;
}

/**
 * About what d costs once encoded on the wire (MessagePack: a double is 9 bytes, a small int 1-5): used
 * to bound a client's queue in bytes. Errs high: every number counted as a double.
 */
export function deltaBytes(d: SeriesDelta): number {
  let n = deltaHeadBytes(d.run, d.tag);
  if (d.kind === 'scalars') return n + pointBytes('scalars') * d.steps.length;
  if (d.kind === 'histograms') {
    for (const p of d.points) n += pointBytes('histograms', p[2].length);
    return n;
  }
  return n + pointBytes('images') * d.points.length;
}

/** A delta's wire bytes besides its points. */
export const deltaHeadBytes = (run: string, tag: string): number => 40 + run.length + tag.length;

/** Wire bytes of one point of a delta of `kind` (`buckets`: a histogram point's bucket count). */
export function pointBytes(kind: SeriesKind, buckets = 0): number {
  return kind === 'scalars' ? 27 : kind === 'histograms' ? 20 + 28 * buckets : 60;
}

/**
 * Heap a kept delta's JS objects hold, beyond its encoded frame (deltaBytes): measured, a [left, right,
 * count] bucket ~80 B, a scalar point's three numbers ~24 B. Counting wire bytes alone, the backlog
 * snapshot cache's 64 MB held ~240 MB of heap once histograms were in it.
 */
export function deltaObjectBytes(d: SeriesDelta): number {
  if (d.kind === 'scalars') return pointObjectBytes('scalars') * d.steps.length;
  if (d.kind === 'histograms') {
    let n = 0;
    for (const p of d.points) n += pointObjectBytes('histograms', p[2].length);
    return n;
  }
  return pointObjectBytes('images') * d.points.length;
}

/** Heap of one kept point of `kind` (deltaObjectBytes' measure). */
export function pointObjectBytes(kind: SeriesKind, buckets = 0): number {
  return kind === 'scalars' ? 24 : kind === 'histograms' ? 60 + 80 * buckets : 100;
}

function copyDelta(d: SeriesDelta): SeriesDelta {
  if (d.kind === 'scalars') {
    return { ...d, wallTimes: d.wallTimes.slice(), steps: d.steps.slice(), values: d.values.slice() };
  }
  if (d.kind === 'histograms') return { ...d, points: d.points.slice() };
  return { ...d, points: d.points.slice() };
}

/** Appends b's points to a (same series; a is owned). */
function appendInto(a: SeriesDelta, b: SeriesDelta): void {
  if (b.exactSteps) a.exactSteps = { ...a.exactSteps, ...b.exactSteps };
  if (a.kind === 'scalars' && b.kind === 'scalars') {
    for (let i = 0; i < b.steps.length; i++) {
      a.wallTimes.push(b.wallTimes[i]);
      a.steps.push(b.steps[i]);
      a.values.push(b.values[i]);
    }
  } else if (a.kind === 'histograms' && b.kind === 'histograms') {
    for (const p of b.points) a.points.push(p);
  } else if (a.kind === 'images' && b.kind === 'images') {
    for (const p of b.points) a.points.push(p);
  }
}

/** Splits off the first n points of d: [head, rest]. The rest never resets (the head did, if anything). */
function splitDelta(d: SeriesDelta, n: number): [SeriesDelta, SeriesDelta] {
  if (d.kind === 'scalars') {
    return [
      { ...d, wallTimes: d.wallTimes.slice(0, n), steps: d.steps.slice(0, n), values: d.values.slice(0, n) },
      { ...d, reset: undefined, wallTimes: d.wallTimes.slice(n), steps: d.steps.slice(n), values: d.values.slice(n) },
    ];
  }
  if (d.kind === 'histograms') {
    return [
      { ...d, points: d.points.slice(0, n) },
      { ...d, reset: undefined, points: d.points.slice(n) },
    ];
  }
  return [
    { ...d, points: d.points.slice(0, n) },
    { ...d, reset: undefined, points: d.points.slice(n) },
  ];
}

function clean(d: SeriesDelta): SeriesDelta {
  if (!d.reset && 'reset' in d) {
    const { reset: _r, ...rest } = d;
    return rest as SeriesDelta;
  }
  return d;
}

export class ClientBuffer {
  private series = new Map<string, Entry>();
  private runInfos = new Map<string, RunInfo>();
  private graphRuns = new Set<string>();
  /** Plugin-data notices by run + plugin (each sent once however often it came). */
  private pluginNotices = new Map<string, PluginNotice>();
  private pointCount = 0;

  /** Points waiting to be sent. */
  get points(): number {
    return this.pointCount;
  }

  /** About how many bytes the queued points take on the wire (see deltaBytes); walks the queue. */
  approxBytes(): number {
    let n = 0;
    for (const e of this.series.values()) n += deltaBytes(e.delta);
    return n;
  }

  isEmpty(): boolean {
    return this.series.size === 0 && this.runInfos.size === 0 && this.graphRuns.size === 0 && this.pluginNotices.size === 0;
  }

  /** Queues a delta; consecutive deltas of one series merge, and a reset replaces what was queued. */
  pushSeries(d: SeriesDelta): void {
    const key = seriesKey(d);
    const n = deltaLength(d);
    const cur = this.series.get(key);
    if (!cur) {
      if (n === 0 && !d.reset) return;
      this.series.set(key, { delta: d, owned: false });
      this.pointCount += n;
      return;
    }
    if (d.reset) {
      // Whatever was queued is superseded: the client drops the series anyway.
      this.pointCount += n - deltaLength(cur.delta);
      cur.delta = d;
      cur.owned = false;
      return;
    }
    if (n === 0) return;
    if (!cur.owned) {
      cur.delta = copyDelta(cur.delta);
      cur.owned = true;
    }
    appendInto(cur.delta, d);
    this.pointCount += n;
  }

  pushRuns(infos: RunInfo[]): void {
    for (const info of infos) this.runInfos.set(info.name, info);
  }

  pushGraph(run: string): void {
    this.graphRuns.add(run);
  }

  pushPlugin(n: PluginNotice): void {
    this.pluginNotices.set(`${n.run}\u0000${n.plugin}`, n);
  }

  /** Queues a copy of everything another buffer holds (which keeps its own content). */
  pushBuffer(other: ClientBuffer): void {
    for (const e of other.series.values()) {
      const key = seriesKey(e.delta);
      if (this.series.has(key)) this.pushSeries(e.delta);
      else {
        // Copied: the other buffer may keep appending into its (owned) delta in place.
        this.series.set(key, { delta: copyDelta(e.delta), owned: true });
        this.pointCount += deltaLength(e.delta);
      }
    }
    this.pushRuns([...other.runInfos.values()]);
    for (const g of other.graphRuns) this.pushGraph(g);
    for (const n of other.pluginNotices.values()) this.pushPlugin(n);
  }

  /** Queues the content of a batch (e.g. one a client could not be sent). */
  pushBatch(b: DeltaBatch): void {
    for (const d of b.series) this.pushSeries(d);
    if (b.runs) this.pushRuns(b.runs);
    for (const g of b.graphs ?? []) this.pushGraph(g);
    for (const n of b.plugins ?? []) this.pushPlugin(n);
  }

  /** Runs with points still queued. */
  queuedRuns(): Set<string> {
    const runs = new Set<string>();
    for (const e of this.series.values()) runs.add(e.delta.run);
    return runs;
  }

  /** Forgets all queued points (run infos and graph notices stay). */
  clearSeries(): void {
    this.series.clear();
    this.pointCount = 0;
  }

  /** Forgets everything queued for a run (it was removed). */
  dropRun(run: string): void {
    for (const [key, e] of this.series) {
      if (e.delta.run === run) {
        this.pointCount -= deltaLength(e.delta);
        this.series.delete(key);
      }
    }
    this.runInfos.delete(run);
    this.graphRuns.delete(run);
    for (const [key, n] of this.pluginNotices) if (n.run === run) this.pluginNotices.delete(key);
  }

  /**
   * Drains up to maxPoints of weight (see pointsFitting; at least one point, so progress is guaranteed)
   * as one batch.
   * Run infos and graph notices always go with the first chunk. Returns null when empty.
   */
  take(maxPoints = Infinity): DeltaBatch | null {
    if (this.isEmpty()) return null;
    const batch: DeltaBatch = { series: [] };
    let budget = maxPoints;
    for (const [key, e] of this.series) {
      if (budget <= 0 && batch.series.length > 0) break;
      const n = deltaLength(e.delta);
      const w = deltaWeight(e.delta);
      // Whole when it fits, or when its first point alone is over the bound (then it goes alone).
      if (w <= budget || (n === 1 && batch.series.length === 0)) {
        batch.series.push(clean(e.delta));
        this.series.delete(key);
        this.pointCount -= n;
        budget -= w;
      } else {
        const fit = pointsFitting(e.delta, budget);
        if (fit === 0 && batch.series.length > 0) break;
        const take = Math.max(1, fit);
        const [head, rest] = splitDelta(e.delta, take);
        batch.series.push(clean(head));
        e.delta = rest;
        e.owned = true;
        this.pointCount -= take;
        budget = 0;
        break;
      }
    }
    if (this.runInfos.size > 0) {
      batch.runs = [...this.runInfos.values()];
      this.runInfos.clear();
    }
    if (this.graphRuns.size > 0) {
      batch.graphs = [...this.graphRuns];
      this.graphRuns.clear();
    }
    if (this.pluginNotices.size > 0) {
      batch.plugins = [...this.pluginNotices.values()];
      this.pluginNotices.clear();
    }
    return batch;
  }
}
