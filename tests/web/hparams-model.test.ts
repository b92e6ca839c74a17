// HPARAMS tab logic: columns and sessions from the plugin's answers, statuses, filters, sort, the URL form.
import { describe, expect, it } from 'vitest';
import type { RunInfo } from '../../shared/types.ts';
import { curveSources } from '../../web/src/lib/hparams/curves.ts';
import {
  decodeFilters, decodeSort, emptyFilters, encodeFilters, encodeSort, filterSessions, nextSort, passes, setBrush, setRange, sortSessions, toggleValue,
} from '../../web/src/lib/hparams/filters.ts';
import { cellText } from '../../web/src/lib/hparams/format.ts';
import { buildColumns, buildSessions, flipShown, isShown, metricKey, metricRun, pendingTrainerGroups, selectedGroups, sessionStatus, type Session } from '../../web/src/lib/hparams/sessions.ts';
import type { Experiment, SessionGroup } from '../../web/src/lib/hparams/types.ts';
import { parseHparamsView, writeHparamsView, defaultHparamsView, cloneHparamsView } from '../../web/src/lib/hparams/url.ts';
import { parseView, writeView } from '../../web/src/lib/url-state.ts';

const exp: Experiment = {
  hparamInfos: [
    { name: 'act', displayName: '', description: 'hidden activation', type: 'DATA_TYPE_STRING', domainDiscrete: ['relu', 'tanh', 'elu'] },
    { name: 'lr', displayName: 'learning rate', description: '', type: 'DATA_TYPE_FLOAT64', domainInterval: { minValue: 0.001, maxValue: 0.1 } },
    { name: 'units', displayName: '', description: '', type: 'DATA_TYPE_FLOAT64', domainDiscrete: [16, 32] },
  ],
  metricInfos: [
    { name: { group: '', tag: 'loss' }, displayName: '', description: '' },
    { name: { group: 'validation', tag: 'accuracy' }, displayName: 'val acc', description: '' },
  ],
};
const mv = (group: string, tag: string, value: number, step = 5) => ({ name: { group, tag }, value, trainingStep: step, wallTimeSecs: 1 });
const group = (name: string, hparams: SessionGroup['hparams'], loss?: number, acc?: number, status = 'STATUS_UNKNOWN', end = 0): SessionGroup => {
  const metricValues = [...(loss === undefined ? [] : [mv('', 'loss', loss)]), ...(acc === undefined ? [] : [mv('validation', 'accuracy', acc, 9)])];
  return { name, hparams, metricValues, sessions: [{ name, status, endTimeSecs: end, metricValues }] };
};
const groups = [
  group('a', { act: 'relu', lr: 0.01, units: 16, extra: true }, 0.5, 0.8),
  group('b', { act: 'tanh', lr: 0.1, units: 32 }, 0.2, 0.9, 'STATUS_SUCCESS', 10),
  group('c', { act: 'elu', lr: 0.001, units: 16 }, 0.9, undefined, 'STATUS_UNKNOWN', 12),
  group('d', { act: 'gelu', lr: 0.05, units: 32 }, undefined, 0.7, 'STATUS_FAILURE', 5),
];
const cols = buildColumns(exp, groups);
const none = () => undefined;
const sessions = buildSessions(groups, cols, none);
const byName = (n: string) => sessions.find((s) => s.name === n)!;
const names = (xs: Session[]) => xs.map((s) => s.name);

