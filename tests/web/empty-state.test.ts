import { describe, expect, it } from 'vitest';
import { loadingCount, noTagsMessage, regexError } from '../../web/src/lib/empty-state.ts';

describe('empty-state messages', () => {
  it('counts the selected runs still loading', () => {
    const backlog = new Set(['a', 'b', 'c']);
    expect(loadingCount(['a', 'b', 'x'], new Set(['b', 'c']), backlog)).toEqual({ loaded: 1, total: 2 });
    expect(loadingCount(['a', 'x'], new Set(['b', 'c']), backlog)).toBeNull(); // a arrived, x had no backlog
    expect(loadingCount([], new Set(['a']), backlog)).toBeNull();
  });

  it('says loading, invalid regex, no match, or no data, in that order', () => {
    expect(noTagsMessage('scalar', '', { loaded: 1, total: 4 }).title).toBe('Loading 1 of 4 runs…');
    const bad = noTagsMessage('scalar', '(', null);
    expect(bad.title).toMatch(/invalid regex/i);
    expect(bad.hint).toContain('/(/');
    expect(bad.title).not.toMatch(/No tag matches/);
    expect(noTagsMessage('histogram', '^zzz', null).title).toBe('No histogram tag matches /^zzz/');
    expect(noTagsMessage('image', '', null).title).toBe('No image data yet');
  });

  it('reports regex errors', () => {
    expect(regexError('')).toBeNull();
    expect(regexError('^train/(loss|acc)')).toBeNull();
    expect(regexError('(')).toMatch(/\S/);
    expect(regexError('[a-')).not.toBeNull();
  });
});
