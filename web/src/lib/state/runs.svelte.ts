// Known runs (from hello / subscribe ack / delta.runs) with their stable colors.
import type { RunInfo } from '../../../../shared/types.ts';
import { runColor } from '../colors.ts';
import { mergeRunInfos } from '../run-infos.ts';
import type { RunView } from './dashboard-data.ts';

export class RunsState {
  private infos = $state.raw<Map<string, RunInfo>>(new Map());

  /** Every run, sorted by group then name. */
  all = $derived.by<RunView[]>(() =>
    [...this.infos.values()]
      .sort((a, b) => a.group.localeCompare(b.group) || a.name.localeCompare(b.name))
      .map((info) => ({ name: info.name, color: runColor(info.name), info })),
  );
  names = $derived(this.all.map((r) => r.name));

  replaceAll(list: RunInfo[]): void {
    this.infos = new Map(list.map((r) => [r.name, r]));
  }

  upsert(list: RunInfo[]): void {
    const next = mergeRunInfos(this.infos, list);
    if (next) this.infos = next;
  }

  remove(name: string): void {
    if (!this.infos.has(name)) return;
    const next = new Map(this.infos);
    next.delete(name);
    this.infos = next;
  }

  get(name: string): RunInfo | undefined {
    return this.infos.get(name);
  }

  /** Runs a trainer is working on (queued or running), for progress bars and stop buttons. */
  active = $derived(this.all.filter((r) => r.info.status && (r.info.status.state === 'running' || r.info.status.state === 'queued')));
}
