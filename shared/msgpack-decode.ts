// A MessagePack decoder for the socket wire (pure; Uint8Array in, plain values out). Ours rather than
// notepack's because names from outside (runs, tags, hparams) are map keys: a key "__proto__" must
// become an own property, as JSON.parse makes it, not replace the object's prototype (notepack) or
// fail the whole message (@msgpack/msgpack). Lengths are checked against the bytes left before any
// allocation, so a 100 kB message cannot claim a billion-entry array.

const utf8 = new TextDecoder('utf-8');
const MAX_DEPTH = 64;

export class MsgpackError extends Error {}

class Reader {
  pos = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number): number {
    const at = this.pos;
    if (at + n > this.bytes.length) throw new MsgpackError(`msgpack: truncated at byte ${at} (needs ${n} more)`);
    this.pos = at + n;
    return at;
  }

  /** A container of `n` entries needs at least `n * perEntry` more bytes: checked before allocating. */
  private count(n: number, perEntry: number): number {
    if (n * perEntry > this.bytes.length - this.pos) throw new MsgpackError(`msgpack: ${n} entries claimed, ${this.bytes.length - this.pos} bytes left`);
    return n;
  }

  private u8 = () => this.view.getUint8(this.need(1));
  private u16 = () => this.view.getUint16(this.need(2));
  private u32 = () => this.view.getUint32(this.need(4));

  private str(n: number): string {
    const at = this.need(n);
    if (n < 24) {
      // Short names and tags: a plain loop beats TextDecoder's call overhead when all bytes are ASCII.
      let s = '';
      for (let i = at; i < at + n; i++) {
        const c = this.bytes[i];
        if (c >= 0x80) return utf8.decode(this.bytes.subarray(at, at + n));
        s += String.fromCharCode(c);
      }
      return s;
    }
    return utf8.decode(this.bytes.subarray(at, at + n));
  }

  private bin(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.slice(at, at + n);
  }

  private array(n: number, depth: number): unknown[] {
    const out = new Array<unknown>(this.count(n, 1));
    for (let i = 0; i < n; i++) out[i] = this.value(depth + 1);
    return out;
  }

  private map(n: number, depth: number): Record<string, unknown> {
    this.count(n, 2);
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const k = this.value(depth + 1);
      if (typeof k !== 'string' && typeof k !== 'number') throw new MsgpackError(`msgpack: map key of type ${typeof k}`);
      const v = this.value(depth + 1);
      if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      else out[k] = v;
    }
    return out;
  }

  /** Extension types: only notepack's `undefined` (fixext 1, type 0) is part of our wire. */
  private ext(n: number): undefined {
    const type = this.view.getInt8(this.need(1));
    this.need(n);
    if (type === 0 && n === 1) return undefined;
    throw new MsgpackError(`msgpack: unsupported extension type ${type} (${n} bytes)`);
  }

  value(depth = 0): unknown {
    if (depth > MAX_DEPTH) throw new MsgpackError(`msgpack: nested deeper than ${MAX_DEPTH}`);
    const b = this.u8();
    if (b < 0x80) return b;
    if (b >= 0xe0) return b - 0x100;
    if (b < 0x90) return this.map(b & 0x0f, depth);
    if (b < 0xa0) return this.array(b & 0x0f, depth);
    if (b < 0xc0) return this.str(b & 0x1f);
    const v = this.view;
    switch (b) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.bin(this.u8());
      case 0xc5:
        return this.bin(this.u16());
      case 0xc6:
        return this.bin(this.u32());
      case 0xc7:
        return this.ext(this.u8());
      case 0xc8:
        return this.ext(this.u16());
      case 0xc9:
        return this.ext(this.u32());
      case 0xca:
        return v.getFloat32(this.need(4));
      case 0xcb:
        return v.getFloat64(this.need(8));
      case 0xcc:
        return this.u8();
      case 0xcd:
        return this.u16();
      case 0xce:
        return this.u32();
      case 0xcf: {
        const at = this.need(8);
        return v.getUint32(at) * 2 ** 32 + v.getUint32(at + 4);
      }
      case 0xd0:
        return v.getInt8(this.need(1));
      case 0xd1:
        return v.getInt16(this.need(2));
      case 0xd2:
        return v.getInt32(this.need(4));
      case 0xd3: {
        const at = this.need(8);
        return v.getInt32(at) * 2 ** 32 + v.getUint32(at + 4);
      }
      case 0xd4:
        return this.ext(1);
      case 0xd5:
        return this.ext(2);
      case 0xd6:
        return this.ext(4);
      case 0xd7:
        return this.ext(8);
      case 0xd8:
        return this.ext(16);
      case 0xd9:
        return this.str(this.u8());
      case 0xda:
        return this.str(this.u16());
      case 0xdb:
        return this.str(this.u32());
      case 0xdc:
        return this.array(this.u16(), depth);
      case 0xdd:
        return this.array(this.u32(), depth);
      case 0xde:
        return this.map(this.u16(), depth);
      case 0xdf:
        return this.map(this.u32(), depth);
    }
    throw new MsgpackError(`msgpack: invalid type byte 0x${b.toString(16)} at ${this.pos - 1}`);
  }
}

/** Decodes exactly one MessagePack value filling the whole input (trailing bytes are an error). */
export function decodeMsgpack(input: Uint8Array | ArrayBuffer): unknown {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  const r = new Reader(bytes);
  const value = r.value();
  if (r.pos !== bytes.length) throw new MsgpackError(`msgpack: ${bytes.length - r.pos} trailing bytes`);
  return value;
}
