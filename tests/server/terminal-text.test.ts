// Names from logdirs and clients reach the terminal escaped: no raw ESC/CSI/bidi control gets printed.
import { describe, expect, it, vi } from 'vitest';
import { consoleLogger } from '../../server/config.ts';
import { runExport } from '../../server/cli/export.ts';
import { terminalSafe } from '../../server/terminal-text.ts';
import { EventWriter } from '../../server/logs/event-writer.ts';
import path from 'node:path';
import { removeDir, tempDir } from './helpers.ts';

const RAW = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('terminalSafe', () => {
  it('escapes C0/C1 controls, DEL, newlines and bidi overrides; keeps text, tabs and other Unicode', () => {
    expect(terminalSafe('run \u001b[2J\u001b]0;pwned\u0007 done')).toBe('run \\x1b[2J\\x1b]0;pwned\\x07 done');
    expect(terminalSafe('a\u009b31mb\u007fc')).toBe('a\\x9b31mb\\x7fc');
    expect(terminalSafe('x\u202eevil\u2066')).toBe('x\\u202eevil\\u2066');
    expect(terminalSafe('line1\r\nforged')).toBe('line1\\r\\nforged');
    expect(terminalSafe('tab\there, ünïcödé 日本 😀')).toBe('tab\there, ünïcödé 日本 😀');
    expect(terminalSafe('stack\n  at x\u001b', true)).toBe('stack\n  at x\\x1b');
  });

  it('the console logger prints warnings escaped', () => {
    const spy = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      consoleLogger.warn('[run \u001b[31mred] bad tag "\u001b]52;c;ZWNobyBoaQ==\u0007"');
      expect(spy).toHaveBeenCalledTimes(1);
      const printed = String(spy.mock.calls[0][0]);
      expect(printed).not.toMatch(RAW);
      expect(printed).toBe('[run \\x1b[31mred] bad tag "\\x1b]52;c;ZWNobyBoaQ==\\x07"');
    } finally {
      spy.mockRestore();
    }
  });

  it('`trainscope export` warnings about a run dir with escapes in its name are escaped', async () => {
    const dir = await tempDir();
    try {
      const run = 'evil\u001b[2J\u001b]0;title\u0007';
      const w = await EventWriter.open(path.join(dir, run));
      w.scalar('x', 1, 1, 1000);
      await w.close();
      const { appendFile, readdir } = await import('node:fs/promises');
      const file = (await readdir(path.join(dir, run)))[0];
      await appendFile(path.join(dir, run, file), Buffer.from([1, 2, 3])); // a cut-short record: one warning
      let err = '';
      const sink = (s: (t: string) => void) => ({ write: (t: string, cb?: (e?: Error) => void) => (s(t), cb?.(), true) }) as unknown as NodeJS.WritableStream;
      const code = await runExport(dir, sink(() => {}), sink((t) => (err += t)));
      expect(code).toBe(0);
      expect(err).toContain('warning [run evil\\x1b[2J\\x1b]0;title\\x07]');
      expect(err.replace(/\n/g, '')).not.toMatch(RAW);
    } finally {
      await removeDir(dir);
    }
  });
});
