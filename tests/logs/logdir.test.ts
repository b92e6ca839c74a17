import { appendFile, copyFile, mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readEventFile } from '../../server/logs/event-file-reader.ts';
import { encodeEvent } from '../../server/logs/event-codec.ts';
import { EventWriter } from '../../server/logs/event-writer.ts';
import { encodeRecord } from '../../server/logs/tfrecord.ts';
import { SeriesStore } from '../../server/store/series-store.ts';
import { LogdirWatcher } from '../../server/logs/logdir.ts';
import type { LogRecord } from '../../server/logs/records.ts';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/tfevents/', import.meta.url));
const KATIB = path.join(CORPUS, 'kubeflow__katib/test/unit/v1beta1/metricscollector/testdata/tfevent-metricscollector/logs');
const KATIB_TRAIN = path.join(KATIB, 'train/events.out.tfevents.1637681485.2d662933d616.19.0.v2');
const KATIB_TEST = path.join(KATIB, 'test/events.out.tfevents.1637681485.2d662933d616.19.1.v2');
const STRICT1 = path.join(CORPUS, 'janosh__tensorboard-reducer/tests/runs/strict/run_1/events.out.tfevents.1622543341.janoshs-mbp.lan.86862.0');
const LAX3 = path.join(CORPUS, 'janosh__tensorboard-reducer/tests/runs/lax/run_3/events.out.tfevents.1622543341.janoshs-mbp.lan.86862.5');

/** Comparable identity of a record. */
const key = (r: LogRecord) => `${r.kind}|${'tag' in r ? r.tag : ''}|${r.step}|${r.kind === 'scalar' ? r.value : ''}`;

class Sink {
  records = new Map<string, LogRecord[]>();
  runs: string[] = [];
  removed: string[] = [];
  warnings: [string, string][] = [];
  on = {
    onRecords: (run: string, recs: LogRecord[]) => {
      const list = this.records.get(run) ?? [];
      list.push(...recs);
      this.records.set(run, list);
    },
    onRun: (run: string) => void this.runs.push(run),
    onRunRemoved: (run: string) => void this.removed.push(run),
    onWarning: (run: string, m: string) => void this.warnings.push([run, m]),
  };
  keys(run: string): string[] {
    return (this.records.get(run) ?? []).map(key);
  }
}

async function waitFor(cond: () => boolean, what: string, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'trainscope-logdir-'));
  cleanup.push(() => rm(d, { recursive: true, force: true }));
  return d;
}
async function startWatcher(dir: string, sink: Sink, lenient?: boolean): Promise<LogdirWatcher> {
  const w = new LogdirWatcher(dir, { reloadIntervalSec: 0.1, lenient, ...sink.on });
  cleanup.push(() => w.stop());
  await w.start();
  return w;
}
async function expected(file: string): Promise<string[]> {
  return (await readEventFile(file)).records.map(key);
}

