// Pure helpers for the IMAGES cards: images grouped by step, and where the step slider goes when
// new images arrive (it follows the latest if it was at the latest, else stays on its step).
import type { ImageRef } from '../../../shared/types.ts';

export interface StepImages {
  step: number;
  wallTime: number;
  /** Samples logged at this step, by sample index. */
  refs: ImageRef[];
}

export function groupImagesByStep(refs: readonly ImageRef[]): StepImages[] {
  const byStep = new Map<number, StepImages>();
  for (const r of refs) {
    let g = byStep.get(r.step);
    if (!g) byStep.set(r.step, (g = { step: r.step, wallTime: r.wallTime, refs: [] }));
    g.refs.push(r);
  }
  const out = [...byStep.values()].sort((a, b) => a.step - b.step);
  for (const g of out) g.refs.sort((a, b) => a.sample - b.sample);
  return out;
}

/**
 * New slider position after the list of steps changed. `prevStep` null = the slider was at the
 * latest (or nothing was shown): go to the new latest. Otherwise keep that step, or the nearest
 * earlier one if it was dropped (reservoir sampling), or the first.
 */
export function followSlider(prevStep: number | null, steps: readonly number[]): number {
  if (!steps.length) return 0;
  if (prevStep === null) return steps.length - 1;
  let best = 0;
  for (let i = 0; i < steps.length; i++) if (steps[i] <= prevStep) best = i;
  return best;
}

/** Integer CSS scale for small images (28×28 digits are unreadable at 1×), capped to `maxPx`. */
export function displayScale(width: number, height: number, minPx = 112, maxPx = 320): number {
  const side = Math.max(width, height, 1);
  if (side >= minPx) return Math.min(1, maxPx / side);
  return Math.max(1, Math.min(Math.floor(minPx / side), Math.floor(maxPx / side)));
}

/** Brightness and contrast (1 = unchanged) as a CSS filter, as TensorBoard's image sliders do; '' when neutral. */
export function imageFilter(brightness: number, contrast: number): string {
  const b = Number.isFinite(brightness) ? Math.max(0, brightness) : 1;
  const c = Number.isFinite(contrast) ? Math.max(0, contrast) : 1;
  if (b === 1 && c === 1) return '';
  return `brightness(${Math.round(b * 100)}%) contrast(${Math.round(c * 100)}%)`;
}

/** Size to show an image at: actual pixels, or fitted into the box (never enlarged past `maxUpscale`). */
export function viewerSize(width: number, height: number, boxW: number, boxH: number, fit: boolean, maxUpscale = 64): { width: number; height: number; scale: number } {
  if (!fit || !(width > 0 && height > 0 && boxW > 0 && boxH > 0)) return { width, height, scale: 1 };
  const scale = Math.min(boxW / width, boxH / height, maxUpscale);
  return { width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)), scale };
}

/** The next sample index (wrapping) when stepping by `delta` through `count` samples. */
export function stepSample(current: number, delta: number, count: number): number {
  if (count <= 0) return 0;
  return (((current + delta) % count) + count) % count;
}
