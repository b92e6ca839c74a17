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
