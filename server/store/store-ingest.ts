// The store's writing half: records (or a load worker's packed columns) into each run's series, with the
// sampling, rewind and plugin rules; SeriesStore (series-store.ts) adds the reads on top.
import type { SeriesDelta } from '../../shared/protocol.ts';
import type { ColumnSegment, PackedRecords } from '../logs/packed-records.ts';
import type { LogRecord } from '../logs/records.ts';
import { isRestart } from '../logs/rewind.ts';
import { noteGraphData } from './graph-sources.ts';
import { noteHparamsDetail } from './hparams-detail.ts';
import { HistogramSeries } from './histogram-series.ts';
import { ImageSeries } from './image-series.ts';
import { PLUGIN_SAMPLE_DEFAULTS } from './plugin-series.ts';
import { Reservoir, type AddResult } from './reservoir.ts';
import { STORE_BOUNDS, type Entry, type TextItem, type Track } from './run-data.ts';
import { ScalarSeries } from './scalar-series.ts';
import { StoreCore, type AnySeries, type Batch } from './store-core.ts';

/** Ingest: records in, exactly what changed out (SeriesDelta[]). */
export class StoreIngest extends StoreCore {
  // ---------- writing ----------

  /**
   * Add records of a run; returns one delta per changed series (in order of first change), or none when
   * `wantDeltas` is false (nobody is subscribed to the run: no tuples are built).
   */
  ingest(run: string, records: readonly LogRecord[], wantDeltas = true): SeriesDelta[] {
    const b = this.openBatch(run, records.length > 0 ? records[0].wallTime : NaN);
    for (const rec of records) this.addRecord(b, rec);
    return this.closeBatch(b, wantDeltas);
  }

  /** ingest() for records packed by a load worker (packed-records.ts): columns go in without objects. */
  ingestPacked(run: string, p: PackedRecords, wantDeltas = true): SeriesDelta[] {
    const s0 = p.segments[0];
    const b = this.openBatch(run, !s0 ? NaN : s0.kind === 'records' ? (s0.records[0]?.wallTime ?? NaN) : s0.wallTime[0]);
    for (const seg of p.segments) {
      if (seg.kind === 'records') for (const rec of seg.records) this.addRecord(b, rec);
      else this.addColumns(b, seg);
    }
    return this.closeBatch(b, wantDeltas);
  }

  private addColumns(b: Batch, c: ColumnSegment): void {
    const { rd, run } = b;
    let eAt = 0;
    let cAt = 0;
    for (let k = 0; k < c.type.length; k++) {
      const step = c.step[k];
      const tag = c.tags[c.tag[k]];
      const isHist = c.type[k] === 1;
      const nb = isHist ? c.value[k] : 0;
      const e0 = eAt;
      const c0 = cAt;
      if (nb > 0) eAt += nb + 1;
      cAt += nb;
      if (!Number.isFinite(step)) {
        this.addWarning(run, `record ${isHist ? 'histogram' : 'scalar'} "${tag}" has a non-finite step; dropped`);
        continue;
      }
      if (isHist) {
        const e = this.entry(rd, run, 'histograms', tag, () => new HistogramSeries(this.limits.histograms, this.rng));
        if (e) this.note(b, this.begin(b, e), e.series.addContiguous(step, c.wallTime[k], nb, c.edges, e0, c.counts, c0));
      } else {
        const e = this.entry(rd, run, 'scalars', tag, () => new ScalarSeries(this.limits.scalars, this.rng));
        if (e) this.note(b, this.begin(b, e), e.series.add(step, c.wallTime[k], c.value[k]));
      }
    }
  }

