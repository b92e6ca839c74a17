// The status of a run read from disk: pure derivation (who wrote the log, did its session end, is the
// writer alive) and the same on real files: one of ours left unfinished, and other tools' logs.
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EventWriter } from '../../server/logs/event-writer.ts';
import { readEventFile } from '../../server/logs/event-file-reader.ts';
import { hostTag, isOwnWriter, ownWriterName, parseOwnWriter, writeErrorMessage } from '../../server/logs/own-writer.ts';
import { INTERRUPTED_MESSAGE, loggedRunStatus, writerState, type Here } from '../../server/live/disk-run-status.ts';
import { RunsService } from '../../server/live/runs-service.ts';
import { SeriesStore } from '../../server/store/series-store.ts';
import { corpusFile } from '../logs/corpus-files.ts';
import { removeDir, tempDir } from './helpers.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await removeDir(d);
});

const ours = ownWriterName(4242, 'box one');
const here = (over: Partial<Here> = {}): Here => ({ pid: 100, host: 'box_one', trainingIt: false, isAlive: () => false, ...over });

describe('own writer name', () => {
  it('round-trips pid and host; other writers are not ours', () => {
    expect(parseOwnWriter(ours)).toEqual({ pid: 4242, host: 'box_one' });
    expect(isOwnWriter(ours)).toBe(true);
    expect(isOwnWriter('trainscope.event_writer')).toBe(true);
    expect(parseOwnWriter('trainscope.event_writer')).toBeNull();
    for (const w of ['tensorflow.core.util.events_writer', 'tensorboard.summary.writer.event_file_writer', '', undefined]) {
      expect(isOwnWriter(w)).toBe(false);
      expect(parseOwnWriter(w)).toBeNull();
    }
    expect(parseOwnWriter('trainscope.event_writer pid=0 host=x')).toBeNull();
  });

  it('says "disk full" for ENOSPC, with the file', () => {
    const e = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    expect(writeErrorMessage(e, '/l/run/events.x')).toBe('disk full (ENOSPC) writing /l/run/events.x');
    expect(writeErrorMessage(Object.assign(new Error('boom'), { code: 'EIO' }), '/f')).toMatch(/^write failed writing \/f \(boom\)$/);
  });
});

describe('writerState', () => {
  it('is writing for a live process on this host, gone for a dead one, unknown elsewhere', () => {
    expect(writerState(ours, here({ isAlive: (p) => p === 4242 }))).toBe('writing');
    expect(writerState(ours, here())).toBe('gone');
    expect(writerState(ours, here({ host: 'other' }))).toBe('unknown');
    expect(writerState('tensorflow.core.util.events_writer', here())).toBe('unknown');
    expect(writerState(undefined, here())).toBe('unknown');
  });

  it('our own pid: writing only while this process trains the run (else an earlier life of the pid)', () => {
    expect(writerState(ours, here({ pid: 4242, trainingIt: true, isAlive: () => true }))).toBe('writing');
    expect(writerState(ours, here({ pid: 4242, trainingIt: false, isAlive: () => true }))).toBe('gone');
  });
});

describe('loggedRunStatus', () => {
  it('our session without an end whose writer is gone: interrupted, with a reason', () => {
    expect(loggedRunStatus({ writer: ours, started: true }, 'gone')).toEqual({ state: 'interrupted', error: INTERRUPTED_MESSAGE });
  });

  it('no claim while the writer may still be writing, or when nothing started', () => {
    expect(loggedRunStatus({ writer: ours, started: true }, 'writing')).toBeUndefined();
    expect(loggedRunStatus({ writer: ours, started: true }, 'unknown')).toBeUndefined();
    expect(loggedRunStatus({ writer: ours, started: false }, 'gone')).toBeUndefined();
  });

  it('our ended sessions map to finished / failed / stopped', () => {
    expect(loggedRunStatus({ writer: ours, started: true, endStatus: 'STATUS_SUCCESS' }, 'gone')).toEqual({ state: 'finished' });
    expect(loggedRunStatus({ writer: ours, started: true, endStatus: 'STATUS_FAILURE' }, 'gone')).toEqual({ state: 'failed' });
    expect(loggedRunStatus({ writer: ours, started: true, endStatus: 'STATUS_UNKNOWN' }, 'gone')).toEqual({ state: 'stopped' });
  });

  it('other tools: no status at all, ended or not (TensorBoard shows unknown)', () => {
    for (const writer of [undefined, 'tensorflow.core.util.events_writer']) {
      expect(loggedRunStatus({ writer, started: true }, 'gone')).toBeUndefined();
      expect(loggedRunStatus({ writer, started: true, endStatus: 'STATUS_SUCCESS' }, 'gone')).toBeUndefined();
    }
  });
});

describe('on real files', () => {
  async function storeOf(run: string, file: string): Promise<SeriesStore> {
    const store = new SeriesStore();
    const r = await readEventFile(file);
    store.ingest(run, r.records);
    return store;
  }

  it('a Keras/TF run with a session start and no end is not labelled', async () => {
    const file = corpusFile('Alwaysproblem', 'logs/hparam_tuning/run-0');
    const store = await storeOf('run-0', file);
    expect(store.sessionInfo('run-0')).toMatchObject({ started: true, endStatus: undefined });
    const runs = new RunsService(store, null, () => false);
    expect(runs.info('run-0')?.status).toBeUndefined();
  });

  it('our run left without a session end: interrupted once its writer is gone, unlabelled while it lives', async () => {
    const dir = await tempDir('ts-status-');
    dirs.push(dir);
    const w = await EventWriter.open(path.join(dir, 'r'));
    w.hparams({ lr: 0.1 }, ['loss']);
    w.scalar('loss', 1, 1);
    await w.close(); // no session end: as if the process died here
    const store = await storeOf('r', w.path);
    const session = store.sessionInfo('r');
    expect(parseOwnWriter(session.writer)).toEqual({ pid: process.pid, host: hostTag(os.hostname()) });
    expect(session).toMatchObject({ started: true, endStatus: undefined });
    // Written by this very process, which does not train it: the pid's earlier life -> interrupted.
    expect(new RunsService(store, null, () => true).info('r')?.status?.state).toBe('interrupted');

    const w2 = await EventWriter.open(path.join(dir, 'r2'));
    w2.hparams({ lr: 0.1 }, ['loss']);
    w2.hparamsEnd('STATUS_SUCCESS');
    await w2.close();
    const store2 = await storeOf('r2', w2.path);
    expect(new RunsService(store2, null, () => false).info('r2')?.status?.state).toBe('finished');
  });
});
