// Which Host headers a server answers (DNS rebinding): the names it is actually reachable by for its
// bind address. Pure: the machine's own names are passed in.
import { isLoopbackHost } from '../config.ts';

/** A hostname as a browser normalises it (127.1 -> 127.0.0.1, 0x7f.1 -> 127.0.0.1, IPv6 without brackets). */
export function normalizeHostname(host: string): string | undefined {
  const h = host.trim().replace(/^\[|\]$/g, '');
  if (h === '' || /[\s/\\?#@]/.test(h)) return undefined;
  try {
    return new URL(`http://${h.includes(':') ? `[${h}]` : h}`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
}

/** The hostname of a Host header ("name:port", "[v6]:port"); undefined when malformed. */
export function hostHeaderName(hostHeader: string | undefined): string | undefined {
  if (!hostHeader || /[\s/\\?#@]/.test(hostHeader)) return undefined;
  try {
    const u = new URL(`http://${hostHeader}`);
    return u.hostname.replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
}

export function isIpLiteral(normalized: string): boolean {
  return normalized.includes(':') || /^\d{1,3}(\.\d{1,3}){3}$/.test(normalized);
}

/** 0.0.0.0 or :: in any spelling (0, 0x0, [::], ::0...): every interface. */
export function isWildcardHost(bindHost: string): boolean {
  if (bindHost.trim() === '') return true;
  const h = normalizeHostname(bindHost);
  return h === '0.0.0.0' || h === '::';
}

function isLocalhostName(h: string): boolean {
  return h === 'localhost' || h.endsWith('.localhost');
}

export interface HostPolicy {
  /** Bound to loopback: only loopback addresses and localhost names. */
  loopback: boolean;
  /** Names (not IPs) that reach this server: the bind name, the machine's names, --allowed-origins hosts. */
  names: ReadonlySet<string>;
}

/**
 * Loopback bind: Host must be a loopback IP, localhost / *.localhost, or a host named in --allowed-origins.
 * Any other bind: Host may also be an IP literal (a page can only send one when it was loaded from that
 * address; rebinding needs a DNS name), the bind name, or this machine's name. Any other DNS name is
 * refused: it may be an attacker's name rebound to this address.
 */
export function hostPolicy(bindHost: string, allowedOriginHosts: readonly string[], machineNames: readonly string[]): HostPolicy {
  const names = new Set<string>();
  for (const n of allowedOriginHosts) {
    const h = normalizeHostname(n);
    if (h) names.add(h);
  }
  const loopback = isLoopbackHost(bindHost);
  if (!loopback) {
    const b = normalizeHostname(bindHost);
    if (b && !isIpLiteral(b) && !isWildcardHost(bindHost)) names.add(b);
    for (const m of machineNames) {
      const h = normalizeHostname(m);
      if (!h) continue;
      names.add(h);
      const short = h.split('.')[0];
      names.add(short);
      names.add(`${short}.local`);
    }
  }
  return { loopback, names };
}

export function hostAllowed(hostHeader: string | undefined, p: HostPolicy): boolean {
  const h = hostHeaderName(hostHeader);
  if (!h) return false;
  if (isLocalhostName(h) || p.names.has(h)) return true;
  return p.loopback ? isLoopbackHost(h) : isIpLiteral(h);
}
