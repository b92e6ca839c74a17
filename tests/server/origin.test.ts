// Access policy (server/security/): Host names a server is reachable by for each bind address, the
// origin rule for socket transports and state-changing requests, the token/cookie rules, the logdir
// reveal, the exposure warning, and the same rules enforced by a real server (HTTP and every socket.io
// transport request, including polling after the handshake).
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hello } from '../../shared/protocol.ts';
import type { App } from '../../server/app.ts';
import { serveConfig, type ServeOptions } from '../../server/cli/serve.ts';
import { isLoopbackHost } from '../../server/config.ts';
import { clientErrorResponse } from '../../server/http/client-error.ts';
import { exposureWarning } from '../../server/main.ts';
import { CONTENT_SECURITY_POLICY, queryParamCount } from '../../server/security/headers.ts';
import { hostAllowed, hostPolicy, isWildcardHost, normalizeHostname } from '../../server/security/hosts.ts';
import { normalizeOrigin, originVerdict, parseAllowedOrigins } from '../../server/security/origin.ts';
import { accessPolicy, checkHttpRequest, checkSocketRequest } from '../../server/security/policy.ts';
import { cookieUsable, revealLogdir } from '../../server/security/token.ts';
import { decodeMsgpack } from '../../shared/msgpack-decode.ts';
import { WireEncoder } from '../../shared/wire-parser.ts';
import { client, connected, removeDir, startApp, tempDir } from './helpers.ts';

/** A socket.io CONNECT packet as a polling body: the socket speaks MessagePack, sent base64 ("b" prefix). */
const CONNECT_BODY = 'b' + Buffer.from(new WireEncoder().encode({ type: 0, nsp: '/' })[0]).toString('base64');
/** The socket.io packets of a polling answer (binary ones decoded; engine packets separated by \x1e). */
function sioPackets(body: string): unknown[] {
  return body.split('\x1e').filter((p) => p.startsWith('b')).map((p) => decodeMsgpack(Buffer.from(p.slice(1), 'base64')));
}

