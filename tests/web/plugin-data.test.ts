import { describe, expect, it } from 'vitest';
import { cardKey, expectArray, parseTagsByRun, pickedStep, sliderIndex, upToStep } from '../../web/src/lib/plugin/plugin-steps.ts';
import { parseTextEntries, textUrl } from '../../web/src/lib/text/text-data.ts';

describe('plugin steps', () => {
  it('sorts entries by step and cuts them at a replay position', () => {
    const e = [{ step: 5 }, { step: 0 }, { step: 10 }];
    expect(upToStep(e, null).map((x) => x.step)).toEqual([0, 5, 10]);
    expect(upToStep(e, 7).map((x) => x.step)).toEqual([0, 5]);
    expect(upToStep(e, -Infinity)).toEqual([]);
  });

  it('follows the latest step unless one was picked, and keeps a picked step that was dropped near', () => {
    const steps = [0, 5, 10];
    expect(sliderIndex(steps, null)).toBe(2);
    expect(sliderIndex(steps, 5)).toBe(1);
    expect(sliderIndex(steps, 7)).toBe(1);
    expect(pickedStep(steps, 2)).toBeNull();
    expect(pickedStep(steps, 0)).toBe(0);
    expect(cardKey('r', 't')).toBe('r:t');
  });

  it('reads tag listings of either shape and refuses a malformed answer with a reason', () => {
    expect([...parseTagsByRun({ a: ['x', 1, 'y'], b: { p: {}, q: {} } })]).toEqual([['a', ['x', 'y']], ['b', ['p', 'q']]]);
    expect(parseTagsByRun(null).size).toBe(0);
    expect(() => expectArray({}, 'text entries')).toThrow(/text entries: expected a list, got object/);
  });
});

describe('text data', () => {
  it('builds the routes and keeps well-formed entries', () => {
    expect(textUrl('tf2/train', 'a b', false)).toBe('/data/plugin/text/text?run=tf2%2Ftrain&tag=a+b');
    expect(textUrl('r', 't', true)).toBe('/data/plugin/text/text?run=r&tag=t&markdown=false');
    expect(parseTextEntries([{ wall_time: 1, step: 2, text: '<p>x</p>' }, { step: 'x' }])).toEqual([{ wallTime: 1, step: 2, html: '<p>x</p>' }]);
  });
});
