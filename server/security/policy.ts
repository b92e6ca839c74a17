// One access policy built from the config, used by both the HTTP guard and the socket server.
import os from 'node:os';
import type { ResolvedConfig } from '../config.ts';
import { hostAllowed, hostPolicy, type HostPolicy } from './hosts.ts';
import { isStateChanging, originVerdict, readVerdict, type RequestFacts, type Verdict } from './origin.ts';

export interface AccessPolicy {
  hosts: HostPolicy;
  allowedOrigins: ReadonlySet<string>;
  token: string | undefined;
}

export function accessPolicy(c: Pick<ResolvedConfig, 'host' | 'allowedOrigins' | 'authToken'>, machineNames = [os.hostname()]): AccessPolicy {
  const originHosts = c.allowedOrigins.map((o) => new URL(o).hostname);
  return { hosts: hostPolicy(c.host, originHosts, machineNames), allowedOrigins: new Set(c.allowedOrigins), token: c.authToken };
}

export interface RequestLike extends RequestFacts {
  method?: string;
  /** URL path, without the query. */
  path?: string;
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export function requestFacts(req: { method?: string; url?: string; headers: Record<string, string | string[] | undefined> }): RequestLike {
  return {
    method: req.method,
    path: req.url?.split('?')[0],
    host: header(req.headers.host),
    origin: header(req.headers.origin),
    secFetchSite: header(req.headers['sec-fetch-site']),
  };
}

export function checkHost(r: RequestLike, p: AccessPolicy): Verdict {
  return hostAllowed(r.host, p.hosts)
    ? { ok: true }
    : { ok: false, reason: `host "${r.host ?? ''}" is not a name this server is reachable by (DNS rebinding guard)` };
}

/** Socket transports (every request: handshake, polling, upgrade): host, then origin. */
export function checkSocketRequest(r: RequestLike, p: AccessPolicy): Verdict {
  const h = checkHost(r, p);
  return h.ok ? originVerdict(r, p.allowedOrigins) : h;
}

/** Reads of data, which a cross-site page must not be able to trigger (the page and its assets may be linked to). */
function isDataRead(r: RequestLike): boolean {
  const m = (r.method ?? 'GET').toUpperCase();
  return (m === 'GET' || m === 'HEAD') && r.path !== undefined && /^\/(data|api)(\/|$)/.test(r.path);
}

/** HTTP: host always; origin for state-changing methods and for reads of data. */
export function checkHttpRequest(r: RequestLike, p: AccessPolicy): Verdict {
  const h = checkHost(r, p);
  if (!h.ok) return h;
  if (isStateChanging(r.method)) return originVerdict(r, p.allowedOrigins);
  if (isDataRead(r)) return readVerdict(r, p.allowedOrigins);
  return h;
}
