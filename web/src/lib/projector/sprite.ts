// Where a point's thumbnail lies in the sprite image: cells of singleImageDim [width, height] laid out
// row-major from the top left, as many per row as fit the image's width (TensorBoard's layout).
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** null when the sprite has no cell for this point (image too small, or a bad cell size). */
export function spriteCell(index: number, imageWidth: number, imageHeight: number, cell: readonly number[]): Rect | null {
  const [w, h] = cell;
  if (!(w > 0 && h > 0) || index < 0 || !Number.isInteger(index)) return null;
  const perRow = Math.floor(imageWidth / w);
  if (perRow < 1) return null;
  const x = (index % perRow) * w;
  const y = Math.floor(index / perRow) * h;
  if (y + h > imageHeight) return null;
  return { x, y, w, h };
}

/** Points a sprite can show (its full cells). */
export function spriteCapacity(imageWidth: number, imageHeight: number, cell: readonly number[]): number {
  const [w, h] = cell;
  if (!(w > 0 && h > 0)) return 0;
  return Math.floor(imageWidth / w) * Math.floor(imageHeight / h);
}
