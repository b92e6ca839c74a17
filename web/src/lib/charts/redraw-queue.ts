// One redraw loop for every chart. Charts ask for a redraw; each animation frame draws the queued
// charts that are on screen, oldest request first (round-robin: a chart drawn goes to the back when it
// asks again), and stops once the frame's time budget is spent, so a live page with many heavy cards
// keeps short frames while each visible card still updates several times a second. Off-screen charts
// stay queued and are drawn when they scroll into view.

export interface Drawable {
  draw(): void;
}

/** Per-frame drawing budget (ms): leaves room for the socket, Svelte and the compositor in a 16 ms frame. */
export const FRAME_BUDGET_MS = 8;
/**
 * A chart is redrawn at most once per (this x its last draw time): a card costing 25 ms updates 10 times
 * a second instead of every frame, so heavy cards leave most frames free for everything else.
 */
export const COST_SPACING = 4;

/** The scheduling core, without the DOM (tested directly). */
export class RedrawQueue {
  private queue = new Set<Drawable>();
  private hidden = new Set<Drawable>();
  private cost = new Map<Drawable, number>();
  private lastDraw = new Map<Drawable, number>();

  /** Queues a redraw; a chart already queued keeps its place. Returns true if it is visible. */
  request(d: Drawable): boolean {
    this.queue.add(d);
    return !this.hidden.has(d);
  }

  setVisible(d: Drawable, visible: boolean): void {
    if (visible) this.hidden.delete(d);
    else this.hidden.add(d);
  }

  forget(d: Drawable): void {
    this.queue.delete(d);
    this.hidden.delete(d);
    this.cost.delete(d);
    this.lastDraw.delete(d);
  }

  /** Whether a visible chart is waiting. */
  get pending(): boolean {
    for (const d of this.queue) if (!this.hidden.has(d)) return true;
    return false;
  }

  /**
   * Draws queued visible charts in request order until the budget is spent. At least one is drawn, and
   * a chart is skipped (kept first in line) when its last draw would overrun what is left, or when it
   * was drawn less than COST_SPACING x its draw time ago. Returns how many were drawn.
   */
  runFrame(now: () => number, budget = FRAME_BUDGET_MS): number {
    const start = now();
    let drawn = 0;
    for (const d of [...this.queue]) {
      if (this.hidden.has(d)) continue;
      if (start - (this.lastDraw.get(d) ?? -Infinity) < COST_SPACING * (this.cost.get(d) ?? 0)) continue;
      const spent = now() - start;
      if (drawn > 0 && (spent >= budget || spent + (this.cost.get(d) ?? 0) > budget)) break;
      this.queue.delete(d);
      const t = now();
      try {
        d.draw();
      } finally {
        const end = now();
        this.cost.set(d, end - t);
        this.lastDraw.set(d, end);
      }
      drawn++;
    }
    return drawn;
  }
}

const queue = new RedrawQueue();
let frameRequested = false;
let observer: IntersectionObserver | null = null;
const byElement = new Map<Element, Drawable>();

function frame(): void {
  frameRequested = false;
  queue.runFrame(() => performance.now());
  if (queue.pending) kick();
}

function kick(): void {
  if (frameRequested) return;
  frameRequested = true;
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(frame);
  else setTimeout(frame, 16);
}

const asked = new WeakSet<Drawable>();
let soon = false;

/**
 * Asks for `d` to be drawn in an upcoming frame (once, however often it is asked before that). A chart's
 * first request is served sooner, right after the current task (its DOM is in by then): new cards appear
 * in an animation frame (series.svelte.ts), and a frame asked for from there comes one frame later, after
 * whatever socket messages got in first; the first chart of a page waited ~100 ms on a busy machine.
 */
export function requestRedraw(d: Drawable): void {
  if (!queue.request(d)) return;
  const first = !asked.has(d);
  asked.add(d);
  if (!first || typeof queueMicrotask !== 'function') return kick();
  if (soon) return; // the pending pass draws it too, or asks for a frame
  soon = true;
  queueMicrotask(() => {
    soon = false;
    queue.runFrame(() => performance.now());
    if (queue.pending) kick();
  });
}

/** Tracks whether `el` (the chart's box) is on screen; returns the cleanup. */
export function watchVisibility(el: Element, d: Drawable): () => void {
  if (typeof IntersectionObserver !== 'undefined') {
    observer ??= new IntersectionObserver(
      (entries) => {
        for (const e of entries) {
          const owner = byElement.get(e.target);
          if (!owner) continue;
          queue.setVisible(owner, e.isIntersecting);
          if (e.isIntersecting && queue.pending) kick();
        }
      },
      { rootMargin: '100px' },
    );
    byElement.set(el, d);
    observer.observe(el);
  }
  return () => {
    observer?.unobserve(el);
    byElement.delete(el);
    queue.forget(d);
  };
}
