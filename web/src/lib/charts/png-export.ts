// A chart as a PNG someone can read on its own: the card's title above the plot and a legend (color and
// full run name per line) below it. The layout is pure (text widths come from a measure function);
// composeChartPng only paints it on a canvas.

export interface LegendItem {
  label: string;
  color: string;
}

export interface PngLayout {
  width: number;
  height: number;
  title: { x: number; y: number; text: string; font: string };
  chart: { x: number; y: number; w: number; h: number };
  legend: { x: number; y: number; swatch: number; color: string; text: string; font: string }[];
}

/** Width of `text` drawn in `font` (canvas measureText in the browser). */
export type Measure = (text: string, font: string) => number;

/** Longest prefix of text (with "…") that fits in maxW; the whole text when it fits. */
export function fitText(text: string, maxW: number, font: string, measure: Measure): string {
  if (measure(text, font) <= maxW) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (measure(`${text.slice(0, mid)}…`, font) <= maxW) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, lo)}…`;
}

/**
 * Places the title, the chart image (chartW x chartH device pixels) and the legend, which flows left to
 * right and wraps. `scale` = device pixels per CSS pixel, so text is as big as on screen.
 */
export function pngLayout(chartW: number, chartH: number, title: string, items: readonly LegendItem[], measure: Measure, scale = 1): PngLayout {
  const pad = Math.round(10 * scale);
  const titleSize = Math.round(14 * scale);
  const textSize = Math.round(12 * scale);
  const rowH = Math.round(18 * scale);
  const swatch = Math.round(10 * scale);
  const gap = Math.round(16 * scale);
  const titleFont = `600 ${titleSize}px sans-serif`;
  const font = `${textSize}px sans-serif`;
  const width = chartW + 2 * pad;
  const inner = width - 2 * pad;
  const titleH = titleSize + pad;
  const chart = { x: pad, y: pad + titleH, w: chartW, h: chartH };
  const legend: PngLayout['legend'] = [];
  const top = chart.y + chartH + pad;
  let x = pad;
  let row = 0;
  for (const it of items) {
    const text = fitText(it.label, inner - swatch - 6 * scale, font, measure);
    const w = swatch + 6 * scale + measure(text, font);
    if (x > pad && x + w > pad + inner) {
      row++;
      x = pad;
    }
    legend.push({ x, y: top + row * rowH, swatch, color: it.color, text, font });
    x += w + gap;
  }
  const legendH = items.length ? (row + 1) * rowH : 0;
  return {
    width,
    height: top + legendH + (items.length ? pad / 2 : 0),
    title: { x: pad, y: pad, text: fitText(title, inner, titleFont, measure), font: titleFont },
    chart,
    legend,
  };
}

/** Paints the layout around the chart's canvas; resolves to the PNG. */
export function composeChartPng(src: HTMLCanvasElement, title: string, items: readonly LegendItem[], colors: { bg: string; fg: string }): Promise<Blob> {
  const out = document.createElement('canvas');
  const ctx = out.getContext('2d');
  if (!ctx) return Promise.reject(new Error('PNG export: no 2D canvas context'));
  const measure: Measure = (text, font) => {
    ctx.font = font;
    return ctx.measureText(text).width;
  };
  const scale = src.clientWidth ? src.width / src.clientWidth : 1;
  const l = pngLayout(src.width, src.height, title, items, measure, scale);
  out.width = l.width;
  out.height = l.height;
  ctx.fillStyle = colors.bg;
  ctx.fillRect(0, 0, l.width, l.height);
  ctx.fillStyle = colors.fg;
  ctx.textBaseline = 'top';
  ctx.font = l.title.font;
  ctx.fillText(l.title.text, l.title.x, l.title.y);
  ctx.drawImage(src, l.chart.x, l.chart.y);
  for (const e of l.legend) {
    ctx.fillStyle = e.color;
    ctx.fillRect(e.x, e.y + 2 * scale, e.swatch, e.swatch);
    ctx.fillStyle = colors.fg;
    ctx.font = e.font;
    ctx.fillText(e.text, e.x + e.swatch + 6 * scale, e.y);
  }
  return new Promise((resolve, reject) => out.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG export: the canvas gave no image'))), 'image/png'));
}
