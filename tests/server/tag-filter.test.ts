import { describe, expect, it } from 'vitest';
import { RE2JS } from 're2js';
import { compileTagFilter, estimateProgramSize, MAX_PROGRAM, unsafePatternReason } from '../../server/live/tag-filter.ts';
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

  it('refuses what RE2 cannot compile, with the reason', () => {
    expect(String(compileTagFilter('('))).toMatch(/tagPattern "\(" refused: not a valid regular expression: missing closing \)/);
    expect(unsafePatternReason('(a|b)\\1')).toMatch(/backreferences are not supported/);
    expect(unsafePatternReason('loss(?=/train)')).toMatch(/lookahead\/lookbehind assertions are not supported/);
    expect(unsafePatternReason('(?<!x)loss')).toMatch(/lookahead\/lookbehind/);
    expect(unsafePatternReason('a**')).toMatch(/invalid nested repetition/);
    expect(unsafePatternReason('x'.repeat(513))).toMatch(/longer than 512/);
    expect(unsafePatternReason('.{150}.{150}')).toMatch(/too complex \(\d+ instructions once compiled, limit 200/);
    expect(unsafePatternReason('(loss|acc)+')).toBeNull();
    expect(unsafePatternReason('train/(loss)?.*')).toBeNull();
    expect(unsafePatternReason('[(a+)]+')).toBeNull();
  });

  it('accepts nested quantifiers (no backtracking) and matches them in linear time', () => {
    // With the native RegExp each of these takes exponential time on the tags below (the test would hang).
    const tag = 'a'.repeat(50_000);
    for (const p of ['(.|.)*!$', '(a+)+$x', '(x*)*y', '((a|aa)*)*b']) {
      const f = compileTagFilter(p);
      expect(f, p).not.toBeInstanceOf(Error);
      if (f instanceof Error) return;
      const t0 = performance.now();
      expect(f(tag), p).toBe(false);
      expect(f(tag + '!'), p).toBe(p === '(.|.)*!$');
      expect(performance.now() - t0, p).toBeLessThan(5000); // generous: a backtracker needs centuries
    }
  });

  it('refuses patterns that expand past the limit before compiling them', () => {
    // 56 x \pL{1000} fits in 512 characters; RE2JS would spend most of a second compiling it.
    const huge = '\\pL{1000}'.repeat(56);
    expect(huge.length).toBeLessThanOrEqual(512);
    expect(estimateProgramSize(huge)).toBeGreaterThan(50_000);
    expect(unsafePatternReason(huge)).toMatch(new RegExp(`too complex \\(over ${2 * MAX_PROGRAM} instructions`));
  });

  it('estimates program size within a factor of two of what RE2JS compiles', () => {
    const patterns = ['loss', '^train/(loss|acc)$', '(a|b|c|d)*x{20}', '\\pL{100}', '(x{10}){10}', '[a-z]{50}[0-9]{50}', '(conv|dense)_\\d+/kernel', '((a|b){5}){5}', 'a{2,50}', '(ab|cd|ef|gh){40}', '[^/]+/[^/]+/(weights|bias)'];
    for (const p of patterns) {
      const real = RE2JS.compile(p, RE2JS.CASE_INSENSITIVE).programSize();
      const est = estimateProgramSize(p);
      expect(real, p).toBeLessThanOrEqual(2 * est + 4);
      expect(est, p).toBeLessThanOrEqual(2 * real + 4);
    }
  });

  it('answers correctly for more distinct tags than its cache holds (the cache is cleared, not grown)', () => {
    const f = compileTagFilter('^t1') as (t: string) => boolean;
    const wrong: string[] = [];
    for (let i = 0; i < 25_000; i++) if (f(`t${i}`) !== `t${i}`.startsWith('t1')) wrong.push(`t${i}`);
    expect(wrong).toEqual([]);
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
