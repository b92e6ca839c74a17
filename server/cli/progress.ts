// Terminal output for `trainscope train`: one progress bar per run (redrawn in place on a TTY, plain
// lines otherwise) and the final results table. Formatting functions are pure; ProgressView does the writes.
import type { RunInfo, RunStatus } from '../../shared/types.ts';

export function formatDuration(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return '--';
  const s = Math.max(0, Math.round(sec));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function formatBar(fraction: number, width = 20): string {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const full = Math.round(f * width);
  return '[' + '#'.repeat(full) + '-'.repeat(width - full) + ']';
}

export function formatNumber(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined) return '--';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Inf' : '-Inf';
  return x.toFixed(digits);
}

/** Fraction of the run done, from its progress (1 when finished). */
export function runFraction(status: RunStatus | undefined): number {
  if (!status) return 0;
  if (status.state === 'finished') return 1;
  const p = status.progress;
  if (!p || p.iterationsPerEpoch <= 0 || p.epochs <= 0) return 0;
  return p.iteration / (p.iterationsPerEpoch * p.epochs);
}

/** "relu   [#####---------------]  25% epoch 5/20 iter 160/640 loss 0.6931 ETA 12s" (+ state when not running). */
export function formatProgressLine(label: string, status: RunStatus | undefined, labelWidth = 12): string {
  const state = status?.state ?? 'queued';
  const head = label.padEnd(labelWidth);
  if (state === 'queued') return `${head} queued`;
  const p = status?.progress;
  const frac = runFraction(status);
  const pct = `${Math.floor(frac * 100)}%`.padStart(4);
  let line = `${head} ${formatBar(frac)} ${pct}`;
  if (p) {
    line += ` epoch ${p.epoch}/${p.epochs} iter ${p.iteration}/${p.iterationsPerEpoch * p.epochs} loss ${formatNumber(p.loss)}`;
    if (state === 'running') line += ` ETA ${formatDuration(p.etaSec)}`;
  }
  if (state !== 'running') line += ` ${state}`;
  if (state === 'failed' && status?.error) line += `: ${status.error}`;
  return line;
}

/** Left-aligned first column, right-aligned others; header underlined with dashes. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const cell = (s: string, i: number) => (i === 0 ? s.padEnd(widths[i]) : s.padStart(widths[i]));
  const line = (r: string[]) => r.map((c, i) => cell(c ?? '', i)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

export interface Output {
  write(s: string): unknown;
  isTTY?: boolean;
  /** Terminal width (TTY); lines are cut to it so in-place redraws don't wrap. */
  columns?: number;
}

/**
 * Progress of several runs. On a TTY all lines are redrawn in place (at most every redrawMs);
 * otherwise a run prints a line when it changes state or starts a new epoch (at most every lineMs).
 */
export class ProgressView {
  private readonly order: string[];
  private readonly labels: Map<string, string>;
  private readonly status = new Map<string, RunStatus | undefined>();
  private readonly lastLine = new Map<string, { at: number; epoch: number; state: string }>();
  private drawn = 0;
  private lastDraw = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly width: number;

  constructor(
    private readonly out: Output,
    runs: { name: string; label: string }[],
    private readonly opts: { redrawMs?: number; lineMs?: number } = {},
  ) {
    this.order = runs.map((r) => r.name);
    this.labels = new Map(runs.map((r) => [r.name, r.label]));
    this.width = Math.max(8, ...runs.map((r) => r.label.length));
  }

  update(info: RunInfo): void {
    if (!this.labels.has(info.name)) return;
    this.status.set(info.name, info.status);
    if (this.out.isTTY) this.scheduleDraw();
    else this.maybeLine(info.name);
  }

  /** Final redraw (TTY) so the bars show the end state. */
  finish(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.out.isTTY) this.draw();
  }

  private line(name: string): string {
    return formatProgressLine(this.labels.get(name)!, this.status.get(name), this.width);
  }

  private scheduleDraw(): void {
    const wait = (this.opts.redrawMs ?? 100) - (Date.now() - this.lastDraw);
    if (wait <= 0) this.draw();
    else this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.draw();
    }, wait);
  }

  private draw(): void {
    this.lastDraw = Date.now();
    let s = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    const cols = this.out.columns && this.out.columns > 10 ? this.out.columns - 1 : Infinity;
    for (const name of this.order) s += `\x1b[2K${this.line(name).slice(0, cols)}\n`;
    this.drawn = this.order.length;
    this.out.write(s);
  }

  private maybeLine(name: string): void {
    const st = this.status.get(name);
    const state = st?.state ?? 'queued';
    const epoch = st?.progress?.epoch ?? 0;
    const prev = this.lastLine.get(name);
    const now = Date.now();
    const changedState = !prev || prev.state !== state;
    const newEpoch = prev !== undefined && epoch !== prev.epoch && now - prev.at >= (this.opts.lineMs ?? 1000);
    if (!changedState && !newEpoch) return;
    this.lastLine.set(name, { at: now, epoch, state });
    this.out.write(this.line(name) + '\n');
  }
}
