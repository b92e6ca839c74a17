// HTTP helpers (same origin; ?token= forwarded). Graph JSON is fetched on demand, image bytes by URL.
import type { GraphJson, RunInfo } from '../../../shared/types.ts';
import { pageToken } from './socket.ts';

function withToken(path: string, params: Record<string, string | number>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) q.set(k, String(v));
  const token = pageToken();
  if (token) q.set('token', token);
  return `${path}?${q.toString()}`;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET ${url.split('?')[0]}: HTTP ${res.status} ${await res.text().catch(() => '')}`.trim());
  return (await res.json()) as T;
}

export function fetchGraphs(run: string): Promise<GraphJson[]> {
  return getJson<GraphJson[]>(withToken('/data/plugin/graphs/graph', { run }));
}

export function fetchRuns(): Promise<RunInfo[]> {
  return getJson<RunInfo[]>(withToken('/api/runs', {}));
}

export function imageUrl(run: string, tag: string, index: number): string {
  return withToken('/data/plugin/images/individualImage', { run, tag, index });
}
