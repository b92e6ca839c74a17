// Test helpers for the projector: seeded Gaussian clusters, and a Jacobi eigen-decomposition (a method
// independent of the power iteration under test) for symmetric matrices.
import { mulberry32 } from '../../web/src/lib/projector/umap-run.ts';

export function clusters(n: number, d: number, k: number, spread: number, seed = 5): { data: Float32Array; n: number; d: number; labels: string[] } {
  const rng = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rng() + 1e-12)) * Math.cos(2 * Math.PI * rng());
  const centres = Array.from({ length: k }, () => Array.from({ length: d }, () => gauss() * spread));
  const data = new Float32Array(n * d);
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % k;
    labels.push(String(c));
    // Unequal spread per axis, so the principal components are well apart.
    for (let j = 0; j < d; j++) data[i * d + j] = centres[c][j] + gauss() * (1 + j / d);
  }
  return { data, n, d, labels };
}

/** Eigenvalues (descending) and unit eigenvectors of a symmetric matrix. */
export function jacobiEigen(m: ArrayLike<number>[]): { values: number[]; vectors: number[][] } {
  const n = m.length;
  const a = Array.from({ length: n }, (_, i) => Array.from(m[i]));
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] ** 2;
    if (off < 1e-20) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-30) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p], akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k], aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p], vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y][y] - a[x][x]);
  return { values: order.map((i) => a[i][i]), vectors: order.map((i) => v.map((row) => row[i])) };
}
