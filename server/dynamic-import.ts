// import() of a package loaded only when used (vite, the Redis adapter, tfjs-node). The pre-built CLI runs
// from a V8 code cache (bin/server-bundle.mjs), and in Node 20 an import() compiled from such a cache has no
// loader to call ("A dynamic import callback was not specified"); its loader lends an import() of its own.

/** Where the bundle's loader puts its import(). */
export const LENT_IMPORT = Symbol.for('trainscope.import');

export function importPackage<T = unknown>(specifier: string): Promise<T> {
  const lent = (globalThis as { [LENT_IMPORT]?: (s: string) => Promise<unknown> })[LENT_IMPORT];
  // A variable specifier keeps bundlers and tsc from resolving the package.
  return (lent ? lent(specifier) : import(specifier)) as Promise<T>;
}
