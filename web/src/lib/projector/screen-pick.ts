// Hover picking in screen space: the point whose projected position is nearest the cursor, within a
// radius. Plain loop over the projected coordinates (10k points: well under a millisecond).
export function pickNearest(screen: Float32Array, x: number, y: number, radius: number, visible?: Uint8Array): number {
  let best = -1;
  let bestD = radius * radius;
  for (let i = 0, n = screen.length / 2; i < n; i++) {
    if (visible && !visible[i]) continue;
    const dx = screen[2 * i] - x, dy = screen[2 * i + 1] - y;
    const dd = dx * dx + dy * dy;
    if (dd <= bestD) (bestD = dd), (best = i);
  }
  return best;
}

/** Scales coordinates (n x dim) into [-1, 1] around their centre, keeping proportions: the view's frame. */
export function normalizeCoords(coords: Float32Array, dim: number): Float32Array {
  const n = coords.length / dim;
  const out = new Float32Array(n * 3);
  const mid = new Float64Array(dim);
  const lo = new Float64Array(dim).fill(Infinity), hi = new Float64Array(dim).fill(-Infinity);
  for (let i = 0; i < n; i++) for (let c = 0; c < dim; c++) {
    const v = coords[i * dim + c];
    if (Number.isFinite(v)) (lo[c] = Math.min(lo[c], v)), (hi[c] = Math.max(hi[c], v));
  }
  let span = 0;
  for (let c = 0; c < dim; c++) (mid[c] = (lo[c] + hi[c]) / 2), (span = Math.max(span, hi[c] - lo[c]));
  const s = span > 0 && Number.isFinite(span) ? 2 / span : 1;
  for (let i = 0; i < n; i++) for (let c = 0; c < dim; c++) {
    const v = (coords[i * dim + c] - mid[c]) * s;
    out[i * 3 + c] = Number.isFinite(v) ? v : 0;
  }
  return out;
}

/** Coordinates as TSV (one point per line), for the download link. */
export function coordsToTsv(coords: Float32Array, dim: number): string {
  const lines: string[] = [];
  for (let i = 0; i < coords.length; i += dim) lines.push(Array.from(coords.subarray(i, i + dim)).join('\t'));
  return lines.join('\n') + '\n';
}
