// Counts with thousands separators, without Intl: a page's first Intl number format loads ICU's data
// (40-180 ms in a busy headless chromium), and the status line's point count, formatted with
// toLocaleString when the app mounted, made the socket wait that long to open. Nothing else on the
// SCALARS page formats numbers through Intl (chart ticks use line-data.ts' fmt).

/** An integer count as "1,234,567" (a fraction is dropped; non-finite values as String gives them). */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const digits = String(Math.trunc(Math.abs(n)));
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return n <= -1 ? `-${out}` : out;
}
