// The plugin sections of an export (text, hparams, PR curves, audio, projector embeddings), kept out
// of export.ts so it stays small. Records in, document sections out; readEmbeddings does the file I/O
// for a run directory, never leaving the logdir.
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ExportDocument } from '../../shared/types.ts';
import type { LogRecord } from './records.ts';
import { textToHtml } from '../render/text-plugin.ts';
import { audioMimeType, prCurveEntry } from '../render/media-plugins.ts';
import { embeddingsOf, parsePbtxt, resolveAsset, tsvToFloat32 } from '../render/projector.ts';

type RunDoc = ExportDocument['runs'][string];

/** Largest projector file read into an export (bytes); bigger ones are skipped with a warning. */
const MAX_EMBEDDING_FILE = 64 * 1024 * 1024;

/** Adds one record's plugin data to the run's document; returns false for kinds it does not own. */
export function addPluginRecord(doc: RunDoc, r: LogRecord): boolean {
  if (r.kind === 'text') {
    const html = textToHtml(r.cells ? (r.shape ?? []) : [], r.cells ?? [r.text]);
    ((doc.text ??= {})[r.tag] ??= []).push({ wallTime: r.wallTime, step: r.step, raw: r.text, ...(r.cells ? { shape: r.shape ?? [], cells: r.cells } : {}), html });
    return true;
  }
  if (r.kind === 'hparams') {
    const h = (doc.hparams ??= {});
    if (r.part === 'experiment' && r.experiment && !h.experiment) h.experiment = r.experiment;
    else if (r.part === 'session_start') {
      h.start = {
        hparams: { ...(h.start?.hparams ?? {}), ...(r.hparams ?? {}) },
        groupName: r.groupName ?? '',
        startTimeSecs: r.startTimeSecs ?? 0,
        modelUri: r.modelUri ?? '',
        monitorUrl: r.monitorUrl ?? '',
      };
    } else if (r.part === 'session_end' && r.status) h.end = { status: r.status, endTimeSecs: r.endTimeSecs ?? 0 };
    return true;
  }
  if (r.kind === 'tensor' && r.plugin === 'pr_curves') {
    const e = prCurveEntry({ wallTime: r.wallTime, step: r.step, shape: r.shape ?? [], values: r.values });
    if (e) ((doc.prCurves ??= {})[r.tag] ??= []).push(e);
    return false; // still counted with the tensors
  }
  if (r.kind === 'tensor' && r.plugin === 'audio') {
    const s = r.strings ?? [];
    const clips: string[] = [];
    const labels: string[] = [];
    for (let i = 0; i + 1 < s.length; i += 2) {
      clips.push(Buffer.from(s[i]).toString('base64'));
      labels.push(Buffer.from(s[i + 1]).toString('utf8'));
    }
    ((doc.audio ??= {})[r.tag] ??= []).push({ wallTime: r.wallTime, step: r.step, contentType: audioMimeType(r.content), clips, labels });
    return false;
  }
  return false;
}

async function readSmall(file: string): Promise<Buffer> {
  const st = await stat(file);
  if (!st.isFile()) throw new Error(`${file} is not a file`);
  if (st.size > MAX_EMBEDDING_FILE) throw new Error(`${file} is larger than ${MAX_EMBEDDING_FILE} bytes`);
  return readFile(file);
}

/** The run directory's projector embeddings (empty when it has no projector_config.pbtxt). */
export async function readEmbeddings(logdir: string, runDir: string, warnings: string[]): Promise<NonNullable<RunDoc['embeddings']>> {
  let cfgText: string;
  try {
    cfgText = (await readSmall(path.join(runDir, 'projector_config.pbtxt'))).toString('utf8');
  } catch {
    return [];
  }
  const out: NonNullable<RunDoc['embeddings']> = [];
  try {
    for (const e of embeddingsOf(parsePbtxt(cfgText))) {
      const asset = async (p: string | undefined): Promise<string | undefined> => {
        if (!p) return undefined;
        const abs = resolveAsset(logdir, runDir, p);
        // Symlinks are resolved too: a link inside the logdir must not lead out of it.
        const real = abs ? await realpath(abs).catch(() => undefined) : undefined;
        const inside = real ? resolveAsset(await realpath(logdir), path.dirname(real), path.basename(real)) : undefined;
        if (abs && real && !inside) warnings.push(`projector: path "${p}" leads outside the logdir; skipped`);
        else if (!abs) warnings.push(`projector: path "${p}" is outside the logdir; skipped`);
        return inside ? abs : undefined;
      };
      const tensorFile = await asset(e.tensorPath);
      if (!tensorFile) continue;
      try {
        const t = tsvToFloat32((await readSmall(tensorFile)).toString('utf8'));
        const flat = new Float32Array(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength / 4);
        const values = Array.from({ length: t.shape[0] }, (_, r) => Array.from(flat.subarray(r * t.shape[1], (r + 1) * t.shape[1])));
        const item: NonNullable<RunDoc['embeddings']>[number] = { tensorName: e.tensorName ?? '', shape: t.shape, values };
        const meta = await asset(e.metadataPath);
        if (meta) item.metadata = (await readSmall(meta)).toString('utf8');
        const sprite = await asset(e.sprite?.imagePath);
        if (sprite) {
          const mime = sprite.toLowerCase().endsWith('.png') ? 'image/png' : 'image/jpeg';
          item.sprite = { mime, data: (await readSmall(sprite)).toString('base64'), singleImageDim: e.sprite?.singleImageDim ?? [] };
        }
        out.push(item);
      } catch (err) {
        warnings.push(`projector: embedding "${e.tensorName ?? ''}": ${(err as Error).message}`);
      }
    }
  } catch (err) {
    warnings.push(`projector: ${(err as Error).message}`);
  }
  return out;
}
