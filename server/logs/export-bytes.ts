// The export's JSON written as UTF-8 bytes straight into reusable buffers: building a JS string per number
// (and a template string per point) and encoding it again to UTF-8 was most of an export's time. Integers
// are written digit by digit, histogram bucket edges copied from pre-encoded text, other doubles go
// through String(v) (all ASCII). The text is exactly what num()/JSON.stringify would write. Pure: no I/O.

/** Largest text one call writes without checking space itself (a number is at most 25 characters). */
export const NUMBER_ROOM = 32;

/**
 * A byte writer over a chunk of `size` bytes. `next(filled)` takes the full chunk's bytes and returns the
 * buffer to go on with (a new one, or a recycled one whose bytes have been handed on).
 */
export class ByteOut {
  buf: Uint8Array;
  /** A view of `buf`, for copying eight bytes at a time. */
  view: DataView;
  pos = 0;
  /** Chunks handed on so far. */
  handed = 0;

  constructor(
    first: Uint8Array,
    private readonly next: (filled: Uint8Array) => Uint8Array,
  ) {
    this.buf = first;
    this.view = new DataView(first.buffer, first.byteOffset, first.byteLength);
  }

  /** Makes room for `n` more bytes (n at most the chunk size), handing on the chunk when it is too full. */
  room(n: number): void {
    if (this.pos + n > this.buf.length) this.flush();
  }

