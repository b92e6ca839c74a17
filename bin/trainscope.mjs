#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=65536 node --single-threaded-gc --expose-gc
// Runs the server's pre-built bundle, or the TypeScript sources through tsx (see loadCli below), so
// `npx trainscope` works right after `npm install`.
// --single-threaded-gc: V8 collects each thread's garbage on that thread. Its default parallel helper
// threads compete with the other training workers when runs fill the cores (a 4-run sweep on 2 cores got
// 1.7-1.8x one run with them, 2.1x without; a lone run is no slower). A per-process V8 flag: it cannot be
// set for workers alone, nor (safely) after start-up.
// MALLOC_ARENA_MAX=2: glibc gives each thread (10 training workers, libuv's pool) its own malloc arena
// up to 8 per core, and memory a burst of clients freed stayed in them (bench/soak.ts: RSS 1.8x its
// idle level after clients left; with two arenas and the collection below, 1.12x, next to 1.07x for
// the same server with no clients). Read by glibc when the process starts, so it is set here, before
// node; other platforms ignore it.
// MALLOC_MMAP_THRESHOLD_=65536: blocks of 64 KB and more (encoded frames, socket buffers) get pages of
// their own, returned when freed. glibc's default threshold rises after each such free, so later frames
// came from the main heap and left it fragmented: with it fixed, the soak's RSS after the clients left went
// from 1.13x to 1.05x of its idle level.
// --expose-gc: once clients have left, the server collects its garbage (server/live/quiet-collector.ts).
// The server runs from its pre-built bundle (dist/server/, bin/server-bundle.mjs) while that matches the
// sources, and is rebuilt first when it does not (~1 s, once); if the build fails (or TRAINSCOPE_BUNDLE=0),
// the TypeScript runs through tsx as before. The bundle's CLI runs from a V8 code cache (server-bundle.mjs). tsx alone took ~1.4 s of a 2 s start (transpiling, and its
// module-loader thread answering every import).
const { main, saveCodeCache } = await loadCli();
// Once start-up's code has run (serve's first restore included), its compiled code is kept for the next start.
if (saveCodeCache) setTimeout(saveCodeCache, 3000).unref();
await main(process.argv);

async function loadCli() {
  if (process.env.TRAINSCOPE_BUNDLE !== '0') {
    const bundle = await import('./server-bundle.mjs');
    let ready = bundle.bundleIsFresh();
    if (!ready) {
      try {
        await bundle.buildServerBundle();
        ready = true;
      } catch {
        // e.g. a syntax error being edited: tsx reports it below, as it always did
      }
    }
    if (ready) {
      const { cli, saveCodeCache } = bundle.loadBundledCli();
      return { main: cli.main, saveCodeCache };
    }
  }
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../server/cli/index.ts');
  return { main, saveCodeCache: null };
}
