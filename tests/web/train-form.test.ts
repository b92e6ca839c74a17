import { describe, expect, it } from 'vitest';
import { DEFAULT_FORM, errorLines, FIELD_LABELS, samplesLabel, validateTrainForm } from '../../web/src/lib/train-form.ts';

describe('TRAIN form', () => {
  it('names fields by their labels in errors, never by internal names', () => {
    const v = validateTrainForm({ ...DEFAULT_FORM, learningRate: 0, batchSize: 0, samples: 5, layers: 'x' });
    expect(v.ok).toBe(false);
    if (v.ok) return;
    const lines = errorLines(v.errors, 'spiral').map((l) => l.text);
    expect(lines.some((t) => t.startsWith('Learning rate: '))).toBe(true);
    expect(lines.some((t) => t.startsWith('Batch size: '))).toBe(true);
    expect(lines.some((t) => t.startsWith('Samples: '))).toBe(true);
    expect(lines.some((t) => t.startsWith('Hidden layers: '))).toBe(true);
    for (const t of lines) expect(t).not.toMatch(/learningRate|batchSize/);
    expect(Object.keys(FIELD_LABELS)).toEqual(expect.arrayContaining(Object.keys(DEFAULT_FORM)));
  });

  it('sends the sample count the user set (digits for mnist)', () => {
    const v = validateTrainForm({ ...DEFAULT_FORM, dataset: 'mnist', samples: 4000 });
    expect(v.ok && v.request.samples).toBe(4000);
    expect(samplesLabel('mnist')).toBe('Digits (of 10,000)');
    expect(samplesLabel('spiral')).toBe('Samples');
    const tooMany = validateTrainForm({ ...DEFAULT_FORM, dataset: 'mnist', samples: 20_000 });
    expect(!tooMany.ok && tooMany.errors.samples).toBe('at most 10,000 digits are available');
    expect(validateTrainForm({ ...DEFAULT_FORM, dataset: 'spiral', samples: 20_000 }).ok).toBe(true);
    const bad = validateTrainForm({ ...DEFAULT_FORM, dataset: 'mnist', samples: 1 });
    expect(!bad.ok && errorLines(bad.errors, 'mnist')[0].text).toMatch(/^Digits \(of 10,000\): /);
  });
});
