// Nearest neighbours of one point in the original space (cosine or euclidean distance), and the
// mean label agreement of k-nearest neighbourhoods (how well a layout keeps classes apart).
export type Metric = 'cosine' | 'euclidean';

export interface Neighbor {
  index: number;
  distance: number;
}

/** The k nearest points to point `q` (itself excluded), nearest first; ties by index. */
export function nearestNeighbors(data: Float32Array, n: number, d: number, q: number, k: number, metric: Metric): Neighbor[] {
  if (q < 0 || q >= n) throw new Error(`nearestNeighbors: point ${q} is not one of ${n}`);
  const qo = q * d;
  let qn = 0;
  for (let j = 0; j < d; j++) qn += data[qo + j] * data[qo + j];
  qn = Math.sqrt(qn);
  // A small sorted list: k is ~10, so insertion beats a heap.
  const best: Neighbor[] = [];
  for (let i = 0; i < n; i++) {
    if (i === q) continue;
    const o = i * d;
    let dist: number;
    if (metric === 'euclidean') {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const t = data[o + j] - data[qo + j];
        s += t * t;
      }
      dist = Math.sqrt(s);
    } else {
      let dot = 0, nn = 0;
      for (let j = 0; j < d; j++) (dot += data[o + j] * data[qo + j]), (nn += data[o + j] * data[o + j]);
      const denom = Math.sqrt(nn) * qn;
      dist = denom > 0 ? 1 - dot / denom : 1;
    }
    if (best.length === k && dist >= best[k - 1].distance) continue;
    let at = best.length;
    while (at > 0 && best[at - 1].distance > dist) at--;
    best.splice(at, 0, { index: i, distance: dist });
    if (best.length > k) best.pop();
  }
  return best;
}

/** Mean share of each point's k nearest neighbours (euclidean, in `coords` of `dim` columns) with its label. */
export function knnLabelAgreement(coords: Float32Array, dim: number, labels: readonly string[], k: number): number {
  const n = labels.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const nb = nearestNeighbors(coords, n, dim, i, k, 'euclidean');
    let same = 0;
    for (const x of nb) if (labels[x.index] === labels[i]) same++;
    sum += nb.length ? same / nb.length : 0;
  }
  return n ? sum / n : 0;
}
