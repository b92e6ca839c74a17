// Steps past 2^53 travel as the nearest double plus their exact text (shared/exact-int.ts): this adds the
// text of such steps to a delta, keyed by the rounded step it carries.
import type { SeriesDelta } from '../../shared/protocol.ts';

export function withExactSteps(exactSteps: ReadonlyMap<number, string>, d: SeriesDelta): SeriesDelta {
  if (exactSteps.size === 0) return d;
  const steps = d.kind === 'scalars' ? d.steps : d.kind === 'histograms' ? d.points.map((p) => p[1]) : d.points.map((p) => p.step);
  let exact: Record<string, string> | undefined;
  for (const st of steps) {
    if (Number.isSafeInteger(st)) continue;
    const text = exactSteps.get(st);
    if (text !== undefined) (exact ??= {})[String(st)] = text;
  }
  return exact ? { ...d, exactSteps: exact } : d;
}