describe('LogdirWatcher', () => {
  it('discovers nested runs, names them relative to the logdir, reads a run\'s files in name order', async () => {
    const dir = await tempDir();
    await copyFile(KATIB_TRAIN, path.join(dir, 'events.out.tfevents.1.root'));
    await mkdir(path.join(dir, 'a/b'), { recursive: true });
    await copyFile(STRICT1, path.join(dir, 'a/b/events.out.tfevents.1.x'));
    await mkdir(path.join(dir, 'c'));
    await copyFile(KATIB_TEST, path.join(dir, 'c/events.out.tfevents.2.second'));
    await copyFile(KATIB_TRAIN, path.join(dir, 'c/events.out.tfevents.1.first'));
    await mkdir(path.join(dir, 'empty'));
    await writeFile(path.join(dir, 'c/notes.txt'), 'not an event file');
    const sink = new Sink();
    const w = await startWatcher(dir, sink);
    // start() resolves after everything on disk was delivered
    expect(new Set(sink.runs)).toEqual(new Set(['.', 'a/b', 'c']));
    expect(new Set(w.runs())).toEqual(new Set(['.', 'a/b', 'c']));
    expect(sink.keys('.')).toEqual(await expected(KATIB_TRAIN));
    expect(sink.keys('a/b')).toEqual(await expected(STRICT1));
    expect(sink.keys('c')).toEqual([...(await expected(KATIB_TRAIN)), ...(await expected(KATIB_TEST))]);
    expect(sink.warnings).toEqual([]);
    // nothing is delivered twice on later polls
    await sleep(350);
    expect(sink.keys('c')).toHaveLength((await expected(KATIB_TRAIN)).length + (await expected(KATIB_TEST)).length);
  });

  it('picks up new runs, appended records and newer files live, exactly once', async () => {
    const dir = await tempDir();
    const sink = new Sink();
    await startWatcher(dir, sink);
    expect(sink.runs).toEqual([]);

    const ew = await EventWriter.open(path.join(dir, 'live/run1'), { flushMs: 20 });
    cleanup.push(() => ew.close());
    for (let i = 0; i < 50; i++) ew.scalar('loss', 1 / (i + 1), i);
    await ew.flush();
    await waitFor(() => sink.keys('live/run1').filter((k) => k.startsWith('scalar')).length === 50, 'first 50 points');
    expect(sink.runs).toEqual(['live/run1']);
    for (let i = 50; i < 120; i++) {
      ew.scalar('loss', 1 / (i + 1), i);
      if (i % 7 === 0) await ew.flush();
    }
    await ew.flush();
    const steps = () => (sink.records.get('live/run1') ?? []).filter((r) => r.kind === 'scalar').map((r) => r.step);
    await waitFor(() => steps().length >= 120, '120 points');
    await sleep(300);
    expect(steps()).toEqual([...Array(120).keys()]);

    // a newer file in the same run is tailed too
    const ew2 = await EventWriter.open(path.join(dir, 'live/run1'), { flushMs: 20 });
    cleanup.push(() => ew2.close());
    ew2.scalar('loss', 0, 500);
    await ew2.flush();
    await waitFor(() => steps().includes(500), 'point from the newer file');
    expect(steps().filter((s) => s === 500)).toHaveLength(1);
    expect(sink.runs).toEqual(['live/run1']);
  });

  it('delivers a file appended in arbitrary byte chunks exactly once, in order', async () => {
    const dir = await tempDir();
    const sink = new Sink();
    await startWatcher(dir, sink);
    const bytes = await readFile(LAX3);
    const dst = path.join(dir, 'chunked/events.out.tfevents.99.host');
    await mkdir(path.dirname(dst));
    for (let off = 0; off < bytes.length; off += 997) {
      await appendFile(dst, bytes.subarray(off, Math.min(bytes.length, off + 997)));
      if (off % (997 * 4) === 0) await sleep(30);
    }
    const want = await expected(LAX3);
    await waitFor(() => sink.keys('chunked').length >= want.length, 'all chunked records');
    await sleep(300);
    expect(sink.keys('chunked')).toEqual(want);
    expect(sink.warnings).toEqual([]);
  });

  it('skips ignored files and directories (our own trainers\' output)', async () => {
    const dir = await tempDir();
    const sink = new Sink();
    const w = await startWatcher(dir, sink);
    // ignoreFile before the file exists
    const mineFile = path.join(dir, 'mine/events.out.tfevents.1.mine');
    w.ignoreFile(mineFile);
    await mkdir(path.dirname(mineFile));
    await copyFile(KATIB_TRAIN, mineFile);
    // ignoreDir before a writer creates its file there
    w.ignoreDir(path.join(dir, 'trainer/run'));
    const mine = await EventWriter.open(path.join(dir, 'trainer/run'), { flushMs: 20 });
    cleanup.push(() => mine.close());
    mine.scalar('x', 1, 1);
    await mine.flush();
    // a run in a subdirectory of an ignored directory is still read
    const sub = await EventWriter.open(path.join(dir, 'trainer/run/sub'), { flushMs: 20 });
    cleanup.push(() => sub.close());
    sub.scalar('z', 3, 3);
    await sub.flush();
    const other = await EventWriter.open(path.join(dir, 'other'), { flushMs: 20 });
    cleanup.push(() => other.close());
    other.scalar('y', 2, 2);
    await other.flush();
    await waitFor(() => sink.keys('other').some((k) => k.startsWith('scalar|y')), 'other run');
    await waitFor(() => sink.keys('trainer/run/sub').some((k) => k.startsWith('scalar|z')), 'sub run');
    await sleep(250);
    expect(sink.records.has('mine')).toBe(false);
    expect(sink.records.has('trainer/run')).toBe(false);
    expect(new Set(sink.runs)).toEqual(new Set(['other', 'trainer/run/sub']));
  });

  it('gets prompt change notice from the file watcher between slow polls', async () => {
    const dir = await tempDir();
    const sink = new Sink();
    const w = new LogdirWatcher(dir, { reloadIntervalSec: 120, ...sink.on });
    cleanup.push(() => w.stop());
    await w.start();
    const ew = await EventWriter.open(path.join(dir, 'fast'), { flushMs: 20 });
    cleanup.push(() => ew.close());
    ew.scalar('x', 1, 1);
    await ew.flush();
    await waitFor(() => sink.keys('fast').some((k) => k.startsWith('scalar')), 'record via chokidar', 5000);
    ew.scalar('x', 2, 2);
    await ew.flush();
    await waitFor(() => sink.keys('fast').filter((k) => k.startsWith('scalar')).length === 2, 'appended record via chokidar', 5000);
  });

  it('delivers every append promptly even when appends come faster than chokidar reports changes', async () => {
    // chokidar drops 'change' events less than 50 ms apart; with no poll to fall back on (reloadIntervalSec
    // 120), each of these appends must still arrive through the directory's fs.watch.
    const dir = await tempDir();
    const sink = new Sink();
    const w = new LogdirWatcher(dir, { reloadIntervalSec: 120, ...sink.on });
    cleanup.push(() => w.stop());
    await w.start();
    const ew = await EventWriter.open(path.join(dir, 'rapid'), { flushMs: 3_600_000 });
    cleanup.push(() => ew.close());
    const steps = () => (sink.records.get('rapid') ?? []).filter((r) => r.kind === 'scalar').map((r) => r.step);
    ew.scalar('x', 0, 0);
    await ew.flush();
    await waitFor(() => steps().length === 1, 'first point (discovery)', 5000);
    // A burst of appends 5 ms apart, then silence: the last one must arrive without any later append.
    for (let i = 1; i <= 8; i++) {
      await sleep(5);
      ew.scalar('x', i, i);
      await ew.flush();
    }
    await waitFor(() => steps().includes(8), 'the last append of a burst, with no later append or poll', 3000);
    expect(steps()).toEqual([...Array(9).keys()]);
    // a second file in the same directory (new: discovered) and then its appends
    const ew2 = await EventWriter.open(path.join(dir, 'rapid'), { flushMs: 3_600_000 });
    cleanup.push(() => ew2.close());
    ew2.scalar('y', 1, 100);
    await ew2.flush();
    await waitFor(() => steps().includes(100), 'point from a new file in a watched directory', 5000);
    ew2.scalar('y', 2, 101);
    await ew2.flush();
    ew.scalar('x', 9, 9);
    await ew.flush();
    await waitFor(() => steps().includes(101) && steps().includes(9), 'appends to both files', 3000);
    await sleep(100);
    expect(steps().filter((s) => s === 101 || s === 9)).toHaveLength(2);
  });

  it('watches exactly the directories holding event files, and releases them', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'a/deep'), { recursive: true });
    await mkdir(path.join(dir, 'empty'));
    await copyFile(KATIB_TRAIN, path.join(dir, 'a/deep/events.out.tfevents.1.x'));
    await copyFile(KATIB_TEST, path.join(dir, 'events.out.tfevents.2.y'));
    const sink = new Sink();
    const w = await startWatcher(dir, sink);
    const real = await realpath(dir);
    expect(w.watchedDirs().sort()).toEqual([real, path.join(real, 'a/deep')].sort());
    await rm(path.join(dir, 'a'), { recursive: true });
    await waitFor(() => sink.removed.includes('a/deep'), 'run removal');
    expect(w.watchedDirs()).toEqual([real]);
    await w.stop();
    expect(w.watchedDirs()).toEqual([]);
  });

  it('stops reading a file once it is ignored', async () => {
    const dir = await tempDir();
    const sink = new Sink();
    const w = await startWatcher(dir, sink);
    const ew = await EventWriter.open(path.join(dir, 'r'), { flushMs: 20 });
    cleanup.push(() => ew.close());
    ew.scalar('x', 1, 1);
    await ew.flush();
    await waitFor(() => sink.keys('r').some((k) => k.startsWith('scalar')), 'first point');
    w.ignoreFile(ew.path);
    ew.scalar('x', 2, 2);
    await ew.flush();
    await sleep(300);
    expect(sink.keys('r').filter((k) => k.startsWith('scalar'))).toEqual(['scalar|x|1|1']);
    // the run's directory still exists: it is not reported as removed
    expect(sink.removed).toEqual([]);
  });

  it('does not follow symlinks that leave the logdir', async () => {
    const dir = await tempDir();
    const outside = await tempDir();
    await copyFile(KATIB_TRAIN, path.join(outside, 'events.out.tfevents.1.out'));
    await symlink(outside, path.join(dir, 'escape'));
    await symlink(path.join(outside, 'events.out.tfevents.1.out'), path.join(dir, 'events.out.tfevents.link'));
    // a symlink that stays inside is fine
    await mkdir(path.join(dir, 'real'));
    await copyFile(KATIB_TEST, path.join(dir, 'real/events.out.tfevents.1.in'));
    await mkdir(path.join(dir, 'alias'));
    await symlink(path.join(dir, 'real/events.out.tfevents.1.in'), path.join(dir, 'alias/events.out.tfevents.1.in'));
    const sink = new Sink();
    await startWatcher(dir, sink);
    expect(new Set(sink.runs)).toEqual(new Set(['real', 'alias']));
    expect(sink.records.has('escape')).toBe(false);
    expect(sink.records.has('.')).toBe(false);
    expect(sink.keys('alias')).toEqual(await expected(KATIB_TEST));
    expect(sink.warnings.filter(([, m]) => /outside the logdir/.test(m))).toHaveLength(2);
    // still not followed on later polls, and warned only once each
    await appendFile(path.join(outside, 'events.out.tfevents.1.out'), await readFile(KATIB_TRAIN));
    await sleep(300);
    expect(sink.records.has('escape')).toBe(false);
    expect(sink.warnings.filter(([, m]) => /outside the logdir/.test(m))).toHaveLength(2);
  });

  it('turns corrupted and unreadable files into warnings, not crashes', async () => {
    const dir = await tempDir();
    const good = await readFile(STRICT1);
    await mkdir(path.join(dir, 'bad'));
    // garbage bytes: bad length CRC at offset 0
    await writeFile(path.join(dir, 'bad/events.out.tfevents.1.garbage'), Buffer.from('this is not a tfrecord file at all, sorry'));
    // a flipped byte inside a later record's length field
    const flipped = Buffer.from(good);
    flipped[2000] ^= 0xff;
    await writeFile(path.join(dir, 'bad/events.out.tfevents.2.flipped'), flipped);
    // a dangling symlink named like an event file
    await symlink(path.join(dir, 'nope'), path.join(dir, 'bad/events.out.tfevents.3.dangling'));
    await mkdir(path.join(dir, 'ok'));
    await writeFile(path.join(dir, 'ok/events.out.tfevents.1.good'), good);
    const sink = new Sink();
    await startWatcher(dir, sink);
    expect(sink.keys('ok')).toEqual(await expected(STRICT1));
    const badWarnings = sink.warnings.filter(([run]) => run === 'bad').map(([, m]) => m);
    expect(badWarnings.some((m) => m.includes('garbage'))).toBe(true);
    expect(badWarnings.some((m) => m.includes('flipped'))).toBe(true);
    expect(badWarnings.some((m) => m.includes('dangling'))).toBe(true);
    // records before the damage in the flipped file still arrive
    expect((sink.records.get('bad') ?? []).length).toBeGreaterThan(0);
    // warnings are not repeated on every poll
    const n = sink.warnings.length;
    await sleep(400);
    expect(sink.warnings.length).toBe(n);
  });

  it('waits quietly for a record longer than the newest file so far; calls it corrupt once a newer file exists', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'run'));
    const first = path.join(dir, 'run/events.out.tfevents.1.a');
    const head = encodeRecord(encodeEvent({ wall_time: 1, step: 0, summary: { value: [{ tag: 'x', simple_value: 1 }] } }));
    const claim = encodeRecord(new Uint8Array(100_000)).subarray(0, 12); // a header claiming 100 kB that never come
    await writeFile(first, Buffer.concat([head, claim, Buffer.alloc(50)]));
    const sink = new Sink();
    await startWatcher(dir, sink);
    await waitFor(() => (sink.records.get('run') ?? []).length === 1, 'first record');
    await sleep(300);
    expect(sink.warnings).toEqual([]); // the newest file may still be being written
    await writeFile(path.join(dir, 'run/events.out.tfevents.2.b'), encodeRecord(encodeEvent({ wall_time: 2, step: 1, summary: { value: [{ tag: 'x', simple_value: 2 }] } })));
    await waitFor(() => sink.warnings.length > 0, 'corruption warning');
    expect(sink.warnings).toEqual([
      ['run', `${await realpath(first)}: truncated at offset ${head.length} (record cut short (needs 100016 bytes, 62 in the file) at the end of a file no longer written to); later records not read`],
    ]);
    await waitFor(() => (sink.records.get('run') ?? []).length === 2, 'record of the newer file');
    await sleep(300);
    expect(sink.warnings).toHaveLength(1);
  });

  it('reports a run whose directory vanished and stops after stop()', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'gone'));
    await copyFile(KATIB_TRAIN, path.join(dir, 'gone/events.out.tfevents.1.x'));
    await mkdir(path.join(dir, 'stay'));
    await copyFile(KATIB_TEST, path.join(dir, 'stay/events.out.tfevents.1.x'));
    const sink = new Sink();
    const w = await startWatcher(dir, sink);
    expect(new Set(sink.runs)).toEqual(new Set(['gone', 'stay']));
    await rm(path.join(dir, 'gone'), { recursive: true });
    await waitFor(() => sink.removed.includes('gone'), 'run removal');
    expect(sink.removed).toEqual(['gone']);
    expect(w.runs()).toEqual(['stay']);
    await w.stop();
    await mkdir(path.join(dir, 'late'));
    await copyFile(KATIB_TEST, path.join(dir, 'late/events.out.tfevents.1.x'));
    await sleep(300);
    expect(sink.runs).not.toContain('late');
  });

  it('puts a tag\'s display name and description (first metadata) on its first record', async () => {
    const dir = await tempDir();
    const ev = (step: number, withMeta: boolean) =>
      encodeRecord(
        encodeEvent({
          wall_time: 100 + step,
          step,
          summary: {
            value: [
              {
                tag: 'acc',
                simple_value: step / 10,
                ...(withMeta ? { metadata: { display_name: 'Accuracy', summary_description: 'on the test set', plugin_data: { plugin_name: 'scalars' } } } : {}),
              },
            ],
          },
        }),
      );
    await writeFile(path.join(dir, 'events.out.tfevents.1.meta'), Buffer.concat([ev(1, true), ev(2, false), ev(3, false)]));
    const sink = new Sink();
    const store = new SeriesStore();
    const w = new LogdirWatcher(dir, { reloadIntervalSec: 0.1, ...sink.on, onRecords: (run, recs) => store.ingest(run, recs) });
    cleanup.push(() => w.stop());
    await w.start();
    expect(store.scalars('.', 'acc').map((t) => t[1])).toEqual([1, 2, 3]);
    expect(store.tagInfo('.', 'acc')).toEqual({ displayName: 'Accuracy', description: 'on the test set' });
  });
});
