import { readFileSync } from 'node:fs';
import { crc32c } from '@node-rs/crc32';
import { describe, expect, it } from 'vitest';
import {
  MAX_RECORD_BYTES,
  SMDEBUG_NO_CHECKSUM_CRC,
  crc32cJs,
  encodeRecord,
  fillDataCrc,
  frameInPlace,
  frameLength,
  maskedCrc32c,
  scanRecords,
} from '../../server/logs/tfrecord.ts';
import { corpusFile } from './corpus-files.ts';

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
const bytes = (s: string) => new TextEncoder().encode(s);
const u32 = (b: Uint8Array, off: number) => new DataView(b.buffer, b.byteOffset).getUint32(off, true);

describe('CRC', () => {
  it('JS CRC-32C equals @node-rs/crc32 for all lengths 0..600 and random data', () => {
    const buf = new Uint8Array(700);
    let s = 12345;
    for (let i = 0; i < buf.length; i++) buf[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
    for (let n = 0; n <= 600; n++) expect(crc32cJs(buf, 3, 3 + n)).toBe(crc32c(buf.subarray(3, 3 + n)));
  });

  it('masked CRCs match the ones stored by a real writer (PyTorch)', () => {
    const b = new Uint8Array(readFileSync(corpusFile('strict', 'run_1')));
    const len = Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true));
    expect(maskedCrc32c(b.subarray(0, 8))).toBe(u32(b, 8));
    expect(maskedCrc32c(b.subarray(12, 12 + len))).toBe(u32(b, 12 + len));
  });

  it('smdebug constant is the masked CRC of b"0x12345678"', () => {
    expect(maskedCrc32c(bytes('0x12345678'))).toBe(SMDEBUG_NO_CHECKSUM_CRC);
  });
});

