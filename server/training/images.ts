// Image summaries rendered to PNG (pngjs): the decision boundary of 2-D sets and the first
// layer's weights as 28x28 tiles for MNIST. Pure functions of plain arrays.
import { PNG } from 'pngjs';

export interface EncodedImage {
  png: Uint8Array;
  width: number;
  height: number;
}

/** Class colours (RGB): orange, blue, then more for >2 classes. */
const CLASS_COLORS: [number, number, number][] = [
  [245, 147, 34],
  [8, 119, 189],
  [46, 160, 67],
  [214, 39, 40],
  [148, 103, 189],
];
const color = (c: number) => CLASS_COLORS[c % CLASS_COLORS.length];

function encode(width: number, height: number, rgba: Uint8Array): EncodedImage {
  const png = new PNG({ width, height });
  png.data.set(rgba);
  // One fixed filter, zlib's default level. The options go to write: PNG.sync.write ignores the
  // constructor's and would try all five filters per row at level 9 (10 ms on a 233x233 weight grid).
  // Sub: within 1% of Paeth's size on these images at half its time (2.4 vs 5 ms). A fresh object each
  // call: pngjs fills its defaults in on it.
  const buf = PNG.sync.write(png, { filterType: 1, deflateLevel: 6 });
  return { png: new Uint8Array(buf.buffer, buf.byteOffset, buf.length), width, height };
}

/** Grid points covering bounds [x0, x1, y0, y1], row-major from the top row (y1) down: [size*size, 2]. */
export function gridPoints(bounds: [number, number, number, number], size: number): Float32Array {
  const [x0, x1, y0, y1] = bounds;
  const out = new Float32Array(size * size * 2);
  for (let r = 0; r < size; r++) {
    const y = y1 - ((r + 0.5) / size) * (y1 - y0);
    for (let c = 0; c < size; c++) {
      const i = (r * size + c) * 2;
      out[i] = x0 + ((c + 0.5) / size) * (x1 - x0);
      out[i + 1] = y;
    }
  }
  return out;
}

/**
 * Bilinear resampling of per-pixel class probabilities from a from x from grid to a to x to grid (both
 * gridPoints layouts: pixel centres, row-major): the trainer evaluates the model on a coarse grid (a
 * quarter of the forward pass) and renders the full-size image from it; an MLP's outputs are smooth, so
 * the picture barely changes. Edges clamp.
 */
export function upsampleBilinear(probs: ArrayLike<number>, classes: number, from: number, to: number): Float32Array {
  if (probs.length !== from * from * classes) throw new Error(`upsampleBilinear: ${probs.length} values, expected ${from}x${from}x${classes}`);
  const out = new Float32Array(to * to * classes);
  const scale = from / to;
  const i0 = new Int32Array(to), i1 = new Int32Array(to), w = new Float32Array(to);
  for (let c = 0; c < to; c++) {
    const s = Math.min(from - 1, Math.max(0, (c + 0.5) * scale - 0.5));
    i0[c] = Math.floor(s);
    i1[c] = Math.min(from - 1, i0[c] + 1);
    w[c] = s - i0[c];
  }
  for (let r = 0; r < to; r++) {
    const r0 = i0[r] * from, r1 = i1[r] * from, wy = w[r];
    for (let c = 0; c < to; c++) {
      const a = (r0 + i0[c]) * classes, b = (r0 + i1[c]) * classes, d = (r1 + i0[c]) * classes, e = (r1 + i1[c]) * classes;
      const wx = w[c], o = (r * to + c) * classes;
      for (let k = 0; k < classes; k++) {
        const top = probs[a + k] + (probs[b + k] - probs[a + k]) * wx;
        const bot = probs[d + k] + (probs[e + k] - probs[d + k]) * wx;
        out[o + k] = top + (bot - top) * wy;
      }
    }
  }
  return out;
}

/**
 * Decision boundary: each pixel takes the predicted class's colour, faded towards white as the
 * prediction gets less confident; training points are drawn on top as 3x3 dots with a dark rim.
 * `probs` is [size*size, classes] for gridPoints(bounds, size).
 */
