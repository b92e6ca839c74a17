// Zoom and pan as pure viewBox arithmetic. The viewBox always has the aspect of the element, so
// a pointer at fraction (fx, fy) of the element maps linearly into graph coordinates.
export interface ViewBox {
  x: number;
  y: number;
  w: number;
  h: number;
}
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Whole box visible and centred with `pad` around it; small graphs are not blown up past `maxScale`. */
export function fitView(bounds: Box, viewW: number, viewH: number, pad = 16, maxScale = 1.25): ViewBox {
  const aspect = viewH / Math.max(viewW, 1);
  const bw = Math.max(bounds.width, 1) + 2 * pad;
  const bh = Math.max(bounds.height, 1) + 2 * pad;
  const w = Math.max(bw, bh / aspect, viewW / maxScale);
  const h = w * aspect;
  return { x: bounds.x + bounds.width / 2 - w / 2, y: bounds.y + bounds.height / 2 - h / 2, w, h };
}

/** Zoom by `factor` (> 1 = zoom out) keeping the point at fraction (fx, fy) of the element fixed. */
export function zoomView(vb: ViewBox, factor: number, fx = 0.5, fy = 0.5, minW = 20, maxW = 1e6): ViewBox {
  const w = Math.min(maxW, Math.max(minW, vb.w * factor));
  const k = w / vb.w;
  const gx = vb.x + fx * vb.w;
  const gy = vb.y + fy * vb.h;
  return { x: gx - fx * w, y: gy - fy * vb.h * k, w, h: vb.h * k };
}

/** Move the view with a pointer drag of (dx, dy) element pixels on an element `viewW` wide. */
export function panView(vb: ViewBox, dx: number, dy: number, viewW: number): ViewBox {
  const s = vb.w / Math.max(viewW, 1);
  return { ...vb, x: vb.x - dx * s, y: vb.y - dy * s };
}

/** Keep the aspect of the element after it is resized (the width in graph units stays). */
export function resizeView(vb: ViewBox, viewW: number, viewH: number): ViewBox {
  const h = vb.w * (viewH / Math.max(viewW, 1));
  return { ...vb, y: vb.y + (vb.h - h) / 2, h };
}

/** Centre a box; zoom in only as far as needed for it to fill at most ~half the view, never past `minW` wide. */
export function focusView(vb: ViewBox, box: Box, minW = 200): ViewBox {
  const w = Math.min(vb.w, Math.max(box.width * 2, (box.height * 2 * vb.w) / vb.h, minW));
  const h = (vb.h * w) / vb.w;
  return { x: box.x + box.width / 2 - w / 2, y: box.y + box.height / 2 - h / 2, w, h };
}
