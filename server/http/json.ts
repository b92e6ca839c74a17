// JSON replies the way TensorBoard writes them: NaN and ±Infinity become the strings "NaN",
// "Infinity", "-Infinity" (plain JSON has no such numbers and would turn them into null), and an int64
// step past 2^53 (ExactInt) is written as its exact integer, not a rounded double.
import type { Response } from 'express';
import { stringifyExact } from '../../shared/exact-int.ts';

export function toTensorBoardJson(data: unknown, indent?: number): string {
  return stringifyExact(data, indent);
}

export function sendJson(res: Response, data: unknown): void {
  res.type('application/json').send(toTensorBoardJson(data));
}
