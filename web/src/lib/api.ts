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
