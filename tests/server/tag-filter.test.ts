import { describe, expect, it } from 'vitest';
import { compileTagFilter, unsafePatternReason } from '../../server/live/tag-filter.ts';
import { badRunNameReason } from '../../server/live/run-files.ts';

describe('tag filter', () => {
  it('matches case-insensitively like TensorBoard; empty matches all', () => {
    const f = compileTagFilter('^loss');
    expect(f).not.toBeInstanceOf(Error);
    if (f instanceof Error) return;
    expect(f('Loss/train')).toBe(true);
    expect(f('acc/loss')).toBe(false);
    const all = compileTagFilter('');
    expect(!(all instanceof Error) && all('anything')).toBe(true);
  });

  it('refuses invalid and catastrophic patterns with a reason', () => {
    expect(compileTagFilter('(')).toBeInstanceOf(Error);
    expect(String(compileTagFilter('(a+)+$'))).toMatch(/nested quantifiers/);
    expect(unsafePatternReason('(x*)*')).toMatch(/nested/);
    expect(unsafePatternReason('(a|b)\\1')).toMatch(/backreference/);
    expect(unsafePatternReason('(loss|acc)+')).toBeNull();
    expect(unsafePatternReason('train/(loss)?.*')).toBeNull();
    expect(unsafePatternReason('[(a+)]+')).toBeNull(); // inside a class, parentheses are literal
  });
});

describe('run names', () => {
  it('accepts relative names and refuses traversal, absolute paths and odd segments', () => {
    expect(badRunNameReason('.')).toBeNull();
    expect(badRunNameReason('sweep/relu')).toBeNull();
    expect(badRunNameReason('..')).toMatch(/\.\./);
    expect(badRunNameReason('a/../../etc')).toMatch(/\.\./);
    expect(badRunNameReason('/etc/passwd')).toMatch(/absolute/);
    expect(badRunNameReason('C:/x')).toMatch(/absolute/);
    // A folder may be named with a backslash on POSIX (it is a separator only on Windows).
    if (process.platform === 'win32') expect(badRunNameReason('a\\b')).toMatch(/backslash/);
    else expect(badRunNameReason('a\\b')).toBeNull();
    expect(badRunNameReason('with space/ünï 名')).toBeNull();
    expect(badRunNameReason('a//b')).toMatch(/segments/);
    expect(badRunNameReason('a\0')).toMatch(/NUL/);
  });
});
