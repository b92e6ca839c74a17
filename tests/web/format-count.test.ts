import { describe, expect, it } from 'vitest';
import { formatCount } from '../../web/src/lib/format-count.ts';

describe('formatCount', () => {
  it('groups digits by thousands as en-US does', () => {
    for (const n of [0, 7, 999, 1000, 12_345, 999_999, 1_000_000, 440_000, 1_234_567_890, -1234, -5]) {
      expect(formatCount(n)).toBe(n.toLocaleString('en-US'));
    }
  });
  it('drops a fraction and keeps non-finite values readable', () => {
    expect(formatCount(1234.9)).toBe('1,234');
    expect(formatCount(-0.5)).toBe('0');
    expect(formatCount(Infinity)).toBe('Infinity');
    expect(formatCount(NaN)).toBe('NaN');
  });
});
