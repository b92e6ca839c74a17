// TensorBoard's blob keys for images: base64url (no padding) of the JSON array
// ["", run, tag, step, index], index being the position in the image tensor (2 + sample; 0 and 1 hold the
// width and height). Python's json.dumps escapes non-ASCII, so we do too: the keys are then identical.
import { z } from 'zod';
import { ExactInt } from '../../shared/exact-int.ts';
import { toTensorBoardJson } from './json.ts';

export function imageBlobKey(run: string, tag: string, step: number | ExactInt, sample: number): string {
  const json = toTensorBoardJson(['', run, tag, step, sample + 2]).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return Buffer.from(json, 'utf8').toString('base64url');
}

const KeyShape = z.tuple([z.string(), z.string().min(1).max(512), z.string().min(1).max(1024), z.number().int(), z.number().int().min(2).max(1_000_000)]);

export interface ImageKey {
  run: string;
  tag: string;
  /** As a number (rounded past 2^53: matched against the store's rounded steps). */
  step: number;
  sample: number;
}

/** The image a blob key names, or a reason it names none. */
export function parseImageBlobKey(key: string): ImageKey | string {
  if (key.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(key)) return 'blob_key is not base64url';
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(key, 'base64url').toString('utf8'));
  } catch {
    return 'blob_key does not hold JSON';
  }
  const r = KeyShape.safeParse(raw);
  if (!r.success) return 'blob_key is not ["", run, tag, step, index]';
  const [, run, tag, step, index] = r.data;
  return { run, tag, step, sample: index - 2 };
}
