// `trainscope export --workers N`: the worker threads start both from the pre-built bundle and through tsx
// (TRAINSCOPE_BUNDLE=0), and print exactly what the main thread alone prints.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runExport } from '../../server/cli/export.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'trainscope.mjs');
const CORPUS = path.join(ROOT, '..', 'shared', 'corpus', 'tfevents');

class Capture {
  text = '';
  write(s: string | Uint8Array, cb?: (e?: Error | null) => void): boolean {
    this.text += typeof s === 'string' ? s : Buffer.from(s).toString('utf8');
    cb?.(null);
    return true;
  }
}

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, ['--import', 'tsx', BIN, ...args], {
      cwd: ROOT,
      timeout: 180_000,
      maxBuffer: 256 << 20,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

describe('export --workers', () => {
  it('prints the same document and warnings from worker threads (bundle and tsx) as from the main thread', async () => {
    const out = new Capture();
    const err = new Capture();
    const asStream = (c: Capture) => c as unknown as NodeJS.WritableStream;
    expect(await runExport(CORPUS, asStream(out), asStream(err), { workers: 0 })).toBe(0);
    expect(Object.keys(JSON.parse(out.text).runs).length).toBeGreaterThan(5);
    const bundled = await cli(['export', CORPUS, '--workers', '2']);
    expect(bundled.code, bundled.stderr).toBe(0);
    // The bundle was (re)built with the export worker as an entry of its own.
    expect(existsSync(path.join(ROOT, 'dist', 'server', 'export-worker.mjs'))).toBe(true);
    const tsx = await cli(['export', CORPUS, '--workers', '2'], { TRAINSCOPE_BUNDLE: '0' });
    expect(tsx.code, tsx.stderr).toBe(0);
    for (const r of [bundled, tsx]) {
      expect(r.stdout.length).toBe(out.text.length);
      expect(r.stdout === out.text).toBe(true);
      expect(r.stderr).toBe(err.text);
    }
  }, 400_000);

  it('refuses a --workers that is not a whole number', async () => {
    const r = await cli(['export', CORPUS, '--workers', 'two']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--workers must be a whole number/);
    expect(r.stdout).toBe('');
  }, 120_000);
});
