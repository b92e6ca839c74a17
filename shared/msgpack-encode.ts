// A MessagePack encoder for the socket wire (pure). Ours because notepack's (socket.io-msgpack-parser's)
// writes integral doubles of 2^64 and more (a diverging loss of 1e20) as a wrapped 64-bit integer: the
// value arrives wrong. Here only safe integers take the integer formats; everything else is a float64.
// JSON's rules otherwise: keys with undefined or function values are left out, undefined in an array is
// nil, toJSON() is honoured.

const utf8 = new TextEncoder();

class Writer {
  buf: Uint8Array;
  view: DataView;
  pos = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  head(b: number, n: number, bits: 8 | 16 | 32): void {
    this.ensure(5);
    this.buf[this.pos++] = b;
    if (bits === 8) this.buf[this.pos++] = n;
    else if (bits === 16) {
      this.view.setUint16(this.pos, n);
      this.pos += 2;
    } else {
      this.view.setUint32(this.pos, n);
      this.pos += 4;
    }
  }

  number(v: number): void {
    this.ensure(9);
    const b = this.buf;
    if (Number.isSafeInteger(v) && !Object.is(v, -0)) {
      if (v >= 0) {
        if (v < 0x80) b[this.pos++] = v;
        else if (v < 0x100) {
          b[this.pos++] = 0xcc;
          b[this.pos++] = v;
        } else if (v < 0x10000) {
          b[this.pos++] = 0xcd;
          this.view.setUint16(this.pos, v);
          this.pos += 2;
        } else if (v < 0x100000000) {
          b[this.pos++] = 0xce;
          this.view.setUint32(this.pos, v);
          this.pos += 4;
        } else {
          b[this.pos++] = 0xcf;
          this.view.setUint32(this.pos, Math.floor(v / 2 ** 32));
          this.view.setUint32(this.pos + 4, v >>> 0);
          this.pos += 8;
        }
        return;
      }
      if (v >= -0x20) b[this.pos++] = v + 0x100;
      else if (v >= -0x80) {
        b[this.pos++] = 0xd0;
        this.view.setInt8(this.pos++, v);
      } else if (v >= -0x8000) {
        b[this.pos++] = 0xd1;
        this.view.setInt16(this.pos, v);
        this.pos += 2;
      } else if (v >= -0x80000000) {
        b[this.pos++] = 0xd2;
        this.view.setInt32(this.pos, v);
        this.pos += 4;
      } else {
        b[this.pos++] = 0xd3;
        this.view.setInt32(this.pos, Math.floor(v / 2 ** 32));
        this.view.setUint32(this.pos + 4, v >>> 0);
        this.pos += 8;
      }
      return;
    }
    b[this.pos++] = 0xcb;
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
  }

  string(s: string): void {
    const n = s.length;
    if (n < 32) {
      // Names and tags are mostly short ASCII: written in place, no TextEncoder call.
      this.ensure(1 + n);
      const at = this.pos;
      let ascii = true;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) {
          ascii = false;
          break;
        }
        this.buf[at + 1 + i] = c;
      }
      if (ascii) {
        this.buf[at] = 0xa0 | n;
        this.pos = at + 1 + n;
        return;
      }
    }
    // Worst case 3 bytes per UTF-16 unit; the header is written once the length is known.
    this.ensure(5 + n * 3);
    const start = this.pos + 5;
    const written = utf8.encodeInto(s, this.buf.subarray(start)).written;
    let hdr: number;
    if (written < 32) hdr = 1;
    else if (written < 0x100) hdr = 2;
    else if (written < 0x10000) hdr = 3;
    else hdr = 5;
    if (hdr !== 5) this.buf.copyWithin(this.pos + hdr, start, start + written);
    if (hdr === 1) this.buf[this.pos] = 0xa0 | written;
    else if (hdr === 2) {
      this.buf[this.pos] = 0xd9;
      this.buf[this.pos + 1] = written;
    } else if (hdr === 3) {
      this.buf[this.pos] = 0xda;
      this.view.setUint16(this.pos + 1, written);
    } else {
      this.buf[this.pos] = 0xdb;
      this.view.setUint32(this.pos + 1, written);
    }
    this.pos += hdr + written;
  }

  bytes(data: Uint8Array): void {
    const n = data.length;
    if (n < 0x100) this.head(0xc4, n, 8);
    else if (n < 0x10000) this.head(0xc5, n, 16);
    else this.head(0xc6, n, 32);
    this.ensure(n);
    this.buf.set(data, this.pos);
    this.pos += n;
  }

  value(v: unknown): void {
    switch (typeof v) {
      case 'number':
        return this.number(v);
      case 'string':
        return this.string(v);
      case 'boolean':
        return this.u8(v ? 0xc3 : 0xc2);
      case 'undefined':
      case 'function':
      case 'symbol':
        return this.u8(0xc0);
      case 'bigint':
        throw new TypeError('msgpack: bigint is not part of the wire');
    }
    if (v === null) return this.u8(0xc0);
    if (Array.isArray(v)) {
      const n = v.length;
      if (n < 16) this.u8(0x90 | n);
      else if (n < 0x10000) this.head(0xdc, n, 16);
      else this.head(0xdd, n, 32);
      for (let i = 0; i < n; i++) this.value(v[i]);
      return;
    }
    if (v instanceof Uint8Array) return this.bytes(v);
    if (v instanceof ArrayBuffer) return this.bytes(new Uint8Array(v));
    if (ArrayBuffer.isView(v)) return this.bytes(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    const o = v as Record<string, unknown>;
    if (typeof o.toJSON === 'function') return this.value(o.toJSON());
    const keys: string[] = [];
    for (const k of Object.keys(o)) {
      const t = typeof o[k];
      if (t !== 'undefined' && t !== 'function' && t !== 'symbol') keys.push(k);
    }
    const n = keys.length;
    if (n < 16) this.u8(0x80 | n);
    else if (n < 0x10000) this.head(0xde, n, 16);
    else this.head(0xdf, n, 32);
    for (const k of keys) {
      this.string(k);
      this.value(o[k]);
    }
  }
}

/** A scratch writer reused across calls (encoding is synchronous); let go of when a frame made it large. */
let scratch: Writer | null = null;
const KEEP_SCRATCH_BYTES = 4 * 1024 * 1024;

/** Encodes one value; the result is a fresh copy (safe to keep while the next encode runs). */
export function encodeMsgpack(value: unknown): Uint8Array {
  const w = scratch ?? new Writer(64 * 1024);
  scratch = null; // a throw below leaves no half-used writer behind
  w.pos = 0;
  w.value(value);
  const out = w.buf.slice(0, w.pos);
  if (w.buf.length <= KEEP_SCRATCH_BYTES) scratch = w;
  return out;
}
