// JSON replies the way TensorBoard writes them: NaN and ±Infinity become the strings "NaN",
// "Infinity", "-Infinity" (plain JSON has no such numbers and would turn them into null), and an int64
// step past 2^53 (ExactInt) is written as its exact integer, not a rounded double.
import { randomBytes } from 'node:crypto';
import type { Response } from 'express';
import { ExactInt } from '../../shared/exact-int.ts';

// A per-process nonce makes the placeholder impossible to forge from user data (tag names etc.).
const MARK = `\u0001int${randomBytes(6).toString('hex')}:`;
const MARK_RE = new RegExp(`"\\\\u0001int${MARK.slice(4, -1)}:(-?\\d+)"`, 'g');

function replacer(this: unknown, key: string, value: unknown): unknown {
  // toJSON has already run when the replacer sees the value: look at the holder's own property.
  const raw = (this as Record<string, unknown> | undefined)?.[key];
  if (raw instanceof ExactInt) return MARK + raw.text;
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  }
  return value;
}

export function toTensorBoardJson(data: unknown, indent?: number): string {
  const s = JSON.stringify(data, replacer, indent);
  return s.includes('\\u0001int') ? s.replace(MARK_RE, '$1') : s;
}

export function sendJson(res: Response, data: unknown): void {
  res.type('application/json').send(toTensorBoardJson(data));
}
