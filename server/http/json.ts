// JSON replies the way TensorBoard writes them: NaN and ±Infinity become the strings "NaN",
// "Infinity", "-Infinity" (plain JSON has no such numbers and would turn them into null).
import type { Response } from 'express';

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  }
  return value;
}

export function toTensorBoardJson(data: unknown): string {
  return JSON.stringify(data, replacer);
}

export function sendJson(res: Response, data: unknown): void {
  res.type('application/json').send(toTensorBoardJson(data));
}
