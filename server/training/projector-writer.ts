// Our MNIST runs' embedding for the projector, in the format TensorBoard's projector reads: in the run
// directory a projector_config.pbtxt listing one embedding per epoch (tensor_path a TSV of the last
// hidden layer's activations for fixed validation digits), a shared metadata TSV (label) and a sprite PNG
// of the digits (28x28 cells). Only the last MAX_KEPT_EPOCHS epochs are kept, so the files stay small
// (log-estimate.ts counts them). The config is replaced atomically (temporary file + rename) so a reader
// never sees half of it. The text makers are pure; ProjectorWriter does the file I/O.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { PNG as PNGClass } from 'pngjs';

// pngjs (and node:assert, which it loads) only when a sprite is drawn: the server imports this module for the
// size bound below (log-estimate.ts) and should not pay for pngjs at start.
const require = createRequire(import.meta.url);
let PNG: typeof PNGClass | undefined;

export const PROJECTOR_DIR = 'projector';
export const PROJECTOR_CONFIG = 'projector_config.pbtxt';
/** Validation digits embedded (the first ones of the seeded split, the same every epoch). */
export const EMBED_EXAMPLES = 1000;
/** Epochs whose embedding stays on disk (older ones are removed). */
export const MAX_KEPT_EPOCHS = 5;
/** Significant digits of the TSV values (float32 activations need no more for a layout). */
const DIGITS = 4;

export interface EmbeddingEntry {
  tensorName: string;
  tensorPath: string;
  metadataPath: string;
  spritePath?: string;
  spriteDim?: [number, number];
}

const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** projector_config.pbtxt for these embeddings (protobuf text format, as TensorBoard writes it). */
export function projectorConfigText(entries: readonly EmbeddingEntry[]): string {
  return entries
    .map((e) => {
      const lines = [`  tensor_name: ${quote(e.tensorName)}`, `  tensor_path: ${quote(e.tensorPath)}`, `  metadata_path: ${quote(e.metadataPath)}`];
      if (e.spritePath && e.spriteDim) {
        lines.push('  sprite {', `    image_path: ${quote(e.spritePath)}`, `    single_image_dim: ${e.spriteDim[0]}`, `    single_image_dim: ${e.spriteDim[1]}`, '  }');
      }
      return `embeddings {\n${lines.join('\n')}\n}\n`;
    })
    .join('');
}

/** rows x width values as TSV (one row per line). */
export function tensorTsv(values: ArrayLike<number>, rows: number, width: number): string {
  if (values.length < rows * width) throw new Error(`tensorTsv: ${values.length} values, expected ${rows} x ${width}`);
  const out: string[] = new Array(rows);
  const cells: string[] = new Array(width);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < width; c++) {
      const v = values[r * width + c];
      cells[c] = v === 0 ? '0' : Number.isFinite(v) ? String(Number(v.toPrecision(DIGITS))) : 'nan';
    }
    out[r] = cells.join('\t');
  }
  return out.join('\n') + '\n';
}

/** One label per line: a single column, so no header (TensorBoard's rule). */
export function labelsTsv(labels: ArrayLike<number>, rows: number): string {
  let s = '';
  for (let i = 0; i < rows; i++) s += `${labels[i]}\n`;
  return s;
}

/** The digits (rows of side*side values in 0..1) as a sprite: a square grid of cells, row-major, white on black. */
export function spritePng(pixels: ArrayLike<number>, rows: number, side: number): Buffer {
  const perRow = Math.ceil(Math.sqrt(rows));
  const size = perRow * side;
  PNG ??= (require('pngjs') as { PNG: typeof PNGClass }).PNG;
  const png = new PNG({ width: size, height: size });
  png.data.fill(0);
  for (let i = 3; i < png.data.length; i += 4) png.data[i] = 255;
  for (let i = 0; i < rows; i++) {
    const ox = (i % perRow) * side, oy = Math.floor(i / perRow) * side;
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const v = Math.round(255 * Math.min(1, Math.max(0, pixels[i * side * side + y * side + x])));
        const o = ((oy + y) * size + ox + x) * 4;
        png.data[o] = png.data[o + 1] = png.data[o + 2] = v;
      }
    }
  }
  // Grey levels only (colour type 0): a third of the RGBA file.
  return PNG.sync.write(png, { colorType: 0, filterType: 1, deflateLevel: 6 });
}

/** Bytes the projector files of a run take at most (for the disk estimate): kept tensors + labels + sprite. */
export function projectorBytesBound(rows: number, width: number, epochs: number, side: number): number {
  const tsv = rows * width * (DIGITS + 4); // "-0.1234\t": sign, point, digits, tab
  const sprite = Math.ceil(Math.sqrt(rows)) ** 2 * side * side * 0.35 + 1000; // grey MNIST digits compress to ~0.25 B a pixel
  return Math.min(epochs, MAX_KEPT_EPOCHS) * tsv + rows * 3 + sprite + 1000 * MAX_KEPT_EPOCHS;
}

function writeAtomic(file: string, data: string | Buffer): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

export interface EmbeddingSink {
  /** Once, before the first epoch: the labels and pixels of the embedded digits. */
  begin(info: { labels: Int32Array; pixels: Float32Array; rows: number; side: number }): void;
  /** At the end of an epoch: the last hidden layer's activations (rows x width). */
  epoch(epoch: number, layer: string, values: Float32Array, width: number): void;
}

export class ProjectorWriter implements EmbeddingSink {
  private entries: EmbeddingEntry[] = [];
  private rows = 0;
  private side = 0;

  constructor(private readonly runDir: string) {}

  begin(info: { labels: Int32Array; pixels: Float32Array; rows: number; side: number }): void {
    mkdirSync(path.join(this.runDir, PROJECTOR_DIR), { recursive: true });
    this.rows = info.rows;
    this.side = info.side;
    writeAtomic(path.join(this.runDir, PROJECTOR_DIR, 'metadata.tsv'), labelsTsv(info.labels, info.rows));
    writeAtomic(path.join(this.runDir, PROJECTOR_DIR, 'sprite.png'), spritePng(info.pixels, info.rows, info.side));
  }

  epoch(epoch: number, layer: string, values: Float32Array, width: number): void {
    if (this.rows === 0) return;
    const file = `${PROJECTOR_DIR}/${layer}-epoch-${String(epoch).padStart(4, '0')}.tsv`;
    writeAtomic(path.join(this.runDir, file), tensorTsv(values, this.rows, width));
    this.entries.push({
      tensorName: `${layer} epoch ${epoch}`,
      tensorPath: file,
      metadataPath: `${PROJECTOR_DIR}/metadata.tsv`,
      spritePath: `${PROJECTOR_DIR}/sprite.png`,
      spriteDim: [this.side, this.side],
    });
    const dropped = this.entries.splice(0, Math.max(0, this.entries.length - MAX_KEPT_EPOCHS));
    // The config first: it must never name a file already removed.
    writeAtomic(path.join(this.runDir, PROJECTOR_CONFIG), projectorConfigText(this.entries));
    for (const e of dropped) rmSync(path.join(this.runDir, e.tensorPath), { force: true });
  }
}
