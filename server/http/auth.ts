// The express edge of the access policy (server/security/): Host and Origin checks, the query-size bound,
// and the optional token (Authorization: Bearer, ?token= on a first load, or the cookie for same-origin
// reads; see security/token.ts).
import type { RequestHandler } from 'express';
import { MAX_QUERY_PARAMS, queryParamCount } from '../security/headers.ts';
import { corsHeaders } from '../security/origin.ts';
import { checkHttpRequest, requestFacts, type AccessPolicy } from '../security/policy.ts';
import { bearer, cookieUsable, cookieValue, TOKEN_COOKIE, tokenMatches } from '../security/token.ts';

export function httpGuard(policy: AccessPolicy): RequestHandler {
  return (req, res, next) => {
    const facts = requestFacts(req);
    const verdict = checkHttpRequest(facts, policy);
    if (!verdict.ok) {
      res.status(403).json({ error: verdict.reason });
      return;
    }
    const cors = corsHeaders(facts.origin, policy.allowedOrigins);
    if (cors) {
      for (const [k, v] of Object.entries(cors)) res.setHeader(k, v);
      if (req.method === 'OPTIONS') {
        res.status(204).end(); // preflight: no token needed to ask
        return;
      }
    }
    const params = queryParamCount(req.originalUrl);
    if (params > MAX_QUERY_PARAMS) {
      res.status(400).json({ error: `too many query parameters (${params}; at most ${MAX_QUERY_PARAMS})` });
      return;
    }
    const token = policy.token;
    if (!token) return next();
    const fromQuery = typeof req.query.token === 'string' ? req.query.token : undefined;
    const fromCookie = cookieUsable(req.method, facts.secFetchSite) ? cookieValue(req.headers.cookie, TOKEN_COOKIE) : undefined;
    const explicit = bearer(req.headers) ?? fromQuery;
    if (!tokenMatches(token, explicit ?? fromCookie)) {
      res.status(401).json({ error: 'missing or wrong token (use Authorization: Bearer <token>, or open the dashboard with ?token=)' });
      return;
    }
    if (explicit !== undefined && cookieValue(req.headers.cookie, TOKEN_COOKIE) !== explicit) {
      // Lets the tab's own page loads and <img> requests through; the socket never accepts it.
      res.cookie(TOKEN_COOKIE, explicit, { httpOnly: true, sameSite: 'strict', path: '/' });
    }
    next();
  };
}
