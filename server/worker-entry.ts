// Where a worker thread's entry module is and what the thread needs to run it. From the TypeScript sources
// (tsx, vitest) it is the .ts file, with tsx registered in the worker; from the pre-built bundle
// (bin/server-bundle.mjs) it is the bundled entry beside this code, plain JavaScript.

/**
 * The bundle's directory when this code runs from dist/server/, else undefined. The bundle build leaves this
 * module's import.meta.url as the bundle's own (the other modules' point at their sources).
 */
export const BUNDLE_DIR: URL | undefined = import.meta.url.endsWith('.ts') ? undefined : new URL('.', import.meta.url);

/** The worker entry: `source` (a .ts URL) or, from the bundle, its bundled entry `bundled` (e.g. 'load-worker'). */
export function workerEntryUrl(source: URL, bundled: string, bundleDir: URL | undefined = BUNDLE_DIR): URL {
  return bundleDir ? new URL(`${bundled}.mjs`, bundleDir) : source;
}
