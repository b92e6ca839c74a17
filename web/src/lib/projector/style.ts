// Per-point size and opacity: search matches, the selected point and its neighbours stand out; the
// rest fade while a search or a selection is active.
import type { PointStyle } from './scene.ts';

export const BASE_SIZE = 5;

export function pointStyle(
  rgb: Float32Array,
  n: number,
  search: Uint8Array | null,
  selected: number | null,
  neighbors: readonly number[],
  hover: number,
): PointStyle {
  const size = new Float32Array(n).fill(BASE_SIZE);
  const alpha = new Float32Array(n).fill(0.85);
  const focus = (search !== null) || selected !== null;
  if (focus) alpha.fill(0.18);
  if (search) for (let i = 0; i < n; i++) if (search[i]) (alpha[i] = 1), (size[i] = BASE_SIZE + 2);
  for (const j of neighbors) if (j < n) (alpha[j] = 1), (size[j] = BASE_SIZE + 3);
  if (selected !== null && selected < n) (alpha[selected] = 1), (size[selected] = BASE_SIZE + 6);
  if (hover >= 0 && hover < n) (alpha[hover] = 1), (size[hover] = BASE_SIZE + 5);
  return { rgb, size, alpha };
}
