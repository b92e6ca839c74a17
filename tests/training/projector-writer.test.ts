// The MNIST embedding for the projector: the trainer's epoch-end pass (last hidden layer, fixed
// validation digits), and the files ProjectorWriter leaves, read back with the projector route's own
// parsers (server/render/projector.ts) and pngjs; older epochs are removed, the config never names them.
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TrainSpec } from '../../shared/types.ts';
import { readEmbeddings } from '../../server/logs/export-plugins.ts';
import { embeddingsOf, parsePbtxt, tsvToFloat32 } from '../../server/render/projector.ts';
import { initBackend } from '../../server/training/backend.ts';
import { loadMnist } from '../../server/training/datasets.ts';
import { estimateLogBytes } from '../../server/training/log-estimate.ts';
import { EMBED_EXAMPLES, MAX_KEPT_EPOCHS, ProjectorWriter, projectorConfigText, spritePng, tensorTsv, type EmbeddingSink } from '../../server/training/projector-writer.ts';
import { RunLogger } from '../../server/training/run-logger.ts';
import { trainRun } from '../../server/training/trainer.ts';

const SPEC: TrainSpec = {
  dataset: 'mnist', noise: 0, samples: 400, activation: 'relu', layers: [24, 12], optimizer: 'adam',
  learningRate: 0.005, batchSize: 32, epochs: 2, dropout: 0, batchNorm: false, seed: 3, summaryEvery: 20,
};

beforeAll(async () => {
  expect(await initBackend('wasm')).toBe('wasm');
});

describe('projector files', () => {
  it('config text parses back to the same embeddings (TensorBoard field names)', () => {
    const text = projectorConfigText([{ tensorName: 'a "b"', tensorPath: 'p/t.tsv', metadataPath: 'p/m.tsv', spritePath: 'p/s.png', spriteDim: [28, 28] }]);
    expect(embeddingsOf(parsePbtxt(text))).toEqual([
      { tensorName: 'a "b"', tensorPath: 'p/t.tsv', metadataPath: 'p/m.tsv', sprite: { imagePath: 'p/s.png', singleImageDim: [28, 28] } },
    ]);
  });
  it('TSV values keep 4 significant digits', () => {
    const v = new Float32Array([0, 1.234567, -0.000123456, 1e6 + 7]);
    const t = tsvToFloat32(tensorTsv(v, 2, 2));
    expect(t.shape).toEqual([2, 2]);
    const back = new Float32Array(t.bytes.buffer, t.bytes.byteOffset, 4);
    v.forEach((x, i) => expect(Math.abs(back[i] - x)).toBeLessThanOrEqual(Math.abs(x) * 1e-3));
    expect(() => tensorTsv(v, 3, 2)).toThrow(/4 values, expected 3 x 2/);
  });
  it('sprite: a square grid of grey cells, digit i at row-major cell i', () => {
    const ds = loadMnist(100, 1);
    const png = PNG.sync.read(spritePng(ds.valX, 5, 28));
    expect([png.width, png.height]).toEqual([84, 84]);
    // Digit 4's brightest pixel appears in cell (row 1, col 1).
    const px = ds.valX.subarray(4 * 784, 5 * 784);
    const j = px.indexOf(Math.max(...px));
    const o = ((28 + Math.floor(j / 28)) * 84 + 28 + (j % 28)) * 4;
    expect(png.data[o]).toBe(Math.round(255 * px[j]));
  });
});