describe('columns and sessions', () => {
  it('makes a column per hparam (experiment order, then ones only sessions have) and per metric', () => {
    expect(cols.map((c) => c.key)).toEqual(['h:act', 'h:lr', 'h:units', 'h:extra', 'm::loss', 'm:validation:accuracy']);
    expect(cols.map((c) => c.label)).toEqual(['act', 'learning rate', 'units', 'extra', 'loss', 'val acc']);
    expect(cols[0].description).toBe('hidden activation');
    const [act, lr, units, extra] = cols;
    // Declared domain first, then a value only a session has.
    expect(act).toMatchObject({ numeric: false, discrete: true, values: ['relu', 'tanh', 'elu', 'gelu'] });
    expect(lr).toMatchObject({ numeric: true, discrete: false, values: [] });
    expect(units).toMatchObject({ numeric: true, discrete: true, values: ['16', '32'] });
    expect(extra).toMatchObject({ numeric: false, discrete: true, values: ['true'] });
  });

  it('hyper-parameters every session shares start hidden; the user can show or hide any column', () => {
    const same = buildColumns(exp, [group('x', { act: 'relu', lr: 0.1, units: 16 }), group('y', { act: 'tanh', lr: 0.1 })]);
    expect(same.map((c) => [c.key, c.differs])).toEqual([['h:act', true], ['h:lr', false], ['h:units', true], ['m::loss', true], ['m:validation:accuracy', true]]);
    // One session: nothing to compare, everything shows.
    expect(buildColumns(exp, [groups[0]]).every((c) => c.differs)).toBe(true);
    const [act, lr] = same;
    expect(isShown(lr, [], [])).toBe(false);
    let v = flipShown(lr, [], []);
    expect(v).toEqual({ hidden: [], shown: ['h:lr'] });
    expect(isShown(lr, v.hidden, v.shown)).toBe(true);
    v = flipShown(lr, v.hidden, v.shown);
    expect(isShown(lr, v.hidden, v.shown)).toBe(false);
    v = flipShown(act, [], []);
    expect(v).toEqual({ hidden: ['h:act'], shown: [] });
    expect(isShown(act, v.hidden, v.shown)).toBe(false);
    expect(flipShown(act, v.hidden, v.shown)).toEqual({ hidden: [], shown: [] });
  });

  it('reads hparam and metric values per session, missing ones undefined, and the latest step', () => {
    expect(byName('a').values).toMatchObject({ 'h:act': 'relu', 'h:lr': 0.01, 'm::loss': 0.5, 'm:validation:accuracy': 0.8, 'h:extra': true });
    expect(byName('b').values['h:extra']).toBeUndefined();
    expect(byName('c').values['m:validation:accuracy']).toBeUndefined();
    expect(byName('a').step).toBe(9);
  });

  it('labels a session by its run (trial ids are hashes), a group of several runs by its name and size', () => {
    const hashed: SessionGroup = { ...group('3f9a', { act: 'relu' }, 0.1), sessions: [{ name: 'tf2/run-0', status: '', endTimeSecs: 0, metricValues: [] }] };
    const multi: SessionGroup = { ...group('g', { act: 'tanh' }, 0.2), sessions: ['s/1', 's/2'].map((name) => ({ name, status: '', endTimeSecs: 0, metricValues: [] })) };
    const out = buildSessions([hashed, multi], cols, none);
    expect(out.map((x) => [x.name, x.run, x.label])).toEqual([['3f9a', 'tf2/run-0', 'tf2/run-0'], ['g', 's/1', 'g (2 runs)']]);
  });

  it('status: the trainer state wins, else the log (an end without status is a stop)', () => {
    expect(sessions.map((s) => s.status)).toEqual(['unknown', 'success', 'stopped', 'failure']);
    const info = (state: 'running' | 'failed' | 'stopped' | 'finished'): RunInfo => ({ name: 'x', source: 'trainer', group: '', status: { state } });
    expect(sessionStatus('STATUS_UNKNOWN', 0, info('running'))).toBe('running');
    expect(sessionStatus('STATUS_UNKNOWN', 0, info('failed'))).toBe('failure');
    expect(sessionStatus('STATUS_SUCCESS', 3, info('stopped'))).toBe('stopped');
    expect(sessionStatus('STATUS_UNKNOWN', 0, { name: 'x', source: 'disk', group: '', logStatus: 'interrupted' })).toBe('stopped');
    expect(sessionStatus('STATUS_UNKNOWN', 0, undefined)).toBe('unknown');
  });

  it('adds trainer runs the plugin does not list yet (queued, stopped early) as sessions without metrics', () => {
    const runs: RunInfo[] = [
      { name: 'a', source: 'trainer', group: '', hparams: { act: 'relu' }, status: { state: 'running' } },
      { name: 'q', source: 'trainer', group: '', hparams: { act: 'selu', lr: 0.01 }, status: { state: 'queued' } },
      { name: 'disk', source: 'disk', group: '', hparams: { act: 'relu' } },
      { name: 'nohp', source: 'trainer', group: '' },
    ];
    const extra = pendingTrainerGroups(runs, groups);
    expect(extra.map((g) => g.name)).toEqual(['q']);
    const all = [...groups, ...extra];
    const c = buildColumns(exp, all);
    expect(c.find((x) => x.key === 'h:act')!.values).toContain('selu');
    const q = buildSessions(all, c, (r) => runs.find((x) => x.name === r)).find((s) => s.name === 'q')!;
    expect(q).toMatchObject({ status: 'queued', step: null, values: { 'h:act': 'selu', 'h:lr': 0.01, 'm::loss': undefined } });
  });

  it('keeps the groups with a run selected in the sidebar', () => {
    expect(selectedGroups(groups, new Set(['a', 'c', 'zzz'])).map((g) => g.name)).toEqual(['a', 'c']);
    expect(selectedGroups(groups, new Set())).toEqual([]);
  });

  it("finds a metric's series in the session run or its group's sub-run", () => {
    expect(metricRun('sweep/a', { group: '', tag: 'loss' })).toBe('sweep/a');
    expect(metricRun('sweep/a', { group: 'validation', tag: 'accuracy' })).toBe('sweep/a/validation');
    const have = new Set(['a|loss', 'a/validation|accuracy', 'b|loss']);
    const out = curveSources(cols.filter((c) => c.kind === 'metric'), [byName('a'), byName('b')], (r, t) => have.has(`${r}|${t}`));
    expect(out.map((x) => [x.col.key, x.sources.map((s) => s.run)])).toEqual([
      ['m::loss', ['a', 'b']],
      ['m:validation:accuracy', ['a/validation']],
    ]);
  });

  it('formats metric cells to 4 digits and hparams as written', () => {
    expect(cellText(0.123456, true)).toBe('0.1235');
    expect(cellText(0.00001234, true)).toBe('1.23e-5');
    expect(cellText(0.1 + 0.2, false)).toBe('0.3');
    expect(cellText(undefined, true)).toBe('–');
  });
});

