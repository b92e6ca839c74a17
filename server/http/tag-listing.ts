// The per-run tag listings of TensorBoard's plugins ({run: {tag: {displayName, description}}}), keys sorted
// as TensorBoard writes them, descriptions rendered from markdown to safe HTML, and steps past 2^53 written
// exactly.
import { dict } from '../../shared/dict.ts';
import { stepOut, type ExactInt } from '../../shared/exact-int.ts';
import { renderMarkdown } from '../render/markdown.ts';
import type { SeriesStore } from '../store/series-store.ts';

export interface TagListing {
  description: string;
  displayName: string;
}

// Descriptions repeat on every listing request: cache the rendered HTML (bounded, oldest dropped first).
const rendered = new Map<string, string>();
const RENDER_CACHE = 1_000;

export function describe(markdown: string): string {
  if (markdown === '') return '';
  let html = rendered.get(markdown);
  if (html === undefined) {
    html = renderMarkdown(markdown);
    if (rendered.size >= RENDER_CACHE) rendered.delete(rendered.keys().next().value as string);
    rendered.set(markdown, html);
  }
  return html;
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** {run: {tag: entry}} over runs having tags of the kind, runs and tags in sorted order. */
export function tagListing<E extends object>(
  store: SeriesStore,
  tagsOf: (run: string) => string[],
  extra?: (run: string, tag: string) => E,
): Record<string, Record<string, TagListing & E>> {
  const out = dict<Record<string, TagListing & E>>();
  for (const run of store.runs().sort(byCodeUnit)) {
    const tags = tagsOf(run);
    if (tags.length === 0) continue;
    const entries = dict<TagListing & E>();
    for (const tag of [...tags].sort(byCodeUnit)) {
      const info = store.tagInfo(run, tag);
      entries[tag] = { description: describe(info.description), displayName: info.displayName, ...(extra?.(run, tag) as E) };
    }
    out[run] = entries;
  }
  return out;
}

/** A step as it should be written: exact when the log had an int64 past 2^53. */
export function outStep(store: SeriesStore, run: string, step: number): number | ExactInt {
  return Number.isSafeInteger(step) ? step : stepOut(step, store.exactStep(run, step));
}
