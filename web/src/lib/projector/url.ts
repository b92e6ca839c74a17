// The PROJECTOR's view in the URL (its own params, beside url-state.ts's; unknown params are kept):
// run, embedding, projection method and dimension, colour column, search, selected point, metric.
import type { Metric } from './knn.ts';

export type ProjectionMethod = 'pca' | 'umap';

export interface ProjectorView {
  run: string | null;
  /** Tensor name; null = the run's last embedding (follows new epochs). */
  tensor: string | null;
  method: ProjectionMethod;
  dim: 2 | 3;
  /** Metadata column to colour by; null = the first categorical one, '' = none. */
  color: string | null;
  search: string;
  regex: boolean;
  point: number | null;
  metric: Metric;
}

export const DEFAULT_PROJECTOR_VIEW: ProjectorView = {
  run: null,
  tensor: null,
  method: 'pca',
  dim: 3,
  color: null,
  search: '',
  regex: false,
  point: null,
  metric: 'cosine',
};

export function parseProjectorView(p: URLSearchParams): ProjectorView {
  const v: ProjectorView = { ...DEFAULT_PROJECTOR_VIEW };
  v.run = p.get('prun');
  v.tensor = p.get('pemb');
  if (p.get('pmethod') === 'umap') v.method = 'umap';
  if (p.get('pdim') === '2') v.dim = 2;
  v.color = p.get('pcolor');
  v.search = p.get('psearch') ?? '';
  v.regex = p.get('pre') === '1';
  const pt = Number(p.get('ppoint'));
  if (p.has('ppoint') && Number.isSafeInteger(pt) && pt >= 0) v.point = pt;
  if (p.get('pmetric') === 'euclidean') v.metric = 'euclidean';
  return v;
}

export function writeProjectorView(v: ProjectorView, p: URLSearchParams): URLSearchParams {
  const set = (k: string, val: string | null) => (val === null ? p.delete(k) : p.set(k, val));
  set('prun', v.run);
  set('pemb', v.tensor);
  set('pmethod', v.method === 'pca' ? null : v.method);
  set('pdim', v.dim === 3 ? null : '2');
  set('pcolor', v.color);
  set('psearch', v.search || null);
  set('pre', v.regex ? '1' : null);
  set('ppoint', v.point === null ? null : String(v.point));
  set('pmetric', v.metric === 'cosine' ? null : v.metric);
  return p;
}

/** Default colour column: the first categorical column with 2..50 values, else the first column, else none. */
export function defaultColorColumn(cols: readonly { name: string; categories: string[] | null }[]): string {
  const cat = cols.find((c) => c.categories && c.categories.length >= 2 && c.categories.length <= 50);
  return (cat ?? cols[0])?.name ?? '';
}
