import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExport } from '../../server/cli/export.ts';
import { buildExport, exportToJson, loadRunsFromPath } from '../../server/logs/export.ts';
import { readEventFile } from '../../server/logs/event-file-reader.ts';
import { EventWriter } from '../../server/logs/event-writer.ts';
import type { ExportDocument } from '../../shared/types.ts';
import { SeriesStore } from '../../server/store/series-store.ts';

/** A scalar tuple as the export's JSON gives it back (NaN/±Inf as strings). */
const jsonRoundTrip = (p: [number, number, number]) => JSON.parse(exportToJson({ runs: { r: { scalars: { t: [p] }, histograms: {}, images: {}, graphs: [], tensors: {}, warnings: [] } } })).runs.r.scalars.t[0];
import { corpusFile, corpusFiles, corpusRoot } from './corpus-files.ts';

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

async function exportOf(path: string): Promise<{ code: number; doc: ExportDocument | null; err: string; raw: string }> {
  const out = new Sink();
  const err = new Sink();
  const code = await runExport(path, out, err);
  return { code, doc: out.text ? (JSON.parse(out.text) as ExportDocument) : null, err: err.text, raw: out.text };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ts-logs-export-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('trainscope export', () => {
  it('single file: run ".", first scalar equals the bytes decoded by hand', async () => {
    const f = corpusFile('strict', 'run_1');
    const { code, doc } = await exportOf(f);
    expect(code).toBe(0);
    const pts = doc!.runs['.'].scalars['strict/foo'];
    expect(pts.length).toBe(100);
    // by hand: record 0 = file_version; record 1 = Event{wall_time, summary{value{tag, simple_value}}}
    const b = readFileSync(f);
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const len0 = dv.getUint32(0, true);
    const start1 = 16 + len0;
    const len1 = dv.getUint32(start1, true);
    const data = b.subarray(start1 + 12, start1 + 12 + len1);
    expect(data[0]).toBe(0x09); // wall_time first
    const wall = new DataView(data.buffer, data.byteOffset).getFloat64(1, true);
    expect(data[data.length - 5]).toBe(0x15); // simple_value last
    const value = new DataView(data.buffer, data.byteOffset).getFloat32(data.length - 4, true);
    expect(pts[0]).toEqual([wall, 0, value]);
  });

  it('whole corpus as a logdir: runs are the directories, every point/tag equals independent per-file reads', async () => {
    const { code, doc } = await exportOf(corpusRoot);
    expect(code).toBe(0);
    const expectedRuns = new Set(corpusFiles().map((f) => relative(corpusRoot, dirname(f)).split('\\').join('/')));
    expect(new Set(Object.keys(doc!.runs))).toEqual(expectedRuns);
    // independent reference: each file read on its own (in name order) into the server's store, keeping
    // every point: the export must hold exactly the points the server serves (rewinds included).
    const tally = new Map<string, { store: SeriesStore; graphs: number; tags: Set<string> }>();
    for (const f of [...corpusFiles()].sort()) {
      const run = relative(corpusRoot, dirname(f));
      const t = tally.get(run) ?? { store: new SeriesStore({ scalars: Infinity, histograms: Infinity, images: Infinity }), graphs: 0, tags: new Set<string>() };
      tally.set(run, t);
      const recs = (await readEventFile(f)).records;
      t.store.ingest(run, recs);
      for (const r of recs) {
        if (r.kind === 'graph') t.graphs++;
        if ('tag' in r) t.tags.add(r.tag);
      }
    }
    for (const [run, t] of tally) {
      const d = doc!.runs[run];
      const st = t.store;
      expect({ run, scalars: d.scalars, h: Object.fromEntries(Object.entries(d.histograms).map(([k, v]) => [k, v.map((p) => p[1])])), g: d.graphs.length }).toEqual({
        run,
        scalars: Object.fromEntries(st.scalarTags(run).map((tag) => [tag, st.scalars(run, tag).map((p) => jsonRoundTrip(p))])),
        h: Object.fromEntries(st.histogramTags(run).map((tag) => [tag, st.histograms(run, tag).map((p) => p[1])])),
        g: t.graphs,
      });
      expect(Object.values(d.images).flat().length).toBe(st.imageTags(run).reduce((a, tag) => a + st.images(run, tag).length, 0));
      const tags = new Set([...Object.keys(d.scalars), ...Object.keys(d.histograms), ...Object.keys(d.images), ...Object.keys(d.tensors)]);
      expect(tags).toEqual(t.tags);
    }
    // the smdebug record is exported (auto-lenient), with its warning
    const sm = doc!.runs['awslabs__sagemaker-debugger/newlogsRunTest1/test_hook_from_json_config/events/000000000000'];
    expect(sm.tensors['loss/mul:0']).toEqual({ plugin: 'mode', count: 1 });
    expect(sm.warnings.join()).toMatch(/auto-lenient/);
  });

  it('histograms and images of the TF1 mnist file are exported with buckets and sizes', async () => {
    const { doc } = await exportOf(corpusFile('log_tayo'));
    const run = doc!.runs['.'];
    const h = Object.values(run.histograms)[0][0];
    expect(h[2].length).toBeGreaterThan(0);
    expect(h[2][0].length).toBe(3);
    const im = Object.values(run.images)[0][0];
    expect(im[2]).toBeGreaterThan(0);
    expect(run.graphs).toEqual([{ kind: 'graph_def', step: 0, nodes: expect.any(Number) }]);
  });

  it('NaN and ±Infinity are written as strings; a logdir with our own run', async () => {
    const w = await EventWriter.open(join(dir, 'logs', 'run_a'));
    w.scalar('x', NaN, 1, 10);
    w.scalar('x', Infinity, 2, 11);
    w.scalar('x', -Infinity, 3, 12);
    w.scalar('x', 0.5, 4, 13);
    await w.close();
    const { code, doc, raw } = await exportOf(join(dir, 'logs'));
    expect(code).toBe(0);
    expect(raw.trim().split('\n').length).toBe(1);
    expect(doc!.runs.run_a.scalars.x).toEqual([
      [10, 1, 'NaN'],
      [11, 2, 'Infinity'],
      [12, 3, '-Infinity'],
      [13, 4, 0.5],
    ]);
  });

  it('agrees with the server on rewinds, restarts and steps past 2^53 (golden tf2/train)', async () => {
    const golden = join(dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'tb-golden', 'logdir', 'tf2', 'train');
    const { doc, raw } = await exportOf(golden);
    const run = doc!.runs['.'];
    // Logged 120..124, then 110..114: the stale points at or past 110 are dropped, as the server does.
    expect(run.scalars.rewound.map((p) => p[1])).toEqual([110, 111, 112, 113, 114]);
    expect(raw).toContain('"bigstep":[[1796504391.267053,9007199254740995,1.5]]');
    // A SessionLog START at step 3 drops what the abandoned attempt logged at or past 3, in every series.
    const w = await EventWriter.open(join(dir, 'restart', 'r'));
    for (let s = 0; s < 6; s++) w.scalar('a', s, s, 100 + s);
    w.histogram('h', [1, 2], 4, 104);
    await w.close();
    const f = (await import('node:fs')).readdirSync(join(dir, 'restart', 'r'))[0];
    const { encodeEvent } = await import('../../server/logs/event-codec.ts');
    const { encodeRecord } = await import('../../server/logs/tfrecord.ts');
    const { appendFileSync } = await import('node:fs');
    appendFileSync(join(dir, 'restart', 'r', f), encodeRecord(encodeEvent({ wall_time: 200, step: 3, session_log: { status: 1 } })));
    const { doc: d2 } = await exportOf(join(dir, 'restart'));
    expect(d2!.runs.r.scalars.a.map((p) => p[1])).toEqual([0, 1, 2]);
    expect(d2!.runs.r.histograms.h).toEqual([]);
    const store = new SeriesStore({ scalars: Infinity });
    store.ingest('r', (await readEventFile(join(dir, 'restart', 'r', f))).records);
    expect(store.scalars('r', 'a').map((p) => p[1])).toEqual([0, 1, 2]);
    expect(store.histograms('r', 'h')).toEqual([]);
  });

  it('missing path: non-zero exit, message on stderr, nothing on stdout', async () => {
    const { code, doc, err } = await exportOf(join(dir, 'does-not-exist'));
    expect(code).not.toBe(0);
    expect(doc).toBeNull();
    expect(err).toMatch(/cannot read .*does-not-exist/);
  });

  it('buildExport is pure over records; exportToJson keeps finite numbers exact', async () => {
    const runs = await loadRunsFromPath(corpusFile('katib', 'logs/train'));
    const doc = buildExport(runs);
    const back = JSON.parse(exportToJson(doc)) as ExportDocument;
    expect(back).toEqual(doc);
    const scalarRecords = runs.get('.')!.records.filter((r) => r.kind === 'scalar');
    expect(Object.values(doc.runs['.'].scalars).flat().length).toBe(scalarRecords.length);
  });
});
