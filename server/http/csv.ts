// Scalars as CSV, the way TensorBoard writes them: header "Wall time,Step,Value", CRLF line ends, Python's
// repr of floats (1.0, not 1) and exact integer steps.
import { ExactInt } from '../../shared/exact-int.ts';

/** Python's repr() of a float: shortest round-trip digits, ".0" on integral values, 1e+16 style exponents. */
export function pyFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Object.is(v, -0)) return '-0.0';
  const a = Math.abs(v);
  // Python switches to exponent form below 1e-4 and at or above 1e16; JS at 1e-7 and 1e21.
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    const [m, e] = v.toExponential().split('e');
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const s = String(v);
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
}

export function scalarsCsv(rows: readonly (readonly [number, number | ExactInt, number])[]): string {
  let out = 'Wall time,Step,Value\r\n';
  for (const [w, s, v] of rows) out += `${pyFloat(w)},${s instanceof ExactInt ? s.text : String(s)},${pyFloat(v)}\r\n`;
  return out;
}
