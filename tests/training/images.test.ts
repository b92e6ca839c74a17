import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { decisionBoundaryPng, gridPoints, upsampleBilinear, weightTilesPng } from '../../server/training/images.ts';

const read = (png: Uint8Array) => PNG.sync.read(Buffer.from(png));
const px = (img: PNG, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4));

describe('gridPoints', () => {
  it('covers the bounds row by row from the top', () => {
    const g = gridPoints([-1, 1, -2, 2], 2);
    expect(Array.from(g)).toEqual([-0.5, 1, 0.5, 1, -0.5, -1, 0.5, -1]);
  });
});

describe('decisionBoundaryPng', () => {
  it('colours each pixel by the predicted class, paler when unsure, and draws points', () => {
    const size = 4;
    // left half class 0 confidently, right half class 1 at 55%
    const probs: number[] = [];
    for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) probs.push(...(c < 2 ? [0.99, 0.01] : [0.45, 0.55]));
    const img = decisionBoundaryPng(probs, 2, size, [0, 4, 0, 4]);
    expect([img.width, img.height]).toEqual([4, 4]);
    const png = read(img.png);
    const left = px(png, 0, 0), right = px(png, 3, 0);
    expect(left[0]).toBeGreaterThan(left[2]); // orange-ish: red > blue
    expect(right[2]).toBeGreaterThan(right[0]); // blue-ish
    // the unsure side is closer to white
    expect(right[0] + right[1] + right[2]).toBeGreaterThan(left[0] + left[1] + left[2]);
    // a class-1 point drawn at (1.5, 2.5) in data units -> pixel (1, 1)
    const withPoint = read(decisionBoundaryPng(probs, 2, size, [0, 4, 0, 4], { xs: [1.5, 2.5], ys: [1] }).png);
    expect(px(withPoint, 1, 1).slice(0, 3)).toEqual([8, 119, 189]);
  });
});

describe('weightTilesPng', () => {
  it('lays units out as tiles, red positive / blue negative, scaled per tile', () => {
    const side = 2, units = 3;
    // kernel [4 pixels, 3 units]; unit 0 positive ramp, unit 1 all negative, unit 2 zeros
    const k = new Float32Array(side * side * units);
    for (let p = 0; p < 4; p++) {
      k[p * units] = p + 1;
      k[p * units + 1] = -0.001;
    }
    const img = weightTilesPng(k, units, side);
    // 3 tiles -> 2 columns x 2 rows of 2 px + 1 px gaps
    expect([img.width, img.height]).toEqual([7, 7]);
    const png = read(img.png);
    expect(px(png, 2, 2)).toEqual([255, 0, 0, 255]); // unit 0, pixel 3 = max -> pure red
    expect(px(png, 4, 1)).toEqual([0, 0, 255, 255]); // unit 1 scaled to -1 -> pure blue
    expect(px(png, 1, 4)).toEqual([255, 255, 255, 255]); // unit 2 all zero -> white
    expect(px(png, 0, 0)).toEqual([128, 128, 128, 255]); // gap
    expect(() => weightTilesPng(k, 4, side)).toThrow(/expected/);
  });
});

describe('upsampleBilinear', () => {
  it('keeps a linear field linear at pixel centres, clamps at the edges, and checks its input', () => {
    // Class 0 probability = x of the pixel centre on a 4x4 grid, class 1 = 1 - x; upsample to 8x8.
    const from = 4, to = 8;
    const g = gridPoints([0, 1, 0, 1], from);
    const probs = new Float32Array(from * from * 2);
    for (let p = 0; p < from * from; p++) [probs[2 * p], probs[2 * p + 1]] = [g[2 * p], 1 - g[2 * p]];
    const out = upsampleBilinear(probs, 2, from, to);
    const fine = gridPoints([0, 1, 0, 1], to);
    for (let p = 0; p < to * to; p++) {
      const x = fine[2 * p];
      // Inside the coarse grid's outer centres (1/8 .. 7/8) it is exact; outside it clamps to the edge value.
      const want = Math.min(7 / 8, Math.max(1 / 8, x));
      expect(out[2 * p]).toBeCloseTo(want, 6);
      expect(out[2 * p] + out[2 * p + 1]).toBeCloseTo(1, 6);
    }
    expect(upsampleBilinear(probs, 2, from, from)).toEqual(probs);
    expect(() => upsampleBilinear(probs, 2, 5, 8)).toThrow(/expected 5x5x2/);
  });
});