describe('framing', () => {
  const recs = [bytes('alpha'), bytes(''), bytes('x'.repeat(300)), bytes('omega')];
  const file = concat(recs.map(encodeRecord));

  it('encodeRecord -> scanRecords round trip, with offsets', () => {
    const s = scanRecords(file, { baseOffset: 100 });
    expect(s.truncatedAt).toBeNull();
    expect(s.consumed).toBe(file.length);
    expect(s.frames.map((f) => (f.kind === 'record' ? new TextDecoder().decode(f.data) : '?'))).toEqual(recs.map((r) => new TextDecoder().decode(r)));
    expect(s.frames.map((f) => f.offset)).toEqual([100, 100 + 21, 100 + 21 + 16, 100 + 21 + 16 + 316]);
  });

  it('frameLength then fillDataCrc, in any order over a buffer, write the bytes encodeRecord does', () => {
    const out = new Uint8Array(file.length);
    const dv = new DataView(out.buffer);
    const starts: number[] = [];
    let pos = 0;
    for (const r of recs) {
      out.set(r, pos + 12);
      starts.push(pos);
      pos = frameLength(out, dv, pos, r.length);
    }
    expect(pos).toBe(file.length);
    expect(scanRecords(out, { lenient: false }).frames.every((f) => f.kind === 'bad_data_crc')).toBe(true);
    for (const at of starts.reverse()) fillDataCrc(out, dv, at);
    expect(out).toEqual(file);
    const again = new Uint8Array(file.length);
    let p = 0;
    for (const r of recs) {
      again.set(r, p + 12);
      p = frameInPlace(again, new DataView(again.buffer), p, r.length);
    }
    expect(again).toEqual(file);
  });

  it('a cut at every byte inside the last record keeps the earlier ones and reports the cut', () => {
    const lastStart = file.length - (5 + 16);
    for (let cut = lastStart; cut < file.length; cut++) {
      const s = scanRecords(file.subarray(0, cut));
      expect(s.frames.length).toBe(3);
      expect(s.consumed).toBe(lastStart);
      expect(s.truncatedAt).toBe(cut === lastStart ? null : lastStart);
    }
  });

  it('bad length CRC stops the scan there', () => {
    const bad = file.slice();
    bad[21 + 16 + 9] ^= 0xff; // third record's length CRC
    const s = scanRecords(bad);
    expect(s.frames.length).toBe(2);
    expect(s.truncatedAt).toBe(37);
    expect(s.truncatedReason).toBe('bad length CRC');
  });

  it('bad data CRC: strict skips with the offset, lenient keeps, auto skips a lone corrupt record', () => {
    const bad = file.slice();
    bad[21 + 16 + 12 + 5] ^= 0x01; // a data byte of the 300-byte record
    const strict = scanRecords(bad, { lenient: false });
    expect(strict.frames.map((f) => f.kind)).toEqual(['record', 'record', 'bad_data_crc', 'record']);
    expect(strict.frames[2].offset).toBe(37);
    const auto = scanRecords(bad);
    expect(auto.frames.map((f) => f.kind)).toEqual(['record', 'record', 'bad_data_crc', 'record']);
    const lenient = scanRecords(bad, { lenient: true });
    expect(lenient.frames[2]).toMatchObject({ kind: 'record', lenient: true });
    expect(lenient.lenientMode).toBe('option');
  });

  it('auto mode decodes a file whose every data CRC is one constant (writer without checksums)', () => {
    const noCrc = (d: Uint8Array) => {
      const r = encodeRecord(d);
      new DataView(r.buffer).setUint32(r.length - 4, 0xdeadbeef, true);
      return r;
    };
    const f = concat([noCrc(bytes('a')), noCrc(bytes('bb')), noCrc(bytes('ccc'))]);
    const s = scanRecords(f);
    expect(s.frames.map((x) => x.kind)).toEqual(['record', 'record', 'record']);
    expect(s.lenientMode).toBe('constant-crc');
    expect(scanRecords(f, { lenient: false }).frames.every((x) => x.kind === 'bad_data_crc')).toBe(true);
    // one good record among them: it is corruption, not a checksum-less writer
    const mixed = concat([noCrc(bytes('a')), encodeRecord(bytes('ok')), noCrc(bytes('ccc'))]);
    expect(scanRecords(mixed).frames.map((x) => x.kind)).toEqual(['bad_data_crc', 'record', 'bad_data_crc']);
  });

  it('a header shorter than 12 bytes is a truncation, not an error', () => {
    const s = scanRecords(file.subarray(0, 7));
    expect(s).toMatchObject({ frames: [], consumed: 0, truncatedAt: 0 });
  });

  it('a length over MAX_RECORD_BYTES is corrupt at once; one within it running past the buffer is only cut short', () => {
    const header = (len: number) => {
      const h = new Uint8Array(12);
      const dv = new DataView(h.buffer);
      dv.setUint32(0, len >>> 0, true);
      dv.setUint32(4, Math.floor(len / 2 ** 32), true);
      dv.setUint32(8, maskedCrc32c(h.subarray(0, 8)), true);
      return h;
    };
    const good = encodeRecord(bytes('ok'));
    for (const len of [2 ** 40, MAX_RECORD_BYTES + 1, 0xffffffff * 2 ** 32]) {
      const s = scanRecords(concat([good, header(len), new Uint8Array(100)]));
      expect(s.frames).toHaveLength(1);
      expect(s).toMatchObject({ consumed: good.length, truncatedAt: good.length, truncatedCorrupt: true });
      expect(s.truncatedReason).toMatch(/over the 268435456-byte per-record limit/);
      expect(s.truncatedNeed).toBeUndefined();
    }
    const waiting = scanRecords(concat([good, header(MAX_RECORD_BYTES), new Uint8Array(100)]));
    expect(waiting).toMatchObject({ truncatedAt: good.length, truncatedNeed: MAX_RECORD_BYTES + 16 });
    expect(waiting.truncatedCorrupt).toBeUndefined();
  });
});
