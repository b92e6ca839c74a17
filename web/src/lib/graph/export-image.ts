// Download the drawn graph as a standalone SVG (computed styles inlined, so theme variables and
// component CSS survive outside the page) or as a PNG rendered from that SVG on an offscreen canvas.
import { downloadBlob } from '../download.ts';

const STYLE_PROPS = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-dasharray',
  'stroke-opacity',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'text-anchor',
  'dominant-baseline',
  'visibility',
  'display',
];
const MAX_PNG_SIDE = 8192;
const MAX_PNG_PIXELS = 40e6;

/** Serialized SVG of `svg` showing the whole `bounds` (not the current zoom). */
export function serializeSvg(svg: SVGSVGElement, bounds: { x: number; y: number; width: number; height: number }, background: string): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const src = [svg, ...svg.querySelectorAll('*')];
  const dst = [clone, ...clone.querySelectorAll('*')];
  src.forEach((el, i) => {
    const cs = getComputedStyle(el);
    const style = STYLE_PROPS.map((p) => `${p}:${cs.getPropertyValue(p)}`).join(';');
    dst[i].setAttribute('style', style);
    dst[i].removeAttribute('class');
    dst[i].removeAttribute('tabindex');
  });
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('viewBox', `${bounds.x} ${bounds.y} ${bounds.width} ${bounds.height}`);
  clone.setAttribute('width', String(Math.ceil(bounds.width)));
  clone.setAttribute('height', String(Math.ceil(bounds.height)));
  const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  for (const [k, v] of Object.entries({ x: bounds.x, y: bounds.y, width: bounds.width, height: bounds.height })) bg.setAttribute(k, String(v));
  bg.setAttribute('fill', background);
  clone.insertBefore(bg, clone.firstChild);
  return new XMLSerializer().serializeToString(clone);
}

export function downloadSvg(svgText: string, filename: string): void {
  downloadBlob(new Blob([svgText], { type: 'image/svg+xml' }), filename);
}

export async function downloadPng(svgText: string, width: number, height: number, filename: string): Promise<void> {
  const scale = Math.min(2, MAX_PNG_SIDE / width, MAX_PNG_SIDE / height, Math.sqrt(MAX_PNG_PIXELS / (width * height)));
  const img = new Image();
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('graph PNG export: no 2d canvas context');
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((res) => canvas.toBlob(res, 'image/png'));
    if (!blob) throw new Error(`graph PNG export: canvas ${canvas.width}×${canvas.height} could not be encoded`);
    downloadBlob(blob, filename);
  } finally {
    URL.revokeObjectURL(url);
  }
}
