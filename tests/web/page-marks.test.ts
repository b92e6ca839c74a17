import { describe, expect, it } from 'vitest';
import { markOnce } from '../../web/src/lib/page-marks.ts';

describe('markOnce', () => {
  it('marks a moment the first time only, prefixed, and never throws', () => {
    const marks: string[] = [];
    const perf = { mark: (n: string) => void marks.push(n) } as unknown as Pick<Performance, 'mark'>;
    markOnce('test-a', perf);
    markOnce('test-a', perf);
    markOnce('test-b', perf);
    expect(marks).toEqual(['trainscope:test-a', 'trainscope:test-b']);
    const throwing = { mark: () => { throw new Error('no marks here'); } } as unknown as Pick<Performance, 'mark'>;
    expect(() => markOnce('test-c', throwing)).not.toThrow();
  });
});
