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

export interface RunData {
  records: LogRecord[];
  warnings: string[];
  /** Projector embeddings of the run directory, when loaded from disk. */
  embeddings?: ExportDocument['runs'][string]['embeddings'];
}

type RunDoc = ExportDocument['runs'][string];

export function buildExport(runs: Map<string, RunData>): ExportDocument {
  const out: ExportDocument = { runs: dict() };
  for (const name of [...runs.keys()].sort()) {
    const { records, warnings } = runs.get(name)!;
    const doc: RunDoc = { scalars: dict(), histograms: dict(), images: dict(), graphs: [], tensors: dict(), warnings: [...warnings] };
    const countTensor = (tag: string, plugin: string) => {
      const t = (doc.tensors[tag] ??= { plugin, count: 0 });
      t.count++;
    };
    for (const r of records) {
      addPluginRecord(doc, r);
      switch (r.kind) {
        case 'scalar':
          (doc.scalars[r.tag] ??= []).push([r.wallTime, r.step, r.value]);
          break;
        case 'histogram':
          (doc.histograms[r.tag] ??= []).push([r.wallTime, r.step, r.buckets]);
          break;
        case 'image':
          (doc.images[r.tag] ??= []).push([r.wallTime, r.step, r.width, r.height]);
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
          break;
      }
    }
    if (runs.get(name)!.embeddings?.length) doc.embeddings = runs.get(name)!.embeddings;
    out.runs[name] = doc;
  }
  return out;
}

/**
 * JSON text of an export document. JSON has no NaN/Infinity: those numbers are written as the
 * strings "NaN", "Infinity" and "-Infinity".
 */
export function exportToJson(doc: ExportDocument, indent?: number): string {
  return JSON.stringify(
    doc,
    (_k, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
      return v;
    },
    indent,
  );
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
