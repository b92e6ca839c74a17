// Hostile event files in a served logdir: a 5 MB tag and a 2^40 record length cost the server nothing
// much; the tag comes out capped everywhere, the bad length is a warning, and everything else is served.
import { appendFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.ts';
import { EventWriter } from '../../server/logs/event-writer.ts';
import { capTag, MAX_TAG_CHARS } from '../../server/logs/names.ts';
import { maskedCrc32c } from '../../server/logs/tfrecord.ts';
import type { Logger } from '../../server/config.ts';
import { removeDir, startApp, tempDir, until } from './helpers.ts';

const LONG = 'L'.repeat(5 << 20);
let dir: string;
let app: App;
let base: string;
const warnings: string[] = [];

beforeAll(async () => {
  dir = await tempDir();
  const w = await EventWriter.open(path.join(dir, 'longtag'));
  for (let s = 0; s < 3; s++) w.scalar(LONG, s, s, 1000 + s);
  await w.close();
  const h = await EventWriter.open(path.join(dir, 'hostile'));
  h.scalar('ok', 1, 0, 1000);
  await h.close();
  const file = path.join(dir, 'hostile', (await readdir(path.join(dir, 'hostile')))[0]);
  const header = Buffer.alloc(12);
  header.writeUInt32LE(0, 0);
  header.writeUInt32LE(2 ** 8, 4); // length 2^40
  header.writeUInt32LE(maskedCrc32c(header.subarray(0, 8)), 8);
  await appendFile(file, Buffer.concat([header, Buffer.alloc(1 << 20)]));
  const logger: Logger = { log() {}, warn: (m) => void warnings.push(m), error: (m) => void warnings.push(m) };
  app = await startApp({ logdir: dir, logger });
  base = app.url().replace(/\/$/, '');
  await until(() => app.store.hasRun('longtag') && app.store.hasRun('hostile'), 5000, 'runs');
});
afterAll(async () => {
  await app?.close();
  await removeDir(dir);
});

describe('hostile event files in a served logdir', () => {
  it('a 5 MB tag is served capped: /tags stays small and the capped tag can be fetched', async () => {
    const res = await fetch(`${base}/data/plugin/scalars/tags`);
    const text = await res.text();
    expect(text.length).toBeLessThan(8 * 1024);
    const tags = JSON.parse(text) as Record<string, Record<string, unknown>>;
    expect(Object.keys(tags.longtag)).toEqual([capTag(LONG)]);
    const q = new URLSearchParams({ run: 'longtag', tag: capTag(LONG) });
    const series = (await (await fetch(`${base}/data/plugin/scalars/scalars?${q}`)).json()) as unknown[];
    expect(series).toHaveLength(3);
    expect(warnings.filter((m) => m.includes(`truncated to ${MAX_TAG_CHARS}`))).toHaveLength(1);
    expect(warnings.find((m) => m.includes(`truncated to ${MAX_TAG_CHARS}`))).toMatch(/^\[run longtag\] .*tfevents.* @ offset \d+: tag of 5242880 characters/);
  });

  it('a 2^40 record length is one warning naming file and offset; the record before it is served', async () => {
    await until(() => warnings.some((m) => m.includes('per-record limit')), 5000, 'length warning');
    const w = warnings.filter((m) => m.includes('per-record limit'));
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/^\[run hostile\] .*tfevents.*: truncated at offset \d+ \(record length 1099511627776 over the 268435456-byte per-record limit/);
    expect(app.store.scalarTags('hostile')).toEqual(['ok']);
    const res = await fetch(`${base}/api/runs`);
    expect(res.status).toBe(200);
  });
});
