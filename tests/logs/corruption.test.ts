// Truncated and corrupted copies of real files: earlier records survive, problems come back as
// warnings with file and offset, nothing throws.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEventFile } from '../../server/logs/event-file-reader.ts';
import { scanRecords } from '../../server/logs/tfrecord.ts';
import { corpusFile } from './corpus-files.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ts-logs-corrupt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('corrupted corpus copies', () => {
  it('a file cut at every byte inside its last record yields all earlier records and a truncation notice', async () => {
    const src = corpusFile('strict', 'run_2');
    const bytes = await readFile(src);
    const full = await readEventFile(src);
    const frames = scanRecords(bytes).frames;
    const lastStart = frames[frames.length - 1].offset;
    const lastRecords = full.records.filter((r) => r.step === full.records[full.records.length - 1].step && r.kind === 'scalar').length;
    const expected = full.records.slice(0, full.records.length - lastRecords);
    for (let cut = lastStart + 1; cut < bytes.length; cut++) {
      const p = join(dir, `cut-${cut}`);
      await writeFile(p, bytes.subarray(0, cut));
      const r = await readEventFile(p);
      expect(r.records).toEqual(expected);
      expect(r.truncatedAt).toBe(lastStart);
      expect(r.warnings).toEqual([expect.stringContaining(`cut-${cut}: truncated at offset ${lastStart}`)]);
      await rm(p);
    }
  });

  it('a flipped byte in a data area skips that record with a warning naming file and offset', async () => {
    const src = corpusFile('log_tayo');
    const bytes = Buffer.from(await readFile(src));
    const frames = scanRecords(bytes).frames;
    const victim = frames[5];
    const copy = Buffer.from(bytes);
    copy[victim.offset + 12 + 20] ^= 0x40;
    const p = join(dir, 'flipped');
    await writeFile(p, copy);
    const r = await readEventFile(p);
    expect(r.truncatedAt).toBeNull();
    expect(r.warnings).toEqual([`${p} @ offset ${victim.offset}: bad data CRC; record skipped (strict mode)`]);
    // every other record still decodes: compare with the original minus the victim's records
    const orig = await readEventFile(src);
    expect(r.records.length).toBeLessThan(orig.records.length);
    const lastOrig = orig.records[orig.records.length - 1];
    expect(r.records[r.records.length - 1]).toEqual(lastOrig);
  });

  it('a flipped byte in a length field stops reading there (truncated), keeps what came before', async () => {
    const src = corpusFile('lax', 'run_1');
    const bytes = Buffer.from(await readFile(src));
    const frames = scanRecords(bytes).frames;
    const victim = frames[10];
    const copy = Buffer.from(bytes);
    copy[victim.offset + 1] ^= 0x01;
    const p = join(dir, 'badlen');
    await writeFile(p, copy);
    const r = await readEventFile(p);
    expect(r.truncatedAt).toBe(victim.offset);
    expect(r.warnings.some((w) => w.includes(`truncated at offset ${victim.offset}`) && w.includes('bad length CRC'))).toBe(true);
    expect(r.records.length).toBe(10); // file_version + 9 scalars
  });

  it('a record whose data is not a valid Event protobuf is reported, others kept', async () => {
    const { encodeRecord } = await import('../../server/logs/tfrecord.ts');
    const src = corpusFile('strict', 'run_3');
    const bytes = await readFile(src);
    const garbage = encodeRecord(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f])); // field 1 as bytes with a huge length
    const p = join(dir, 'garbage');
    await writeFile(p, Buffer.concat([garbage, bytes]));
    const r = await readEventFile(p);
    expect(r.warnings).toEqual([expect.stringMatching(/garbage @ offset 0: cannot decode Event/)]);
    expect(r.records.filter((x) => x.kind === 'scalar').length).toBe(100);
  });

  it('a missing file is a warning, not an exception', async () => {
    const r = await readEventFile(join(dir, 'nope'));
    expect(r.records).toEqual([]);
    expect(r.warnings[0]).toMatch(/nope: cannot open \(ENOENT\)/);
  });
});