describe('MNIST runs write an embedding each epoch', () => {
  it('the last hidden layer for fixed validation digits, readable by the projector routes', async () => {
    const calls: { epoch: number; layer: string; width: number; values: Float32Array }[] = [];
    let begun: { rows: number; labels: number[] } | null = null;
    const sink: EmbeddingSink = {
      begin: (i) => (begun = { rows: i.rows, labels: Array.from(i.labels) }),
      epoch: (epoch, layer, values, width) => calls.push({ epoch, layer, width, values: values.slice() }),
    };
    await trainRun(SPEC, { logger: new RunLogger(null), backend: 'wasm', embedding: sink });
    const val = loadMnist(SPEC.samples, SPEC.seed).valY;
    expect(begun!.rows).toBe(Math.min(val.length, EMBED_EXAMPLES));
    expect(begun!.labels).toEqual(Array.from(val.subarray(0, begun!.rows)));
    expect(calls.map((c) => [c.epoch, c.width, c.values.length])).toEqual([[1, 12, 12 * begun!.rows], [2, 12, 12 * begun!.rows]]);
    expect(calls[0].layer).toBe(calls[1].layer);
    // ReLU activations: non-negative, and they change as the net trains.
    expect(calls[1].values.every((x) => x >= 0 && Number.isFinite(x))).toBe(true);
    expect(calls[1].values).not.toEqual(calls[0].values);
    // No hidden layer: no embedding; a 2-D set: none either.
    const none: number[] = [];
    const quiet: EmbeddingSink = { begin: () => none.push(0), epoch: () => none.push(1) };
    await trainRun({ ...SPEC, layers: [], epochs: 1 }, { logger: new RunLogger(null), backend: 'wasm', embedding: quiet });
    await trainRun({ ...SPEC, dataset: 'moons', epochs: 1 }, { logger: new RunLogger(null), backend: 'wasm', embedding: quiet });
    expect(none).toEqual([]);
  }, 60_000);

  it('ProjectorWriter keeps the last epochs, trainscope export carries them, and the estimate covers the files', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'trainscope-projector-'));
    const w = new ProjectorWriter(dir);
    const rows = 50, width = 8;
    const ds = loadMnist(300, 1);
    w.begin({ labels: ds.valY.subarray(0, rows), pixels: ds.valX.subarray(0, rows * 784), rows, side: 28 });
    for (let e = 1; e <= MAX_KEPT_EPOCHS + 2; e++) w.epoch(e, 'dense_2', Float32Array.from({ length: rows * width }, (_, i) => Math.sin(i * e)), width);
    const cfg = embeddingsOf(parsePbtxt(readFileSync(path.join(dir, 'projector_config.pbtxt'), 'utf8')));
    expect(cfg.map((e) => e.tensorName)).toEqual(Array.from({ length: MAX_KEPT_EPOCHS }, (_, i) => `dense_2 epoch ${i + 3}`));
    for (const e of cfg) {
      expect(tsvToFloat32(readFileSync(path.join(dir, e.tensorPath!), 'utf8')).shape).toEqual([rows, width]);
      expect(e.sprite).toEqual({ imagePath: 'projector/sprite.png', singleImageDim: [28, 28] });
    }
    expect(existsSync(path.join(dir, 'projector', 'dense_2-epoch-0001.tsv'))).toBe(false);
    expect(readFileSync(path.join(dir, 'projector', 'metadata.tsv'), 'utf8').trim().split('\n')).toHaveLength(rows);
    expect(readdirSync(path.join(dir, 'projector')).filter((f) => f.includes('.tmp'))).toEqual([]);
    // The export (server/logs/export-plugins.ts) includes each kept embedding with labels and sprite.
    const warnings: string[] = [];
    const exported = await readEmbeddings(dir, dir, warnings);
    expect(warnings).toEqual([]);
    expect(exported.map((e) => [e.tensorName, e.shape, e.metadata?.split('\n')[0], e.sprite?.mime, e.sprite?.singleImageDim])).toEqual(
      cfg.map((e) => [e.tensorName, [rows, width], String(ds.valY[0]), 'image/png', [28, 28]]),
    );
    const est = estimateLogBytes({ ...SPEC, samples: 5000, layers: [64, 128], epochs: 20 });
    // 1,000 digits x 128 values x 5 kept epochs, plus the sprite: a few MB at most.
    expect(est.projectorBytes).toBeGreaterThan(1000 * 128 * 5 * 4);
    expect(est.projectorBytes).toBeLessThan(8e6);
  });
});
