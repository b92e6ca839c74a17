// A file appended to in uneven chunks (cutting records mid-way) while being polled delivers every
// record exactly once.
import { appendFile, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EventFileTailer, readEventFile } from '../../server/logs/event-file-reader.ts';
import { encodeRecord, MAX_RECORD_BYTES, maskedCrc32c, scanRecords } from '../../server/logs/tfrecord.ts';
import type { LogRecord } from '../../server/logs/records.ts';
import { corpusFile } from './corpus-files.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ts-logs-tail-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function tailInChunks(src: Buffer, name: string, sizes: (i: number) => number): Promise<{ got: LogRecord[]; warnings: string[]; polls: number }> {
  const p = join(dir, name);
  await writeFile(p, new Uint8Array(0));
  const t = new EventFileTailer(p);
  const got: LogRecord[] = [];
  const warnings: string[] = [];
  let pos = 0;
  let polls = 0;
  for (let i = 0; pos < src.length; i++) {
    const n = Math.min(sizes(i), src.length - pos);
    await appendFile(p, src.subarray(pos, pos + n));
    pos += n;
    const r = await t.poll();
    polls++;
    got.push(...r.records);
    warnings.push(...r.warnings);
  }
  const r = await t.poll(); // nothing new
  expect(r.records).toEqual([]);
  return { got, warnings, polls };
}