describe('host names', () => {
  it('normalises IPv4 spellings as a browser does', () => {
    for (const s of ['127.1', '0x7f.1', '2130706433', '0177.0.0.1', '127.0.0.1']) expect(normalizeHostname(s)).toBe('127.0.0.1');
    expect(normalizeHostname('[::1]')).toBe('::1');
    expect(normalizeHostname('evil.com/x')).toBeUndefined();
    for (const s of ['127.1', '0x7f.1', '2130706433', '127.0.0.2', 'localhost', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(s)).toBe(true);
    for (const s of ['0.0.0.0', '10.0.0.1', '128.0.0.1', 'evil.com', '', '::']) expect(isLoopbackHost(s)).toBe(false);
    for (const s of ['0.0.0.0', '0', '0x0', '::', '[::]', '::0', '']) expect(isWildcardHost(s)).toBe(true);
    expect(isWildcardHost('127.0.0.1')).toBe(false);
  });

  it('bound to any loopback spelling: loopback addresses and localhost names only', () => {
    for (const bind of ['127.0.0.1', '127.1', '0x7f.1', '2130706433', '::1', 'localhost']) {
      const p = hostPolicy(bind, [], ['box']);
      for (const h of ['127.0.0.1:6006', 'localhost:6006', 'LOCALHOST', 'app.localhost:1', '[::1]:6006', '127.1:6006', '2130706433'])
        expect(hostAllowed(h, p), `${bind} ${h}`).toBe(true);
      for (const h of ['evil.com', 'evil.com:6006', '10.0.0.1:6006', 'box', 'localhost.evil.com', undefined, '', 'a b', 'x@127.0.0.1'])
        expect(hostAllowed(h, p), `${bind} ${String(h)}`).toBe(false);
    }
    // A host named in --allowed-origins is reachable by that name.
    expect(hostAllowed('dev.test:6006', hostPolicy('127.1', ['dev.test'], []))).toBe(true);
  });

  it('bound to a wildcard or a LAN address: IP literals, localhost, this machine and listed names; no other DNS name', () => {
    for (const bind of ['0.0.0.0', '0', '::', '192.168.1.5']) {
      const p = hostPolicy(bind, ['gpu.corp.example'], ['Box.lan']);
      for (const h of ['192.168.1.5:6006', '10.1.2.3', '[fe80::1]:6006', 'localhost:6006', 'box.lan', 'box', 'box.local:80', 'gpu.corp.example:6006'])
        expect(hostAllowed(h, p), `${bind} ${h}`).toBe(true);
      for (const h of ['evil.com', 'rebind.attacker.test:6006', 'box.evil.com'])
        expect(hostAllowed(h, p), `${bind} ${h}`).toBe(false);
    }
    // Bound to a name: that name is reachable too.
    expect(hostAllowed('mybox.example:6006', hostPolicy('mybox.example', [], []))).toBe(true);
  });
});

describe('origin rule', () => {
  const allowed = new Set(['http://localhost:5173']);
  const host = '127.0.0.1:6006';
  it('accepts the own origin (any spelling of it) and listed origins; refuses other ports, schemes and hosts', () => {
    expect(originVerdict({ host, origin: 'http://127.0.0.1:6006', secFetchSite: 'same-origin' }, allowed).ok).toBe(true);
    expect(originVerdict({ host: '127.1:6006', origin: 'http://127.0.0.1:6006' }, allowed).ok).toBe(true);
    expect(originVerdict({ host, origin: 'http://localhost:5173', secFetchSite: 'same-site' }, allowed).ok).toBe(true);
    for (const origin of ['http://127.0.0.1:16299', 'http://localhost:16299', 'http://[::1]:8080', 'https://127.0.0.1', 'https://127.0.0.1:6006', 'http://localhost:6006', 'null', 'garbage']) {
      const v = originVerdict({ host, origin, secFetchSite: 'same-site' }, allowed);
      expect(v.ok, origin).toBe(false);
      if (!v.ok) expect(v.reason).toMatch(/origin/);
    }
    // Own origin but the browser says the request crossed sites: contradictory, refused.
    expect(originVerdict({ host, origin: 'http://127.0.0.1:6006', secFetchSite: 'cross-site' }, allowed).ok).toBe(false);
  });

  it('without an Origin: same-origin browser requests and non-browser clients pass, cross-origin ones do not', () => {
    expect(originVerdict({ host, secFetchSite: 'same-origin' }, allowed).ok).toBe(true);
    expect(originVerdict({ host }, allowed).ok).toBe(true);
    for (const s of ['same-site', 'cross-site', 'none']) expect(originVerdict({ host, secFetchSite: s }, allowed).ok, s).toBe(false);
  });

  it('parses --allowed-origins and names a bad entry', () => {
    expect(parseAllowedOrigins('http://localhost:5173, https://Dash.Example/')).toEqual(['http://localhost:5173', 'https://dash.example']);
    expect(() => parseAllowedOrigins('http://a.test,ftp://b.test')).toThrow(/ftp:\/\/b\.test/);
    expect(() => parseAllowedOrigins('http://a.test/path')).toThrow(/not an origin/);
    expect(normalizeOrigin('http://user:pw@a.test')).toBeUndefined();
    const base: ServeOptions = { logdir: 'logs', port: '6006', host: '127.0.0.1', reload_interval: '1', backend: 'auto' };
    expect(serveConfig({ ...base, allowedOrigins: 'http://localhost:5173' }).allowedOrigins).toEqual(['http://localhost:5173']);
    expect(() => serveConfig({ ...base, allowedOrigins: '*' })).toThrow(/--allowed-origins/);
  });

  it('HTTP: the origin rule applies to state-changing methods only; the socket: to every request', () => {
    const p = accessPolicy({ host: '127.0.0.1', allowedOrigins: [], authToken: undefined }, []);
    const evil = { host, origin: 'http://127.0.0.1:16299', secFetchSite: 'same-site' };
    expect(checkHttpRequest({ ...evil, method: 'GET' }, p).ok).toBe(true);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) expect(checkHttpRequest({ ...evil, method }, p).ok).toBe(false);
    expect(checkSocketRequest({ ...evil, method: 'GET' }, p).ok).toBe(false);
    expect(checkSocketRequest({ host: 'evil.com:6006', method: 'GET' }, p).ok).toBe(false);
  });
});

describe('token, logdir, warning, limits', () => {
  it('the cookie counts only for same-origin or typed-URL reads', () => {
    expect(cookieUsable('GET', 'same-origin')).toBe(true);
    expect(cookieUsable('GET', 'none')).toBe(true);
    for (const s of ['same-site', 'cross-site', undefined]) expect(cookieUsable('GET', s)).toBe(false);
    expect(cookieUsable('POST', 'same-origin')).toBe(false);
  });

  it('the logdir path is revealed to local clients, or to all when a token is required', () => {
    expect(revealLogdir('127.0.0.1', false)).toBe(true);
    expect(revealLogdir('::ffff:127.0.0.1', false)).toBe(true);
    expect(revealLogdir('::1', false)).toBe(true);
    expect(revealLogdir('192.168.1.7', false)).toBe(false);
    expect(revealLogdir(undefined, false)).toBe(false);
    expect(revealLogdir('192.168.1.7', true)).toBe(true);
  });

  it('warns for --bind_all and LAN addresses, not for loopback spellings', () => {
    for (const h of ['127.1', '0x7f.1', '127.0.0.1', '::1', 'localhost']) expect(exposureWarning(h, false), h).toBeNull();
    const base: ServeOptions = { logdir: 'logs', port: '6006', host: '127.0.0.1', reload_interval: '1', backend: 'auto' };
    expect(exposureWarning(serveConfig({ ...base, bind_all: true }).host!, false)).toMatch(/WARNING/);
    for (const h of ['0', '0.0.0.0', '::', '192.168.1.5']) expect(exposureWarning(h, false), h).toMatch(/WARNING/);
  });

  it('CSP: self only, no inline script; parser errors answer with a status and reason', () => {
    expect(CONTENT_SECURITY_POLICY).toMatch(/default-src 'self'/);
    expect(CONTENT_SECURITY_POLICY).toMatch(/script-src 'self'(;|$)/);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval/);
    expect(queryParamCount('/a?x=1&y=2&&z')).toBe(3);
    expect(queryParamCount('/a')).toBe(0);
    expect(clientErrorResponse('HPE_HEADER_OVERFLOW')).toMatch(/^HTTP\/1\.1 414 [^]*"error":"request line or headers larger/);
    expect(clientErrorResponse('HPE_INVALID_METHOD')).toMatch(/^HTTP\/1\.1 400 [^]*HPE_INVALID_METHOD/);
  });
});

