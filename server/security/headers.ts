// Response headers every HTTP answer carries, and the query-size bound.

/** Self only, no inline script. Inline style attributes are allowed (Svelte's style: directives and
 *  Chart.js set them); images may be data: (the favicon) or blob: (graph PNG export). */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'SAMEORIGIN',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
};

/** Query parameters one request may carry. */
export const MAX_QUERY_PARAMS = 256;

/** The number of parameters in a raw URL's query string. */
export function queryParamCount(url: string): number {
  const q = url.indexOf('?');
  if (q < 0) return 0;
  let n = 0;
  for (const part of url.slice(q + 1).split('&')) if (part !== '') n++;
  return n;
}
