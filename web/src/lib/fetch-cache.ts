// Plugin data fetched over HTTP (text, PR curves, audio, custom-scalar layouts), cached by URL and
// refetched when its revision goes up (a socket notice said the run got new data), at most once per
// `minIntervalMs` per URL, so a run logging text every step costs one request a second, not one a step.
// No Svelte here: the owner passes onChange (a reactive tick) and reads entries in its templates.

export interface Cached<T> {
  data?: T;
  error?: string;
  /** A request for a newer revision is pending or in flight. */
  stale: boolean;
}

interface Entry {
  data?: unknown;
  error?: string;
  /** Revision of the data held (-1: none yet). */
  rev: number;
  /** Highest revision asked for. */
  want: number;
  inflight: boolean;
  timer: boolean;
  at: number;
  parse: (raw: unknown) => unknown;
}

export interface FetchCacheOptions {
  minIntervalMs?: number;
  maxEntries?: number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => void;
}

export class FetchCache {
  private entries = new Map<string, Entry>();
  private readonly minIntervalMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => void;

  constructor(
    private readonly load: (url: string) => Promise<unknown>,
    private readonly onChange: () => void,
    opts: FetchCacheOptions = {},
  ) {
    this.minIntervalMs = opts.minIntervalMs ?? 1000;
    // Above the URLs one view reads (a card per run and tag), or eviction would refetch in a loop.
    this.maxEntries = opts.maxEntries ?? 2000;
    this.now = opts.now ?? (() => Date.now());
    this.setTimer = opts.setTimer ?? ((fn, ms) => void setTimeout(fn, ms));
  }

  /** What is held for url (parsed by `parse`); asks for revision `rev` when it is newer than what is held. */
  get<T>(url: string, rev: number, parse: (raw: unknown) => T): Cached<T> {
    let e = this.entries.get(url);
    if (!e) {
      e = { rev: -1, want: rev, inflight: false, timer: false, at: -Infinity, parse };
      this.entries.set(url, e);
      this.evict();
      this.schedule(url, e);
    } else {
      // Most recently used last (eviction drops the first).
      this.entries.delete(url);
      this.entries.set(url, e);
      if (rev > e.want) {
        e.want = rev;
        this.schedule(url, e);
      }
    }
    return { data: e.data as T | undefined, error: e.error, stale: e.want > e.rev };
  }

  /** Forgets every URL containing `part` (e.g. a removed run's). */
  forget(part: string): void {
    for (const url of [...this.entries.keys()]) if (url.includes(part)) this.entries.delete(url);
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  private schedule(url: string, e: Entry): void {
    if (e.inflight || e.timer) return; // the running request re-checks `want` when it ends
    e.timer = true;
    const wait = Math.max(0, e.at + this.minIntervalMs - this.now());
    this.setTimer(() => {
      e.timer = false;
      void this.run(url, e);
    }, wait);
  }

  private async run(url: string, e: Entry): Promise<void> {
    if (this.entries.get(url) !== e) return; // evicted meanwhile
    e.inflight = true;
    const want = e.want;
    e.at = this.now();
    try {
      e.data = e.parse(await this.load(url));
      e.error = undefined;
    } catch (err) {
      e.error = err instanceof Error ? err.message : String(err);
    }
    e.rev = want;
    e.inflight = false;
    if (e.want > e.rev) this.schedule(url, e);
    this.onChange();
  }
}
