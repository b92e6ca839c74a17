// Line specs for the COMPARE tab's loss / accuracy overlays: one line per run, or per configuration
// group a mean line over a min-max band (the pure maths is in compare.ts).
import { smooth } from '../../../shared/smoothing.ts';
import type { LineSpec } from './charts/line-data.ts';
import { withAlpha } from './colors.ts';
import { groupRuns, meanBand, pickTag, type SeriesLike } from './compare.ts';
import type { RunView } from './state/dashboard-data.ts';

export interface CurveSource {
  run: RunView;
  scalars: Map<string, SeriesLike & { version?: number }>;
}

function seriesFor(src: CurveSource, metric: 'loss' | 'accuracy', val: boolean) {
  const tag = pickTag(src.scalars.keys(), metric, val);
  return tag === undefined ? undefined : src.scalars.get(tag);
}

/** `smoothing`: the sidebar's EMA weight, applied to each run's curve (or to a group's mean). */
export function compareLines(sources: CurveSource[], metric: 'loss' | 'accuracy', grouped: boolean, smoothing = 0): LineSpec[] {
  const out: LineSpec[] = [];
  if (!grouped) {
    for (const src of sources) {
      for (const val of [false, true]) {
        const s = seriesFor(src, metric, val);
        if (!s || s.n === 0) continue;
        out.push({
          id: `${src.run.name}|${val}`, label: `${src.run.name} ${val ? 'val' : 'train'}`, color: src.run.color,
          xs: s.steps, ys: smoothing > 0 ? smooth(Array.prototype.slice.call(s.values, 0, s.n) as number[], smoothing) : s.values,
          n: s.n, key: `${s.version ?? s.n}|${smoothing}`, dashed: val, raw: smoothing > 0 ? s.values : undefined,
        });
      }
    }
    return out;
  }
  const byName = new Map(sources.map((s) => [s.run.name, s]));
  for (const g of groupRuns(sources.map((s) => ({ name: s.run.name, hparams: s.run.info.hparams })))) {
    const members = g.runs.map((n) => byName.get(n)!);
    const color = members[0].run.color;
    const label = members.length > 1 ? `${members[0].run.name} +${members.length - 1}` : members[0].run.name;
    for (const val of [false, true]) {
      const list = members.map((m) => seriesFor(m, metric, val)).filter((s): s is SeriesLike => !!s && s.n > 0);
      if (list.length === 0) continue;
      const band = meanBand(list);
      const xs = Float64Array.from(band.steps);
      const key = `${list.map((s) => s.n).join(',')}|${smoothing}`;
      const base = { xs, n: xs.length, key };
      const id = `${g.key}|${val}`;
      out.push({ ...base, id: `${id}|min`, label, color: withAlpha(color, 0.15), ys: Float64Array.from(band.min), faint: true });
      out.push({ ...base, id: `${id}|max`, label, color: withAlpha(color, 0.15), ys: Float64Array.from(band.max), faint: true, fill: '-1', fillColor: withAlpha(color, 0.15) });
      out.push({ ...base, id: `${id}|mean`, label: `${label} ${val ? 'val' : 'train'} (mean of ${list.length})`, color, ys: smoothing > 0 ? smooth(band.mean, smoothing) : Float64Array.from(band.mean), raw: smoothing > 0 ? band.mean : undefined, dashed: val });
    }
  }
  return out;
}
