// Fault: the logdir's disk fills up during a run. With a real server process and a real full filesystem
// (a 2 MiB tmpfs: CI runs as root): the run that hits it fails at once with "disk full (ENOSPC) writing
// <file>", the server keeps serving HTTP and the socket, and the runs already on that disk are intact.
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunInfo } from '../../shared/types.ts';
import { readEventFile } from '../../server/logs/event-file-reader.ts';
import { scanRecords } from '../../server/logs/tfrecord.ts';
import { corpusFile } from '../logs/corpus-files.ts';
import { removeDir, request, sleep, tempDir, type Client } from './helpers.ts';
import { eventually, killHard, runsOverHttp, runsOverSocket, socketTo, startServerProcess, type ServerProcess } from './server-process.ts';

let root: string | undefined;
let mnt: string | undefined;
let mounted = false;
let server: ServerProcess | undefined;

/** Unmounts even when the test failed half-way (the server, which may hold files open, is killed first). */
afterAll(async () => {
  if (server) await killHard(server);
  if (mounted && mnt) {
    for (let i = 0; i < 20 && mounted; i++) {
      try {
        execFileSync('umount', [mnt], { stdio: 'pipe' });
        mounted = false;
      } catch {
        await sleep(250);
      }
    }
    if (mounted) execFileSync('umount', ['-l', mnt], { stdio: 'pipe' }); // lazy: detach now, free when unused
  }
  if (root) await removeDir(root);
}, 60_000);

const ended = (s: string | undefined) => s === 'finished' || s === 'failed' || s === 'stopped';

async function finalStatus(c: Client, run: string, timeoutMs: number): Promise<RunInfo> {
  return eventually(async () => {
    const r = (await runsOverSocket(c)).find((x) => x.name === run);
    return r && ended(r.status?.state) ? r : undefined;
  }, timeoutMs, `run "${run}" to end`);
}

async function eventFile(runDir: string): Promise<string> {
  const f = (await readdir(runDir)).find((x) => x.startsWith('events.out.tfevents.'));
  if (!f) throw new Error(`no event file in ${runDir}`);
  return path.join(runDir, f);
}

describe('a full disk', () => {
  it('fails the run that hits it with a clear error; the server and other runs are fine', { timeout: 600_000 }, async () => {
    root = await tempDir('ts-diskfull-');
    mnt = path.join(root, 'logs');
    await mkdir(mnt);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt], { stdio: 'pipe' });
    } catch (e) {
      throw new Error(`this test mounts a 2 MiB tmpfs and needs root (CI runs as root): ${(e as Error).message}`);
    }
    mounted = true;

    // Already on the disk: another tool's run.
    const foreign = corpusFile('janosh', 'strict', 'run_1');
    await mkdir(path.join(mnt, 'pytorch-run'));
    const foreignCopy = path.join(mnt, 'pytorch-run', path.basename(foreign));
    await copyFile(foreign, foreignCopy);

    // No disk budgets: this test is about the disk itself running out (budgets are tested in disk-budget.test.ts).
    server = await startServerProcess(mnt, ['--max-runs', '1', '--max-run-bytes', 'unlimited', '--max-logdir-bytes', 'unlimited']);
    const c = await socketTo(server.url);

    // A small run of ours that finishes while there is room.
    const small = await request<{ runs: string[] }>(c, 'train:start', {
      dataset: 'xor', samples: 64, activations: ['relu'], layers: [4], learningRate: 0.05, batchSize: 16, epochs: 3, summaryEvery: 4, name: 'small',
    });
    if (!small.ok) throw new Error(small.error);
    expect((await finalStatus(c, 'small', 120_000)).status?.state).toBe('finished');
    const smallFile = await eventFile(path.join(mnt, 'small'));
    const smallBytes = await readFile(smallFile);

    // A big run: histograms of wide layers every iteration, far more than 2 MiB.
    const big = await request<{ runs: string[] }>(c, 'train:start', {
      dataset: 'spiral', samples: 2000, activations: ['tanh'], layers: [64, 64], learningRate: 0.05, batchSize: 8, epochs: 1000, summaryEvery: 1, name: 'big',
    });
    if (!big.ok) throw new Error(big.error);
    const bigInfo = await finalStatus(c, 'big', 240_000);
    expect(bigInfo.status?.state).toBe('failed');
    expect(bigInfo.status?.error).toMatch(/^run "big": disk full \(ENOSPC\) writing .*big\/events\.out\.tfevents\./);
    expect(server.alive()).toBe(true);
    const said = bigInfo.status!.error!;
    await eventually(async () => (server!.output().includes(said) ? true : undefined), 30_000, 'the console to say why the run failed');

    // The server still serves: HTTP and the socket.
    const names = (await (await fetch(`${server.url}/data/runs`)).json()) as string[];
    expect(names).toEqual(expect.arrayContaining(['small', 'big', 'pytorch-run']));
    const overHttp = await runsOverHttp(server.url);
    expect(overHttp.find((r) => r.name === 'big')?.status?.state).toBe('failed');
    expect(overHttp.find((r) => r.name === 'small')?.status?.state).toBe('finished');
    const scalarsRes = await fetch(`${server.url}/data/plugin/scalars/tags?run=pytorch-run`);
    expect(scalarsRes.status).toBe(200);

    // What the big run got onto the disk is readable: whole records with valid checksums, at most a torn tail.
    const bigBytes = await readFile(await eventFile(path.join(mnt, 'big')));
    expect(bigBytes.length).toBeGreaterThan(100_000);
    const scan = scanRecords(bigBytes, { lenient: false });
    expect(scan.frames.filter((f) => f.kind === 'bad_data_crc')).toEqual([]);
    const read = await readEventFile(path.join(mnt, 'big', path.basename(await eventFile(path.join(mnt, 'big')))));
    expect(read.records.some((r) => r.kind === 'histogram')).toBe(true);
    expect(read.warnings.filter((w) => !/truncated at offset \d+ \(last record cut short\b/.test(w))).toEqual([]);

    // The others are intact, byte for byte.
    expect(Buffer.compare(await readFile(smallFile), smallBytes)).toBe(0);
    expect(Buffer.compare(await readFile(foreignCopy), await readFile(foreign))).toBe(0);

    // Still full: a new run fails the same clear way, and the server is still up afterwards.
    const next = await request<{ runs: string[] }>(c, 'train:start', {
      dataset: 'xor', samples: 64, activations: ['relu'], layers: [4], learningRate: 0.05, batchSize: 16, epochs: 50, summaryEvery: 1, name: 'next',
    });
    if (!next.ok) throw new Error(next.error);
    const nextInfo = await finalStatus(c, 'next', 120_000);
    expect(nextInfo.status?.state).toBe('failed');
    expect(nextInfo.status?.error).toMatch(/disk full \(ENOSPC\)/);
    expect(server.alive()).toBe(true);
    expect((await fetch(`${server.url}/api/status`)).status).toBe(200);
    c.disconnect();
  });
});