  private addRecord(b: Batch, rec: LogRecord): void {
    const { rd, run } = b;
    const begin = (e: Entry<AnySeries>): Track => this.begin(b, e);
    const note = (t: Track, r: AddResult): void => this.note(b, t, r);
    if (!Number.isFinite(rec.step)) {
      this.addWarning(run, `record ${rec.kind}${'tag' in rec ? ` "${rec.tag}"` : ''} has a non-finite step; dropped`);
      return;
    }
    if (rec.stepExact !== undefined && rd.exactSteps.size < STORE_BOUNDS.exactStepsPerRun) rd.exactSteps.set(rec.step, rec.stepExact);
    switch (rec.kind) {
      case 'scalar': {
        const e = this.entry(rd, run, 'scalars', rec.tag, () => new ScalarSeries(this.limits.scalars, this.rng));
        if (!e) break;
        this.noteTagInfo(rd, rec.tag, rec);
        note(begin(e), e.series.add(rec.step, rec.wallTime, rec.value));
        break;
      }
      case 'histogram': {
        const e = this.entry(rd, run, 'histograms', rec.tag, () => new HistogramSeries(this.limits.histograms, this.rng));
        if (!e) break;
        this.noteTagInfo(rd, rec.tag, rec);
        note(begin(e), e.series.add(rec.step, rec.wallTime, rec.buckets));
        break;
      }
      case 'image': {
        const e = this.entry(rd, run, 'images', rec.tag, () => new ImageSeries(this.limits.images, this.rng));
        if (!e) break;
        this.noteTagInfo(rd, rec.tag, rec);
        const t = begin(e);
        const r = e.series.add(rec);
        if (!r.accepted) this.addWarning(run, `image "${rec.tag}" step ${rec.step} sample ${rec.sample}: too many images at one step; dropped`);
        note(t, r);
        break;
      }
      case 'text': {
        let res = rd.texts.get(rec.tag);
        if (!res) {
          if (!this.roomForTag(rd, run, 'text', rd.texts.size)) break;
          res = new Reservoir<TextItem>(this.limits.text ?? PLUGIN_SAMPLE_DEFAULTS.text, this.rng);
          rd.texts.set(rec.tag, res);
        }
        const text = rec.text.length > STORE_BOUNDS.textChars ? `${rec.text.slice(0, STORE_BOUNDS.textChars)}…[truncated]` : rec.text;
        const cells = rec.cells && text === rec.text ? { shape: rec.shape ?? [], cells: rec.cells } : {};
        res.add(rec.step, { wallTime: rec.wallTime, text, ...cells });
        break;
      }
      case 'tensor': {
        noteGraphData(rd.graphSources, rec);
        const t = rd.tensors.get(rec.tag);
        if (t) t.count++;
        else if (this.roomForTag(rd, run, 'tensor', rd.tensors.size)) rd.tensors.set(rec.tag, { plugin: rec.plugin, count: 1 });
        const dropped = rd.plugins.add(rec);
        if (dropped) this.addWarning(run, dropped);
        break;
      }
      case 'graph':
        noteGraphData(rd.graphSources, rec);
        rd.graphs.push(rec.graph);
        if (rd.graphs.length > STORE_BOUNDS.graphsPerRun) rd.graphs.splice(0, rd.graphs.length - STORE_BOUNDS.graphsPerRun);
        break;
      case 'hparams':
        if (rec.part === 'session_start') rd.sessionStarted = true;
        noteHparamsDetail(rd.hparamsDetail, rec, STORE_BOUNDS.hparamKeys);
        if (rec.part === 'session_start' && rec.hparams) {
          // Via a Map so a key like "__proto__" stays a plain own property.
          const merged = new Map(Object.entries(rd.hparams ?? {}));
          for (const [k, v] of Object.entries(rec.hparams)) {
            if (merged.has(k) || merged.size < STORE_BOUNDS.hparamKeys) merged.set(k, v);
          }
          rd.hparams = Object.fromEntries(merged);
        } else if (rec.part === 'experiment') {
          if (rec.metrics) rd.hparamMetrics = rec.metrics.slice(0, STORE_BOUNDS.hparamKeys);
        } else if (rec.part === 'session_end' && rec.status) {
          rd.hparamStatus = rec.status;
        }
        break;
      case 'meta':
        if (rec.what === 'source_metadata' && rec.detail) rd.writer = rec.detail.slice(0, 200);
        if (isRestart(rec)) {
          // A restarted job logs SessionLog START at the step it resumed from: what was logged at or past
          // it belongs to the abandoned attempt (the same rule as a per-tag rewind, for every tag at once).
          for (const e of [...rd.scalars.values(), ...rd.histograms.values(), ...rd.images.values()]) {
            const t = begin(e);
            if (e.series.truncateFrom(rec.step)) {
              t.reset = true;
              rd.resetMark = ++this.resetSeq; // replays rebuild their cursors (replay-cursor.ts)
            }
          }
        }
        noteGraphData(rd.graphSources, rec);
        break;
    }
  }
}
