// Merging run infos into the ones held (hello, subscribe ack, delta.runs). The subscribe ack repeats every
// run's info, usually unchanged: replacing them all made every run-dependent view (the sidebar's rows,
// each card's lines) recompute and re-render right when the first backlog chunk was due to be drawn.

import type { RunInfo } from '../../../shared/types.ts';

/**
 * The infos with `list` merged in (a run's fields not in its update are kept), or null when that changes
 * nothing (same runs, equal fields): the caller keeps what it holds.
 */
export function mergeRunInfos(held: ReadonlyMap<string, RunInfo>, list: readonly RunInfo[]): Map<string, RunInfo> | null {
  let next: Map<string, RunInfo> | null = null;
  for (const r of list) {
    const old = (next ?? held).get(r.name);
    const merged = { ...old, ...r };
    if (old && JSON.stringify(merged) === JSON.stringify(old)) continue;
    next ??= new Map(held);
    next.set(r.name, merged);
  }
  return next;
}
