// Which HTTP-served plugins (text, pr_curves, audio, custom_scalars) each run has data of (subscribe ack +
// DeltaBatch.plugins), revision counters bumped by each notice, and the cache the plugin tabs read their
// data through (refetched, throttled, when a revision goes up).
import type { PluginNotice } from '../../../../shared/protocol.ts';
import { getJson } from '../api.ts';
import { FetchCache, type Cached } from '../fetch-cache.ts';

export class PluginsState {
  private byRun = $state.raw<Map<string, ReadonlySet<string>>>(new Map());
  private revs = $state.raw<Map<string, number>>(new Map());
  private tick = $state(0);
  private readonly cache = new FetchCache((url) => getJson<unknown>(url), () => this.tick++);

  /** Plugins a run has data of. */
  of(run: string): ReadonlySet<string> {
    return this.byRun.get(run) ?? EMPTY;
  }

  /** Goes up whenever `run` (or, without run, any run) got new data of `plugin`. */
  revision(plugin: string, run?: string): number {
    return this.revs.get(run === undefined ? plugin : `${plugin}\u0000${run}`) ?? 0;
  }

  /** The subscribe ack's list: what the runs hold now (replaces what was known of them). */
  replace(notices: readonly PluginNotice[], runs: readonly string[] | '*'): void {
    const next = new Map(runs === '*' ? [] : this.byRun);
    if (runs !== '*') for (const r of runs) next.delete(r);
    this.byRun = next;
    this.add(notices);
  }

  add(notices: readonly PluginNotice[]): void {
    if (notices.length === 0) return;
    const byRun = new Map(this.byRun);
    const revs = new Map(this.revs);
    for (const { run, plugin } of notices) {
      const cur = byRun.get(run);
      if (!cur?.has(plugin)) byRun.set(run, new Set([...(cur ?? []), plugin]));
      revs.set(plugin, (revs.get(plugin) ?? 0) + 1);
      revs.set(`${plugin}\u0000${run}`, (revs.get(`${plugin}\u0000${run}`) ?? 0) + 1);
    }
    this.byRun = byRun;
    this.revs = revs;
  }

  remove(run: string): void {
    if (!this.byRun.has(run)) return;
    const next = new Map(this.byRun);
    next.delete(run);
    this.byRun = next;
    this.cache.forget(new URLSearchParams({ run }).toString());
  }

  /** JSON at url, refetched when `rev` goes up (reactive: readers re-run when an answer arrives). */
  fetch<T>(url: string, rev: number, parse: (raw: unknown) => T): Cached<T> {
    void this.tick;
    return this.cache.get(url, rev, parse);
  }
}

const EMPTY: ReadonlySet<string> = new Set();
