import { describe, expect, it } from 'vitest';
import { compareRow, configKey, groupRuns, meanBand, pickTag, sortRows, stepsToFraction, type SeriesLike } from '../../web/src/lib/compare.ts';

function ser(steps: number[], values: number[], walls?: number[]): SeriesLike {
  return { steps, values, walls: walls ?? steps.map((s) => 1000 + s), n: steps.length };
}

describe('compare stats', () => {
  it('finds the first step reaching 90% of the final accuracy', () => {
    // final 0.9 -> target 0.81; first value >= 0.81 is at step 30
    expect(stepsToFraction(ser([0, 10, 20, 30, 40], [0.1, 0.5, 0.8, 0.85, 0.9]))).toBe(30);
    // a trailing NaN does not count as final
    expect(stepsToFraction(ser([0, 10, 20], [0.5, 1.0, NaN]))).toBe(10);
    expect(stepsToFraction(ser([], []))).toBeNull();
  });

  it('picks train and validation tags', () => {
    const tags = ['train/loss', 'train/accuracy', 'val/loss', 'val/accuracy', 'train/batch_loss', 'dense_1/dead_fraction'];
    expect(pickTag(tags, 'loss', false)).toBe('train/loss');
    expect(pickTag(tags, 'loss', true)).toBe('val/loss');
    expect(pickTag(tags, 'accuracy', true)).toBe('val/accuracy');
    expect(pickTag(['epoch_loss', 'epoch_accuracy'], 'accuracy', false)).toBe('epoch_accuracy');
  });

  it('builds a row: finals, dead fraction mean over layers, wall time', () => {
    const row = compareRow({
      name: 'sweep/relu',
      hparams: { activation: 'relu', seed: 1 },
      scalars: new Map([
        ['train/loss', ser([0, 1, 2], [2, 1, 0.5], [100, 101, 130])],
        ['val/accuracy', ser([0, 1, 2], [0.2, 0.95, 1.0], [100, 101, 130])],
        ['dense_1/dead_fraction', ser([0, 2], [0, 0.2], [100, 130])],
        ['dense_2/dead_fraction', ser([0, 2], [0, 0.4], [100, 130])],
      ]),
    });
    expect(row.activation).toBe('relu');
    // No epoch marker: the mean of the (at most 100) last points, and the row says so.
    expect(row.trainLoss).toBeCloseTo((2 + 1 + 0.5) / 3, 12);
    expect(row.trainWindow).toBe('last 3 points');
    expect(row.valLoss).toBeNull();
    expect(row.valAcc).toBe(1.0);
    expect(row.itersTo90).toBe(1);
    expect(row.deadFraction).toBeCloseTo(0.3, 12);
    expect(row.saturation).toBeNull();
    expect(row.wallTime).toBe(30);
  });

  it('sorts with nulls last in both directions', () => {
    const mk = (run: string, valAcc: number | null) => ({ ...compareRow({ name: run, scalars: new Map() }), valAcc });
    const rows = [mk('a', 0.5), mk('b', null), mk('c', 0.9)];
    expect(sortRows(rows, 'valAcc', 'asc').map((r) => r.run)).toEqual(['a', 'c', 'b']);
    expect(sortRows(rows, 'valAcc', 'desc').map((r) => r.run)).toEqual(['c', 'a', 'b']);
    expect(sortRows(rows, 'run', 'desc').map((r) => r.run)).toEqual(['c', 'b', 'a']);
  });

  it('groups runs that differ only by seed', () => {
    const runs = [
      { name: 's/relu-1', hparams: { activation: 'relu', seed: 1, lr: 0.01 } },
      { name: 's/tanh-1', hparams: { activation: 'tanh', seed: 1, lr: 0.01 } },
      { name: 's/relu-2', hparams: { lr: 0.01, seed: 2, activation: 'relu' } },
      { name: 'disk-run' },
    ];
    const g = groupRuns(runs);
    expect(g.map((x) => x.runs)).toEqual([['s/relu-1', 's/relu-2'], ['s/tanh-1'], ['disk-run']]);
    expect(configKey({ seed: 3, b: 1, a: 'x' })).toBe('a=x b=1');
  });

  it('computes mean with min-max band per step', () => {
    const band = meanBand([ser([0, 1, 2], [1, 2, 3]), ser([0, 1, 2], [3, 4, NaN]), ser([1, 3], [0, 7])]);
    expect(band.steps).toEqual([0, 1, 2, 3]);
    expect(band.mean).toEqual([2, 2, 3, 7]);
    expect(band.min).toEqual([1, 0, 3, 7]);
    expect(band.max).toEqual([3, 4, 3, 7]);
    expect(band.count).toEqual([2, 3, 1, 1]);
  });
});
