// Long run and tag names are cut in the middle, not at the end: runs of one sweep share a long prefix
// and differ at the end ("…/lr=0.01" vs "…/lr=0.1"), so an end ellipsis makes them all look alike.
// Pure: the width check is a function passed in (canvas text metrics in the browser).

export const ELLIPSIS = '…';

/**
 * text cut to at most max characters (code points, the ellipsis included) by replacing its middle with
 * '…'; the tail keeps the extra character when the split is uneven. Unchanged when it fits.
 */
export function truncateMiddle(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  if (max <= 1) return ELLIPSIS;
  const keep = max - 1;
  const head = Math.floor(keep / 2);
  const tail = keep - head;
  return chars.slice(0, head).join('') + ELLIPSIS + chars.slice(chars.length - tail).join('');
}

/**
 * The longest middle truncation of text whose measured width is at most `width` (binary search over the
 * kept length; measure gives a string's width in the same unit). At least the ellipsis.
 */
export function fitMiddle(text: string, width: number, measure: (s: string) => number): string {
  if (measure(text) <= width) return text;
  let lo = 1; // always allowed: the ellipsis alone
  let hi = Array.from(text).length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (measure(truncateMiddle(text, mid)) <= width) lo = mid;
    else hi = mid - 1;
  }
  return truncateMiddle(text, lo);
}
