// The text plugin's HTML, shaped like TensorBoard's text_plugin: a scalar string is rendered Markdown;
// a 1-D or 2-D string tensor becomes a <table> of rendered cells; higher ranks show their first 2-D
// slice after a warning. With markdown off, the text is only sanitised. Pure: no I/O.
import { markdownToUnsafeHtml, renderMarkdown, sanitize } from './markdown.ts';

function row(cells: string[]): string {
  return `<tr>\n${cells.map((c) => `<td>${c}</td>\n`).join('')}</tr>\n`;
}

/** cells (row-major, 1-D or 2-D) -> TensorBoard's table markup. */
export function makeTable(shape: number[], cells: string[]): string {
  const rows: string[][] = [];
  if (shape.length === 1) for (const c of cells) rows.push([c]);
  else {
    const cols = shape[1] ?? 0;
    for (let r = 0; r < (shape[0] ?? 0); r++) rows.push(cells.slice(r * cols, r * cols + cols));
  }
  return `<table>\n<tbody>\n${rows.map(row).join('')}</tbody>\n</table>`;
}

const warning = (rank: number): string =>
  renderMarkdown(
    `**Warning:** This text summary contained data of dimensionality ${rank}, but only 2d tables are supported. Showing a 2d slice of the data instead.`,
  );

/** One text summary (shape + row-major cells) -> safe HTML, as TensorBoard's /text answers. */
export function textToHtml(shape: number[], cells: string[], markdown = true): string {
  // Null bytes are dropped as TensorBoard does before rendering.
  const clean = cells.map((c) => c.replace(/\0/g, ''));
  if (shape.length === 0) return markdown ? renderMarkdown(clean[0] ?? '') : sanitize(clean[0] ?? '');
  let dims = shape;
  let part = clean;
  let prefix = '';
  if (shape.length > 2) {
    prefix = warning(shape.length);
    dims = shape.slice(-2);
    part = clean.slice(0, dims[0] * dims[1]);
  }
  if (markdown) return prefix + sanitize(makeTable(dims, part.map(markdownToUnsafeHtml)));
  // Without Markdown, TensorBoard sanitises the raw cells inside the table (allowed tags survive).
  return prefix + sanitize(makeTable(dims, part));
}