describe('filters and sort', () => {
  it('unticked discrete values hide sessions (and sessions missing the column)', () => {
    let f = toggleValue(emptyFilters(), 'h:act', 'relu');
    expect(names(filterSessions(sessions, cols, f))).toEqual(['b', 'c', 'd']);
    f = toggleValue(f, 'h:act', 'relu');
    expect(f.hide).toEqual({});
    expect(names(filterSessions(sessions, cols, toggleValue(emptyFilters(), 'h:extra', 'true')))).toEqual([]);
    expect(names(filterSessions(sessions, cols, toggleValue(emptyFilters(), 'h:units', '16')))).toEqual(['b', 'd']);
  });

  it('min / max ranges keep sessions inside (open ends allowed); a missing metric fails a range', () => {
    let f = setRange(emptyFilters(), 'm::loss', 0, 0.3);
    expect(names(filterSessions(sessions, cols, f))).toEqual(['a', 'c']);
    f = setRange(f, 'm::loss', 1, 0.6);
    expect(names(filterSessions(sessions, cols, f))).toEqual(['a']);
    f = setRange(setRange(f, 'm::loss', 0, null), 'm::loss', 1, Number.NaN);
    expect(f.range).toEqual({});
  });

  it('brushes keep values within the interval; categorical brushes are category positions', () => {
    const f = setBrush(emptyFilters(), 'h:lr', [0.06, 0.005]);
    expect(f.brush['h:lr']).toEqual([0.005, 0.06]);
    expect(names(filterSessions(sessions, cols, f))).toEqual(['a', 'd']);
    // act values: relu 0, tanh 1, elu 2, gelu 3.
    const g = setBrush(emptyFilters(), 'h:act', [0.5, 2.2]);
    expect(names(filterSessions(sessions, cols, g))).toEqual(['b', 'c']);
    expect(passes(byName('a'), cols, setBrush(g, 'h:act', null))).toBe(true);
  });

  it('sorts by a column with missing values last either way, ties by name', () => {
    expect(names(sortSessions(sessions, { key: 'm::loss', desc: false }))).toEqual(['b', 'a', 'c', 'd']);
    expect(names(sortSessions(sessions, { key: 'm::loss', desc: true }))).toEqual(['c', 'a', 'b', 'd']);
    expect(names(sortSessions(sessions, { key: 'h:units', desc: true }))).toEqual(['b', 'd', 'a', 'c']);
    expect(names(sortSessions(sessions, { key: 'h:act', desc: false }))).toEqual(['c', 'd', 'a', 'b']);
    expect(names(sortSessions([...sessions].reverse(), null))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a header click cycles ascending, descending, none', () => {
    const a = nextSort(null, 'h:lr');
    expect(a).toEqual({ key: 'h:lr', desc: false });
    expect(nextSort(a, 'h:lr')).toEqual({ key: 'h:lr', desc: true });
    expect(nextSort({ key: 'h:lr', desc: true }, 'h:lr')).toBeNull();
    expect(nextSort({ key: 'h:lr', desc: true }, 'm::loss')).toEqual({ key: 'm::loss', desc: false });
  });
});

describe('URL form', () => {
  it('round-trips filters and sort, and drops malformed or unsafe entries', () => {
    const f = setBrush(setRange(toggleValue(emptyFilters(), 'h:act', 'relu'), 'm::loss', 1, 0.5), 'h:lr', [0.001, 0.01]);
    expect(decodeFilters(encodeFilters(f))).toEqual(f);
    expect(encodeFilters(emptyFilters())).toBe('');
    expect(decodeFilters('{not json')).toEqual(emptyFilters());
    const bad = decodeFilters('{"hide":{"__proto__":["x"],"h:a":[1]},"range":{"m::x":[null,null],"m::y":["1",2]},"brush":{"h:b":[3,1],"h:c":[1,2]}}');
    expect(bad).toEqual({ hide: {}, range: {}, brush: { 'h:c': [1, 2] } });
    expect(Object.getPrototypeOf(bad.hide)).toBe(Object.prototype);
    expect(decodeSort(encodeSort({ key: 'm:validation:accuracy', desc: true }))).toEqual({ key: 'm:validation:accuracy', desc: true });
    expect(decodeSort('sideways:x')).toBeNull();
  });

  it('keeps the whole HPARAMS view in the page URL, defaults left out', () => {
    expect(writeView(parseView(new URLSearchParams('')), new URLSearchParams()).toString()).toBe('');
    const hp = defaultHparamsView();
    hp.mode = 'parallel';
    hp.sort = { key: 'm::loss', desc: true };
    hp.filters = setBrush(emptyFilters(), 'm::loss', [0.1, 0.4]);
    hp.color = 'm:validation:accuracy';
    hp.hidden = ['h:units'];
    hp.shown = ['h:seed'];
    hp.selected = ['run|1', 'b'];
    const v = parseView(new URLSearchParams('tab=hparams'));
    const url = writeView({ ...v, hparams: hp }, new URLSearchParams('token=t'));
    const back = parseView(new URLSearchParams(url.toString()));
    expect(back.tab).toBe('hparams');
    expect(back.hparams).toEqual(hp);
    expect(url.get('token')).toBe('t');
    expect(cloneHparamsView(hp)).toEqual(hp);
    const p = new URLSearchParams();
    writeHparamsView(defaultHparamsView(), p);
    expect(p.toString()).toBe('');
    expect(parseHparamsView(new URLSearchParams('hpMode=pie&hpHide=[1,"x"]&hpSel=nope')).mode).toBe('table');
    expect(parseHparamsView(new URLSearchParams('hpHide=[1,"x"]')).hidden).toEqual(['x']);
  });
});

it('metric keys separate the group from the tag', () => {
  expect(metricKey({ group: 'validation', tag: 'a/b' })).toBe('m:validation:a/b');
  expect(metricKey({ group: '', tag: 'validation/a' })).toBe('m::validation/a');
});
