// The PROJECTOR's worker: holds the embedding, runs PCA / UMAP off the main thread with progress, and
// answers nearest-neighbour queries in the original space. The logic lives in the pure modules it calls.
import { nearestNeighbors } from './knn.ts';
import { pca } from './pca.ts';
import type { FromWorker, ToWorker } from './protocol.ts';
import { runUmap } from './umap-run.ts';

let data: Float32Array | null = null;
let n = 0;
let d = 0;
/** The projection running now; an older id seen in the loop means it was superseded. */
let current = -1;
const cancelled = new Set<number>();

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);
const yieldToMessages = () => new Promise<void>((r) => setTimeout(r, 0));

async function project(m: Extract<ToWorker, { type: 'project' }>): Promise<void> {
  if (!data) throw new Error('no embedding loaded');
  current = m.id;
  if (m.method === 'pca') {
    const r = pca(data, n, d, m.dim);
    // Fewer dimensions than asked (d < dim): pad with zeros so the view always gets n x dim.
    const coords = r.coords.length === n * m.dim ? r.coords : padCoords(r.coords, n, Math.min(m.dim, d), m.dim);
    post({ type: 'result', id: m.id, method: 'pca', dim: m.dim, coords, explained: r.explained, final: true }, [coords.buffer]);
    return;
  }
  const stop = () => cancelled.has(m.id) || current !== m.id;
  const coords = await runUmap(data, n, d, { dim: m.dim, epochs: m.epochs, neighbors: m.neighbors }, {
    progress: (phase, done, total) => post({ type: 'progress', id: m.id, phase, done, total }),
    snapshot: (c) => post({ type: 'result', id: m.id, method: 'umap', dim: m.dim, coords: c, final: false }, [c.buffer]),
    cancelled: stop,
    pause: yieldToMessages,
  });
  if (!coords) post({ type: 'cancelled', id: m.id });
  else post({ type: 'result', id: m.id, method: 'umap', dim: m.dim, coords, final: true }, [coords.buffer]);
}

function padCoords(c: Float32Array, rows: number, have: number, want: number): Float32Array {
  const out = new Float32Array(rows * want);
  for (let i = 0; i < rows; i++) for (let j = 0; j < have; j++) out[i * want + j] = c[i * have + j];
  return out;
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  try {
    if (m.type === 'data') {
      ({ data, n, d } = m);
      current = -1;
    } else if (m.type === 'cancel') cancelled.add(m.id);
    else if (m.type === 'knn') {
      if (!data) throw new Error('no embedding loaded');
      post({ type: 'knn', id: m.id, index: m.index, neighbors: nearestNeighbors(data, n, d, m.index, m.k, m.metric) });
    } else if (m.type === 'project') {
      project(m).catch((e: unknown) => post({ type: 'error', id: m.id, message: e instanceof Error ? e.message : String(e) }));
    }
  } catch (e) {
    post({ type: 'error', id: 'id' in m ? m.id : -1, message: e instanceof Error ? e.message : String(e) });
  }
};
