import { describe, expect, it } from 'vitest';
import type { TrainRequest } from '../../shared/protocol.ts';
import type { Activation, RunInfo, TrainSpec } from '../../shared/types.ts';
import { RunControl, timestampName } from '../../server/live/run-control.ts';
import type { TrainingManager } from '../../server/training/manager.ts';

/** Just enough of TrainingManager to see what RunControl asks of it. */
class FakeManager {
  runs: RunInfo[] = [];
  started: { name: string; spec: TrainSpec }[] = [];
  list() {
    return this.runs.map((r) => structuredClone(r));
  }
  startRun(name: string, spec: TrainSpec): RunInfo {
    const info: RunInfo = { name, source: 'trainer', group: '.', status: { state: 'running' } };
    this.runs.push(info);
    this.started.push({ name, spec });
    return info;
  }
  startSweep(sweep: string, spec: Omit<TrainSpec, 'activation'>, acts: Activation[]): RunInfo[] {
    return acts.map((a) => this.startRun(`${sweep}/${a}`, { ...spec, activation: a } as TrainSpec));
  }
  stop(run: string) {
    const r = this.runs.find((x) => x.name === run);
    if (!r || r.status?.state !== 'running') return false;
    r.status = { state: 'stopped' };
    return true;
  }
}

const req = (acts: Activation[], name?: string): TrainRequest => ({
  dataset: 'spiral',
  noise: 0.1,
  samples: 100,
  layers: [4],
  optimizer: 'adam',
  learningRate: 0.01,
  batchSize: 8,
  epochs: 1,
  dropout: 0,
  batchNorm: false,
  seed: 1,
  summaryEvery: 10,
  activations: acts,
  ...(name ? { name } : {}),
});

describe('RunControl', () => {
  it('starts one run per activation; several make a sweep folder', () => {
    const m = new FakeManager();
    const rc = new RunControl(m as unknown as TrainingManager, 10);
    expect(rc.start('c1', req(['relu'], 'mine'))).toEqual(['mine']);
    expect(m.started[0].spec).toMatchObject({ activation: 'relu', layers: [4], learningRate: 0.01 });
    expect(m.started[0].spec).not.toHaveProperty('activations');
    expect(rc.start('c1', req(['tanh', 'relu', 'tanh']))).toEqual([
      expect.stringMatching(/^sweep-\d{8}-\d{6}\/tanh$/),
      expect.stringMatching(/^sweep-\d{8}-\d{6}\/relu$/),
    ]);
    expect(timestampName(new Date(2024, 0, 2, 3, 4, 5))).toBe('20240102-030405');
  });

  it('bounds the runs one client has queued or running; finished runs free the slots', () => {
    const m = new FakeManager();
    const rc = new RunControl(m as unknown as TrainingManager, 3);
    rc.start('c1', req(['relu', 'tanh']));
    expect(() => rc.start('c1', req(['sigmoid', 'linear']))).toThrow(/already has 2 run\(s\).*at most 3/);
    expect(rc.start('c2', req(['sigmoid', 'linear']))).toHaveLength(2); // another client has its own budget
    rc.stop(m.runs[0].name);
    expect(rc.start('c1', req(['elu', 'selu']))).toHaveLength(2);
    expect(() => rc.stop('nope')).toThrow(/not queued or running/);
  });

  it('refuses when training is disabled', () => {
    const rc = new RunControl(null, 3);
    expect(() => rc.start('c', req(['relu']))).toThrow(/training is disabled/);
  });
});
