// Over-long names from logs: tags are capped once, in the decoder (so watcher, replay and export agree),
// with one warning naming file and offset; over-long run paths are skipped with a warning.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventDecoder } from '../../server/logs/event-codec.ts';
import { encodeScalarEvent } from '../../server/logs/event-encode.ts';
import { readEventFile } from '../../server/logs/event-file-reader.ts';
import { EventWriter } from '../../server/logs/event-writer.ts';
import { scanLogdir } from '../../server/logs/logdir-scan.ts';
import { capTag, MAX_RUN_CHARS, MAX_TAG_CHARS } from '../../server/logs/names.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ts-logs-names-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('capTag', () => {
  it('keeps short tags; caps long ones deterministically, keeping distinct tags distinct', () => {
    expect(capTag('train/loss')).toBe('train/loss');
    const exact = 'x'.repeat(MAX_TAG_CHARS);
    expect(capTag(exact)).toBe(exact);
    const a = 'a'.repeat(5_000_000);
    const b = a.slice(0, -1) + 'b';
    expect(capTag(a)).toHaveLength(MAX_TAG_CHARS);
    expect(capTag(a).startsWith('a'.repeat(1000))).toBe(true);
    expect(capTag(a)).toMatch(/…#[0-9a-f]{8}$/);
    expect(capTag(a)).toBe(capTag(a.slice())); // same tag, same name, on every path
    expect(capTag(b)).not.toBe(capTag(a));
  });

  it('does not split a surrogate pair at the cut', () => {
    const t = 'x'.repeat(MAX_TAG_CHARS - 11) + '😀'.repeat(100);
    const c = capTag(t);
    expect(c.length).toBeLessThanOrEqual(MAX_TAG_CHARS);
    expect(/[\ud800-\udbff](?![\udc00-\udfff])/.test(c)).toBe(false);
  });
});

describe('over-long tags in event files', () => {
  it('a 5 MB tag is capped, warned about once (file and offset), fast and full decoders agree', async () => {
    const long = 'T'.repeat(5 << 20);
    const w = await EventWriter.open(join(dir, 'longtag'));
    for (let s = 0; s < 3; s++) w.scalar(long, s, s, 1000 + s);
    w.scalar('short', 1, 1, 1000);
    await w.close();
    const file = (await scanLogdir(dir, { rootReal: dir, maxDepth: 4, isIgnored: () => false, warn: () => {}, stopped: () => false })).runs.get('longtag')![0].real;
    const r = await readEventFile(file);
    const tags = r.records.filter((x) => x.kind === 'scalar').map((x) => (x as { tag: string }).tag);
    expect(tags).toEqual([capTag(long), capTag(long), capTag(long), 'short']);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(new RegExp(`longtag/.*tfevents.* @ offset \\d+: tag of ${5 << 20} characters truncated to ${MAX_TAG_CHARS}`));

    const fast = new EventDecoder();
    const slow = new EventDecoder();
    slow.fastPath = false;
    const data = encodeScalarEvent(long, 0.5, 7, 1234);
    expect(fast.decode(data, 'f').records).toEqual(slow.decode(data, 'f').records);
  });
});

describe('over-long run names', () => {
  it('a run whose path is over the limit is skipped with a warning; others are found', async () => {
    const root = join(dir, 'deep');
    const seg = 'd'.repeat(200);
    const deep = join(root, seg, seg, seg);
    await mkdir(deep, { recursive: true });
    for (const d of [deep, join(root, 'ok')]) {
      const w = await EventWriter.open(d);
      w.scalar('x', 1, 1, 1000);
      await w.close();
    }
    const warnings: string[] = [];
    const found = await scanLogdir(root, { rootReal: root, maxDepth: 8, isIgnored: () => false, warn: (_r, m) => warnings.push(m), stopped: () => false });
    expect([...found.runs.keys()]).toEqual(['ok']);
    expect(warnings).toEqual([`${deep}: run name of ${3 * 200 + 2} characters is over the ${MAX_RUN_CHARS}-character limit; skipped`]);
  });
});
