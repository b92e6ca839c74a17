// Card downloads: the full-resolution points of every run drawn on a scalar card.
import { dict } from '../../../shared/dict.ts';

export interface DownloadSeries {
  run: string;
  tag: string;
  walls: ArrayLike<number>;
  steps: ArrayLike<number>;
  values: ArrayLike<number>;
  n: number;
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per point: run,tag,wall_time,step,value (non-finite values written as NaN / Infinity / -Infinity). */
export function seriesToCsv(series: DownloadSeries[]): string {
  const lines = ['run,tag,wall_time,step,value'];
  for (const s of series) {
    const prefix = `${csvField(s.run)},${csvField(s.tag)},`;
    for (let i = 0; i < s.n; i++) lines.push(`${prefix}${s.walls[i]},${s.steps[i]},${s.values[i]}`);
  }
  return lines.join('\n') + '\n';
}

/** { run: [[wall_time, step, value], ...] } per tag — TensorBoard's scalar JSON shape, null for non-finite. */
export function seriesToJson(series: DownloadSeries[]): string {
  const out = dict<Record<string, [number, number, number | null][]>>(); // run/tag keys may be "__proto__"
  for (const s of series) {
    const rows: [number, number, number | null][] = [];
    for (let i = 0; i < s.n; i++) rows.push([s.walls[i], s.steps[i], Number.isFinite(s.values[i]) ? s.values[i] : null]);
    (out[s.run] ??= dict())[s.tag] = rows;
  }
  return JSON.stringify(out);
}

/** Safe file name from a tag ("train/loss" -> "train_loss"). */
export function fileNameFor(tag: string, ext: string): string {
  return `${tag.replace(/[^A-Za-z0-9_.-]+/g, '_') || 'scalars'}.${ext}`;
}
