import { describe, expect, it } from 'vitest';
import type { ImageRef } from '../../shared/types.ts';
import { displayScale, followSlider, groupImagesByStep, imageFilter, stepSample, viewerSize } from '../../web/src/lib/images-view.ts';
import { collectTagCards, tagGroup } from '../../web/src/lib/tag-cards.ts';

const ref = (index: number, step: number, sample = 0): ImageRef => ({
  wallTime: 100 + step,
  step,
  width: 28,
  height: 28,
  index,
  sample,
});

describe('images view', () => {
  it('groups images by step, samples in order', () => {
    const g = groupImagesByStep([ref(3, 20, 1), ref(0, 10), ref(2, 20, 0), ref(1, 5)]);
    expect(g.map((s) => s.step)).toEqual([5, 10, 20]);
    expect(g[2].refs.map((r) => r.index)).toEqual([2, 3]);
    expect(groupImagesByStep([])).toEqual([]);
  });

  it('slider follows the latest when it was there, else stays on its step', () => {
    expect(followSlider(null, [0, 10, 20])).toBe(2);
    expect(followSlider(null, [0, 10, 20, 30])).toBe(3);
    expect(followSlider(10, [0, 10, 20, 30])).toBe(1);
    // step 10 evicted by sampling: nearest earlier step
    expect(followSlider(10, [0, 5, 20, 30])).toBe(1);
    expect(followSlider(3, [5, 20])).toBe(0);
    expect(followSlider(null, [])).toBe(0);
  });

  it('scales small images up by whole factors and big ones down', () => {
    expect(displayScale(28, 28)).toBe(4);
    expect(displayScale(200, 100)).toBe(1);
    expect(displayScale(640, 480)).toBe(0.5);
  });
});

describe('tag cards', () => {
  const runs = [{ name: 'a' }, { name: 'b' }];
  const tags: Record<string, string[]> = { a: ['layer1/w', 'layer1/b', 'out'], b: ['layer1/w', 'skip/x'] };
  it('groups filter-passing tags by first segment, with the runs that have each', () => {
    const cards = collectTagCards(runs, (r) => tags[r], (t) => !t.startsWith('skip'));
    expect(cards.map((g) => g.group)).toEqual(['layer1', 'out']);
    expect(cards[0].tags.map((t) => [t.tag, t.runs.map((r) => r.name)])).toEqual([
      ['layer1/b', ['a']],
      ['layer1/w', ['a', 'b']],
    ]);
    expect(tagGroup('x')).toBe('x');
    expect(collectTagCards(runs, () => [], () => true)).toEqual([]);
  });
});

describe('image viewer', () => {
  it('brightness and contrast become a CSS filter (none when neutral)', () => {
    expect(imageFilter(1, 1)).toBe('');
    expect(imageFilter(1.5, 0.25)).toBe('brightness(150%) contrast(25%)');
    expect(imageFilter(-1, Number.NaN)).toBe('brightness(0%) contrast(100%)');
  });
  it('actual size, or fitted into the box keeping the aspect ratio', () => {
    expect(viewerSize(28, 28, 800, 600, false)).toEqual({ width: 28, height: 28, scale: 1 });
    expect(viewerSize(28, 28, 800, 600, true)).toEqual({ width: 600, height: 600, scale: 600 / 28 });
    expect(viewerSize(4, 4, 800, 600, true, 64)).toEqual({ width: 256, height: 256, scale: 64 });
    expect(viewerSize(2000, 1000, 800, 600, true)).toEqual({ width: 800, height: 400, scale: 0.4 });
  });
  it('sample stepping wraps both ways', () => {
    expect(stepSample(2, 1, 3)).toBe(0);
    expect(stepSample(0, -1, 3)).toBe(2);
    expect(stepSample(0, 1, 0)).toBe(0);
  });
});
