// Whether a box is on screen or within `margin` px of it (what an IntersectionObserver with that
// rootMargin would report): a card laid out in view at mount makes its chart at once instead of a
// frame later, when the observer's first callback comes.

export interface Box {
  top: number;
  bottom: number;
  left: number;
  right: number;
  width: number;
  height: number;
}

export function nearViewport(r: Box, viewWidth: number, viewHeight: number, margin = 0): boolean {
  if (r.width <= 0 && r.height <= 0) return false; // not laid out (hidden): leave it to the observer
  return r.bottom >= -margin && r.top <= viewHeight + margin && r.right >= -margin && r.left <= viewWidth + margin;
}
