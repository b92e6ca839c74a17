// int64 steps past 2^53 cannot be a JS number without rounding. Such a step travels as its exact decimal text
// next to the rounded number (which still orders and plots it); JSON writers emit the decimal as a bare integer.

/** Decimal text of an int64 (protobufjs Long, bigint, string or number) when it is not a safe integer. */
export function exactIntText(v: unknown): string | undefined {
  if (typeof v === 'number') return undefined;
  let s: string;
  if (typeof v === 'bigint') s = v.toString();
  else if (typeof v === 'string') s = v;
  else if (v && typeof (v as { toString?: unknown }).toString === 'function' && 'low' in (v as object)) s = String(v);
  else return undefined;
  if (!/^-?\d+$/.test(s)) return undefined;
  return Number.isSafeInteger(Number(s)) ? undefined : s;
}

/** A step for JSON: the exact decimal when one was kept for an unsafe number. */
export class ExactInt {
  constructor(readonly text: string) {}
  toJSON(): string {
    return this.text;
  }
}

/** The step to write: `exact` (when given and the number is not safe) as an ExactInt, else the number. */
export function stepOut(step: number, exact: string | undefined): number | ExactInt {
  return exact !== undefined && !Number.isSafeInteger(step) ? new ExactInt(exact) : step;
}

// A per-process nonce makes the placeholder impossible to forge from user data (tag names etc.).
const NONCE = `${Math.floor(Math.random() * 2 ** 48).toString(16)}${Date.now().toString(16)}`;
const MARK = `\u0001int${NONCE}:`;
const MARK_RE = new RegExp(`"\\\\u0001int${NONCE}:(-?\\d+)"`, 'g');

/**
 * JSON text as TensorBoard writes it: NaN and ±Infinity as the strings "NaN", "Infinity", "-Infinity" (JSON
 * has no such numbers), and every ExactInt as a bare integer with all its digits.
 */
export function stringifyExact(data: unknown, indent?: number): string {
  const s = JSON.stringify(
    data,
    function (this: unknown, key: string, value: unknown): unknown {
      // toJSON has already run when the replacer sees the value: look at the holder's own property.
      const raw = (this as Record<string, unknown> | undefined)?.[key];
      if (raw instanceof ExactInt) return MARK + raw.text;
      if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
      return value;
    },
    indent,
  );
  return s.includes('\\u0001int') ? s.replace(MARK_RE, '$1') : s;
}
