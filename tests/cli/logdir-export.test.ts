import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { runExport, startsLikeTfrecord } from '../../server/cli/export.ts';
import { ensureLogdir } from '../../server/logs/ensure-logdir.ts';
import { encodeRecord } from '../../server/logs/tfrecord.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'trainscope.mjs');
const EVENT_FILE = path.join(
  ROOT, '..', 'shared', 'corpus', 'tfevents',
  'Alwaysproblem__tensorboard-review/logs/hparam_tuning/run-0/events.out.tfevents.1585792155.ezio-virtual-machine.128712.150258.v2',
);

class Capture {
  text = '';
  write(s: string, cb?: (e?: Error | null) => void): boolean {
    this.text += s;
    cb?.(null);
    return true;
  }
}

/** Runs the real CLI; resolves with its exit code and output (never rejects on a non-zero exit). */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, ['--import', 'tsx', BIN, ...args], { cwd: ROOT, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'trainscope-logdir-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('--logdir', () => {
  it('says that a missing logdir was created', async () => {
    const dir = path.join(tmp, 'typo', 'runs');
    const warnings: string[] = [];
    const app = await createApp({
      logdir: dir, port: 0, training: false, webDir: '/nonexistent-web-dir',
      logger: { log() {}, warn: (m) => warnings.push(m), error() {} },
    });
    try {
      expect((await stat(dir)).isDirectory()).toBe(true);
      expect(warnings.join('\n')).toMatch(new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} did not exist and was created`));
    } finally {
      await app.close();
    }
    // An existing one is not mentioned.
    expect(await ensureLogdir(dir)).toEqual({ created: false });
  });

  it('refuses a file with a plain message (not a raw EEXIST)', async () => {
    const file = path.join(tmp, 'not-a-dir.txt');
    await writeFile(file, 'x');
    await expect(ensureLogdir(file)).rejects.toThrow(/is a file, not a directory/);
    await expect(ensureLogdir(path.join(file, 'below'))).rejects.toThrow(/cannot be created \(a part of its path is a file\)/);
    const r = await cli(['serve', '--logdir', file, '--port', '0', '--no-training']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is a file, not a directory/);
    expect(r.stderr).not.toMatch(/EEXIST/);
  });
});

describe('export', () => {
  it('recognizes a TFRecord header', () => {
    const rec = encodeRecord(new Uint8Array([1, 2, 3]));
    expect(startsLikeTfrecord(rec.subarray(0, 12))).toBe(true);
    expect(startsLikeTfrecord(new Uint8Array(0))).toBe(true);
    expect(startsLikeTfrecord(new TextEncoder().encode('hello world, no header'))).toBe(false);
    expect(startsLikeTfrecord(new Uint8Array([1, 2, 3]))).toBe(false);
  });

  it('exits non-zero and says so for a file that is not a tfevents file', async () => {
    const file = path.join(tmp, 'notes.txt');
    await writeFile(file, 'these are my notes, not an event file\n');
    const out = new Capture();
    const err = new Capture();
    expect(await runExport(file, out as unknown as NodeJS.WritableStream, err as unknown as NodeJS.WritableStream)).toBe(1);
    expect(err.text).toMatch(/is not a tfevents file/);
    expect(err.text).not.toMatch(/CRC/);
    expect(out.text).toBe('');
    const r = await cli(['export', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/notes\.txt is not a tfevents file/);
  });

  it('still exports a real event file and a logdir', async () => {
    const out = new Capture();
    const err = new Capture();
    expect(await runExport(EVENT_FILE, out as unknown as NodeJS.WritableStream, err as unknown as NodeJS.WritableStream)).toBe(0);
    expect(Object.keys(JSON.parse(out.text).runs)).toEqual(['.']);
    const dir = path.join(tmp, 'empty-logdir');
    await mkdir(dir);
    const out2 = new Capture();
    expect(await runExport(dir, out2 as unknown as NodeJS.WritableStream, err as unknown as NodeJS.WritableStream)).toBe(0);
  });
});
