// The --redis flag's value, checked without loading any Redis code (serve and worker parse flags first).

/** Checks a --redis URL; returns it normalized. Throws a readable Error. */
export function parseRedisUrl(s: string): string {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new Error(`--redis must be a URL like redis://HOST:6379 (got "${s}")`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`--redis must start with redis:// or rediss:// (got "${s}")`);
  if (!u.hostname) throw new Error(`--redis has no host (got "${s}")`);
  return u.toString();
}
