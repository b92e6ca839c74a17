import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunStatus } from '../../shared/types.ts';
import { readEventFile } from '../../server/logs/event-file-reader.ts';
import { formatBar, formatDuration, formatProgressLine, formatTable, ProgressView } from '../../server/cli/progress.ts';
import { parseTrainOptions, registerTrainCommand, runTrainCommand, type TrainCommandOptions } from '../../server/cli/train.ts';

class Capture {
  text = '';
  constructor(readonly isTTY: boolean) {}
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'trainscope-cli-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const TINY: TrainCommandOptions = { dataset: 'spiral', layers: '6', epochs: '1', batchSize: '32', samples: '96', lr: '0.01', seed: '1', backend: 'wasm' };

function eventFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.includes('tfevents')).map((f) => path.join(dir, f));
}

describe('progress formatting (pure)', () => {
  it('formats durations, bars and tables', () => {
    expect(formatDuration(5.4)).toBe('5s');
    expect(formatDuration(125)).toBe('2m05s');
    expect(formatDuration(3 * 3600 + 60)).toBe('3h01m');
    expect(formatDuration(null)).toBe('--');
    expect(formatBar(0.5, 10)).toBe('[#####-----]');
    expect(formatBar(2, 4)).toBe('[####]');
    expect(formatTable(['a', 'num'], [['relu', '1.5'], ['sigmoid', '10.25']])).toBe(
      'a          num\n-------  -----\nrelu       1.5\nsigmoid  10.25\n',
    );
  });

  it('shows epoch, iteration, loss and ETA of a running run', () => {
    const st: RunStatus = { state: 'running', progress: { epoch: 2, epochs: 4, iteration: 30, iterationsPerEpoch: 20, etaSec: 12, loss: 0.5 } };
    expect(formatProgressLine('relu', st, 6)).toBe('relu   [########------------]  37% epoch 2/4 iter 30/80 loss 0.5000 ETA 12s');
    expect(formatProgressLine('tanh', { state: 'queued' }, 6)).toBe('tanh   queued');
    expect(formatProgressLine('x', { state: 'failed', error: 'boom' }, 1)).toMatch(/failed: boom$/);
  });

  it('redraws in place on a TTY and prints plain lines otherwise', () => {
    const runs = [{ name: 's/relu', label: 'relu' }, { name: 's/tanh', label: 'tanh' }];
    const tty = new Capture(true);
    const v = new ProgressView(tty, runs, { redrawMs: 0 });
    v.update({ name: 's/relu', source: 'trainer', group: 's', status: { state: 'running' } });
    v.update({ name: 's/tanh', source: 'trainer', group: 's', status: { state: 'running' } });
    v.finish();
    expect(tty.text).toContain('\x1b[2A'); // cursor back up over the two bars
    const plain = new Capture(false);
    const p = new ProgressView(plain, runs);
    p.update({ name: 's/relu', source: 'trainer', group: 's', status: { state: 'running' } });
    p.update({ name: 's/relu', source: 'trainer', group: 's', status: { state: 'running' } }); // no change: no line
    p.update({ name: 's/relu', source: 'trainer', group: 's', status: { state: 'finished' } });
    p.finish();
    expect(plain.text).not.toContain('\x1b');
    expect(plain.text.trim().split('\n')).toHaveLength(2);
  });
});

