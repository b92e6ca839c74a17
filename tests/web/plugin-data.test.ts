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

describe('PR curve data', async () => {
  const { curvePoints, entryAt, nearestPoint, parsePrCurves, prCurvesUrl, unionSteps } = await import('../../web/src/lib/pr-curves/pr-data.ts');
  const entry = (step: number) => ({
    wall_time: 1, step, precision: [0.5, 0.8, 1], recall: [1, 0.6, 0.1], true_positives: [10, 6, 1], false_positives: [10, 1, 0],
    true_negatives: [0, 9, 10], false_negatives: [0, 4, 9], thresholds: [0, 0.5, 1],
  });

  it('asks for every run of a card in one request and drops malformed entries', () => {
    expect(prCurvesUrl(['a', 'b/c'], 'pr')).toBe('/data/plugin/pr_curves/pr_curves?run=a&run=b%2Fc&tag=pr');
    const m = parsePrCurves({ a: [entry(5), entry(0), { ...entry(9), recall: [1] }], b: [] });
    expect(m.get('a')!.map((e) => e.step)).toEqual([0, 5]);
    expect(() => parsePrCurves([])).toThrow(/expected an object/);
    expect(unionSteps(new Map([['a', [entry(0), entry(5)]], ['b', [entry(3)]]]))).toEqual([0, 3, 5]);
  });

  it('shows each run at its latest step not after the card\'s, and reads out the point nearest the cursor', () => {
    const list = [entry(0), entry(5)];
    expect(entryAt(list, 4)!.step).toBe(0);
    expect(entryAt(list, 9)!.step).toBe(5);
    expect(entryAt([entry(7)], 2)!.step).toBe(7);
    expect(curvePoints(entry(0))).toEqual([{ x: 1, y: 0.5 }, { x: 0.6, y: 0.8 }, { x: 0.1, y: 1 }]);
    expect(nearestPoint('a', entry(5), 0.55, 0.75)).toEqual({ run: 'a', step: 5, threshold: 0.5, precision: 0.8, recall: 0.6, tp: 6, fp: 1, tn: 9, fn: 4 });
  });
});

describe('audio data', async () => {
  const { audioUrl, clampSample, parseAudioEntries, parseAudioTags } = await import('../../web/src/lib/audio/audio-data.ts');

  it('reads sample counts per tag and picks a sample the tag has', () => {
    const t = parseAudioTags({ r: { a: { samples: 3 }, b: { samples: 'x' } }, junk: 5 });
    expect([...t.get('r')!]).toEqual([['a', 3], ['b', 1]]);
    expect(t.has('junk')).toBe(false);
    expect(clampSample(2, 3)).toBe(2);
    expect(clampSample(5, 3)).toBe(0);
    expect(clampSample(undefined, 3)).toBe(0);
  });

  it('turns entries into clip URLs on the individualAudio route and refuses foreign queries', () => {
    expect(audioUrl('tf2/train', 'tone', 1)).toBe('/data/plugin/audio/audio?run=tf2%2Ftrain&tag=tone&sample=1');
    const q = 'blob_key=WyIiLCJ0ZjIiXQ&content_type=audio%2Fwav';
    expect(parseAudioEntries([{ step: 3, wall_time: 1, label: 'hi', contentType: 'audio/wav', query: q }, { step: 4, query: 'x=1&y=//evil' }])).toEqual([
      { step: 3, wallTime: 1, label: 'hi', contentType: 'audio/wav', src: `/data/plugin/audio/individualAudio?${q}` },
    ]);
    // A TF1-style clip listed as octet-stream is asked for as WAV.
    const [old] = parseAudioEntries([{ step: 1, contentType: 'application/octet-stream', query: 'blob_key=WyIiXQ&content_type=application%2Foctet-stream' }]);
    expect(old.src).toBe('/data/plugin/audio/individualAudio?blob_key=WyIiXQ&content_type=audio%2Fwav');
    expect(old.contentType).toBe('audio/wav');
  });
});