export function decisionBoundaryPng(
  probs: ArrayLike<number>,
  classes: number,
  size: number,
  bounds: [number, number, number, number],
  points?: { xs: ArrayLike<number>; ys: ArrayLike<number>; max?: number },
): EncodedImage {
  const rgba = new Uint8Array(size * size * 4);
  for (let p = 0; p < size * size; p++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[p * classes + c] > probs[p * classes + best]) best = c;
    // Confidence 1/classes..1 mapped to 0..1; keep some tint even at the boundary.
    const conf = classes > 1 ? (probs[p * classes + best] - 1 / classes) / (1 - 1 / classes) : 1;
    const k = 0.15 + 0.55 * Math.max(0, Math.min(1, conf));
    const [r, g, b] = color(best);
    rgba[p * 4] = Math.round(255 + (r - 255) * k);
    rgba[p * 4 + 1] = Math.round(255 + (g - 255) * k);
    rgba[p * 4 + 2] = Math.round(255 + (b - 255) * k);
    rgba[p * 4 + 3] = 255;
  }
  if (points) {
    const [x0, x1, y0, y1] = bounds;
    const n = Math.min(points.ys.length, points.max ?? 300);
    for (let i = 0; i < n; i++) {
      const cx = Math.floor(((points.xs[2 * i] - x0) / (x1 - x0)) * size);
      const cy = Math.floor(((y1 - points.xs[2 * i + 1]) / (y1 - y0)) * size);
      const [r, g, b] = color(points.ys[i]);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const px = cx + dx, py = cy + dy;
          if (px < 0 || py < 0 || px >= size || py >= size) continue;
          const rim = dx !== 0 || dy !== 0;
          const o = (py * size + px) * 4;
          rgba[o] = rim ? r * 0.45 : r;
          rgba[o + 1] = rim ? g * 0.45 : g;
          rgba[o + 2] = rim ? b * 0.45 : b;
        }
      }
    }
  }
  return encode(size, size, rgba);
}

/**
 * First-layer weights as a grid of side x side tiles, one per unit (up to maxTiles), each scaled
 * by its own max |w|: blue negative, white zero, red positive. `kernel` is row-major [side*side, units].
 */
export function weightTilesPng(kernel: ArrayLike<number>, units: number, side = 28, maxTiles = 64): EncodedImage {
  const pixels = side * side;
  if (kernel.length !== pixels * units) throw new Error(`weightTilesPng: kernel has ${kernel.length} values, expected ${pixels}x${units}`);
  const tiles = Math.min(units, maxTiles);
  const cols = Math.ceil(Math.sqrt(tiles));
  const rows = Math.ceil(tiles / cols);
  const gap = 1;
  const width = cols * (side + gap) + gap;
  const height = rows * (side + gap) + gap;
  const rgba = new Uint8Array(width * height * 4).fill(128); // grey separators
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
  // Pixel by pixel across the tiles: the kernel is read row by row (a tile at a time would stride
  // through it, a cache miss per value: 1 ms of a 4 ms image on MNIST's 784x128).
  const scale = new Float64Array(tiles);
  for (let p = 0; p < pixels; p++) for (let u = 0; u < tiles; u++) scale[u] = Math.max(scale[u], Math.abs(kernel[p * units + u]));
  for (let u = 0; u < tiles; u++) scale[u] = scale[u] > 0 ? 1 / scale[u] : 0;
  for (let p = 0; p < pixels; p++) {
    const y = Math.floor(p / side), x = p % side;
    for (let u = 0; u < tiles; u++) {
      const v = kernel[p * units + u] * scale[u]; // -1..1
      const fade = Math.round(255 * (1 - Math.abs(v)));
      const o = ((gap + Math.floor(u / cols) * (side + gap) + y) * width + gap + (u % cols) * (side + gap) + x) * 4;
      rgba[o] = v >= 0 ? 255 : fade;
      rgba[o + 1] = fade;
      rgba[o + 2] = v <= 0 ? 255 : fade;
    }
  }
  return encode(width, height, rgba);
}
