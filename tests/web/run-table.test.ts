import { describe, expect, it } from 'vitest';
import type { RunInfo } from '../../shared/types.ts';
import { DEFAULT_VIEW, parseView, writeView } from '../../web/src/lib/url-state.ts';
import { formatHparam, hparamKeys, runSearch, sortRuns, visibleWindow, type RunRow } from '../../web/src/lib/run-table.ts';

function run(name: string, hparams?: RunInfo['hparams'], extra: Partial<RunRow> = {}): RunRow {
  return { name, color: '#000', info: { name, source: 'disk', group: '.', hparams }, start: null, metric: null, ...extra };
}

describe('run search', () => {
  const runs = [
    run('sweep/relu', { activation: 'relu', lr: 0.01, seed: 1 }),
    run('sweep/tanh', { activation: 'tanh', lr: 0.001, seed: 2 }),
    run('mnist-elu', { activation: 'elu', dataset: 'mnist' }),
    run('plain'),
  ];
  const names = (q: string) => runs.filter(runSearch(q)).map((r) => r.name);

  it('matches names by regex, case-insensitively, and everything when empty', () => {
    expect(names('')).toEqual(runs.map((r) => r.name));
    expect(names('^SWEEP/')).toEqual(['sweep/relu', 'sweep/tanh']);
  });
  it('matches hyper-parameters: exact key=value, or a regex on "key=value"', () => {
    expect(names('activation=tanh')).toEqual(['sweep/tanh']);
    expect(names('lr:0.01')).toEqual(['sweep/relu']);
    expect(names('dataset=mn')).toEqual([]); // exact value, not a prefix
    expect(names('mnist')).toEqual(['mnist-elu']);
    expect(names('seed=[12]$')).toEqual(['sweep/relu', 'sweep/tanh']); // a regex term on "key=value"
  });
  it('needs every term to match', () => {
    expect(names('sweep activation=relu')).toEqual(['sweep/relu']);
    expect(names('sweep dataset=mnist')).toEqual([]);
  });
  it('treats an invalid regex as a substring instead of failing', () => {
    const rs = [run('a(b'), run('ab')];
    expect(rs.filter(runSearch('a(')).map((r) => r.name)).toEqual(['a(b']);
  });
});

describe('run table order and columns', () => {
  it('sorts by name naturally, and by start or metric with missing values last', () => {
    const rows = [run('run-10', undefined, { start: 30, metric: 0.5 }), run('run-2', undefined, { start: null, metric: 0.1 }), run('run-1', undefined, { start: 10, metric: null })];
    expect(sortRuns(rows, { by: 'name', tag: '', desc: false }).map((r) => r.name)).toEqual(['run-1', 'run-2', 'run-10']);
    expect(sortRuns(rows, { by: 'name', tag: '', desc: true }).map((r) => r.name)).toEqual(['run-10', 'run-2', 'run-1']);
    expect(sortRuns(rows, { by: 'start', tag: '', desc: false }).map((r) => r.name)).toEqual(['run-1', 'run-10', 'run-2']);
    expect(sortRuns(rows, { by: 'start', tag: '', desc: true }).map((r) => r.name)).toEqual(['run-10', 'run-1', 'run-2']);
    expect(sortRuns(rows, { by: 'metric', tag: 'loss', desc: false }).map((r) => r.name)).toEqual(['run-2', 'run-10', 'run-1']);
  });
  it('offers the union of hyper-parameter names and formats values briefly', () => {
    expect(hparamKeys([run('a', { lr: 1, b: true }), run('b', { act: 'relu' }), run('c')])).toEqual(['act', 'b', 'lr']);
    expect(formatHparam(0.1 + 0.2)).toBe('0.3');
    expect(formatHparam(true)).toBe('true');
    expect(formatHparam(undefined)).toBe('');
  });
});

describe('virtual window', () => {
  it('renders only the rows in view plus overscan, padding the rest', () => {
    const w = visibleWindow(24 * 1000, 240, 24, 5000, 5);
    expect(w.start).toBe(995);
    expect(w.end).toBe(1000 + 11 + 5);
    expect(w.padTop + (w.end - w.start) * 24 + w.padBottom).toBe(5000 * 24);
    expect(visibleWindow(0, 240, 24, 3, 5)).toEqual({ start: 0, end: 3, padTop: 0, padBottom: 0 });
    expect(visibleWindow(1e9, 240, 24, 10, 2).end).toBe(10);
    expect(visibleWindow(0, 100, 24, 0)).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0 });
  });
});

describe('run table view in the URL', () => {
  it('round-trips sort (tag may hold ":") and columns, and leaves defaults out', () => {
    const v = { ...DEFAULT_VIEW, runSort: { by: 'metric' as const, tag: 'eval:acc/top1', desc: true }, runColumns: ['lr', 'a|b'] };
    const back = parseView(writeView(v, new URLSearchParams()));
    expect(back.runSort).toEqual(v.runSort);
    expect(back.runColumns).toEqual(v.runColumns);
    expect(writeView(DEFAULT_VIEW, new URLSearchParams()).toString()).toBe('');
  });
});

describe('tab view state in the URL', () => {
  it('round-trips the graph run, histogram mode and image step, leaving defaults out', () => {
    const v = { ...DEFAULT_VIEW, graphRun: 'a/b c', histMode: 'overlay' as const, imageStep: 120 };
    const p = writeView(v, new URLSearchParams());
    expect(p.get('hmode')).toBe('overlay');
    const back = parseView(p);
    expect([back.graphRun, back.histMode, back.imageStep]).toEqual(['a/b c', 'overlay', 120]);
    expect(parseView(new URLSearchParams('imgStep=x&hmode=bogus'))).toMatchObject({ imageStep: null, histMode: 'offset' });
  });
});
