// Which scalar series show a selected session's metric over time: the session's run (or the metric
// group's sub-run) and the metric tag, looked up in the dashboard's series state. Pure.
import type { MetricName } from './types.ts';
import { metricRun, type Column, type Session } from './sessions.ts';

export interface CurveSource {
  /** Session label (the line's name), its run (the line's colour) and the run / tag holding the points. */
  session: string;
  sessionRun: string;
  run: string;
  tag: string;
}

/** Per shown metric column, the series of each selected session (sessions without it are left out). */
export function curveSources(metrics: readonly Column[], sessions: readonly Session[], has: (run: string, tag: string) => boolean): { col: Column; sources: CurveSource[] }[] {
  return metrics
    .filter((c): c is Column & { metric: MetricName } => c.metric !== undefined)
    .map((col) => ({
      col,
      sources: sessions.map((s) => ({ session: s.label, sessionRun: s.run, run: metricRun(s.run, col.metric), tag: col.metric.tag })).filter((src) => has(src.run, src.tag)),
    }))
    .filter((x) => x.sources.length > 0);
}