describe('trainscope train', () => {
  it('rejects bad options with readable errors and exit code 2', async () => {
    const bad = parseTrainOptions({ epochs: 'abc', activation: 'relu,nope', backend: 'tpu', layers: '8,x' });
    expect(bad.ok).toBe(false);
    const errors = bad.ok ? [] : bad.errors.join('\n');
    expect(errors).toMatch(/--epochs: "abc" is not a number/);
    expect(errors).toMatch(/--layers: "x" is not a number/);
    expect(errors).toMatch(/--backend: "tpu"/);
    const zodBad = parseTrainOptions({ activation: 'relu,nope', lr: '-1', name: '../up' });
    const zodErrors = zodBad.ok ? '' : zodBad.errors.join('\n');
    expect(zodErrors).toMatch(/--activation/);
    expect(zodErrors).toMatch(/--lr/);
    expect(zodErrors).toMatch(/--name/);
    const pace = parseTrainOptions({ activation: 'relu', maxItersPerSec: '0' });
    expect(pace.ok ? '' : pace.errors.join('\n')).toMatch(/--max-iters-per-sec/);
    const paced = parseTrainOptions({ activation: 'relu', maxItersPerSec: '250' });
    expect(paced.ok && paced.value.request.maxItersPerSec).toBe(250);
    const err = new Capture(false);
    expect(await runTrainCommand({ ...TINY, batchSize: '0', logdir: tmp, stdout: new Capture(false), stderr: err })).toBe(2);
    expect(err.text).toMatch(/--batch-size/);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('trains a 2-activation sweep into <logdir>/<activation> and prints a table', async () => {
    const logdir = path.join(tmp, 'demo');
    const out = new Capture(false);
    const err = new Capture(false);
    const code = await runTrainCommand({ ...TINY, activation: 'relu,tanh', logdir, stdout: out, stderr: err });
    expect(err.text).toBe('');
    expect(code).toBe(0);
    expect(out.text).toMatch(/^training backend: wasm$/m);
    const table = out.text.slice(out.text.indexOf('activation'));
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^activation\s+loss\s+val accuracy\s+time\s+status$/);
    for (const act of ['relu', 'tanh']) {
      const row = lines.find((l) => l.startsWith(act + ' '));
      expect(row).toMatch(new RegExp(`^${act}\\s+\\d+\\.\\d{4}\\s+\\d\\.\\d{4}\\s+\\d+s\\s+finished$`));
      const files = eventFiles(path.join(logdir, act));
      expect(files).toHaveLength(1);
      const { records } = await readEventFile(files[0]);
      // 96 samples (some held out) in batches of 32, 1 epoch: the loss logged at every iteration.
      const losses = records.filter((r) => r.kind === 'scalar' && r.tag === 'train/loss');
      expect(losses.length).toBeGreaterThan(0);
      const row_loss = Number(row!.split(/\s+/)[1]);
      expect(Number.isFinite(row_loss)).toBe(true);
      const hp = records.find((r) => r.kind === 'hparams' && r.part === 'session_start');
      expect(hp && hp.kind === 'hparams' && hp.hparams).toMatchObject({ activation: act, backend: 'wasm' });
    }
    // Plain (non-TTY) progress lines: one per state change of each run, no escape codes.
    expect(out.text).not.toContain('\x1b');
    expect(out.text).toMatch(/^relu\s+\[#+\] 100% epoch 1\/1 .* finished$/m);
  });

  it('puts a named sweep under <logdir>/<name>/ and a named single run at <logdir>/<name>', async () => {
    const logdir = path.join(tmp, 'named');
    const out = new Capture(false);
    expect(await runTrainCommand({ ...TINY, activation: 'relu,sigmoid', name: 'cmp', logdir, stdout: out, stderr: out })).toBe(0);
    expect(eventFiles(path.join(logdir, 'cmp', 'relu'))).toHaveLength(1);
    expect(eventFiles(path.join(logdir, 'cmp', 'sigmoid'))).toHaveLength(1);
    expect(await runTrainCommand({ ...TINY, activation: 'tanh', name: 'solo', logdir, stdout: out, stderr: out })).toBe(0);
    expect(eventFiles(path.join(logdir, 'solo'))).toHaveLength(1);
  });

  it('registers a commander "train" command with the documented options', () => {
    const program = new Command();
    registerTrainCommand(program);
    const cmd = program.commands.find((c) => c.name() === 'train')!;
    const flags = cmd.options.map((o) => o.long);
    for (const f of ['--dataset', '--activation', '--layers', '--epochs', '--batch-size', '--lr', '--logdir', '--seed', '--optimizer', '--dropout', '--batch-norm', '--noise', '--samples', '--summary-every', '--max-iters-per-sec', '--backend', '--max-runs', '--name']) {
      expect(flags).toContain(f);
    }
  });
});
