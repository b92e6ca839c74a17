// Every real event file in the shared corpus loads without exception, with the record count the
// corpus README lists, and with the kinds its writer wrote.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readEventFile } from '../../server/logs/event-file-reader.ts';
import { scanRecords } from '../../server/logs/tfrecord.ts';
import { PB } from '../../server/logs/tfevents-schema.ts';
import type { LogRecord } from '../../server/logs/records.ts';
import { corpusFile, corpusFiles, readmeCounts } from './corpus-files.ts';

function count(records: LogRecord[], pred: (r: LogRecord) => boolean): number {
  return records.filter(pred).length;
}
const kind = (k: LogRecord['kind']) => (r: LogRecord) => r.kind === k;

describe('corpus', () => {
  const files = corpusFiles();
  const counts = readmeCounts();

  it('has the 39 files the README lists', () => {
    expect(files.length).toBe(39);
    expect([...counts.keys()].sort()).toEqual(files);
  });

  it.each(files.map((f) => [f.slice(f.indexOf('tfevents/') + 9), f]))('%s: whole records == README count', async (_n, f) => {
    const scan = scanRecords(readFileSync(f));
    expect(scan.truncatedAt).toBeNull();
    expect(scan.frames.length).toBe(counts.get(f));
    // every framed record either decodes via the reader or is reported; nothing thrown
    const r = await readEventFile(f);
    expect(r.truncatedAt).toBeNull();
    // each record with a file_version/summary/graph yields at least one LogRecord; count events seen
    expect(r.records.length).toBeGreaterThan(0);
  });

  it('PyTorch strict runs hold 100 scalars each, at steps 0,5,10,...', async () => {
    for (const run of ['run_1', 'run_2', 'run_3']) {
      const r = await readEventFile(corpusFile('strict', run));
      const scalars = r.records.filter((x) => x.kind === 'scalar');
      expect(scalars.length).toBe(100);
      expect(r.warnings).toEqual([]);
    }
  });

  it('TF1 mnist_with_summaries has histograms, images, scalars and a graph_def', async () => {
    const r = await readEventFile(corpusFile('log_tayo'));
    expect(count(r.records, kind('histogram'))).toBeGreaterThan(0);
    expect(count(r.records, kind('image'))).toBeGreaterThan(0);
    expect(count(r.records, kind('scalar'))).toBeGreaterThan(0);
    const graphs = r.records.filter((x) => x.kind === 'graph');
    expect(graphs.map((g) => g.kind === 'graph' && g.graph.kind)).toEqual(['graph_def']);
    for (const h of r.records) {
      if (h.kind !== 'histogram') continue;
      // edges ascend and counts are positive at both ends (empty ends dropped)
      for (const [l, rr] of h.buckets) expect(rr).toBeGreaterThanOrEqual(l);
      expect(h.buckets[0][2]).toBeGreaterThan(0);
      expect(h.buckets[h.buckets.length - 1][2]).toBeGreaterThan(0);
    }
  });

  it('katib TF2 files: scalars come from tensors (not simple_value), one per summary event', async () => {
    for (const part of ['logs/train', 'logs/test']) {
      const f = corpusFile('katib', part);
      let tensorValues = 0;
      for (const fr of scanRecords(readFileSync(f)).frames) {
        if (fr.kind !== 'record') continue;
        const ev = PB.Event.decode(fr.data) as unknown as { summary?: { value: { tensor?: unknown; simple_value?: number }[] } };
        for (const v of ev.summary?.value ?? []) if (v.tensor) tensorValues++;
      }
      const r = await readEventFile(f);
      expect(tensorValues).toBeGreaterThan(0);
      expect(count(r.records, kind('scalar'))).toBe(tensorValues);
    }
  });

  it('lingvo eval file: all values are scalars (several per event)', async () => {
    const f = corpusFile('lingvo');
    let values = 0;
    for (const fr of scanRecords(readFileSync(f)).frames) {
      if (fr.kind !== 'record') continue;
      const ev = PB.Event.decode(fr.data) as unknown as { summary?: { value: unknown[] } };
      values += ev.summary?.value.length ?? 0;
    }
    const r = await readEventFile(f);
    expect(count(r.records, kind('scalar'))).toBe(values);
    expect(values).toBeGreaterThan(361);
  });

  it('Keras files carry a keras graph whose layers chain', async () => {
    const r = await readEventFile(corpusFile('imdb-model', 'train'));
    const keras = r.records.find((x) => x.kind === 'graph' && x.graph.kind === 'keras');
    expect(keras?.kind === 'graph' && keras.graph.nodes.map((n) => n.op)).toEqual(['Dense', 'Dense', 'Dense']);
    if (keras?.kind !== 'graph') throw new Error('no keras graph');
    expect(keras.graph.nodes[1].inputs).toEqual([keras.graph.nodes[0].name]);
    expect(keras.graph.nodes[0].attrs.activation).toBe('relu');

    const r2 = await readEventFile(corpusFile('text_hp', 'run-0/train'));
    const k2 = r2.records.find((x) => x.kind === 'graph' && x.graph.kind === 'keras');
    if (k2?.kind !== 'graph') throw new Error('no keras graph');
    const embed = k2.graph.nodes.find((n) => n.op === 'Embedding');
    expect(embed?.params).toBeGreaterThan(0);
    expect(embed?.outputShape?.length).toBe(3);
  });

  it('tensorboard functionaltests file has graph_defs with ops and inputs, and session logs', async () => {
    const r = await readEventFile(corpusFile('functionaltests', '1476472047'));
    const g = r.records.filter((x) => x.kind === 'graph');
    expect(g.length).toBeGreaterThan(0);
    if (g[0].kind !== 'graph') throw new Error();
    expect(g[0].graph.kind).toBe('graph_def');
    expect(g[0].graph.nodes.every((n) => n.op.length > 0)).toBe(true);
    expect(g[0].graph.nodes.some((n) => n.inputs.length > 0)).toBe(true);
    expect(r.records.some((x) => x.kind === 'meta' && x.what === 'session_log')).toBe(true);
  });

  it('PyTorch histogram_experiment / image_experiment / pr_curve_experiment', async () => {
    const h = await readEventFile(corpusFile('histogram_experiment'));
    expect(count(h.records, kind('histogram'))).toBe(10);
    const im = await readEventFile(corpusFile('image_experiment'));
    const images = im.records.filter((x) => x.kind === 'image');
    expect(images.length).toBe(5);
    for (const x of images) {
      if (x.kind !== 'image') continue;
      expect(x.width).toBeGreaterThan(0);
      // PNG signature
      expect([...x.data.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    }
    const pr = await readEventFile(corpusFile('pr_curve_experiment'));
    const t = pr.records.filter((x) => x.kind === 'tensor');
    expect(t.length).toBe(5);
    for (const x of t) if (x.kind === 'tensor') {
      expect(x.plugin).toBe('pr_curves');
      expect(x.values?.length).toBe((x.shape ?? []).reduce((a, b) => a * b, 1));
    }
  });

  it('TF2 image tensors give one ImageRecord per sample', async () => {
    const r = await readEventFile(corpusFile('train_data'));
    const images = r.records.filter((x) => x.kind === 'image');
    expect(images.length).toBeGreaterThan(2);
    expect(new Set(images.map((x) => x.kind === 'image' && x.sample)).size).toBeGreaterThan(1);
  });

  it('hparams files: experiment, session start values and end status', async () => {
    const exp = await readEventFile(corpusFile('Alwaysproblem', 'logs/hparam_tuning/events'));
    const e = exp.records.find((x) => x.kind === 'hparams');
    expect(e?.kind === 'hparams' && e.part).toBe('experiment');
    const run = await readEventFile(corpusFile('hparams_search_exp_2', '1771595857.3322473'));
    const parts = run.records.filter((x) => x.kind === 'hparams');
    expect(parts.map((x) => x.kind === 'hparams' && x.part)).toEqual(['experiment', 'session_start', 'session_end']);
    const start = parts[1];
    if (start.kind !== 'hparams') throw new Error();
    expect(Object.keys(start.hparams ?? {}).sort()).toEqual(['batch_size', 'lr', 'optimizer']);
    expect(typeof start.hparams?.lr).toBe('number');
    expect(parts[2].kind === 'hparams' && parts[2].status).toBe('STATUS_SUCCESS');
  });

  it('CatBoost and smdebug files (no file_version) read; smdebug decoded leniently with a warning', async () => {
    const cb = await readEventFile(corpusFile('catboost'));
    expect(cb.records.some((x) => x.kind === 'meta' && x.what === 'file_version')).toBe(false);
    expect(count(cb.records, kind('scalar'))).toBe(10);
    expect(cb.warnings).toEqual([]);

    const f = corpusFile('000000000000_worker_0');
    const auto = await readEventFile(f);
    expect(auto.records.length).toBe(1);
    expect(auto.records[0].kind === 'tensor' && auto.records[0].tag).toBe('loss/mul:0');
    expect(auto.warnings.length).toBe(1);
    expect(auto.warnings[0]).toMatch(/000000000000_worker_0\.tfevents @ offset 0: .*auto-lenient/);
    const strict = await readEventFile(f, { lenient: false });
    expect(strict.records).toEqual([]);
    expect(strict.warnings[0]).toMatch(/@ offset 0: bad data CRC; record skipped \(strict mode\)/);
    const lenient = await readEventFile(f, { lenient: true });
    expect(lenient.records.length).toBe(1);
    expect(lenient.warnings[0]).toMatch(/lenient mode \(option\)/);
  });

  it('profiler marker file holds only file_version', async () => {
    const r = await readEventFile(corpusFile('profile-empty'));
    expect(r.records).toEqual([{ kind: 'meta', what: 'file_version', wallTime: expect.any(Number), step: 0, detail: expect.any(String) }]);
  });

  it('wandb complex file keeps custom_scalars as a tensor record', async () => {
    const r = await readEventFile(corpusFile('complex.localdomain'));
    expect(r.records.some((x) => x.kind === 'tensor' && x.plugin === 'custom_scalars')).toBe(true);
  });
});
