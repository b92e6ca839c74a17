// The optional auth token. The dashboard sends it explicitly (Authorization header, socket auth); the
// cookie set on first load only lets same-origin page loads and images through, never the socket or a
// state-changing request, because pages on other ports of this host would send it too.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isLoopbackHost } from '../config.ts';

export const TOKEN_COOKIE = 'trainscope_token';

export function tokenMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length === 0 || given.length > 4096) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export function bearer(headers: IncomingHttpHeaders): string | undefined {
  const h = headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(h.trim());
  return m ? m[1] : undefined;
}

/** The cookie counts only for reads the user's own tab makes: same-origin subresources or a typed URL. */
export function cookieUsable(method: string | undefined, secFetchSite: string | undefined): boolean {
  const m = (method ?? 'GET').toUpperCase();
  const site = secFetchSite?.toLowerCase();
  return (m === 'GET' || m === 'HEAD') && (site === 'same-origin' || site === 'none');
}

/** The logdir's absolute path is shown to a client on this machine, or to anyone once a token is required. */
export function revealLogdir(remoteAddress: string | undefined, tokenRequired: boolean): boolean {
  return tokenRequired || (remoteAddress !== undefined && isLoopbackHost(remoteAddress));
}
