// `trainscope export` / GET /api/export: every run's records -> one ExportDocument (unsampled).
// buildExport and exportToJson are pure; loadRunsFromPath does the disk walking.
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { ExportDocument } from '../../shared/types.ts';
import type { LogRecord } from './records.ts';
import { EventDecoder } from './event-codec.ts';
import { readEventFile } from './event-file-reader.ts';
import { dict } from '../../shared/dict.ts';
import { addPluginRecord, readEmbeddings } from './export-plugins.ts';
import { isRestart, pushWithRewind, truncateFrom } from './rewind.ts';
import { stepOut, stringifyExact } from '../../shared/exact-int.ts';

export interface RunData {
  records: LogRecord[];
  warnings: string[];
  /** Projector embeddings of the run directory, when loaded from disk. */
  embeddings?: ExportDocument['runs'][string]['embeddings'];
}

type RunDoc = ExportDocument['runs'][string];

interface Pt<T> {
  step: number;
  sample: number;
  out: T;
}

/**
 * The export document of every run's records. Steps that go back follow the server's rule (rewind.ts), so
 * the export holds exactly the points the server serves when it keeps everything; steps past 2^53 are kept
 * exact (written as integers by exportToJson).
 */
export function buildExport(runs: Map<string, RunData>): ExportDocument {
  const out: ExportDocument = { runs: dict() };
  for (const name of [...runs.keys()].sort()) {
    const { records, warnings } = runs.get(name)!;
    const doc: RunDoc = { scalars: dict(), histograms: dict(), images: dict(), graphs: [], tensors: dict(), warnings: [...warnings] };
    const scalars = new Map<string, Pt<RunDoc['scalars'][string][number]>[]>();
    const histograms = new Map<string, Pt<RunDoc['histograms'][string][number]>[]>();
    const images = new Map<string, Pt<RunDoc['images'][string][number]>[]>();
    const series = <T>(m: Map<string, Pt<T>[]>, tag: string): Pt<T>[] => {
      let s = m.get(tag);
      if (!s) m.set(tag, (s = []));
      return s;
    };
    const countTensor = (tag: string, plugin: string) => {
      const t = (doc.tensors[tag] ??= { plugin, count: 0 });
      t.count++;
    };
    for (const r of records) {
      addPluginRecord(doc, r);
      // An unsafe int64 step is written from its exact text (JSON tuples hold it where the number would be).
      const step = stepOut(r.step, r.stepExact) as number;
      switch (r.kind) {
        case 'scalar':
          pushWithRewind(series(scalars, r.tag), { step: r.step, sample: 0, out: [r.wallTime, step, r.value] });
          break;
        case 'histogram':
          pushWithRewind(series(histograms, r.tag), { step: r.step, sample: 0, out: [r.wallTime, step, r.buckets] });
          break;
        case 'image':
          pushWithRewind(series(images, r.tag), { step: r.step, sample: r.sample, out: [r.wallTime, step, r.width, r.height] });
          break;
        case 'graph':
          doc.graphs.push({ kind: r.graph.kind, step: r.graph.step, nodes: r.graph.nodes.length });
          break;
        case 'tensor':
          countTensor(r.tag, r.plugin);
          break;
        // Text and hparams have no section of their own: listed with the tensors so no tag is lost.
        case 'text':
          countTensor(r.tag, 'text');
          break;
        case 'hparams':
          countTensor(r.tag, 'hparams');
          break;
        case 'meta':
          if (isRestart(r)) for (const m of [scalars, histograms, images] as Map<string, Pt<unknown>[]>[]) for (const s of m.values()) truncateFrom(s, r.step);
          break;
      }
    }
    if (runs.get(name)!.embeddings?.length) doc.embeddings = runs.get(name)!.embeddings;
    for (const [tag, s] of scalars) doc.scalars[tag] = s.map((p) => p.out);
    for (const [tag, s] of histograms) doc.histograms[tag] = s.map((p) => p.out);
    for (const [tag, s] of images) doc.images[tag] = s.map((p) => p.out);
    out.runs[name] = doc;
  }
  return out;
}

/**
 * JSON text of an export document. JSON has no NaN/Infinity: those numbers are written as the
 * strings "NaN", "Infinity" and "-Infinity"; steps past 2^53 as their exact integers.
 */
export function exportToJson(doc: ExportDocument, indent?: number): string {
  return stringifyExact(doc, indent);
}

/** Event files under dir (any depth), grouped by run = directory relative to dir ("." for dir itself). */
export async function discoverRuns(dir: string): Promise<Map<string, string[]>> {
  const runs = new Map<string, string[]>();
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return; // unreadable directory: skip it
    }
    for (const e of entries) {
      // Symlinks are not followed (could leave the logdir or loop).
      if (e.isDirectory()) await walk(join(d, e.name));
      else if (e.isFile() && e.name.includes('tfevents')) {
        const rel = relative(dir, d);
        const run = rel === '' ? '.' : rel.split(sep).join('/');
        let files = runs.get(run);
        if (!files) runs.set(run, (files = []));
        files.push(join(d, e.name));
      }
    }
  };
  await walk(dir);
  for (const files of runs.values()) files.sort();
  return runs;
}

/**
 * Reads an event file (run ".") or every run of a logdir, each run's files in name order through one
 * decoder. Throws only when the path itself cannot be read.
 */
export async function loadRunsFromPath(path: string, opts: { lenient?: boolean } = {}): Promise<Map<string, RunData>> {
  const st = await stat(path);
  const groups = st.isDirectory() ? await discoverRuns(path) : new Map([['.', [path]]]);
  const result = new Map<string, RunData>();
  for (const [run, files] of groups) {
    const decoder = new EventDecoder();
    const data: RunData = { records: [], warnings: [] };
    for (const f of files) {
      const r = await readEventFile(f, { lenient: opts.lenient, decoder });
      for (const rec of r.records) data.records.push(rec);
      data.warnings.push(...r.warnings);
    }
    if (st.isDirectory()) {
      const embeddings = await readEmbeddings(path, run === '.' ? path : join(path, ...run.split('/')), data.warnings);
      if (embeddings.length > 0) data.embeddings = embeddings;
    }
    result.set(run, data);
  }
  return result;
}
