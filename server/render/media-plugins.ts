// The pr_curves and audio plugins' answers in TensorBoard 2.21's shapes. Pure: the store's kept
// points in, JSON-able objects out.
import type { PluginPoint, PluginTagInfo } from '../store/plugin-series.ts';
import type { PrCurveEntry } from '../../shared/types.ts';
import { renderMarkdown } from './markdown.ts';

export interface TagSummary {
  displayName: string;
  description: string;
}

/** Tags-route entry: display name as written, description rendered like TensorBoard's. */
export function tagSummary(info: PluginTagInfo | undefined): TagSummary {
  const d = info?.description ?? '';
  return { displayName: info?.displayName ?? '', description: d ? renderMarkdown(d) : '' };
}

export type { PrCurveEntry } from '../../shared/types.ts';

/**
 * One pr_curves tensor ([6, n]: TP, FP, TN, FN, precision, recall) -> TensorBoard's entry: thresholds
 * are n evenly spaced values in [0, 1]; trailing thresholds where TP + FP = 0 are trimmed from
 * precision, recall, thresholds and the counts.
 */
export function prCurveEntry(p: PluginPoint): PrCurveEntry | undefined {
  const v = p.values ?? [];
  const n = p.shape.length === 2 ? p.shape[1] : Math.floor(v.length / 6);
  if (p.shape.length === 2 && p.shape[0] !== 6) return undefined;
  if (v.length < 6 * n) return undefined;
  const rowOf = (r: number): number[] => v.slice(r * n, r * n + n);
  const ints = (r: number): number[] => rowOf(r).map((x) => Math.trunc(x));
  const tp = ints(0);
  const fp = ints(1);
  let end = n - 1;
  while (end > 0 && tp[end] + fp[end] === 0) end--;
  end += 1;
  // numpy.linspace(0, 1, n): i * (1 / (n - 1)), the last one exactly 1.
  const step = n > 1 ? 1 / (n - 1) : 0;
  const thresholds = Array.from({ length: n }, (_, i) => (n > 1 && i === n - 1 ? 1 : i * step));
  return {
    wall_time: p.wallTime,
    step: p.step,
    precision: rowOf(4).slice(0, end),
    recall: rowOf(5).slice(0, end),
    true_positives: tp.slice(0, end),
    false_positives: fp.slice(0, end),
    true_negatives: ints(2).slice(0, end),
    false_negatives: ints(3).slice(0, end),
    thresholds: thresholds.slice(0, end),
  };
}

// ---------- audio ----------

export const AUDIO_DEFAULT_MIME = 'application/octet-stream';
export const AUDIO_MIME_TYPES: readonly string[] = ['audio/wav', AUDIO_DEFAULT_MIME];

/** AudioPluginData.encoding (field 2, varint; WAV = 11) -> the mime type TensorBoard serves. */
export function audioMimeType(content: Uint8Array | undefined): string {
  if (!content) return AUDIO_DEFAULT_MIME;
  let i = 0;
  const varint = (): number => {
    let x = 0;
    let shift = 0;
    while (i < content.length) {
      const b = content[i++];
      x += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) break;
      shift += 7;
    }
    return x;
  };
  while (i < content.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) {
      const val = varint();
      if (field === 2) return val === 11 ? 'audio/wav' : AUDIO_DEFAULT_MIME;
    } else if (wire === 2) i += varint();
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else break;
  }
  return AUDIO_DEFAULT_MIME;
}

/** TensorBoard's blob key: unpadded base64url of the JSON ["", run, tag, step, index]. */
export function audioBlobKey(run: string, tag: string, step: number, index: number): string {
  return Buffer.from(JSON.stringify(['', run, tag, step, index]), 'utf8').toString('base64url');
}

export function parseAudioBlobKey(key: string): { run: string; tag: string; step: number; index: number } | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(key, 'base64url').toString('utf8'));
    if (!Array.isArray(v) || v.length !== 5) return undefined;
    const [, run, tag, step, index] = v as unknown[];
    if (typeof run !== 'string' || typeof tag !== 'string' || !Number.isSafeInteger(step) || !Number.isSafeInteger(index)) return undefined;
    return { run, tag, step: step as number, index: index as number };
  } catch {
    return undefined;
  }
}

export interface AudioEntry {
  wall_time: number;
  step: number;
  label: string;
  contentType: string;
  query: string;
}

/** The /audio answer: one entry per kept step holding clip `sample` (labels are always ""). */
export function audioEntries(run: string, tag: string, points: PluginPoint[], mime: string, sample: number): AudioEntry[] {
  const out: AudioEntry[] = [];
  for (const p of points) {
    const clips = Math.floor((p.strings?.length ?? 0) / 2);
    // TensorBoard's check is len(values) < sample (so sample == len slips through); we require the clip.
    if (clips <= sample) continue;
    const query = new URLSearchParams({ blob_key: audioBlobKey(run, tag, p.step, sample), content_type: mime }).toString();
    out.push({ wall_time: p.wallTime, label: '', step: p.step, contentType: mime, query });
  }
  return out;
}

/** Bytes of clip `index` at `step` (row-major [k, 2] strings: clip, label). */
export function audioClip(points: PluginPoint[], step: number, index: number): Uint8Array | undefined {
  const p = points.find((x) => x.step === step);
  return p?.strings?.[index * 2];
}
