// The PROJECTOR's state: the chosen run and embedding, its tensor / metadata / sprite, and the projection
// computed by the worker (progress, cancel, kNN). The tab and its components only draw this; the URL
// keeps the view (url.ts), written beside the dashboard's own params.
import { colorByColumn } from './colors.ts';
import type { Neighbor } from './knn.ts';
import { parseMetadataTsv, type Metadata } from './metadata.ts';
import type { FromWorker, ToWorker } from './protocol.ts';
import { searchLabels } from './search.ts';
import { defaultColorColumn, parseProjectorView, writeProjectorView, type ProjectorView } from './url.ts';
import { fetchEmbeddings, fetchMetadata, fetchProjectorRuns, fetchTensor, spriteUrl, type EmbeddingInfo } from './api.ts';

export const NEIGHBORS_K = 10;

export interface LoadedTensor {
  run: string;
  name: string;
  data: Float32Array;
  n: number;
  d: number;
}

export class ProjectorState {
  view = $state<ProjectorView>(parseProjectorView(new URLSearchParams(typeof location === 'undefined' ? '' : location.search)));
  /** Projector runs among the dashboard's selected runs. */
  runs = $state.raw<string[]>([]);
  embeddings = $state.raw<EmbeddingInfo[]>([]);
  tensor = $state.raw<LoadedTensor | null>(null);
  metadata = $state.raw<Metadata | null>(null);
  sprite = $state.raw<{ url: string; cell: number[] } | null>(null);
  /** The projection shown: n x dim (null before the first result). */
  coords = $state.raw<Float32Array | null>(null);
  coordsDim = $state<2 | 3>(3);
  explained = $state.raw<number[] | null>(null);
  progress = $state<{ phase: 'neighbours' | 'epochs'; done: number; total: number } | null>(null);
  running = $state(false);
  loading = $state(false);
  error = $state<string | null>(null);
  neighbors = $state.raw<Neighbor[]>([]);
  hover = $state(-1);

  private worker: Worker | null = null;
  private nextId = 1;
  private projectId = 0;
  private knnId = 0;
  private loadSeq = 0;

  labels = $derived.by<string[]>(() => {
    const col = this.metadata?.columns[0];
    if (col) return col.values;
    return Array.from({ length: this.tensor?.n ?? 0 }, (_, i) => String(i));
  });
  colorColumn = $derived(this.view.color ?? defaultColorColumn(this.metadata?.columns ?? []));
  colors = $derived(colorByColumn(this.metadata?.columns.find((c) => c.name === this.colorColumn) ?? null, this.tensor?.n ?? 0));
  search = $derived(searchLabels(this.labels, this.view.search, this.view.regex));
  /** The embedding shown: the one named in the URL, else the run's last (new epochs follow). */
  current = $derived(this.embeddings.find((e) => e.tensorName === this.view.tensor) ?? this.embeddings.at(-1) ?? null);

  syncUrl(): void {
    if (typeof history === 'undefined') return;
    const p = writeProjectorView(this.view, new URLSearchParams(location.search));
    const s = p.toString();
    const url = `${location.pathname}${s ? `?${s}` : ''}${location.hash}`;
    if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(history.state, '', url);
  }

  /** Re-reads the runs and the run's embeddings; loads the shown embedding when it changed (a new epoch). */
  async refresh(selected: readonly string[]): Promise<void> {
    try {
      const all = await fetchProjectorRuns();
      const sel = new Set(selected);
      this.runs = all.filter((r) => sel.has(r));
      const run = this.view.run !== null && this.runs.includes(this.view.run) ? this.view.run : (this.runs[0] ?? null);
      if (run === null) {
        this.embeddings = [];
        return;
      }
      if (run !== this.view.run && this.view.run !== null && this.tensor) this.view.point = null;
      this.view.run = run;
      this.embeddings = await fetchEmbeddings(run);
      const e = this.current;
      if (e?.tensorName && (this.tensor?.run !== run || this.tensor.name !== e.tensorName)) await this.load(run, e.tensorName);
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    }
  }

  async load(run: string, name: string): Promise<void> {
    const seq = ++this.loadSeq;
    this.loading = true;
    this.error = null;
    try {
      const e = this.embeddings.find((x) => x.tensorName === name);
      const [data, mdText] = await Promise.all([fetchTensor(run, name), e?.metadataPath ? fetchMetadata(run, name) : Promise.resolve(null)]);
      if (seq !== this.loadSeq) return;
      const shape = e?.tensorShape;
      const n = shape?.[0] ?? 0;
      const d = shape?.[1] ?? (n > 0 ? data.length / n : 0);
      if (!(n > 0 && d > 0 && n * d === data.length)) throw new Error(`tensor "${name}": ${data.length} values do not fit its shape ${JSON.stringify(shape)}`);
      const md = mdText === null ? null : parseMetadataTsv(mdText, n);
      const keepPoint = this.tensor?.run === run && this.tensor.n === n;
      this.tensor = { run, name, data, n, d };
      this.metadata = md;
      this.sprite = e?.sprite?.imagePath && e.sprite.singleImageDim?.length === 2 ? { url: spriteUrl(run, name), cell: e.sprite.singleImageDim } : null;
      if (!keepPoint && this.view.point !== null && this.view.point >= n) this.view.point = null;
      this.post({ type: 'data', data: data.slice(), n, d });
      this.project();
      if (this.view.point !== null) this.select(this.view.point);
    } catch (err) {
      if (seq === this.loadSeq) this.error = err instanceof Error ? err.message : String(err);
    } finally {
      if (seq === this.loadSeq) this.loading = false;
    }
  }

  /** (Re)computes the projection with the view's method and dimension; cancels the one running. */
  project(): void {
    if (!this.tensor) return;
    if (this.running) this.post({ type: 'cancel', id: this.projectId });
    this.projectId = this.nextId++;
    this.running = true;
    this.progress = null;
    this.post({ type: 'project', id: this.projectId, method: this.view.method, dim: this.view.dim });
  }

  cancel(): void {
    if (!this.running) return;
    this.post({ type: 'cancel', id: this.projectId });
  }

  /** Selects a point (null = none) and asks the worker for its neighbours. */
  select(i: number | null): void {
    this.view.point = i;
    this.neighbors = [];
    if (i === null || !this.tensor || i >= this.tensor.n) return;
    this.knnId = this.nextId++;
    this.post({ type: 'knn', id: this.knnId, index: i, k: NEIGHBORS_K, metric: this.view.metric });
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
  }

  private post(m: ToWorker): void {
    if (!this.worker) {
      this.worker = new Worker(new URL('./projection.worker.ts', import.meta.url), { type: 'module' });
      this.worker.onmessage = (ev: MessageEvent<FromWorker>) => this.onMessage(ev.data);
      this.worker.onerror = (ev) => {
        this.error = `projection worker: ${ev.message}`;
        this.running = false;
      };
    }
    this.worker.postMessage(m, m.type === 'data' ? [m.data.buffer] : []);
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'knn') {
      if (m.id === this.knnId) this.neighbors = m.neighbors;
      return;
    }
    if (m.id !== this.projectId) return;
    if (m.type === 'progress') this.progress = { phase: m.phase, done: m.done, total: m.total };
    else if (m.type === 'result') {
      this.coords = m.coords;
      this.coordsDim = m.dim;
      this.explained = m.explained ?? null;
      if (m.final) this.running = false;
    } else if (m.type === 'cancelled') this.running = false;
    else if (m.type === 'error') {
      this.error = m.message;
      this.running = false;
    }
  }
}
