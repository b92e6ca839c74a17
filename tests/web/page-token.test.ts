// The dashboard's token handling: ?token= leaves the address bar (other parameters and the hash stay),
// is kept for later loads, and is sent as an Authorization header.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adoptPageToken, authHeaders, pageToken, splitToken } from '../../web/src/lib/page-token.ts';

describe('splitToken', () => {
  it('takes the token out and keeps everything else', () => {
    expect(splitToken('http://127.0.0.1:6006/?token=abc&tab=images#x')).toEqual({ token: 'abc', cleaned: '/?tab=images#x' });
    expect(splitToken('http://127.0.0.1:6006/?tab=images&token=a%2Bb')).toEqual({ token: 'a+b', cleaned: '/?tab=images' });
    expect(splitToken('http://127.0.0.1:6006/?token=abc')).toEqual({ token: 'abc', cleaned: '/' });
    expect(splitToken('http://127.0.0.1:6006/?tab=x')).toEqual({ token: undefined, cleaned: 'http://127.0.0.1:6006/?tab=x' });
  });
});

describe('adoptPageToken', () => {
  afterEach(() => vi.unstubAllGlobals());

  function stubPage(href: string) {
    const store = new Map<string, string>();
    const replaced: string[] = [];
    vi.stubGlobal('location', new URL(href));
    vi.stubGlobal('history', { state: null, replaceState: (_s: unknown, _t: string, url: string) => replaced.push(url) });
    vi.stubGlobal('localStorage', { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => store.set(k, v) });
    return { store, replaced };
  }

  it('moves ?token= into storage and strips it from the address bar; a later load reads it back', () => {
    const page = stubPage('http://127.0.0.1:6006/?token=s3cret-token&tab=graphs');
    expect(adoptPageToken()).toBe('s3cret-token');
    expect(page.replaced).toEqual(['/?tab=graphs']);
    expect(pageToken()).toBe('s3cret-token');
    expect(authHeaders()).toEqual({ authorization: 'Bearer s3cret-token' });
    // Reload without the token in the URL: the stored one is used and the URL is left alone.
    vi.stubGlobal('location', new URL('http://127.0.0.1:6006/?tab=graphs'));
    page.replaced.length = 0;
    expect(adoptPageToken()).toBe('s3cret-token');
    expect(page.replaced).toEqual([]);
  });

  it('no token anywhere: no header', () => {
    stubPage('http://127.0.0.1:6006/');
    expect(adoptPageToken()).toBeUndefined();
    expect(authHeaders()).toEqual({});
  });
});
