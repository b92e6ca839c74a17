// Cell text and status marks of the HPARAMS views. Pure.
import { valueLabel, type SessionStatus } from './sessions.ts';
import type { HpValue } from './types.ts';

/** Metric values with 4 significant digits (exponent form for tiny / huge ones); hparams as written. */
export function cellText(v: HpValue | undefined, metric: boolean): string {
  if (v === undefined) return '–';
  if (!metric || typeof v !== 'number') return valueLabel(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(2);
  return Number(v.toPrecision(4)).toString();
}

export const STATUS_MARK: Record<SessionStatus, { mark: string; label: string }> = {
  running: { mark: '●', label: 'running' },
  queued: { mark: '○', label: 'queued' },
  success: { mark: '✓', label: 'finished' },
  failure: { mark: '✗', label: 'failed' },
  stopped: { mark: '■', label: 'stopped' },
  unknown: { mark: '', label: '' },
};

/** A session that ended badly is drawn dashed in the plots. */
export const endedBadly = (s: SessionStatus): boolean => s === 'failure' || s === 'stopped';

/** Rows drawn at most (a sweep past this is filtered or sorted to find what matters). */
export const MAX_ROWS = 1000;
