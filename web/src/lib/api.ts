// HTTP helpers (same origin). Data requests carry the token in an Authorization header; image URLs carry
// none (the cookie set on first load lets the tab's own <img> requests through).
import type { GraphJson, RunInfo } from '../../../shared/types.ts';
import { authHeaders } from './page-token.ts';

function withQuery(path: string, params: Record<string, string | number>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { accept: 'application/json', ...authHeaders() } });
  if (!res.ok) throw new Error(`GET ${url.split('?')[0]}: HTTP ${res.status} ${await res.text().catch(() => '')}`.trim());
  return (await res.json()) as T;
}

export function fetchGraphs(run: string): Promise<GraphJson[]> {
  return getJson<GraphJson[]>(withQuery('/api/graphs', { run }));
}

export function fetchRuns(): Promise<RunInfo[]> {
  return getJson<RunInfo[]>(withQuery('/api/runs', {}));
}

export function imageUrl(run: string, tag: string, index: number): string {
  return withQuery('/data/plugin/images/individualImage', { run, tag, index });
}

/** One tag's points of several runs in a step window (scalars_multirun), at most about `points` a run. */
export async function fetchScalarWindow(tag: string, runs: readonly string[], minStep: number, maxStep: number, points: number): Promise<Record<string, [number, number, number | null][]>> {
  const body = new URLSearchParams({ tag, min_step: String(minStep), max_step: String(maxStep), points: String(points) });
  for (const r of runs) body.append('runs', r);
  const url = '/data/plugin/scalars/scalars_multirun';
  const res = await fetch(url, { method: 'POST', body, headers: { accept: 'application/json', ...authHeaders() } });
  if (!res.ok) throw new Error(`POST ${url}: HTTP ${res.status} ${await res.text().catch(() => '')}`.trim());
  return (await res.json()) as Record<string, [number, number, number | null][]>;
}
