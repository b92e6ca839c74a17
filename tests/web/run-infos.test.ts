import { describe, expect, it } from 'vitest';
import type { RunInfo } from '../../shared/types.ts';
import { mergeRunInfos } from '../../web/src/lib/run-infos.ts';

const info = (name: string, extra: Partial<RunInfo> = {}): RunInfo => ({ name, source: 'disk', group: '.', ...extra });

describe('mergeRunInfos', () => {
  const held = new Map([info('a', { hparams: { lr: 0.1 } }), info('b')].map((r) => [r.name, r]));

  it('changes nothing when every update repeats what is held', () => {
    expect(mergeRunInfos(held, [info('a', { hparams: { lr: 0.1 } }), info('b')])).toBeNull();
    expect(mergeRunInfos(held, [])).toBeNull();
  });

  it('merges a changed or new run, keeping the fields an update leaves out, and leaves the held map alone', () => {
    const next = mergeRunInfos(held, [info('b', { logStatus: 'finished' }), { name: 'a', source: 'disk', group: 'g' }, info('c')])!;
    expect(next).not.toBeNull();
    expect(next.get('b')).toEqual(info('b', { logStatus: 'finished' }));
    expect(next.get('a')).toEqual(info('a', { group: 'g', hparams: { lr: 0.1 } }));
    expect([...next.keys()]).toEqual(['a', 'b', 'c']);
    expect(held.get('b')).toEqual(info('b'));
    expect(held.size).toBe(2);
  });

  it('keeps the very objects of the runs that did not change', () => {
    const next = mergeRunInfos(held, [info('a', { hparams: { lr: 0.1 } }), info('b', { logStatus: 'failed' })])!;
    expect(next.get('a')).toBe(held.get('a'));
  });
});
