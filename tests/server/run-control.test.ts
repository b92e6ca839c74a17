import { describe, expect, it } from 'vitest';
import type { ClientRole, TrainRequest } from '../../shared/protocol.ts';
import { mayStopRun } from '../../shared/run-access.ts';
import type { Activation, RunInfo, TrainSpec } from '../../shared/types.ts';
import { admissionError, admissionLimits } from '../../server/live/run-admission.ts';
import { clientRole, ownerTag, RunControl, timestampName } from '../../server/live/run-control.ts';
import type { TrainingManager } from '../../server/training/manager.ts';

/** Just enough of TrainingManager to see what RunControl asks of it. */
class FakeManager {
  runs: RunInfo[] = [];
  started: { name: string; spec: TrainSpec }[] = [];
  constructor(readonly capacity = 66) {}
  list() {
    return this.runs.map((r) => structuredClone(r));
  }
  startRun(name: string, spec: TrainSpec, _group?: string, owner?: string): RunInfo {
    const info: RunInfo = { name, source: 'trainer', group: '.', status: { state: 'running' }, ...(owner ? { startedBy: owner } : {}) };
    this.runs.push(info);
    this.started.push({ name, spec });
    return info;
  }
  startSweep(sweep: string, spec: Omit<TrainSpec, 'activation'>, acts: Activation[], owner?: string): RunInfo[] {
    return acts.map((a) => this.startRun(`${sweep}/${a}`, { ...spec, activation: a } as TrainSpec, undefined, owner));
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

const user = (id: string): ClientRole => clientRole(id, false);

describe('RunControl', () => {
  it('starts one run per activation; several make a sweep folder; runs carry the owner tag', () => {
    const m = new FakeManager();
    const rc = new RunControl(m as unknown as TrainingManager, 10);
    expect(rc.start(user('c1'), req(['relu'], 'mine'))).toEqual(['mine']);
    expect(m.started[0].spec).toMatchObject({ activation: 'relu', layers: [4], learningRate: 0.01 });
    expect(m.started[0].spec).not.toHaveProperty('activations');
    expect(m.runs[0].startedBy).toBe(ownerTag('c1'));
    expect(ownerTag('c1')).not.toContain('c1');
    expect(rc.start(user('c1'), req(['tanh', 'relu', 'tanh']))).toEqual([
      expect.stringMatching(/^sweep-\d{8}-\d{6}\/tanh$/),
      expect.stringMatching(/^sweep-\d{8}-\d{6}\/relu$/),
    ]);
    expect(timestampName(new Date(2024, 0, 2, 3, 4, 5))).toBe('20240102-030405');
  });

  it('bounds the runs one client has queued or running; finished runs free the slots', () => {
    const m = new FakeManager();
    const rc = new RunControl(m as unknown as TrainingManager, 3);
    rc.start(user('c1'), req(['relu', 'tanh']));
    expect(() => rc.start(user('c1'), req(['sigmoid', 'linear']))).toThrow(/already has 2 run\(s\).*at most 3/);
    expect(rc.start(user('c2'), req(['sigmoid', 'linear']))).toHaveLength(2); // another client has its own budget
    rc.stop(user('c1'), m.runs[0].name);
    expect(rc.start(user('c1'), req(['elu', 'selu']))).toHaveLength(2);
    expect(() => rc.stop(user('c1'), 'nope')).toThrow(/not queued or running/);
  });

  it('lets only the owner (or an admin) stop a run; CLI and demo runs are anyone\'s', () => {
    const m = new FakeManager();
    const rc = new RunControl(m as unknown as TrainingManager, 10);
    const [mine] = rc.start(user('owner-tab'), req(['relu'], 'mine'));
    expect(() => rc.stop(user('stranger'), mine)).toThrow(/started by another client/);
    expect(m.runs[0].status?.state).toBe('running');
    rc.stop(user('owner-tab'), mine); // the same tab after a reconnect has the same id
    expect(m.runs[0].status?.state).toBe('stopped');

    const [other] = rc.start(user('owner-tab'), req(['tanh'], 'other'));
    rc.stop(clientRole('admin-tab', true), other);
    expect(m.runs[1].status?.state).toBe('stopped');

    m.startRun('demo/relu', { ...req(['relu']), activation: 'relu' } as unknown as TrainSpec); // no owner
    rc.stop(user('anyone'), 'demo/relu');
    expect(m.runs[2].status?.state).toBe('stopped');
  });

  it('the shared rule the dashboard uses agrees', () => {
    const me = user('me');
    expect(mayStopRun({ startedBy: me.owner }, me)).toBe(true);
    expect(mayStopRun({ startedBy: ownerTag('other') }, me)).toBe(false);
    expect(mayStopRun({ startedBy: ownerTag('other') }, clientRole('me', true))).toBe(true);
    expect(mayStopRun({}, me)).toBe(true);
    expect(mayStopRun({ startedBy: me.owner }, undefined)).toBe(false);
  });

  it('refuses when training is disabled', () => {
    const rc = new RunControl(null, 3);
    expect(() => rc.start(user('c'), req(['relu']))).toThrow(/training is disabled/);
  });
});

describe('queue admission', () => {
  it('derives a per-client share and a reserve from the capacity', () => {
    expect(admissionLimits(66, 16)).toEqual({ capacity: 66, perClient: 16, reserve: 16 });
    expect(admissionLimits(6, 16)).toEqual({ capacity: 6, perClient: 3, reserve: 1 });
    expect(admissionLimits(1, 16)).toEqual({ capacity: 1, perClient: 1, reserve: 0 });
  });

  it('10 greedy clients cannot lock out an 11th, whatever order they ask in', () => {
    for (const sweep of [1, 3, 12]) {
      const m = new FakeManager(66);
      const rc = new RunControl(m as unknown as TrainingManager, 16);
      const acts = (['relu', 'tanh', 'sigmoid', 'linear', 'elu', 'selu', 'softplus', 'softsign', 'swish', 'maxout', 'prelu', 'leaky_relu'] as Activation[]).slice(0, sweep);
      let refusals = 0;
      for (let round = 0; round < 10; round++) {
        for (let c = 0; c < 10; c++) {
          for (const size of [acts.length, 1]) {
            try {
              rc.start(user(`greedy-${c}`), req(acts.slice(0, size)));
            } catch (e) {
              refusals++;
              expect((e as Error).message).toMatch(/at most 16|queue is (nearly )?full/);
            }
          }
        }
      }
      expect(refusals).toBeGreaterThan(0);
      const held = m.runs.length;
      expect(held).toBeLessThan(66);
      expect(rc.start(user('newcomer'), req(['relu']))).toHaveLength(1);
    }
  });

  it('explains each refusal', () => {
    const l = admissionLimits(66, 16);
    expect(admissionError(2, { held: 15, total: 20 }, l)).toMatch(/already has 15 run\(s\).*at most 16/);
    expect(admissionError(1, { held: 0, total: 66 }, l)).toMatch(/queue is full: 66 of 66/);
    expect(admissionError(1, { held: 4, total: 50 }, l)).toMatch(/last 16 place\(s\) are kept/);
    expect(admissionError(3, { held: 0, total: 50 }, l)).toMatch(/start a single run/);
    expect(admissionError(1, { held: 0, total: 50 }, l)).toBeNull();
    expect(admissionError(16, { held: 0, total: 34 }, l)).toBeNull();
  });
});
