// Which pages may open the socket or change state: the dashboard's own origin (http:// + the validated
// Host header) and the origins listed with --allowed-origins. Browsers do not apply CORS to websockets
// and treat other ports of the same host as the same site (cookies flow), so this is checked on every
// socket transport request and every state-changing HTTP request.

export type Verdict = { ok: true } | { ok: false; reason: string };

/** "http://x:1/" -> "http://x:1"; undefined unless an http(s) origin (no path, query or credentials). */
export function normalizeOrigin(s: string): string | undefined {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  if (u.username || u.password || u.search || u.hash || (u.pathname !== '/' && u.pathname !== '')) return undefined;
  return u.origin;
}

/** "--allowed-origins a,b": each an http(s) origin. Throws naming the bad entry. */
export function parseAllowedOrigins(spec: string): string[] {
  const out: string[] = [];
  for (const raw of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const o = normalizeOrigin(raw);
    if (!o) throw new Error(`--allowed-origins: "${raw}" is not an origin like http://host:port`);
    out.push(o);
  }
  return out;
}

export interface RequestFacts {
  origin?: string;
  secFetchSite?: string;
  host?: string;
}

export function ownOrigin(hostHeader: string | undefined): string | undefined {
  return hostHeader ? normalizeOrigin(`http://${hostHeader}`) : undefined;
}

/**
 * With an Origin header: it must be the own origin or a listed one. Without one (same-origin GETs, or a
 * non-browser client): a browser's Sec-Fetch-Site, when sent, must say same-origin.
 */
export function originVerdict(r: RequestFacts, allowed: ReadonlySet<string>): Verdict {
  const site = r.secFetchSite?.toLowerCase();
  if (r.origin !== undefined) {
    const o = normalizeOrigin(r.origin);
    if (!o) return { ok: false, reason: `origin "${r.origin}" is not allowed` };
    if (allowed.has(o)) return { ok: true };
    if (o === ownOrigin(r.host) && (site === undefined || site === 'same-origin')) return { ok: true };
    return { ok: false, reason: `origin ${o} is not this dashboard's origin (list it with --allowed-origins)` };
  }
  if (site !== undefined && site !== 'same-origin') {
    return { ok: false, reason: `cross-origin request (Sec-Fetch-Site: ${site}) refused` };
  }
  return { ok: true };
}

/**
 * Reads of data (GET/HEAD of /data/... and /api/...): as originVerdict, except that the user's own
 * navigation (Sec-Fetch-Site: none, e.g. a URL typed in the address bar) is fine. A page on another site or
 * port firing no-cors requests cannot read the answers, but it would make the server do the work (an export
 * of the whole logdir per request): refused.
 */
export function readVerdict(r: RequestFacts, allowed: ReadonlySet<string>): Verdict {
  if (r.origin === undefined && r.secFetchSite?.toLowerCase() === 'none') return { ok: true };
  return originVerdict(r, allowed);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export function isStateChanging(method: string | undefined): boolean {
  return !SAFE_METHODS.has((method ?? 'GET').toUpperCase());
}

/** CORS answer headers for a listed origin (its pages may read the API with an Authorization header). */
export function corsHeaders(origin: string | undefined, allowed: ReadonlySet<string>): Record<string, string> | undefined {
  const o = origin === undefined ? undefined : normalizeOrigin(origin);
  if (!o || !allowed.has(o)) return undefined;
  return {
    'Access-Control-Allow-Origin': o,
    'Access-Control-Allow-Headers': 'authorization, content-type',
    'Access-Control-Allow-Methods': 'GET, HEAD, POST',
    Vary: 'Origin',
  };
}
