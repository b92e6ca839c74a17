import { describe, expect, it } from 'vitest';
import { compareRow, FALLBACK_WINDOW, isRanked, lastEpochMean, sortRows, type SeriesLike } from '../../web/src/lib/compare.ts';
import { compareScopes, pickScope } from '../../web/src/lib/compare-scope.ts';

function ser(steps: number[], values: number[]): SeriesLike {
  return { steps, values, walls: steps.map((s) => 1000 + s), n: steps.length };
}

/** A noisy per-iteration series of `epochs` x `per` steps and the trainer's `epoch` marker at each epoch's last step. */
function run(epochs: number, per: number, extra = 0) {
  const steps: number[] = [];
  const values: number[] = [];
  for (let it = 1; it <= epochs * per + extra; it++) {
    steps.push(it);
    values.push(1 / it + (it % 7) * 0.01); // deterministic "noise"
  }
  const marks = Array.from({ length: epochs }, (_, e) => (e + 1) * per);
  return { loss: ser(steps, values), epoch: ser(marks, marks.map((_, e) => e + 1)) };
}

describe('train figures: mean over the last epoch', () => {
  it('equals the arithmetic mean of the last complete epoch\'s points (not the last mini-batch)', () => {
    const r = run(5, 40, 13); // 13 iterations into epoch 6: not complete, not counted
    const got = lastEpochMean(r.loss, 'train/loss', r.epoch);
    const last = Array.from(r.loss.values).slice(160, 200); // steps 161..200
    expect(last).toHaveLength(40);
    expect(got.window).toBe('last epoch');
    expect(got.value).toBeCloseTo(last.reduce((a, b) => a + b, 0) / last.length, 12);
    expect(got.value).not.toBeCloseTo(r.loss.values[r.loss.n - 1], 6);
  });

  it('skips NaN points, uses a single epoch from the start, and falls back to the last points', () => {
    const one = lastEpochMean(ser([1, 2, 3, 4], [1, NaN, 3, 5]), 'train/loss', ser([3], [1]));
    expect(one).toEqual({ value: 2, window: 'last epoch' }); // steps 1..3, NaN left out
    const steps = Array.from({ length: 250 }, (_, i) => i);
    const noMarks = lastEpochMean(ser(steps, steps), 'train/loss', undefined);
    expect(noMarks.window).toBe(`last ${FALLBACK_WINDOW} points`);
    expect(noMarks.value).toBe((150 + 249) / 2);
    // Keras' epoch_loss already holds one mean per epoch: its last value.
    expect(lastEpochMean(ser([0, 1], [0.9, 0.4]), 'epoch_loss', undefined)).toEqual({ value: 0.4, window: 'epoch value' });
    expect(lastEpochMean(undefined, undefined, undefined)).toEqual({ value: null, window: null });
  });

  it('feeds the row: train loss and accuracy over the same epoch', () => {
    const r = run(3, 10);
    const acc = ser(r.loss.steps as number[], (r.loss.steps as number[]).map((s) => (s > 20 ? 1 : 0)));
    const row = compareRow({ name: 'a', hparams: { dataset: 'spiral' }, status: 'finished', scalars: new Map([['train/loss', r.loss], ['train/accuracy', acc], ['epoch', r.epoch]]) });
    expect(row.trainAcc).toBe(1);
    expect(row.trainWindow).toBe('last epoch');
    expect(row.dataset).toBe('spiral');
    expect(row.ranked).toBe(true);
  });
});

describe('status marking', () => {
  it('does not rank stopped or failed runs: they come after the ranked ones in either direction', () => {
    const mk = (name: string, status: string | undefined, v: number) =>
      ({ ...compareRow({ name, status, scalars: new Map() }), valAcc: v });
    const rows = [mk('stopped', 'stopped', 0.99), mk('ok1', 'finished', 0.8), mk('failed', 'failed', 0.95), mk('disk', undefined, 0.7), mk('live', 'running', 0.6)];
    expect(rows.filter((r) => !r.ranked).map((r) => r.run)).toEqual(['stopped', 'failed']);
    expect(sortRows(rows, 'valAcc', 'desc').map((r) => r.run)).toEqual(['ok1', 'disk', 'live', 'stopped', 'failed']);
    expect(sortRows(rows, 'valAcc', 'asc').map((r) => r.run)).toEqual(['live', 'disk', 'ok1', 'failed', 'stopped']);
    expect(isRanked('queued')).toBe(true);
  });
});

describe('scoping', () => {
  const all = [
    { name: 'sw/relu', group: 'sw', hparams: { dataset: 'spiral' } },
    { name: 'sw/tanh', group: 'sw', hparams: { dataset: 'spiral' } },
    { name: 'mnist-a', group: '.', hparams: { dataset: 'mnist' } },
    { name: 'mnist-b', group: '.', hparams: { dataset: 'mnist' } },
    { name: 'mnist-c', group: '.', hparams: { dataset: 'mnist' } },
    { name: 'old/x', group: 'old', hparams: { dataset: 'xor' } },
    { name: 'old/y', group: 'old', hparams: { dataset: 'moons' } },
    { name: 'tb', group: '.' },
  ];

  it('never mixes datasets: selected runs split by dataset (largest first), sweeps split when mixed', () => {
    const scopes = compareScopes(all, ['sw/relu', 'mnist-a', 'mnist-b', 'tb']);
    expect(scopes.map((s) => [s.label, s.runs])).toEqual([
      ['selected runs · mnist (2)', ['mnist-a', 'mnist-b']],
      ['selected runs · (dataset not logged) (1)', ['tb']],
      ['selected runs · spiral (1)', ['sw/relu']],
      ['sweep sw · spiral (2)', ['sw/relu', 'sw/tanh']],
      ['sweep old · xor (1)', ['old/x']],
      ['sweep old · moons (1)', ['old/y']],
    ]);
    for (const s of scopes) {
      const ds = new Set(s.runs.map((n) => String(all.find((r) => r.name === n)!.hparams?.dataset)));
      expect(ds.size).toBe(1);
    }
  });

  it('keeps the chosen scope while it exists, else the first', () => {
    const scopes = compareScopes(all, ['mnist-a']);
    expect(pickScope(scopes, 'sweep:sw\u0000spiral')?.runs).toEqual(['sw/relu', 'sw/tanh']);
    expect(pickScope(scopes, 'selected:gone')?.key).toBe('selected:mnist');
    expect(pickScope([], '')).toBeNull();
  });
});

describe('window text', () => {
  it('says how each train figure was computed', async () => {
    const { windowText } = await import('../../web/src/lib/compare.ts');
    expect(windowText('last epoch')).toBe('mean over the last complete epoch');
    expect(windowText('last 100 points')).toBe('mean of the last 100 points');
    expect(windowText('epoch value')).toMatch(/per-epoch value/);
  });
});
