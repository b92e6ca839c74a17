// Reads of the hparams plugin routes (POST with JSON bodies, as TensorBoard's frontend sends them).
import { authHeaders } from '../page-token.ts';
import type { Experiment, SessionGroup } from './types.ts';

async function postJson<T>(url: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...authHeaders() },
    body: JSON.stringify(body),
    signal,
  });
  if (!res.ok) throw new Error(`POST ${url}: HTTP ${res.status} ${await res.text().catch(() => '')}`.trim());
  return (await res.json()) as T;
}

/** Every session group, unfiltered and unsorted: the tab filters and sorts locally so brushing is instant. */
export const ALL_GROUPS_REQUEST = {
  experimentName: '',
  allowedStatuses: ['STATUS_UNKNOWN', 'STATUS_SUCCESS', 'STATUS_FAILURE', 'STATUS_RUNNING'],
  colParams: [],
  startIndex: 0,
  // The server bounds nothing here but the log's own size; 100,000 sessions is far past a usable table.
  sliceSize: 100_000,
  includeMetrics: true,
};

export function fetchExperiment(signal?: AbortSignal): Promise<Experiment> {
  return postJson<Experiment>('/data/plugin/hparams/experiment', { experimentName: '', includeMetrics: true }, signal);
}

export async function fetchSessionGroups(signal?: AbortSignal): Promise<SessionGroup[]> {
  const r = await postJson<{ sessionGroups: SessionGroup[] }>('/data/plugin/hparams/session_groups', ALL_GROUPS_REQUEST, signal);
  return r.sessionGroups;
}
