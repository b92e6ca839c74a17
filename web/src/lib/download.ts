// Browser downloads from in-memory content.
import { cssVar } from './charts/chart-setup.ts';
import { composeChartPng, type LegendItem } from './charts/png-export.ts';

export function downloadUrl(url: string, name: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  downloadUrl(url, name);
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function download(content: string, name: string, mime: string): void {
  downloadBlob(new Blob([content], { type: mime }), name);
}

/** A chart as a PNG with its title and a legend (png-export.ts), in the page's theme colors. */
export async function downloadChartPng(canvas: HTMLCanvasElement, title: string, items: readonly LegendItem[], name: string): Promise<void> {
  const blob = await composeChartPng(canvas, title, items, { bg: cssVar('--card-bg', '#ffffff'), fg: cssVar('--fg', '#1d2024') });
  downloadBlob(blob, name);
}
