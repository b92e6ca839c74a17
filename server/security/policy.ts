// One access policy built from the config, used by both the HTTP guard and the socket server.
import os from 'node:os';
import type { ResolvedConfig } from '../config.ts';
import { hostAllowed, hostPolicy, type HostPolicy } from './hosts.ts';
import { isStateChanging, originVerdict, type RequestFacts, type Verdict } from './origin.ts';

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
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export function requestFacts(req: { method?: string; headers: Record<string, string | string[] | undefined> }): RequestLike {
  return {
    method: req.method,
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

/** HTTP: host always; origin for state-changing methods. */
export function checkHttpRequest(r: RequestLike, p: AccessPolicy): Verdict {
  const h = checkHost(r, p);
  if (!h.ok || !isStateChanging(r.method)) return h;
  return originVerdict(r, p.allowedOrigins);
}