describe('EventFileTailer', () => {
  it('delivers every record of a real file exactly once across polls of a growing file', async () => {
    const src = corpusFile('log_tayo'); // big records (graph, images, histograms)
    const bytes = await readFile(src);
    const expected = (await readEventFile(src)).records;
    const primes = [7, 13, 1021, 4099, 65537, 3];
    const { got, warnings } = await tailInChunks(bytes, 'tayo', (i) => primes[i % primes.length] * 11);
    expect(warnings).toEqual([]);
    expect(got).toEqual(expected);
  });

  it('byte-by-byte appends of small records also give each record once', async () => {
    const src = corpusFile('strict', 'run_1');
    const bytes = (await readFile(src)).subarray(0, 600);
    const whole = scanRecords(bytes).frames.length; // records complete within the 600 bytes
    const expected = (await readEventFile(src)).records.slice(0, whole);
    const { got } = await tailInChunks(bytes, 'bytewise', () => 1);
    expect(whole).toBeGreaterThan(5);
    expect(got).toEqual(expected);
  });

  it('poll(maxBytes) reads a file in bounded slices, every record once, in order', async () => {
    const src = corpusFile('log_tayo');
    const expected = (await readEventFile(src)).records;
    const t = new EventFileTailer(src);
    const got: LogRecord[] = [];
    let polls = 0;
    for (;;) {
      const r = await t.poll(20_000);
      polls++;
      if (r.records.length === 0) break;
      got.push(...r.records);
    }
    expect(got).toEqual(expected);
    expect(polls).toBeGreaterThan(5);
  });

  it('the maxBytesPerPoll option bounds each poll(): it stops after the record reaching the bound', async () => {
    const src = corpusFile('log_tayo');
    const bytes = await readFile(src);
    const expected = (await readEventFile(src)).records;
    // Record boundaries (end offsets), to check where each poll stopped.
    const ends = new Set<number>();
    for (const f of scanRecords(bytes).frames) if (f.kind === 'record') ends.add(f.data.byteOffset - bytes.byteOffset + f.data.length + 4);
    const bound = 20_000;
    const t = new EventFileTailer(src, { maxBytesPerPoll: bound });
    const got: LogRecord[] = [];
    let polls = 0;
    for (let before = t.position; t.position < bytes.length; before = t.position) {
      const r = await t.poll();
      polls++;
      got.push(...r.records);
      const delta = t.position - before;
      expect(delta).toBeGreaterThan(0);
      // Stopped by the bound (what the logdir watcher relies on to poll again at once)...
      if (t.position < bytes.length) expect(delta).toBeGreaterThanOrEqual(bound);
      // ...right after the record that reached it: all earlier records end within the bound.
      let lastButOne = t.position - 1;
      while (lastButOne > before && !ends.has(lastButOne)) lastButOne--;
      expect(lastButOne - before).toBeLessThan(bound);
    }
    expect(got).toEqual(expected);
    expect(polls).toBeGreaterThan(5);
    // poll(maxBytes) still overrides the option, and readEventFile ignores it
    expect((await new EventFileTailer(src, { maxBytesPerPoll: bound }).poll(Infinity)).records).toEqual(expected);
    expect((await readEventFile(src, { maxBytesPerPoll: bound })).records).toEqual(expected);
  });

  it('records stay intact when later reads reuse the read buffer', async () => {
    const src = corpusFile('log_tayo'); // images: bytes fields must be copied out of the read buffer
    const first = (await readEventFile(src)).records;
    const snapshot = structuredClone(first);
    expect(first.some((r) => r.kind === 'image')).toBe(true);
    // Other files read afterwards (in slices, so the pooled buffers are reused many times).
    const other = new EventFileTailer(corpusFile('strict', 'run_1'), { maxBytesPerPoll: 4096 });
    while ((await other.poll()).records.length > 0);
    await readEventFile(src);
    expect(first).toEqual(snapshot);
  });

  it('records bigger than the read chunk are read whole', async () => {
    // An Event with wall_time 0 and a 9 MiB unknown field 83 (skipped by decoders): bigger than the 8 MiB read chunk.
    const payload = 9 << 20;
    const varint: number[] = [];
    for (let v = payload; ; v = Math.floor(v / 128)) {
      if (v < 128) {
        varint.push(v);
        break;
      }
      varint.push((v & 0x7f) | 0x80);
    }
    const head = [0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0x9a, 0x05, ...varint];
    const big = new Uint8Array(head.length + payload);
    big.set(head);
    const p = join(dir, 'big');
    await writeFile(p, Buffer.concat([encodeRecord(big), encodeRecord(new Uint8Array([0x1a, 0x01, 0x41]))])); // 2nd: file_version "A"
    const r = await new EventFileTailer(p).poll();
    expect(r.warnings).toEqual([]);
    expect(r.records).toEqual([{ kind: 'meta', what: 'file_version', wallTime: 0, step: 0, detail: 'A' }]);
  });

  it('a corrupt length is warned about once while the file stays stuck', async () => {
    const p = join(dir, 'stuck');
    const good = encodeRecord(new Uint8Array([0x1a, 0x01, 0x42]));
    const bad = encodeRecord(new Uint8Array([0x1a, 0x01, 0x43]));
    bad[0] ^= 0x02;
    await writeFile(p, Buffer.concat([good, bad]));
    const t = new EventFileTailer(p);
    const a = await t.poll();
    expect(a.records.length).toBe(1);
    expect(a.warnings).toEqual([expect.stringContaining(`truncated at offset ${good.length} (bad length CRC)`)]);
    const b = await t.poll();
    expect(b.warnings).toEqual([]);
    expect(b.truncatedAt).toBe(good.length);
  });

  it('a length header over the per-record limit is corruption at once: warned, nothing read past it', async () => {
    const p = join(dir, 'hostile-length');
    const good = encodeRecord(new Uint8Array([0x1a, 0x01, 0x42]));
    const filler = Buffer.alloc(20 << 20, 7); // more than one read chunk follows the hostile header
    await writeFile(p, Buffer.concat([good, header(2 ** 40), filler]));
    const t = new EventFileTailer(p);
    const a = await countingReads(() => t.poll());
    expect(a.result.records.length).toBe(1);
    expect(a.result.truncatedAt).toBe(good.length);
    expect(a.result.warnings).toEqual([
      `${p}: truncated at offset ${good.length} (record length ${2 ** 40} over the ${MAX_RECORD_BYTES}-byte per-record limit (corrupt length)); later records not read`,
    ]);
    expect(a.bytesAsked).toBeLessThanOrEqual(8 << 20); // one chunk; never the claimed length or the rest of the file
    const b = await countingReads(() => t.poll());
    expect(b.result.warnings).toEqual([]);
    expect(b.bytesAsked).toBe(0);
    await appendFile(p, Buffer.alloc(1 << 20)); // a writer still appending after the bad header
    const c = await countingReads(() => t.poll());
    expect(c.result).toMatchObject({ records: [], warnings: [], truncatedAt: good.length });
    expect(c.bytesAsked).toBe(12); // the header is re-checked, nothing more
    const whole = await readEventFile(p);
    expect(whole.warnings).toEqual([expect.stringContaining(`${p}: truncated at offset ${good.length} (record length ${2 ** 40} over`)]);
  });

  it('a record longer than the file so far is waited for without reading, then read whole once written', async () => {
    const p = join(dir, 'growing-big');
    const rec = encodeRecord(bigEvent(12 << 20));
    const firstPart = 10 << 20; // more than a read chunk, less than the record
    await writeFile(p, rec.subarray(0, firstPart));
    const t = new EventFileTailer(p);
    const a = await countingReads(() => t.poll());
    expect(a.result).toMatchObject({ records: [], warnings: [], truncatedAt: 0 });
    expect(a.bytesAsked).toBeLessThanOrEqual(8 << 20);
    await appendFile(p, rec.subarray(firstPart, firstPart + 1000)); // grows, still not enough
    const b = await countingReads(() => t.poll());
    expect(b.result).toMatchObject({ records: [], warnings: [], truncatedAt: 0 });
    expect(b.bytesAsked).toBe(0);
    // The same cut-short file read whole (one read, no waiting) reports it, with file, offset and sizes.
    const whole = await readEventFile(p);
    expect(whole.warnings).toEqual([`${p}: truncated at offset 0 (last record cut short: record cut short (needs ${rec.length} bytes, ${firstPart + 1000} in the file))`]);
    await appendFile(p, rec.subarray(firstPart + 1000));
    await appendFile(p, encodeRecord(new Uint8Array([0x1a, 0x01, 0x41])));
    const c = await t.poll();
    expect(c.warnings).toEqual([]);
    expect(c.records).toEqual([{ kind: 'meta', what: 'file_version', wallTime: 0, step: 0, detail: 'A' }]);
    expect(t.position).toBe(rec.length + 19);
  });

  it('a record longer than the file with a bad length CRC is corruption, not waited for', async () => {
    const p = join(dir, 'bad-crc-long');
    const h = header(1000);
    h[8] ^= 1;
    await writeFile(p, Buffer.concat([h, Buffer.alloc(50)]));
    const r = await new EventFileTailer(p).poll();
    expect(r.warnings).toEqual([`${p}: truncated at offset 0 (bad length CRC); later records not read`]);
  });
});

