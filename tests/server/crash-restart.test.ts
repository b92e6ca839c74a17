// Fault: the server is killed (SIGKILL) mid-training and started again on the same logdir. With real
// processes: every record written before the kill reads back with valid checksums, the run that was
// training is listed as interrupted (not running forever), and another run in the logdir is untouched.
import { appendFile, copyFile, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogRecord } from '../../server/logs/records.ts';
import { readEventFile } from '../../server/logs/event-file-reader.ts';
import { parseOwnWriter } from '../../server/logs/own-writer.ts';
import { encodeScalarEvent } from '../../server/logs/event-encode.ts';
import { encodeRecord, scanRecords } from '../../server/logs/tfrecord.ts';
import { corpusFile } from '../logs/corpus-files.ts';
import { removeDir, request, tempDir } from './helpers.ts';
import { eventually, killHard, runsOverHttp, runsOverSocket, socketTo, startServerProcess, type ServerProcess } from './server-process.ts';

const servers: ServerProcess[] = [];
let dir: string | undefined;
afterAll(async () => {
  for (const s of servers) await killHard(s);
  if (dir) await removeDir(dir);
});

function lossTag(r: { records: LogRecord[] }): string {
  const s = r.records.find((x) => x.kind === 'scalar' && x.tag.includes('loss'));
  if (s?.kind !== 'scalar') throw new Error('no loss scalar read back');
  return s.tag;
}

async function eventFileOf(runDir: string): Promise<string | undefined> {
  const files = await readdir(runDir).catch(() => [] as string[]);
  const f = files.find((x) => x.startsWith('events.out.tfevents.'));
  return f && path.join(runDir, f);
}

