// Hundreds of overlaid lines cost most in rasterizing their strokes (in software rendering, about 50 ms a
// chart for 1,000 runs, every redraw). Drawn in bulk (bulk-lines.ts), they are kept here as a few layer
// bitmaps of about an eighth of the lines each, composited in draw order: showing or hiding one run
// re-strokes the layer it falls in and reuses the others, so the cost follows the change, not the count.
// A layer is reused while it holds the very same line objects (LineDatasets rebuilds a line's object
// when its data, color or view changes) and the value -> pixel mapping is unchanged.

/** What a layer needs of a line: its id (group boundaries) and identity (reuse). */
export interface LayerLine {
  id: string;
}

/** From this many bulk lines on, a chart draws through layers (below it, a full redraw is cheap). */
export const LAYER_MIN_LINES = 128;

/** Pixels all charts' layers may hold together (4 bytes each); beyond it the least recently drawn chart's are dropped. */
export const LAYER_PIXEL_BUDGET = 16_000_000;

/** Lines per layer aimed at: about 8 layers; a power of two, so it changes only when the count doubles or halves. */
export function layerSize(count: number): number {
  return Math.max(16, 2 ** Math.round(Math.log2(Math.max(1, count) / 8)));
}

/** 32-bit FNV-1a hash of a string. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Splits lines (in draw order) into contiguous groups whose boundaries depend on the lines' ids only: a
 * group starts at a line whose id hashes to a multiple of `size` (about one line in `size`), and a
 * group is cut at 3 x size at most. Adding or removing one line then changes the group it belongs to
 * (or joins / splits two groups at a boundary line) and leaves every other group as it was.
 */
export function partition<T extends LayerLine>(lines: readonly T[], size: number): T[][] {
  const groups: T[][] = [];
  let cur: T[] = [];
  for (const l of lines) {
    if (cur.length > 0 && (hash(l.id) % size === 0 || cur.length >= 3 * size)) {
      groups.push(cur);
      cur = [];
    }
    cur.push(l);
  }
  if (cur.length) groups.push(cur);
  return groups;
}

/** The 2D context calls LineLayers makes (a canvas or an OffscreenCanvas context). */
export type Ctx2D = Pick<CanvasRenderingContext2D, 'save' | 'restore' | 'setTransform' | 'getTransform' | 'clearRect' | 'drawImage'>;
export interface LayerCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): unknown;
}

interface Layer<T> {
  lines: readonly T[];
  key: string;
  canvas: LayerCanvas;
}

function sameLines<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Every LineLayers holding bitmaps, least recently drawn first, with its pixels (the shared budget). */
const holders = new Map<LineLayers<LayerLine>, number>();

function defaultCanvas(w: number, h: number): LayerCanvas {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(w, h);
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  return c;
}

/** One chart's layers. */
export class LineLayers<T extends LayerLine> {
  private layers = new Map<string, Layer<T>>();
  /** Layers (re)stroked by the last draw (the benchmark and tests read it). */
  restroked = 0;

  constructor(private readonly makeCanvas: (w: number, h: number) => LayerCanvas = defaultCanvas) {}

  /**
   * Draws `lines` onto `target` (a canvas of width x height pixels) through the layers. `key` describes
   * the value -> pixel mapping (scales, plot area, canvas size): a layer drawn under another key is
   * re-stroked. `stroke(ctx, group)` draws one group with the target's transform already applied.
   * Returns false (drawing nothing) when the layers would not fit the pixel budget: draw directly then.
   */
  draw(target: Ctx2D, lines: readonly T[], key: string, width: number, height: number, stroke: (ctx: CanvasRenderingContext2D, group: readonly T[]) => void): boolean {
    const groups = partition(lines, layerSize(lines.length));
    const px = width * height * groups.length;
    if (px > LAYER_PIXEL_BUDGET) {
      this.release();
      return false;
    }
    const next = new Map<string, Layer<T>>();
    const stale: Layer<T>[] = [];
    const todo: T[][] = [];
    for (const g of groups) {
      const l = this.layers.get(g[0].id);
      if (l && l.key === key && l.canvas.width === width && l.canvas.height === height && sameLines(l.lines, g)) next.set(g[0].id, l);
      else todo.push(g);
    }
    for (const [id, l] of this.layers) if (next.get(id) !== l) stale.push(l);
    const transform = target.getTransform();
    for (const g of todo) {
      const old = stale.pop();
      const canvas = old?.canvas ?? this.makeCanvas(width, height);
      if (canvas.width !== width || canvas.height !== height) {
        canvas.width = width;
        canvas.height = height;
      }
      const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, width, height);
      ctx.setTransform(transform);
      stroke(ctx, g);
      next.set(g[0].id, { lines: g, key, canvas });
    }
    this.layers = next;
    this.restroked = todo.length;
    // Composite in draw order: the last group is drawn first, so the first line ends on top.
    target.save();
    target.setTransform(1, 0, 0, 1, 0, 0);
    for (let i = groups.length - 1; i >= 0; i--) target.drawImage(next.get(groups[i][0].id)!.canvas as CanvasImageSource, 0, 0);
    target.restore();
    this.account(px);
    return true;
  }

  /** Drops the bitmaps (a chart destroyed, or one too large for the budget). */
  release(): void {
    this.layers.clear();
    holders.delete(this as LineLayers<LayerLine>);
  }

  /** Records this chart's pixels as the most recent and drops other charts' layers over the budget. */
  private account(px: number): void {
    const self = this as LineLayers<LayerLine>;
    holders.delete(self);
    holders.set(self, px);
    let total = 0;
    for (const p of holders.values()) total += p;
    for (const [h, p] of holders) {
      if (total <= LAYER_PIXEL_BUDGET || h === self) break;
      h.release();
      total -= p;
    }
  }
}