/** A record header (length + its masked CRC) claiming `len` data bytes. */
function header(len: number): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt32LE(len >>> 0, 0);
  h.writeUInt32LE(Math.floor(len / 2 ** 32), 4);
  h.writeUInt32LE(maskedCrc32c(h.subarray(0, 8)), 8);
  return h;
}

/** An Event with wall_time 0 and an unknown field 83 of `payload` bytes (decoders skip it). */
function bigEvent(payload: number): Uint8Array {
  const varint: number[] = [];
  for (let v = payload; ; v = Math.floor(v / 128)) {
    if (v < 128) {
      varint.push(v);
      break;
    }
    varint.push((v & 0x7f) | 0x80);
  }
  const head = [0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0x9a, 0x05, ...varint];
  const big = new Uint8Array(head.length + payload);
  big.set(head);
  return big;
}

/** Runs fn while summing the byte counts the reader asks FileHandle.read for. */
async function countingReads<T>(fn: () => Promise<T>): Promise<{ result: T; bytesAsked: number }> {
  const fh = await open(join(dir, 'probe'), 'a');
  const proto = Object.getPrototypeOf(fh) as { read: (...a: unknown[]) => unknown };
  await fh.close();
  const spy = vi.spyOn(proto, 'read');
  try {
    const result = await fn();
    const bytesAsked = spy.mock.calls.reduce((n, c) => n + (typeof c[2] === 'number' ? c[2] : 0), 0);
    return { result, bytesAsked };
  } finally {
    spy.mockRestore();
  }
}
