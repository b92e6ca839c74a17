// Protobuf text format of a decoded message, written the way TensorBoard's Python protobuf (upb) prints
// `str(message)`: fields in field-number order, two-space indents, proto3 defaults left out (oneof members
// and submessages that are present are kept), enums by name, floats with 6 (float) / 15 (double) significant
// digits unless more are needed to round-trip, strings C-escaped (UTF-8 kept; bytes as octal escapes).
// Map entries come in the order they were decoded (upb uses its hash-table order, which is not stable).
import protobuf from 'protobufjs';

const utf8 = new TextEncoder();

/** C's printf("%.{p}g", v). */
function cFormatG(v: number, p: number): string {
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const exp = Math.floor(Math.log10(Math.abs(v)));
  let s = v.toExponential(p - 1);
  let [m, e] = s.split('e');
  let x = Number(e);
  // toExponential may round up to the next power of ten: trust its exponent, not log10.
  void exp;
  if (x < -4 || x >= p) {
    if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
    return `${m}e${x < 0 ? '-' : '+'}${String(Math.abs(x)).padStart(2, '0')}`;
  }
  s = v.toFixed(Math.max(0, p - 1 - x));
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

/** upb's round-trip float text: %.6g (float) / %.15g (double) if it reads back the same, else %.9g / %.17g. */
export function roundTripFloat(v: number, isFloat32: boolean): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  const [short, long] = isFloat32 ? [6, 9] : [15, 17];
  const s = cFormatG(v, short);
  const back = isFloat32 ? Math.fround(Number(s)) : Number(s);
  return back === v ? s : cFormatG(v, long);
}

/** A string or bytes value in double quotes, escaped as upb does. */
export function escapeBytes(b: Uint8Array, isBytes: boolean): string {
  let out = '"';
  for (const c of b) {
    if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x22) out += '\\"';
    else if (c === 0x27) out += "\\'";
    else if (c === 0x5c) out += '\\\\';
    else if ((isBytes || c < 0x80) && (c < 0x20 || c >= 0x7f)) out += `\\${c.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(c);
  }
  // Non-ASCII bytes were appended one char per byte: turn them back into UTF-8 text.
  return isBytes ? `${out}"` : `${Buffer.from(out, 'latin1').toString('utf8')}"`;
}

type Msg = Record<string, unknown>;
const has = (m: Msg, k: string) => Object.prototype.hasOwnProperty.call(m, k);

function scalarText(f: protobuf.Field, v: unknown): string {
  if (f.resolvedType instanceof protobuf.Enum) {
    const n = Number(v);
    return f.resolvedType.valuesById[n] ?? String(n);
  }
  switch (f.type) {
    case 'string':
      return escapeBytes(utf8.encode(String(v)), false);
    case 'bytes':
      return escapeBytes(v instanceof Uint8Array ? v : new Uint8Array(0), true);
    case 'float':
      return roundTripFloat(Number(v), true);
    case 'double':
      return roundTripFloat(Number(v), false);
    case 'bool':
      return v ? 'true' : 'false';
    default:
      // int64 may be a Long (exact) or a number.
      return typeof v === 'object' && v !== null ? String(v) : String(v);
  }
}

function isDefault(f: protobuf.Field, v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (f.resolvedType instanceof protobuf.Type) return false;
  if (v instanceof Uint8Array) return v.length === 0;
  if (typeof v === 'object') return String(v) === '0'; // Long
  return v === 0 || v === false || v === '';
}

function printMessage(type: protobuf.Type, m: Msg, indent: string, out: string[]): void {
  const fields = [...type.fieldsArray].sort((a, b) => a.id - b.id);
  for (const f of fields) {
    f.resolve();
    if (!has(m, f.name)) continue;
    const v = m[f.name];
    if (f.map) {
      const entries = Object.entries((v ?? {}) as Record<string, unknown>);
      const keyField = { type: f instanceof protobuf.MapField ? f.keyType : 'string' } as protobuf.Field;
      for (const [k, val] of entries) {
        out.push(`${indent}${f.name} {`);
        out.push(`${indent}  key: ${scalarText(keyField, k)}`);
        if (f.resolvedType instanceof protobuf.Type) {
          out.push(`${indent}  value {`);
          printMessage(f.resolvedType, val as Msg, `${indent}    `, out);
          out.push(`${indent}  }`);
        } else out.push(`${indent}  value: ${scalarText(f, val)}`);
        out.push(`${indent}}`);
      }
      continue;
    }
    const values = f.repeated ? ((v ?? []) as unknown[]) : [v];
    // A proto3 singular scalar outside a oneof has no presence: its default is not printed.
    if (!f.repeated && !f.partOf && isDefault(f, v)) continue;
    for (const x of values) {
      if (f.resolvedType instanceof protobuf.Type) {
        if (x === null || x === undefined) continue;
        out.push(`${indent}${f.name} {`);
        printMessage(f.resolvedType, x as Msg, `${indent}  `, out);
        out.push(`${indent}}`);
      } else out.push(`${indent}${f.name}: ${scalarText(f, x)}`);
    }
  }
}

/** The text format of a message decoded by protobufjs (type.decode), one field per line, ending in "\n". */
export function toPbtxt(type: protobuf.Type, message: object): string {
  const out: string[] = [];
  printMessage(type, message as Msg, '', out);
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}
