// PCA of n points in d dimensions onto their top k principal components: the covariance of a sample of
// the (centred) points, its top eigenvectors by power iteration with deflation, then every point
// projected. Each component's sign is fixed (largest loading positive) so a layout is reproducible.
export interface PcaResult {
  /** n x k, row-major. */
  coords: Float32Array;
  /** k eigenvectors of length d, row-major. */
  components: Float64Array;
  /** Variance along each component. */
  variances: number[];
  /** Share of the total variance each component explains. */
  explained: number[];
}

/** Rows used for the covariance (TensorBoard samples too); every point is projected. */
export const PCA_SAMPLE = 20_000;
const ITERATIONS = 300;

export function pca(data: Float32Array, n: number, d: number, k: number, sample = PCA_SAMPLE): PcaResult {
  if (data.length !== n * d) throw new Error(`pca: ${data.length} values, expected ${n} x ${d}`);
  k = Math.min(k, d);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= Math.max(n, 1);
  // An evenly spaced sample: deterministic, and spread over the whole set.
  const m = Math.min(n, sample);
  const stride = n / Math.max(m, 1);
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let s = 0; s < m; s++) {
    const i = Math.floor(s * stride);
    for (let j = 0; j < d; j++) row[j] = data[i * d + j] - mean[j];
    for (let a = 0; a < d; a++) {
      const ra = row[a];
      if (ra === 0) continue;
      const off = a * d;
      for (let b = a; b < d; b++) cov[off + b] += ra * row[b];
    }
  }
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) cov[b * d + a] = cov[a * d + b] /= Math.max(m - 1, 1);
  let total = 0;
  for (let a = 0; a < d; a++) total += cov[a * d + a];

  const components = new Float64Array(k * d);
  const variances: number[] = [];
  const v = new Float64Array(d);
  const w = new Float64Array(d);
  for (let c = 0; c < k; c++) {
    // A fixed, non-degenerate start.
    for (let j = 0; j < d; j++) v[j] = 1 + ((j * 7919 + c * 104729) % 97) / 97;
    normalize(v);
    let lambda = 0;
    for (let it = 0; it < ITERATIONS; it++) {
      matVec(cov, v, w, d);
      // Deflate: remove the components already found (keeps the iteration orthogonal to them).
      for (let p = 0; p < c; p++) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += w[j] * components[p * d + j];
        for (let j = 0; j < d; j++) w[j] -= dot * components[p * d + j];
      }
      const norm = normalize(w);
      if (norm === 0) break;
      let diff = 0;
      for (let j = 0; j < d; j++) diff += Math.abs(w[j] - v[j]);
      v.set(w);
      lambda = norm;
      if (diff < 1e-10) break;
    }
    let big = 0;
    for (let j = 0; j < d; j++) if (Math.abs(v[j]) > Math.abs(big)) big = v[j];
    if (big < 0) for (let j = 0; j < d; j++) v[j] = -v[j];
    components.set(v, c * d);
    variances.push(lambda);
  }
  const coords = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (data[i * d + j] - mean[j]) * components[c * d + j];
      coords[i * k + c] = s;
    }
  }
  return { coords, components, variances, explained: variances.map((x) => (total > 0 ? x / total : 0)) };
}

function matVec(m: Float64Array, v: Float64Array, out: Float64Array, d: number): void {
  for (let a = 0; a < d; a++) {
    let s = 0;
    const off = a * d;
    for (let b = 0; b < d; b++) s += m[off + b] * v[b];
    out[a] = s;
  }
}

function normalize(v: Float64Array): number {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += v[j] * v[j];
  const norm = Math.sqrt(s);
  if (norm > 0) for (let j = 0; j < v.length; j++) v[j] /= norm;
  return norm;
}
