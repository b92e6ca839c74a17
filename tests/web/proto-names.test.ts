// @vitest-environment jsdom
// Runs and tags literally named "__proto__" / "constructor" in the browser-side pure code: the resume
// data (`have`) and the scalar JSON download keep them as ordinary keys and pollute nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMsgpack } from '../../shared/msgpack-decode.ts';
import type { SeriesDelta } from '../../shared/protocol.ts';
import { WireEncoder } from '../../shared/wire-parser.ts';
import { seriesToJson, type DownloadSeries } from '../../web/src/lib/csv.ts';
import { SeriesState } from '../../web/src/lib/state/series.svelte.ts';

const NAMES = ['__proto__', 'constructor', 'toString'];

function scalars(run: string, tag: string, steps: number[]): SeriesDelta {
  return { kind: 'scalars', run, tag, reset: false, steps, wallTimes: steps.map((s) => 1000 + s), values: steps.map((s) => s / 2) };
}

afterEach(() => {
  // A polluted Object.prototype would leak into every later test: check and clean.
  for (const t of NAMES) expect(Object.prototype.hasOwnProperty.call(Object.prototype, `tag-${t}`)).toBe(false);
});

describe('hostile run and tag names on the web side', () => {
  it('resume data keeps every run and tag, as own keys, and sends them as JSON', () => {
    const s = new SeriesState();
    for (const run of NAMES) for (const tag of NAMES) s.apply(scalars(run, tag, [0, 1, 2]));
    s.apply(scalars('__proto__', 'tag-__proto__', [5]));
    const have = s.have();
    expect(Object.keys(have).sort()).toEqual([...NAMES].sort());
    for (const run of NAMES) {
      expect(Object.hasOwn(have, run)).toBe(true);
      expect(Object.keys(have[run]).sort()).toEqual(run === '__proto__' ? [...NAMES, 'tag-__proto__'].sort() : [...NAMES].sort());
      for (const tag of NAMES) expect(have[run][tag]).toBe(2);
    }
    expect(({} as Record<string, unknown>)['tag-__proto__']).toBeUndefined();
    // Through the socket's own MessagePack encoding and decoding (shared/wire-parser.ts).
    const frame = new WireEncoder().encode({ type: 2, nsp: '/', data: ['subscribe', { runs: '*', have }] })[0];
    const wire = (decodeMsgpack(frame) as { data: [string, { have: Record<string, Record<string, number>> }] }).data[1];
    expect(Object.hasOwn(wire.have, '__proto__')).toBe(true);
    expect(wire.have['__proto__']['tag-__proto__']).toBe(5);
    expect(Object.keys(s.have(new Set(['__proto__'])))).not.toContain('__proto__');
  });

  it('the JSON download keeps __proto__/constructor runs and tags', () => {
    const series: DownloadSeries[] = NAMES.flatMap((run) =>
      NAMES.map((tag) => ({ run, tag, walls: [1, 2], steps: [0, 1], values: [0.5, NaN], n: 2 })),
    );
    const doc = JSON.parse(seriesToJson(series)) as Record<string, Record<string, unknown[]>>;
    for (const run of NAMES) {
      expect(Object.hasOwn(doc, run)).toBe(true);
      for (const tag of NAMES) expect(doc[run][tag]).toEqual([[1, 0, 0.5], [2, 1, null]]);
    }
  });
});