  /** Hands on what is written so far (nothing when empty). */
  flush(): void {
    if (this.pos === 0) return;
    const filled = this.buf.subarray(0, this.pos);
    this.pos = 0;
    this.handed++;
    this.buf = this.next(filled);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  byte(c: number): void {
    this.buf[this.pos++] = c;
  }

  /** ASCII text of at most NUMBER_ROOM characters; room() must have been called. */
  ascii(s: string): void {
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Any text, as UTF-8; a text longer than the chunk is split between characters, never inside one. */
  text(s: string): void {
    if (s.length <= 64 && isAscii(s)) {
      this.room(s.length);
      this.ascii(s);
      return;
    }
    const bytes = Buffer.from(s, 'utf8');
    this.copyUtf8(bytes);
  }

  private copyUtf8(bytes: Uint8Array): void {
    let off = 0;
    while (off < bytes.length) {
      if (this.pos + (bytes.length - off) <= this.buf.length) {
        this.buf.set(bytes.subarray(off), this.pos);
        this.pos += bytes.length - off;
        return;
      }
      // Fill what is left of this chunk up to a character boundary (no byte 10xxxxxx starts the next chunk).
      let end = off + (this.buf.length - this.pos);
      while (end > off && (bytes[end] & 0xc0) === 0x80) end--;
      if (end === off) {
        this.flush();
        continue;
      }
      this.buf.set(bytes.subarray(off, end), this.pos);
      this.pos += end - off;
      off = end;
      this.flush();
    }
  }

  /** A number as num() writes it; room(NUMBER_ROOM) must have been called. */
  num(v: number): void {
    // Counts, steps and other small non-negative integers first (-0 too: both are written "0").
    if ((v | 0) === v && v >= 0) this.digits(v);
    else if (v === Math.floor(v) && v <= MAX_SAFE && v >= -MAX_SAFE) this.int(v);
    else if (v === v && v !== Infinity && v !== -Infinity) this.ascii(String(v));
    else this.ascii(v !== v ? '"NaN"' : v > 0 ? '"Infinity"' : '"-Infinity"');
  }

  /** A safe integer (-0 included, written "0" as String does); room(NUMBER_ROOM) must have been called. */
  int(v: number): void {
    const b = this.buf;
    if (v < 0) {
      b[this.pos++] = 45; // '-'
      v = -v;
    }
    if (v < 1e9) {
      this.digits(v | 0);
      return;
    }
    const hi = Math.floor(v / 1e9);
    this.digits(hi);
    // The low nine digits, zero-padded.
    let lo = v - hi * 1e9;
    let p = this.pos + 9;
    this.pos = p;
    for (let k = 0; k < 9; k++) {
      const q = (lo / 10) | 0;
      b[--p] = 48 + lo - q * 10;
      lo = q;
    }
  }

  /** A non-negative integer below 2^31 (the common case: counts and steps). */
  private digits(v: number): void {
    const b = this.buf;
    if (v < 10) {
      b[this.pos++] = 48 + v;
      return;
    }
    const n = v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : v < 1000000 ? 6 : v < 10000000 ? 7 : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
    let p = this.pos + n;
    this.pos = p;
    while (v >= 10) {
      const q = (v / 10) | 0;
      b[--p] = 48 + v - q * 10;
      v = q;
    }
    b[--p] = 48 + v;
  }
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * The text `[lo,hi,` of histogram buckets, pre-encoded: a series' histograms share their bucket edges
 * (TensorFlow's default ladder), so most buckets are one table look-up and a copy of ~40 bytes. An
 * open-addressing table keyed by the two doubles' bits; it forgets everything when full (bounded).
 */
export class BucketHeads {
  private readonly keys: Float64Array;
  private readonly bits: Uint32Array;
  /** Per slot: start and length of its text in `arena` (length 0: empty slot). */
  private readonly at: Int32Array;
  private readonly len: Uint8Array;
  /** Per slot: the slot written after it last time (0: none), and the slot written last. */
  private readonly follows: Int32Array;
  private last = 0;
  private readonly arena: Uint8Array;
  private readonly arenaView: DataView;
  private arenaUsed = 0;
  private used = 0;
  private readonly mask: number;

  constructor(slots = 16384) {
    this.mask = slots - 1;
    this.keys = new Float64Array(slots * 2);
    this.bits = new Uint32Array(this.keys.buffer);
    this.at = new Int32Array(slots);
    this.len = new Uint8Array(slots);
    this.follows = new Int32Array(slots);
    this.arena = new Uint8Array(slots * 64 + 8);
    this.arenaView = new DataView(this.arena.buffer);
  }

  /** Writes `[lo,hi,` to `out` (room for 2 * NUMBER_ROOM + 3 + 8 bytes must have been made). */
  write(out: ByteOut, lo: number, hi: number): void {
    // Non-finite edges are rare and NaN never equals itself: written without the table.
    if (lo - lo !== 0 || hi - hi !== 0) {
      out.byte(91);
      out.num(lo);
      out.byte(44);
      out.num(hi);
      out.byte(44);
      return;
    }
    const keys = this.keys;
    // Histograms of a series mostly repeat the bucket sequence of the one before: try the slot that
    // followed the last one before hashing.
    const guess = this.follows[this.last];
    if (guess !== 0 && keys[2 * guess] === lo && keys[2 * guess + 1] === hi) {
      this.copy(out, guess);
      this.last = guess;
      return;
    }
    const bits = this.bits;
    keys[0] = lo; // slot 0's key pair doubles as the scratch space for the bits of (lo, hi)
    keys[1] = hi;
    const a = bits[0], b = bits[1], c = bits[2], d = bits[3];
    const h = (Math.imul(a ^ (b << 7) ^ (b >>> 13), 0x9e3779b1) ^ Math.imul(c ^ (d << 11) ^ (d >>> 9), 0x85ebca77)) >>> 0;
    let slot = (h >>> 8) & this.mask || 1;
    for (;;) {
      const n = this.len[slot];
      if (n === 0) break;
      // -0 matches 0 here: both are written "0".
      if (keys[2 * slot] === lo && keys[2 * slot + 1] === hi) {
        this.copy(out, slot);
        this.follows[this.last] = slot;
        this.last = slot;
        return;
      }
      slot = (slot + 1) & this.mask || 1;
    }
    // Not seen: write it here, then keep a copy (unless the table is half full: then start over).
    if (this.used * 2 >= this.mask || this.arenaUsed + 2 * NUMBER_ROOM + 3 + 8 > this.arena.length) {
      this.len.fill(0);
      this.follows.fill(0);
      this.last = 0;
      this.used = 0;
      this.arenaUsed = 0;
    }
    const start = out.pos;
    out.byte(91);
    out.num(lo);
    out.byte(44);
    out.num(hi);
    out.byte(44);
    const n = out.pos - start;
    this.arena.set(out.buf.subarray(start, out.pos), this.arenaUsed);
    this.at[slot] = this.arenaUsed;
    this.len[slot] = n;
    this.arenaUsed += n;
    this.used++;
    keys[slot * 2] = lo;
    keys[slot * 2 + 1] = hi;
    this.follows[this.last] = slot;
    this.last = slot;
  }

  /** Copies a slot's text: eight bytes at a time, up to 7 past it (room() left space; later writes overwrite
   * them). Safe as doubles: ASCII bytes never make a NaN (that needs 0x7f or more in the top byte). */
  private copy(out: ByteOut, slot: number): void {
    const src = this.arenaView;
    const dst = out.view;
    const p = out.pos;
    const from = this.at[slot];
    const n = this.len[slot];
    for (let i = 0; i < n; i += 8) dst.setFloat64(p + i, src.getFloat64(from + i, true), true);
    out.pos = p + n;
  }
}
