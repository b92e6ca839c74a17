import { describe, expect, it } from 'vitest';
import { nearViewport } from '../../web/src/lib/in-view.ts';

const box = (top: number, left = 0, height = 200, width = 300) => ({ top, left, bottom: top + height, right: left + width, width, height });

describe('nearViewport', () => {
  it('is true for a box on screen or within the margin, false beyond it', () => {
    expect(nearViewport(box(100), 1400, 900)).toBe(true);
    expect(nearViewport(box(950), 1400, 900)).toBe(false);
    expect(nearViewport(box(950), 1400, 900, 200)).toBe(true);
    expect(nearViewport(box(1101), 1400, 900, 200)).toBe(false);
    expect(nearViewport(box(-450), 1400, 900, 200)).toBe(false);
    expect(nearViewport(box(-350), 1400, 900, 200)).toBe(true);
    expect(nearViewport(box(100, 1500), 1400, 900)).toBe(false);
  });

  it('is false for a box that is not laid out (display: none)', () => {
    expect(nearViewport({ top: 0, bottom: 0, left: 0, right: 0, width: 0, height: 0 }, 1400, 900, 200)).toBe(false);
  });
});
