// Shared by the TEXT, PR CURVES and AUDIO cards: entries by step, what a replay has reached so far, where
// the step slider stands (follows the latest unless a step was picked), and the runs' tag lists. Pure.
import { followSlider } from '../images-view.ts';

export interface Stepped {
  step: number;
}

/** Entries sorted by step, cut at `maxStep` (a replay's position; null = no limit). */
export function upToStep<T extends Stepped>(entries: readonly T[], maxStep: number | null): T[] {
  const sorted = [...entries].sort((a, b) => a.step - b.step);
  return maxStep === null ? sorted : sorted.filter((e) => e.step <= maxStep);
}

/** Index the slider shows: the picked step (or the nearest earlier one kept), else the latest. */
export function sliderIndex(steps: readonly number[], picked: number | null | undefined): number {
  return followSlider(picked ?? null, steps);
}

/** What to remember when the slider moves to index i: null at the latest (keep following it). */
export function pickedStep(steps: readonly number[], i: number): number | null {
  return i >= steps.length - 1 ? null : (steps[i] ?? null);
}

/** Key of one (run, tag) card in the URL's per-card maps. */
export function cardKey(run: string, tag: string): string {
  return `${run}:${tag}`;
}

/** A plugin's `/tags` answer ({run: [tag...]} or {run: {tag: {...}}}) as run -> tags; junk is dropped. */
export function parseTagsByRun(raw: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return out;
  for (const [run, v] of Object.entries(raw as Record<string, unknown>)) {
    if (Array.isArray(v)) out.set(run, v.filter((t): t is string => typeof t === 'string'));
    else if (v && typeof v === 'object') out.set(run, Object.keys(v));
  }
  return out;
}

export function withQuery(path: string, params: Record<string, string | number | boolean>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) q.set(k, String(v));
  return `${path}?${q.toString()}`;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Throws a readable error for a malformed answer (the cache shows it on the card). */
export function expectArray(raw: unknown, what: string): unknown[] {
  if (!Array.isArray(raw)) throw new Error(`${what}: expected a list, got ${raw === null ? 'null' : typeof raw}`);
  return raw;
}
