// Access control shared by HTTP and the socket server: the optional bearer token (header, ?token= or the
// cookie set when a browser first opens ?token=), and the Host/Origin checks that keep web pages from
// other sites (DNS rebinding, cross-site websockets) away from a server bound to loopback.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
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

function hostnameOf(hostHeader: string): string {
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return '';
  }
}

/**
 * When the server is bound to loopback, only requests addressed to a loopback name are served (a page
 * on another site that rebinds its DNS name to 127.0.0.1 would send its own name as Host).
 */
export function hostAllowed(hostHeader: string | undefined, bindHost: string): boolean {
  if (!isLoopbackHost(bindHost)) return true;
  if (!hostHeader) return false;
  const h = hostnameOf(hostHeader);
  return isLoopbackHost(h) || h.endsWith('.localhost');
}

/** A cross-site Origin may not open the socket (browsers do not apply CORS to websockets). */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (!origin) return true; // non-browser clients
  let o: string;
  try {
    o = new URL(origin).hostname;
  } catch {
    return false;
  }
  const h = hostHeader ? hostnameOf(hostHeader) : '';
  return o === h || (isLoopbackHost(o) && isLoopbackHost(h)) || (o === 'localhost' && isLoopbackHost(h));
}

export function httpGuard(opts: { token: string | undefined; bindHost: string }): RequestHandler {
  return (req, res, next) => {
    if (!hostAllowed(req.headers.host, opts.bindHost)) {
      res.status(403).json({ error: `host "${req.headers.host ?? ''}" is not allowed (server bound to loopback)` });
      return;
    }
    if (!opts.token) return next();
    const fromQuery = typeof req.query.token === 'string' ? req.query.token : undefined;
    const given = bearer(req.headers) ?? fromQuery ?? cookieValue(req.headers.cookie, TOKEN_COOKIE);
    if (!tokenMatches(opts.token, given)) {
      res.status(401).json({ error: 'missing or wrong token (use Authorization: Bearer <token> or ?token=)' });
      return;
    }
    if (fromQuery) {
      // The page's own asset and data requests carry no ?token=; the cookie lets them through.
      res.cookie(TOKEN_COOKIE, fromQuery, { httpOnly: true, sameSite: 'strict', path: '/' });
    }
    next();
  };
}
