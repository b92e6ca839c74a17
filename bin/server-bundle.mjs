// The pre-built server: server/ and shared/ bundled by esbuild into dist/server/ (dependencies stay in
// node_modules), so a start skips tsx's transpiling and its module-loader thread (~1.4 s of a 2 s start).
// bin/trainscope.mjs runs the bundle only while it matches the sources (bundleIsFresh), else rebuilds it
// (buildServerBundle), and runs the TypeScript through tsx when that fails: an edited .ts file never runs stale.
// `node bin/server-bundle.mjs` builds it (npm's `prepare` and `build:server` scripts).
import { accessSync, constants, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** TRAINSCOPE_BUNDLE_DIR (tests) puts it elsewhere, inside the project: its imports of dependencies resolve from there. */
export const BUNDLE_DIR = process.env.TRAINSCOPE_BUNDLE_DIR ? path.resolve(process.env.TRAINSCOPE_BUNDLE_DIR) : path.join(ROOT, 'dist', 'server');
const MANIFEST = path.join(BUNDLE_DIR, 'manifest.json');
/** Entry name -> source; the workers are entries of their own (server/worker-entry.ts finds them). */
const ENTRIES = {
  cli: 'server/cli/index.ts',
  'training-worker': 'server/training/worker.ts',
  'load-worker': 'server/logs/load-worker.ts',
  'export-worker': 'server/logs/export-worker.ts',
};
/** The one module whose import.meta.url stays the bundle's own: it tells the others where the bundle is. */
const KEEPS_BUNDLE_URL = 'server/worker-entry.ts';
const THIS_FILE = 'bin/server-bundle.mjs';
/** Old outputs are removed once this old, not at once: a server running from them may still start workers. */
const PRUNE_AFTER_MS = 3600_000;

/** The bundle's CLI module URL. */
export const bundleCliUrl = () => pathToFileURL(path.join(BUNDLE_DIR, 'cli.mjs')).href;

const stamp = (file) => {
  const s = statSync(path.join(ROOT, file));
  return [s.mtimeMs, s.size];
};

/**
 * Whether dist/server/ was built from the sources as they are now: every input (and this script) has the
 * mtime and size it had when the build read it. A few hundred stat calls: ~5 ms.
 */
export function bundleIsFresh() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));
  } catch {
    return false;
  }
  if (manifest.node !== process.versions.node) return false;
  try {
    for (const [file, [mtime, size]] of Object.entries(manifest.inputs)) {
      const [m, s] = stamp(file);
      if (m !== mtime || s !== size) return false;
    }
  } catch {
    return false; // an input is gone
  }
  return true;
}

/**
 * Source files' `import.meta.url` becomes their own source file's URL (relative to the bundle), so paths
 * built from it (the project root, the cache layout's sources, the wasm kernels) still point into server/.
 */
function sourceUrlPlugin() {
  return {
    name: 'source-import-meta-url',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        const rel = path.relative(ROOT, args.path).split(path.sep).join('/');
        if (rel.startsWith('..') || rel.includes('node_modules/')) return undefined;
        let contents = readFileSync(args.path, 'utf8');
        if (rel !== KEEPS_BUNDLE_URL && contents.includes('import.meta.url')) {
          const fromBundle = path.relative(BUNDLE_DIR, args.path).split(path.sep).join('/');
          contents = contents.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`);
        }
        return { contents, loader: 'ts' };
      });
    },
  };
}

function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/**
 * Builds dist/server/. Files are written one by one through a rename, chunks before the entries that import
 * them and the manifest last, so a process starting meanwhile (or a second build) never reads half a file.
 * Returns the build's duration in ms.
 */
export async function buildServerBundle() {
  const t0 = performance.now();
  // First, so that a project it cannot write to (e.g. installed read-only) fails here, before the build's work.
  mkdirSync(BUNDLE_DIR, { recursive: true });
  accessSync(BUNDLE_DIR, constants.W_OK);
  const { build } = await import('esbuild');
  const read = new Map();
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([k, v]) => [k, path.join(ROOT, v)])),
    bundle: true,
    splitting: true, // lazy imports stay lazy (their own chunks), and so do the dependencies they import
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    packages: 'external',
    outdir: BUNDLE_DIR,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'stamp-inputs',
        setup(b) {
          // Stamped as read: a file edited during the build then no longer matches, and the next start rebuilds.
          b.onLoad({ filter: /.*/ }, (args) => {
            const rel = path.relative(ROOT, args.path).split(path.sep).join('/');
            if (!rel.startsWith('..') && !read.has(rel)) read.set(rel, stamp(rel));
            return undefined;
          });
        },
      },
      sourceUrlPlugin(),
    ],
  });
  const inputs = Object.fromEntries([...read].sort());
  inputs[THIS_FILE] = stamp(THIS_FILE);
  const isEntry = (f) => Object.keys(ENTRIES).some((e) => path.basename(f).startsWith(`${e}.mjs`));
  const outputs = [...result.outputFiles].sort((a, b) => Number(isEntry(a.path)) - Number(isEntry(b.path)));
  for (const f of outputs) writeAtomic(f.path, f.contents);
  const manifest = { node: process.versions.node, builtAt: new Date().toISOString(), inputs };
  writeAtomic(MANIFEST, JSON.stringify(manifest, null, 1));
  const keep = new Set([...outputs.map((f) => path.basename(f.path)), 'manifest.json']);
  for (const name of readdirSync(BUNDLE_DIR)) {
    if (keep.has(name)) continue;
    const file = path.join(BUNDLE_DIR, name);
    try {
      if (Date.now() - statSync(file).mtimeMs > PRUNE_AFTER_MS) rmSync(file, { force: true });
    } catch {
      // removed by another build
    }
  }
  return performance.now() - t0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // As npm's `prepare` script: a failed build must not fail `npm install` (the bin then runs tsx).
  try {
    const ms = await buildServerBundle();
    console.log(`server bundle built in dist/server/ (${Math.round(ms)} ms)`);
  } catch (e) {
    console.warn(`trainscope: the server bundle was not built (the server will run through tsx): ${e.message}`);
  }
}
