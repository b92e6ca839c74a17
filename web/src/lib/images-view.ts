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
