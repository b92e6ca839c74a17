// TensorProto -> plain numbers / strings / shape. Handles tensor_content (any numeric dtype, little
// endian, possibly unaligned) and the typed *_val fields (incl. half_val holding raw half bits).
import { dtypeName } from './tfevents-schema.ts';

export interface PbTensor {
  dtype?: number;
  tensor_shape?: { dim?: { size?: unknown }[] };
  tensor_content?: Uint8Array;
  half_val?: number[];
  float_val?: number[];
  double_val?: number[];
  int_val?: number[];
  string_val?: Uint8Array[];
  int64_val?: unknown[];
  bool_val?: boolean[];
  uint32_val?: number[];
  uint64_val?: unknown[];
}

export function toNum(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof (v as { toNumber?: unknown }).toNumber === 'function') return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

/** IEEE 754 half (binary16) bits -> number. */
export function halfToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

const bf16Buf = new DataView(new ArrayBuffer(4));
function bfloat16ToNumber(bits: number): number {
  bf16Buf.setUint32(0, (bits & 0xffff) << 16, false);
  return bf16Buf.getFloat32(0, false);
}

export function tensorShape(t: PbTensor): number[] {
  return (t.tensor_shape?.dim ?? []).map((d) => toNum(d.size ?? 0));
}

const DT = {
  FLOAT: 1, DOUBLE: 2, INT32: 3, UINT8: 4, INT16: 5, INT8: 6, STRING: 7, INT64: 9, BOOL: 10,
  BFLOAT16: 14, UINT16: 17, HALF: 19, UINT32: 22, UINT64: 23,
} as const;

function fromContent(dtype: number, c: Uint8Array): number[] | undefined {
  const dv = new DataView(c.buffer, c.byteOffset, c.byteLength);
  const read = (size: number, get: (o: number) => number): number[] => {
    const n = Math.floor(c.byteLength / size);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = get(i * size);
    return out;
  };
  switch (dtype) {
    case DT.FLOAT: return read(4, (o) => dv.getFloat32(o, true));
    case DT.DOUBLE: return read(8, (o) => dv.getFloat64(o, true));
    case DT.INT32: return read(4, (o) => dv.getInt32(o, true));
    case DT.UINT32: return read(4, (o) => dv.getUint32(o, true));
    case DT.INT64: return read(8, (o) => Number(dv.getBigInt64(o, true)));
    case DT.UINT64: return read(8, (o) => Number(dv.getBigUint64(o, true)));
    case DT.INT16: return read(2, (o) => dv.getInt16(o, true));
    case DT.UINT16: return read(2, (o) => dv.getUint16(o, true));
    case DT.INT8: return read(1, (o) => dv.getInt8(o));
    case DT.UINT8: case DT.BOOL: return read(1, (o) => dv.getUint8(o));
    case DT.HALF: return read(2, (o) => halfToNumber(dv.getUint16(o, true)));
    case DT.BFLOAT16: return read(2, (o) => bfloat16ToNumber(dv.getUint16(o, true)));
    default: return undefined;
  }
}

/** Numeric content of a tensor, flattened; undefined for strings and unsupported dtypes. */
export function tensorNumbers(t: PbTensor): number[] | undefined {
  const dtype = t.dtype ?? 0;
  if (dtype === DT.STRING) return undefined;
  if (t.tensor_content && t.tensor_content.length > 0) return fromContent(dtype, t.tensor_content);
  let vals: number[] | undefined;
  switch (dtype) {
    case DT.FLOAT: vals = t.float_val; break;
    case DT.DOUBLE: vals = t.double_val; break;
    case DT.INT32: case DT.INT16: case DT.INT8: case DT.UINT8: case DT.UINT16: vals = t.int_val; break;
    case DT.INT64: vals = t.int64_val?.map(toNum); break;
    case DT.UINT32: vals = t.uint32_val; break;
    case DT.UINT64: vals = t.uint64_val?.map(toNum); break;
    case DT.BOOL: vals = t.bool_val?.map((b) => (b ? 1 : 0)); break;
    case DT.HALF: vals = t.half_val?.map(halfToNumber); break;
    case DT.BFLOAT16: vals = t.half_val?.map(bfloat16ToNumber); break;
    default: return undefined;
  }
  const arr = vals ? Array.from(vals) : [];
  // TF stores a tensor whose elements are all equal as a single value; expand to the shape's size.
  const size = tensorShape(t).reduce((a, b) => a * b, 1);
  if (arr.length === 1 && size > 1 && size < 1e7) return new Array<number>(size).fill(arr[0]);
  return arr;
}

/** String elements of a DT_STRING tensor (raw bytes). */
export function tensorStrings(t: PbTensor): Uint8Array[] {
  return t.string_val ?? [];
}

export function tensorDtypeName(t: PbTensor): string {
  return dtypeName(t.dtype ?? 0);
}
