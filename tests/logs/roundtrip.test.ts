// What our writer writes, our reader reads back exactly.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventWriter } from '../../server/logs/event-writer.ts';
import { readEventFile } from '../../server/logs/event-file-reader.ts';
import { scanRecords } from '../../server/logs/tfrecord.ts';
import { PB } from '../../server/logs/tfevents-schema.ts';
import { encodeScalarEvent } from '../../server/logs/event-encode.ts';
import { kerasModelToGraph } from '../../server/logs/graph-normalize.ts';
import { bucketize } from '../../shared/histogram.ts';
import type { Bucket } from '../../shared/types.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ts-logs-rt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const KERAS = JSON.stringify({
  class_name: 'Sequential',
  config: {
    name: 'mlp',
    layers: [
      { class_name: 'Dense', config: { name: 'dense_1', units: 8, activation: 'tanh', use_bias: true, batch_input_shape: [null, 2] } },
      { class_name: 'Dense', config: { name: 'dense_2', units: 3, activation: 'softmax', use_bias: true } },
    ],
  },
});

describe('EventWriter -> readEventFile', () => {
  it('round-trips scalars (as float32), histograms, images, text, keras graph and hparams', async () => {
    const w = await EventWriter.open(join(dir, 'a'));
    expect(basename(w.path)).toMatch(/^events\.out\.tfevents\.\d{10}\.[^.].*\.\d+\.\d+$/);
    const values = [0.1, Math.PI, -2.5e-7, 123456.789, 1e30, NaN, Infinity, -Infinity];
    values.forEach((v, i) => w.scalar('loss', v, i * 10, 1700000000.25 + i));
    w.scalar('big/step', 1, 2 ** 40, 1700000001);
    const hv = Array.from({ length: 300 }, (_, i) => Math.sin(i) * (i % 7));
    w.histogram('w', hv, 5, 1700000002);
    const buckets: Bucket[] = [[-1, 0, 2], [0, 0.5, 0], [0.5, 2, 7]];
    w.histogramBuckets('b', buckets, 6, 1700000003);
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 250]);
    w.image('img', png, 4, 3, 7, 1700000004);
    w.text('notes', 'héllo **world**\nline 2', 8, 1700000005);
    w.kerasModel(KERAS, 0, 1700000006);
    w.hparams({ lr: 0.01, activation: 'relu', batchNorm: true }, ['loss', 'val/acc'], 1700000007);
    w.hparamsEnd('STATUS_SUCCESS', 1700000008);
    await w.close();

    const r = await readEventFile(w.path, { lenient: false });
    expect(r.warnings).toEqual([]);
    expect(r.truncatedAt).toBeNull();
    const [first, ...rest] = r.records;
    expect(first).toMatchObject({ kind: 'meta', what: 'file_version', detail: 'brain.Event:2' });

    const scalars = rest.filter((x) => x.kind === 'scalar' && x.tag === 'loss');
    expect(scalars.map((x) => x.kind === 'scalar' && x.value)).toEqual(values.map((v) => Math.fround(v)));
    expect(scalars.map((x) => x.step)).toEqual(values.map((_, i) => i * 10));
    expect(scalars.map((x) => x.wallTime)).toEqual(values.map((_, i) => 1700000000.25 + i));
    expect(rest.find((x) => x.kind === 'scalar' && x.tag === 'big/step')?.step).toBe(2 ** 40);

    const h = rest.find((x) => x.kind === 'histogram' && x.tag === 'w');
    expect(h?.kind === 'histogram' && h.buckets).toEqual(bucketize(hv));
    const hb = rest.find((x) => x.kind === 'histogram' && x.tag === 'b');
    expect(hb?.kind === 'histogram' && hb.buckets).toEqual(buckets);

    const img = rest.find((x) => x.kind === 'image');
    expect(img).toMatchObject({ kind: 'image', tag: 'img', width: 4, height: 3, step: 7, sample: 0 });
    expect(img?.kind === 'image' && [...img.data]).toEqual([...png]);

    expect(rest.find((x) => x.kind === 'text')).toMatchObject({ tag: 'notes', text: 'héllo **world**\nline 2', step: 8 });

    const g = rest.find((x) => x.kind === 'graph');
    expect(g?.kind === 'graph' && g.graph).toEqual(kerasModelToGraph(KERAS, 0));

    const hp = rest.filter((x) => x.kind === 'hparams');
    expect(hp.map((x) => x.kind === 'hparams' && x.part)).toEqual(['experiment', 'session_start', 'session_end']);
    expect(hp[0]).toMatchObject({ tag: '_hparams_/experiment', metrics: ['loss', 'val/acc'] });
    expect(hp[1]).toMatchObject({ tag: '_hparams_/session_start_info', hparams: { lr: 0.01, activation: 'relu', batchNorm: true } });
    expect(hp[2]).toMatchObject({ tag: '_hparams_/session_end_info', status: 'STATUS_SUCCESS' });
  });

  it('writes what TensorBoard expects in the protos (plugin names, content, tensor shapes)', async () => {
    const w = await EventWriter.open(join(dir, 'b'));
    w.kerasModel(KERAS);
    w.text('t', 'x', 1);
    w.hparams({ a: 1 }, ['m']);
    w.scalar('s', 1.5, 2);
    await w.close();
    const events = scanRecords(await readFile(w.path)).frames.map((f) => (f.kind === 'record' ? (PB.Event.toObject(PB.Event.decode(f.data), { bytes: String, longs: Number }) as Record<string, any>) : {}));
    expect(events[0].file_version).toBe('brain.Event:2');
    const keras = events[1].summary.value[0];
    expect(keras.tag).toBe('keras');
    expect(keras.metadata.plugin_data.plugin_name).toBe('graph_keras_model');
    expect(Buffer.from(keras.metadata.plugin_data.content, 'base64').toString()).toBe('1');
    expect(keras.tensor.dtype).toBe(7);
    const text = events[2].summary.value[0];
    expect(text.metadata.plugin_data.plugin_name).toBe('text');
    expect(events[3].summary.value[0].metadata.plugin_data.plugin_name).toBe('hparams');
    expect(events[5].summary.value[0]).toEqual({ tag: 's', simple_value: 1.5 });
    expect(events[5].step).toBe(2);
  });

  it('the in-place scalar path writes the same bytes as encodeScalarEvent', async () => {
    const cases: [string, number, number, number][] = [
      ['a', 1, 0, 0],
      ['loss/train', -0.3, 127, 1700000000.5],
      ['ü'.repeat(70), NaN, 128, 1],
      ['t'.repeat(200), 1e-40, 2 ** 45 + 3, 1700000000.000001],
    ];
    const w = await EventWriter.open(join(dir, 'inplace'));
    for (const c of cases) w.scalar(...c);
    await w.close();
    const frames = scanRecords(await readFile(w.path), { lenient: false }).frames.slice(1);
    expect(frames.map((f) => (f.kind === 'record' ? [...f.data] : null))).toEqual(cases.map((c) => [...encodeScalarEvent(...c)]));
  });

  it('appends at least every flushMs without close, never reuses a file', async () => {
    const d = join(dir, 'c');
    const w = await EventWriter.open(d, { flushMs: 30 });
    const w2 = await EventWriter.open(d, { filenameSuffix: '.v2' });
    expect(w2.path).not.toBe(w.path);
    expect(w2.path.endsWith('.v2')).toBe(true);
    w.scalar('x', 1, 1);
    const deadline = Date.now() + 3000;
    let seen = 0;
    while (Date.now() < deadline) {
      const r = await readEventFile(w.path);
      seen = r.records.filter((x) => x.kind === 'scalar').length;
      if (seen === 1) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    expect(seen).toBe(1);
    await w.close();
    await w2.close();
    expect((await readdir(d)).length).toBe(2);
    expect(() => w.scalar('x', 1, 2)).toThrow(/after close/);
  });

  it('checksums summary steps and histograms when their stage is retired: every record valid, across stages', async () => {
    const w = await EventWriter.open(join(dir, 'deferred-crc'));
    const h = (n: number, k: number) => ({
      min: -k, max: k, num: n, sum: k / 3, sumSquares: k * k,
      bucketLimit: Array.from({ length: k }, (_, i) => i + 0.5), bucket: Array.from({ length: k }, (_, i) => (i % 5) + 1),
    });
    // ~2.5 MB: summary steps and scalars retire stages on the way; a flush mid-stage; then one record larger
    // than a stage (its own buffer) and a few after it.
    for (let step = 0; step < 160; step++) {
      w.summaryValues([{ kind: 'histogram', tag: 'a/kernel', summary: h(400, 400 + step) }, { kind: 'scalar', tag: 'a/grad_norm', value: step }], step);
      w.scalar('train/loss', 1 / (step + 1), step);
      if (step === 50) await w.flush();
    }
    w.histogramProto('big', h(1e6, 70_000), 160, 1);
    w.histogramProto('small', h(3, 3), 161, 1);
    w.summaryValues([{ kind: 'scalar', tag: 'last', value: 2 }], 162);
    await w.close();
    const scan = scanRecords(new Uint8Array(await readFile(w.path)), { lenient: false });
    expect(scan.frames.filter((f) => f.kind !== 'record')).toEqual([]);
    const { records, warnings } = await readEventFile(w.path);
    expect(warnings).toEqual([]);
    expect(records.filter((r) => 'tag' in r && r.tag === 'a/kernel').map((r) => r.step)).toEqual(Array.from({ length: 160 }, (_, i) => i));
    expect(records.find((r) => 'tag' in r && r.tag === 'big')).toMatchObject({ kind: 'histogram', step: 160 });
    expect(records.find((r) => 'tag' in r && r.tag === 'last')).toMatchObject({ kind: 'scalar', value: 2, step: 162 });
  });

  it('reuses its staging buffers across flushes without mixing up records', async () => {
    const w = await EventWriter.open(join(dir, 'stages'));
    // ~28 MB of records over many flushes: stages are filled, written and handed out again.
    const values = Float32Array.from({ length: 400 }, (_, i) => Math.sin(i) * 10 ** ((i % 9) - 4));
    const n = 20_000;
    for (let step = 0; step < n; step++) {
      w.histogram(`h${step % 3}`, values.map((v) => v * (1 + step / n)), step);
      if (step % 3000 === 0) await w.flush();
    }
    await w.close();
    const { records, warnings } = await readEventFile(w.path);
    expect(warnings).toEqual([]);
    const hs = records.filter((r) => r.kind === 'histogram');
    expect(hs.map((r) => r.step)).toEqual(Array.from({ length: n }, (_, i) => i));
    for (const step of [0, 1, 2999, 3000, 12_345, n - 1]) {
      expect(hs[step]).toMatchObject({ tag: `h${step % 3}`, buckets: bucketize(values.map((v) => v * (1 + step / n))) });
    }
  });
});
