// The pre-built server: server/ and shared/ bundled by esbuild into dist/server/, so a start skips tsx's
// transpiling and its module-loader thread (~1.4 s of a 2 s start).
// The CLI (what `serve` runs on the main thread) is one CommonJS file with its pure-JS dependencies inside
// (cli.cjs), run through a V8 code cache (loadBundledCli): resolving, reading and compiling express,
// socket.io, zod and the rest module by module was ~0.3 s of CPU before the port answered. The worker
// entries stay ES modules with their dependencies in node_modules.
// bin/trainscope.mjs runs the bundle only while it matches the sources (bundleIsFresh), else rebuilds it
// (buildServerBundle), and runs the TypeScript through tsx when that fails: an edited .ts file never runs stale.
// `node bin/server-bundle.mjs` builds it (npm's `prepare` and `build:server` scripts).
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** TRAINSCOPE_BUNDLE_DIR (tests) puts it elsewhere, inside the project: its imports of dependencies resolve from there. */
export const BUNDLE_DIR = process.env.TRAINSCOPE_BUNDLE_DIR ? path.resolve(process.env.TRAINSCOPE_BUNDLE_DIR) : path.join(ROOT, 'dist', 'server');
const MANIFEST = path.join(BUNDLE_DIR, 'manifest.json');
/** The CLI's source, bundled to cli.cjs. */
const CLI_ENTRY = 'server/cli/index.ts';
/** Worker entry name -> source; each an ES module of its own (server/worker-entry.ts finds them). */
const ENTRIES = {
  'training-worker': 'server/training/worker.ts',
  'load-worker': 'server/logs/load-worker.ts',
  'export-worker': 'server/logs/export-worker.ts',
};
/** The one module whose import.meta.url stays the bundle's own: it tells the others where the bundle is. */
const KEEPS_BUNDLE_URL = 'server/worker-entry.ts';
const THIS_FILE = 'bin/server-bundle.mjs';
/** Old outputs are removed once this old, not at once: a server running from them may still start workers. */
const PRUNE_AFTER_MS = 3600_000;

/**
 * Left outside cli.cjs, loaded from node_modules when used: native addons, TensorFlow.js (its backends
 * find their files beside them), what only some commands load (the cluster's Redis, vite for --build-if-needed), and
 * the build tools.
 */
const CLI_EXTERNAL = [
  'better-sqlite3', '@node-rs/*', 'lmdb', '@tensorflow/*', 'bufferutil', 'utf-8-validate', 'wabt',
  'bullmq', 'ioredis', '@socket.io/redis-streams-adapter', 'tsx', 'esbuild', 'vite', '@sveltejs/*', 'svelte',
];
/** Code caches kept per bundle (one per set of node flags, which V8 checks). */
const CODE_CACHES_KEPT = 4;

export const bundleCliFile = () => path.join(BUNDLE_DIR, 'cli.cjs');

/** Dependencies are stamped through the lock file (an install changes it), not file by file. */
const DEPENDENCY_STAMPS = ['package.json', 'package-lock.json'];

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

/**
 * Runs cli.cjs as Node would run a CommonJS module, compiled from a V8 code cache when there is one for this
 * build of it (its mtime and size) and these node flags (which V8 checks: a cache made under other flags
 * is rejected). Returns the module's exports and saveCodeCache(), to call once start-up's code has run: it
 * writes the cache (with the functions compiled so far) when there was none or V8 rejected it.
 */
export function loadBundledCli() {
  const file = bundleCliFile();
  const st = statSync(file);
  const key = createHash('sha1')
    .update(JSON.stringify([st.mtimeMs, st.size, process.version, process.arch, process.execArgv]))
    .digest('hex')
    .slice(0, 16);
  const cacheFile = path.join(BUNDLE_DIR, `cli.${key}.v8cache`);
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // none yet
  }
  // On the wrapper's first line, so line numbers in stack traces are the file's own.
  const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`;
  const script = new vm.Script(source, { filename: file, cachedData });
  // import() inside code from a cache has no loader in Node 20: server/dynamic-import.ts uses this one.
  globalThis[Symbol.for('trainscope.import')] ??= (specifier) => import(specifier);
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  const fresh = cachedData !== undefined && !script.cachedDataRejected;
  const saveCodeCache = () => {
    if (fresh) return;
    try {
      writeAtomic(cacheFile, script.createCachedData());
      const caches = readdirSync(BUNDLE_DIR)
        .filter((n) => n.endsWith('.v8cache'))
        .map((n) => ({ n, t: statSync(path.join(BUNDLE_DIR, n)).mtimeMs }))
        .sort((a, b) => b.t - a.t);
      for (const { n } of caches.slice(CODE_CACHES_KEPT)) rmSync(path.join(BUNDLE_DIR, n), { force: true });
    } catch {
      // a read-only install, or another process pruning: it only costs the next start some compiling
    }
  };
  return { cli: module.exports, codeCacheUsed: fresh, saveCodeCache };
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
  const common = {
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    outdir: BUNDLE_DIR,
    sourcemap: 'linked',
    sourcesContent: false,
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'stamp-inputs',
        setup(b) {
          // Stamped as read: a file edited during the build then no longer matches, and the next start rebuilds.
          b.onLoad({ filter: /.*/ }, (args) => {
            const rel = path.relative(ROOT, args.path).split(path.sep).join('/');
            if (!rel.startsWith('..') && !rel.startsWith('node_modules/') && !read.has(rel)) read.set(rel, stamp(rel));
            return undefined;
          });
        },
      },
      sourceUrlPlugin(),
    ],
  };
  const workers = await build({
    ...common,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([k, v]) => [k, path.join(ROOT, v)])),
    splitting: true, // lazy imports stay lazy (their own chunks), and so do the dependencies they import
    format: 'esm',
    packages: 'external',
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
  });
  const cli = await build({
    ...common,
    entryPoints: { cli: path.join(ROOT, CLI_ENTRY) },
    format: 'cjs',
    external: CLI_EXTERNAL,
    outExtension: { '.js': '.cjs' },
    // import.meta.url, as rewritten by sourceUrlPlugin, from the file the loader runs.
    define: { 'import.meta.url': '__trainscope_bundle_url' },
    // Smaller to read at each start (names are kept for stack traces; the source map has the rest).
    minifyWhitespace: true,
    minifySyntax: true,
    banner: { js: "var __trainscope_bundle_url = require('node:url').pathToFileURL(__filename).href;" },
  });
  for (const f of DEPENDENCY_STAMPS) read.set(f, stamp(f));
  const inputs = Object.fromEntries([...read].sort());
  inputs[THIS_FILE] = stamp(THIS_FILE);
  const isEntry = (f) => ['cli.cjs', ...Object.keys(ENTRIES).map((e) => `${e}.mjs`)].some((e) => path.basename(f).startsWith(e));
  const outputs = [...workers.outputFiles, ...cli.outputFiles].sort((a, b) => Number(isEntry(a.path)) - Number(isEntry(b.path)));
  for (const f of outputs) writeAtomic(f.path, f.contents);
  const manifest = { node: process.versions.node, builtAt: new Date().toISOString(), inputs };
  writeAtomic(MANIFEST, JSON.stringify(manifest, null, 1));
  const keep = new Set([...outputs.map((f) => path.basename(f.path)), 'manifest.json']);
  for (const name of readdirSync(BUNDLE_DIR)) {
    if (keep.has(name) || name.endsWith('.v8cache')) continue; // code caches are pruned by loadBundledCli
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
