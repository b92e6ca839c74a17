// The written-out backward pass (handStep) must give what tfjs' gradient tape gives through the Keras
// layers (tapeStep), for every activation it accepts.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACTIVATIONS, type Activation } from '../../shared/types.ts';
import { initBackend } from '../../server/training/backend.ts';
import { buildMlp } from '../../server/training/model.ts';
import { mulberry32 } from '../../server/training/rng.ts';
import { crossEntropy, handEvaluate, handStep, handStepSupported, handTaps, tapeStep } from '../../server/training/train-step.ts';

const N = 24, D = 5, C = 3;

function batch(seed: number): { x: tf.Tensor2D; onehot: Float32Array } {
  const r = mulberry32(seed);
  const xs = Float32Array.from({ length: N * D }, () => r() * 4 - 2);
  const onehot = new Float32Array(N * C);
  for (let i = 0; i < N; i++) onehot[i * C + Math.floor(r() * C)] = 1;
  return { x: tf.tensor2d(xs, [N, D]), onehot };
}

const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

beforeAll(async () => {
  expect(await initBackend('wasm')).toBe('wasm');
});

describe('handStep', () => {
  const supported = ACTIVATIONS.filter((a) => handStepSupported({ activation: a, batchNorm: false, dropout: 0 }));

  it('covers the stateless activations and leaves the rest to the tape', () => {
    expect([...supported].sort()).toEqual(['elu', 'leaky_relu', 'linear', 'relu', 'selu', 'sigmoid', 'softplus', 'softsign', 'swish', 'tanh']);
    expect(handStepSupported({ activation: 'relu', batchNorm: true, dropout: 0 })).toBe(false);
    expect(handStepSupported({ activation: 'relu', batchNorm: false, dropout: 0.2 })).toBe(false);
  });

  for (const activation of supported as Activation[]) {
    it(`${activation}: same loss, probabilities, gradients and activations as the tape and the model`, () => {
      const mlp = buildMlp({ activation, layers: [16, 8], dropout: 0, batchNorm: false, seed: 7 }, [D], C);
      const { x, onehot } = batch(3);
      const before = tf.memory().numTensors;
      const hand = handStep(mlp, activation, x, onehot);
      // Only the gradients stay: one kernel and one bias per layer.
      expect(tf.memory().numTensors - before).toBe(2 * mlp.weightLayers.length);
      const tape = tapeStep(mlp, x, onehot);
      expect(hand.loss).toBeGreaterThan(0.5);
      expect(Math.abs(hand.loss - tape.loss)).toBeLessThan(1e-5 * tape.loss);
      for (let i = 0; i < tape.probs.length; i++) expect(Math.abs(hand.probs[i] - tape.probs[i])).toBeLessThan(1e-6);
      expect(Object.keys(hand.grads).sort()).toEqual(Object.keys(tape.grads).sort());
      for (const name of Object.keys(tape.grads)) {
        const a = hand.grads[name].dataSync(), b = tape.grads[name].dataSync();
        const scale = maxAbs(b);
        expect(scale, `${name} has a gradient`).toBeGreaterThan(0);
        for (let i = 0; i < b.length; i++) expect(Math.abs(a[i] - b[i]), `${name}[${i}]`).toBeLessThanOrEqual(2e-5 * scale);
      }
      // The summaries' taps: each layer's activations, as the Keras model's forward pass gives them.
      const mine = handTaps(mlp, activation, x);
      const ref = mlp.forward(x, false, true).taps;
      expect(mine.map((t) => t.shape)).toEqual(ref.map((t) => t.shape));
      mine.forEach((t, l) => {
        const a = t.dataSync(), b = ref[l].dataSync();
        for (let i = 0; i < b.length; i++) expect(Math.abs(a[i] - b[i]), `tap ${l}[${i}]`).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(b[i])));
      });
      // Validation figures, in chunks of 10 (3 chunks), against the model's forward pass on the device.
      const labels = Array.from({ length: N }, (_, i) => onehot.subarray(i * C, i * C + C).indexOf(1));
      const ev = handEvaluate(mlp, activation, x, labels, 10);
      const refProbs = mlp.forward(x, false).probs;
      const y = tf.tensor2d(onehot, [N, C]);
      const refLoss = tf.tidy(() => tf.mean(crossEntropy(refProbs, y)).dataSync()[0]);
      const rp = refProbs.dataSync();
      const refHits = labels.filter((l, i) => rp.subarray(i * C, i * C + C).indexOf(Math.max(...rp.subarray(i * C, i * C + C))) === l).length;
      expect(Math.abs(ev.loss - refLoss)).toBeLessThan(1e-5 * refLoss);
      expect(ev.accuracy).toBe(refHits / N);
      tf.dispose([x, y, refProbs, ...mine, ...ref, ...Object.values(hand.grads), ...Object.values(tape.grads)]);
      mlp.dispose();
    });
  }

  it('refuses an activation with weights of its own', () => {
    const mlp = buildMlp({ activation: 'prelu', layers: [4], dropout: 0, batchNorm: false, seed: 1 }, [D], C);
    const { x, onehot } = batch(1);
    expect(() => handStep(mlp, 'prelu', x, onehot)).toThrow(/prelu/);
    tf.dispose(x);
    mlp.dispose();
  });
});
