// The auth token's life in the page: read once from ?token= on first load, kept in this origin's
// localStorage (pages on other ports cannot read it), and stripped from the address bar so it does not
// linger in history, screenshots or copied links. Sent explicitly (Authorization header, socket auth).

const KEY = 'trainscope.token';

/** The URL without its token parameter, and the token it carried. Pure. */
export function splitToken(href: string): { token: string | undefined; cleaned: string } {
  const u = new URL(href);
  const token = u.searchParams.get('token') ?? undefined;
  if (token === undefined) return { token, cleaned: href };
  u.searchParams.delete('token');
  return { token, cleaned: u.pathname + (u.search === '?' ? '' : u.search) + u.hash };
}

function storage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined; // storage disabled
  }
}

let current: string | undefined;

/** Call once before anything reads or writes the URL: moves ?token= out of the address bar. */
export function adoptPageToken(): string | undefined {
  if (typeof location === 'undefined') return undefined;
  const { token, cleaned } = splitToken(location.href);
  if (token !== undefined) {
    current = token;
    try {
      storage()?.setItem(KEY, token);
    } catch {
      // quota or privacy mode: the token still lives for this page
    }
    history.replaceState(history.state, '', cleaned);
  } else {
    current = storage()?.getItem(KEY) ?? undefined;
  }
  return current;
}

export function pageToken(): string | undefined {
  return current;
}

/** Headers that authenticate a fetch. */
export function authHeaders(token = pageToken()): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}