/** One raw HTTP exchange (fetch would refuse to set Origin/Host/Sec-Fetch-Site). */
function raw(app: App, p: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  const u = new URL(app.url());
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: p, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('a real server', () => {
  let dir: string;
  let app: App;
  let own: string;
  beforeAll(async () => {
    dir = await tempDir();
    app = await startApp({ logdir: dir, host: '127.1' });
    own = new URL(app.url()).origin;
  });
  afterAll(async () => {
    await app?.close();
    await removeDir(dir);
  });

  it('bound to 127.1: serves loopback names and refuses a rebound name', async () => {
    const port = new URL(app.url()).port;
    expect((await raw(app, '/api/runs', { headers: { host: `127.1:${port}` } })).status).toBe(200);
    expect((await raw(app, '/api/runs', { headers: { host: `localhost:${port}` } })).status).toBe(200);
    const evil = await raw(app, '/api/runs', { headers: { host: `rebind.attacker.test:${port}` } });
    expect(evil.status).toBe(403);
    expect(evil.body).toMatch(/DNS rebinding/);
  });

  it('sends a strict CSP; refuses a cross-origin POST; answers 5,000 query parameters with 400/414 and a reason', async () => {
    const r = await raw(app, '/api/runs');
    expect(r.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    const post = await raw(app, '/api/runs', { method: 'POST', headers: { origin: 'http://127.0.0.1:16299', 'sec-fetch-site': 'same-site', 'content-type': 'application/json' }, body: '{}' });
    expect(post.status).toBe(403);
    expect(post.body).toMatch(/not this dashboard's origin/);
    // Same-origin POST passes the guard (and meets no route: 404), proving the 403 is the origin rule.
    expect((await raw(app, '/api/runs', { method: 'POST', headers: { origin: own, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' }, body: '{}' })).status).toBe(404);
    const long = Array.from({ length: 5000 }, (_, i) => `a${i}=1`).join('&');
    const huge = await raw(app, `/api/runs?${long}`);
    expect(huge.status).toBe(414);
    expect(JSON.parse(huge.body).error).toMatch(/larger than/);
    const many = Array.from({ length: 5000 }, () => 'a').join('&'); // 10 KB: parsed, then refused by count
    const counted = await raw(app, `/api/runs?${many}`);
    expect(counted.status).toBe(400);
    expect(JSON.parse(counted.body).error).toMatch(/too many query parameters \(5000/);
  });

  it('socket.io polling: refuses a foreign origin on the handshake and on every request after it', async () => {
    const hs = (headers: Record<string, string>) => raw(app, '/socket.io/?EIO=4&transport=polling', { headers });
    for (const origin of ['http://127.0.0.1:16299', 'http://localhost:16299', 'http://[::1]:8080', 'https://127.0.0.1']) {
      const r = await hs({ origin, 'sec-fetch-site': 'same-site' });
      expect(r.status, origin).toBe(403);
    }
    expect((await hs({ 'sec-fetch-site': 'same-site' })).status).toBe(403);
    // A legitimate handshake, then polling requests that claim another origin with its session id.
    const ok = await hs({ origin: own, 'sec-fetch-site': 'same-origin' });
    expect(ok.status).toBe(200);
    const sid = (JSON.parse(ok.body.slice(1)) as { sid: string }).sid;
    const path = `/socket.io/?EIO=4&transport=polling&sid=${sid}`;
    const foreign = { origin: 'http://127.0.0.1:16299', 'sec-fetch-site': 'same-site', 'content-type': 'text/plain;charset=UTF-8' };
    const post = await raw(app, path, { method: 'POST', headers: foreign, body: CONNECT_BODY });
    expect(post.status).toBe(403);
    const get = await raw(app, path, { headers: { 'sec-fetch-site': 'same-site' } });
    expect(get.status).toBe(403);
    expect(app.io.of('/').sockets.size).toBe(0); // the connect packet never arrived
    // The same session continues from its own origin.
    const own40 = await raw(app, path, { method: 'POST', headers: { origin: own, 'sec-fetch-site': 'same-origin', 'content-type': 'text/plain;charset=UTF-8' }, body: CONNECT_BODY });
    expect(own40.status).toBe(200);
  });

  it('websocket upgrade: refuses a foreign origin; a node client (no Origin) and the own origin connect', async () => {
    const u = new URL(app.url());
    const upgrade = (origin: string) =>
      new Promise<string>((resolve) => {
        const s = net.connect(Number(u.port), u.hostname, () => {
          s.write(
            `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: ${u.host}\r\nOrigin: ${origin}\r\nUpgrade: websocket\r\n` +
              `Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
          );
        });
        let got = '';
        s.on('data', (d) => {
          got += d.toString('latin1');
          if (got.includes('\r\n\r\n')) s.destroy();
        });
        s.on('close', () => resolve(got.split('\r\n')[0] ?? ''));
        s.on('error', () => resolve(got));
      });
    expect(await upgrade('http://localhost:16299')).not.toMatch(/101/);
    expect(await upgrade(own)).toMatch(/101/);
    const c = client(app);
    await connected(c);
    c.close();
  });
});

describe('hello and /api/status with and without a token', () => {
  it('carry the logdir for a local client; token-protected sockets need the explicit token, not the cookie', async () => {
    const dir = await tempDir();
    const app = await startApp({ logdir: dir, authToken: 'origin-token-1' });
    try {
      const c = client(app, { token: 'origin-token-1' });
      const hello = new Promise<Hello>((resolve) => c.once('hello', resolve));
      await connected(c);
      expect((await hello).logdir).toBe(app.config.logdir);
      c.close();
      const status = await raw(app, '/api/status', { headers: { authorization: 'Bearer origin-token-1' } });
      expect(JSON.parse(status.body).logdir).toBe(app.config.logdir);
      // The cookie alone does not open a socket, even from the own origin.
      const own = new URL(app.url()).origin;
      const hs = await raw(app, '/socket.io/?EIO=4&transport=polling', { headers: { origin: own, 'sec-fetch-site': 'same-origin', cookie: 'trainscope_token=origin-token-1' } });
      expect(hs.status).toBe(200);
      const sid = (JSON.parse(hs.body.slice(1)) as { sid: string }).sid;
      const p = `/socket.io/?EIO=4&transport=polling&sid=${sid}`;
      const h = { origin: own, 'sec-fetch-site': 'same-origin', cookie: 'trainscope_token=origin-token-1', 'content-type': 'text/plain;charset=UTF-8' };
      await raw(app, p, { method: 'POST', headers: h, body: CONNECT_BODY });
      const answer = await raw(app, p, { headers: h });
      expect(sioPackets(answer.body)).toEqual([{ type: 4, nsp: '/', data: { message: expect.stringMatching(/unauthorized/) } }]);
    } finally {
      await app.close();
      await removeDir(dir);
    }
  });
});

describe('--allowed-origins', () => {
  it('lets a listed origin use the socket (polling with CORS) and read the API; other ports stay refused', async () => {
    const dir = await tempDir();
    const app = await startApp({ logdir: dir, allowedOrigins: ['http://localhost:5173'], authToken: 'listed-token-1' });
    try {
      const listed = { origin: 'http://localhost:5173', 'sec-fetch-site': 'same-site' };
      const hs = await raw(app, '/socket.io/?EIO=4&transport=polling', { headers: listed });
      expect(hs.status).toBe(200);
      expect(hs.headers['access-control-allow-origin']).toBe('http://localhost:5173');
      const pre = await raw(app, '/api/runs', { method: 'OPTIONS', headers: { ...listed, 'access-control-request-headers': 'authorization' } });
      expect(pre.status).toBe(204);
      expect(pre.headers['access-control-allow-headers']).toMatch(/authorization/);
      const read = await raw(app, '/api/runs', { headers: { ...listed, authorization: 'Bearer listed-token-1' } });
      expect(read.status).toBe(200);
      expect(read.headers['access-control-allow-origin']).toBe('http://localhost:5173');
      const other = { origin: 'http://localhost:5174', 'sec-fetch-site': 'same-site' };
      expect((await raw(app, '/socket.io/?EIO=4&transport=polling', { headers: other })).status).toBe(403);
      const otherRead = await raw(app, '/api/runs', { headers: { ...other, authorization: 'Bearer listed-token-1' } });
      expect(otherRead.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await app.close();
      await removeDir(dir);
    }
  });
});