describe('kill -9 mid-training, then restart', () => {
  it('keeps every record written, and shows the run as interrupted', { timeout: 300_000 }, async () => {
    dir = await tempDir('ts-crash-');
    // Another tool's run, already there: must come through untouched (and not be labelled).
    const foreign = corpusFile('Alwaysproblem', 'logs/hparam_tuning/run-0');
    await mkdir(path.join(dir, 'keras-run'));
    const foreignCopy = path.join(dir, 'keras-run', path.basename(foreign));
    await copyFile(foreign, foreignCopy);

    const first = await startServerProcess(dir);
    servers.push(first);
    const c = await socketTo(first.url);
    const started = await request<{ runs: string[] }>(c, 'train:start', {
      dataset: 'spiral', samples: 2000, activations: ['tanh'], layers: [8, 8], learningRate: 0.05,
      batchSize: 8, epochs: 1000, summaryEvery: 2, name: 'doomed', // 250k iterations: far longer than the test waits
    });
    if (!started.ok) throw new Error(started.error);
    const runDir = path.join(dir, 'doomed');

    // Wait until it has flushed a good number of records to disk, and is still running.
    const file = await eventually(async () => {
      const f = await eventFileOf(runDir);
      return f && (await stat(f)).size > 40_000 ? f : undefined;
    }, 180_000, 'the run to write 40 KB of records');
    const before = (await runsOverSocket(c)).find((r) => r.name === 'doomed');
    expect(before?.status?.state).toBe('running');
    c.disconnect();

    await killHard(first);
    expect((await first.exited).signal).toBe('SIGKILL');

    // Every whole record has valid checksums (strict scan: a bad data CRC would show as bad_data_crc);
    // at most the last one is cut short, and the reader skips it with a warning instead of failing.
    const bytes = await readFile(file);
    const scan = scanRecords(bytes, { lenient: false });
    expect(scan.frames.filter((f) => f.kind === 'bad_data_crc')).toEqual([]);
    expect(scan.truncatedReason === undefined || scan.truncatedReason !== 'bad length CRC').toBe(true);
    if (scan.truncatedAt !== null) expect(bytes.length - scan.truncatedAt).toBeLessThan(1 << 20); // only the tail
    const read = await readEventFile(file);
    expect(read.records.length).toBeGreaterThan(0);
    expect(read.warnings.filter((w) => !/truncated at offset \d+ \(last record cut short\b/.test(w))).toEqual([]);
    expect(read.warnings.length).toBe(scan.truncatedAt === null ? 0 : 1);
    const writer = read.records.find((r) => r.kind === 'meta' && r.what === 'source_metadata');
    expect(writer?.kind === 'meta' && parseOwnWriter(writer.detail)?.pid).toBe(first.child.pid);
    const parts = read.records.filter((r) => r.kind === 'hparams').map((r) => (r.kind === 'hparams' ? r.part : ''));
    expect(parts).toContain('session_start');
    expect(parts).not.toContain('session_end');
    const lossSteps = read.records.filter((r) => r.kind === 'scalar' && r.tag.includes('loss')).map((r) => r.step);
    expect(lossSteps.length).toBeGreaterThan(5);

    // A kill can also cut a write short. Make sure of such a torn last record: it is skipped with a warning.
    if (scan.truncatedAt === null) await appendFile(file, encodeRecord(encodeScalarEvent(lossTag(read), 1, 1e6, 0)).subarray(0, 30));
    const reread = await readEventFile(file);
    expect(reread.records.length).toBe(read.records.length);
    expect(reread.warnings).toHaveLength(1);
    expect(reread.warnings[0]).toMatch(/truncated at offset \d+ \(last record cut short\b/);

    // Restart on the same logdir: the run is listed as interrupted, over HTTP and the socket.
    const second = await startServerProcess(dir);
    servers.push(second);
    const doomed = await eventually(async () => {
      const r = (await runsOverHttp(second.url)).find((x) => x.name === 'doomed');
      return r?.status ? r : undefined;
    }, 60_000, 'the restarted server to list the run with a status');
    expect(doomed.source).toBe('disk');
    expect(doomed.status?.state).toBe('interrupted');
    expect(doomed.status?.error).toMatch(/no session end.*killed, crashed/);
    const c2 = await socketTo(second.url);
    const overSocket = await runsOverSocket(c2);
    expect(overSocket.find((r) => r.name === 'doomed')?.status?.state).toBe('interrupted');
    const names = (await (await fetch(`${second.url}/data/runs`)).json()) as string[];
    expect(names).toEqual(expect.arrayContaining(['doomed', 'keras-run']));

    // The restarted server serves what was written before the kill: the same loss points.
    const tag = { tag: lossTag(read) };
    const served = await eventually(async () => {
      const res = await fetch(`${second.url}/data/plugin/scalars/scalars?run=doomed&tag=${encodeURIComponent(tag.tag)}`);
      if (!res.ok) return undefined;
      const pts = (await res.json()) as [number, number, number][];
      return pts.length > 0 ? pts : undefined;
    }, 60_000, 'scalars of the interrupted run');
    const wanted = read.records.filter((r) => r.kind === 'scalar' && r.tag === tag.tag).map((r) => r.step);
    expect(served.map((p) => p[1])).toEqual(wanted);

    // The other tool's run: byte-identical, listed, and not called interrupted though its session never ended.
    expect(Buffer.compare(await readFile(foreignCopy), await readFile(foreign))).toBe(0);
    expect(overSocket.find((r) => r.name === 'keras-run')?.status).toBeUndefined();

    // The restarted server trains again in the same logdir (a new name: the old run keeps its folder).
    const again = await request<{ runs: string[] }>(c2, 'train:start', {
      dataset: 'xor', samples: 64, activations: ['relu'], layers: [4], learningRate: 0.05, batchSize: 16, epochs: 2, summaryEvery: 5, name: 'doomed',
    });
    if (!again.ok) throw new Error(again.error);
    expect(again.data.runs).toEqual(['doomed-2']);
    const state = await eventually(async () => {
      const r = (await runsOverSocket(c2)).find((x) => x.name === 'doomed-2')?.status?.state;
      return r === 'finished' || r === 'failed' || r === 'stopped' ? r : undefined;
    }, 120_000, 'the new run to end');
    expect(state).toBe('finished');
    c2.disconnect();
    await killHard(second);
  });
});
