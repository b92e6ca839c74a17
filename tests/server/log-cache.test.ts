// The persistent log cache: a restarted server serves what it read before from the cache (the same route
// answers as a cold start), tails only what is new, and a stale (rewritten, truncated), corrupt or deleted
// cache is detected and costs a full read, never data. With --max-memory, a dropped run comes back from it.
import { appendFileSync, existsSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.ts';
import { CACHE_FILE, CacheDb } from '../../server/cache/cache-db.ts';
import { EventWriter } from '../../server/logs/event-writer.ts';
import { client, ClientModel, connected, removeDir, request, startApp, tempDir, until } from './helpers.ts';

const RUNS = ['alpha', 'beta', 'gamma/deep'];
let logdir = '';
let cacheDir = '';
const apps: App[] = [];

async function writeRun(run: string, from: number, to: number, seed: number): Promise<void> {
  const w = await EventWriter.open(path.join(logdir, run));
  if (from === 0) {
    w.hparams({ lr: 0.01 * seed, $c: 'x', opt: 'adam' }, ['loss']);
    w.text('notes', `run ${run} seed ${seed}`, 0, 1000);
  }
  for (let step = from; step < to; step++) {
    w.scalar('loss', Math.exp(-step / 50) + seed, step, 1000 + step);
    w.scalar('acc', step === 7 ? NaN : 1 - 1 / (step + 1), step, 1000 + step);
    if (step % 4 === 0) w.histogram('w', Array.from({ length: 100 }, (_, k) => Math.sin(k * seed + step)), step, 1000 + step);
  }
  await w.close();
}

/** Appends records to the run's existing event file (as a writer still running would). */
async function appendRun(run: string, from: number, to: number, seed: number): Promise<void> {
  const scratch = await tempDir('ts-log-cache-append-');
  const keep = logdir;
  logdir = scratch;
  try {
    await writeRun(run, from, to, seed);
    const f = eventFile(run);
    logdir = keep;
    appendFileSync(eventFile(run), readFileSync(f));
  } finally {
    logdir = keep;
    await removeDir(scratch);
  }
}

function eventFile(run: string): string {
  const d = path.join(logdir, run);
  return path.join(d, readdirSync(d).filter((f) => f.includes('tfevents')).sort()[0]);
}

beforeEach(async () => {
  logdir = await tempDir('ts-log-cache-');
  cacheDir = path.join(logdir, '.trainscope-cache');
  for (const [i, r] of RUNS.entries()) await writeRun(r, 0, 120, i + 1);
});
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
  await removeDir(logdir);
});

async function start(extra: Record<string, unknown> = {}): Promise<App> {
  const app = await startApp({ logdir, cacheDir, reloadIntervalSec: 0.2, loadWorkers: 0, ...extra });
  apps.push(app);
  return app;
}

async function stop(app: App): Promise<void> {
  apps.splice(apps.indexOf(app), 1);
  await app.close();
}

/** What the TensorBoard-shaped routes answer for every run (per-run routes first: they bring runs back). */
async function answers(app: App): Promise<Record<string, unknown>> {
  const get = async (p: string) => {
    const r = await fetch(`${app.url()}${p}`);
    return `${r.status} ${await r.text()}`;
  };
  const out: Record<string, unknown> = {};
  for (const run of RUNS) {
    const q = `run=${encodeURIComponent(run)}`;
    for (const tag of ['loss', 'acc']) out[`scalars ${run} ${tag}`] = await get(`data/plugin/scalars/scalars?${q}&tag=${tag}`);
    out[`histograms ${run}`] = await get(`data/plugin/histograms/histograms?${q}&tag=w`);
    out[`distributions ${run}`] = await get(`data/plugin/distributions/distributions?${q}&tag=w`);
    out[`text ${run}`] = await get(`data/plugin/text/text?${q}&tag=notes`);
  }
  out.runs = await get('data/runs');
  out.scalarTags = await get('data/plugin/scalars/tags');
  out.histogramTags = await get('data/plugin/histograms/tags');
  out.hparams = await get('data/plugin/hparams/session_groups');
  return out;
}

/** Polls the answers until they equal `want` (tailing and restoring run in the background), then compares. */
async function expectAnswers(app: App, want: Record<string, unknown>): Promise<void> {
  const until = Date.now() + 20_000;
  let got = await answers(app);
  while (JSON.stringify(got) !== JSON.stringify(want) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 200));
    got = await answers(app);
  }
  expect(got).toEqual(want);
}

/** Answers of a server started with no cache at all (the truth). */
async function coldAnswers(): Promise<Record<string, unknown>> {
  const app = await start({ cacheDir: false });
  const a = await answers(app);
  await stop(app);
  return a;
}

async function warmCache(): Promise<void> {
  const app = await start();
  await answers(app);
  await stop(app); // close() brings the snapshots up to date
  expect(existsSync(path.join(cacheDir, CACHE_FILE))).toBe(true);
}

describe('log cache', () => {
  it('serves a restart from the cache with the same answers as a cold start, and tails what is new', async () => {
    const cold = await coldAnswers();
    await warmCache();
    const warm = await start({ backgroundLoad: true });
    // Listed at once, not loading: nothing to read.
    expect([...warm.store.runs()].sort()).toEqual([...RUNS].sort());
    for (const r of RUNS) expect(((await (await fetch(`${warm.url()}api/runs`)).json()) as { name: string; loading?: unknown }[]).find((i) => i.name === r)?.loading).toBeUndefined();
    await expectAnswers(warm, cold);
    expect(warm.cache!.restored).toBe(RUNS.length);
    // The start-up restore reads through a memory map, and lets it go once done (cache-db.ts).
    await until(() => warm.cache!.mappedBytes === 0);
    await stop(warm);

    // Appended while the server was down: read from the cached offset on, the same as a cold read of it all.
    await appendRun('beta', 120, 200, 2);
    const grownCold = await coldAnswers();
    expect(grownCold).not.toEqual(cold);
    const again = await start();
    await expectAnswers(again, grownCold);
    expect(again.cache!.restored).toBe(RUNS.length);
  }, 120_000);

  it('maps the cache file for reading only until told otherwise', async () => {
    const db = CacheDb.open(cacheDir, logdir, 'layout-x', () => {});
    try {
      expect(db.mappedBytes()).toBeGreaterThan(0);
      db.mapForReading(false);
      expect(db.mappedBytes()).toBe(0);
    } finally {
      db.close();
    }
  });

  it('reads a run again whose file was rewritten or truncated (stale cache), losing nothing', async () => {
    await warmCache();
    // alpha rewritten with other values; beta cut short.
    rmSync(path.join(logdir, 'alpha'), { recursive: true });
    await writeRun('alpha', 0, 90, 7);
    const beta = eventFile('beta');
    truncateSync(beta, Math.floor(readFileSync(beta).length / 2));
    const cold = await coldAnswers();
    const warnings: string[] = [];
    const warm = await start({ logger: { log: () => {}, warn: (m: string) => warnings.push(m), error: () => {} } });
    await expectAnswers(warm, cold);
    expect(warnings.filter((w) => w.includes('stale')).length).toBe(2);
    expect(warm.cache!.restored).toBe(1); // gamma only
  }, 120_000);

  it('rebuilds a corrupt or deleted cache from the logs', async () => {
    const cold = await coldAnswers();
    await warmCache();
    const file = path.join(cacheDir, CACHE_FILE);
    writeFileSync(file, Buffer.alloc(64 * 1024, 0x5a));
    const warnings: string[] = [];
    const logger = { log: () => {}, warn: (m: string) => warnings.push(m), error: () => {} };
    const a = await start({ logger });
    await expectAnswers(a, cold);
    expect(warnings.some((w) => w.includes('cannot be used'))).toBe(true);
    await stop(a);

    // The rebuilt cache works again; then deleted: a cold read, and it is made anew.
    const b = await start();
    await expectAnswers(b, cold);
    expect(b.cache!.restored).toBe(RUNS.length);
    await stop(b);
    rmSync(cacheDir, { recursive: true });
    const c = await start();
    await expectAnswers(c, cold);
    expect(c.cache!.restored).toBe(0);
    await stop(c);
    expect(existsSync(file)).toBe(true);
  }, 120_000);

  it('reads a run from its files when its cached rows are damaged', async () => {
    const cold = await coldAnswers();
    await warmCache();
    const db = new Database(path.join(cacheDir, CACHE_FILE));
    db.prepare("UPDATE runs SET core = x'00ff00ff' WHERE run = 'alpha'").run();
    db.prepare("UPDATE series SET data = x'0badf00d' WHERE run = 'beta'").run();
    db.close();
    const warnings: string[] = [];
    const warm = await start({ logger: { log: () => {}, warn: (m: string) => warnings.push(m), error: () => {} } });
    // beta's histograms are read when first asked for: that answer may come empty, the next ones are whole.
    await expectAnswers(warm, cold);
    expect(warnings.some((w) => w.includes('[run alpha] cached data cannot be read'))).toBe(true);
    expect(warnings.some((w) => w.includes('[run beta] cached histograms "w" cannot be read'))).toBe(true);
  }, 120_000);

  it('brings runs dropped by --max-memory back from the cache', async () => {
    const cold = await coldAnswers();
    await warmCache();
    const probe = await start({ cacheDir: false });
    const runBytes = Math.max(...RUNS.map((r) => probe.store.runBytes(r)));
    await stop(probe);
    // Room for about one run: viewing each in turn drops the others, and each comes back from the cache.
    const app = await start({ maxMemoryMb: (runBytes * 1.5) / 2 ** 20 });
    for (let round = 0; round < 2; round++) {
      for (const run of RUNS) {
        const q = `run=${encodeURIComponent(run)}`;
        const got = `200 ${await (await fetch(`${app.url()}data/plugin/histograms/histograms?${q}&tag=w`)).text()}`;
        expect(got).toEqual(cold[`histograms ${run}`]);
        expect(app.store.totalBytes).toBeLessThanOrEqual(runBytes * 2.5);
      }
    }
    const evicted = RUNS.filter((r) => app.store.isEvicted(r));
    expect(evicted.length).toBeGreaterThan(0);
    // Every view of a dropped run came from the cache (none was re-read from its files).
    expect(app.cache!.restored).toBeGreaterThanOrEqual(RUNS.length + 2);
  }, 120_000);
});

describe('log cache and live viewers', () => {
  it('sends a run restored from the cache whole to clients subscribed to it', async () => {
    await warmCache();
    // Too little memory to restore anything in the background: runs stay in the cache until viewed.
    const app = await start({ maxMemoryMb: 1 / 2 ** 20 });
    expect(RUNS.every((r) => app.store.isEvicted(r))).toBe(true);
    const c = client(app);
    const model = new ClientModel(c);
    try {
      await connected(c);
      expect((await request(c, 'subscribe', { runs: '*' })).ok).toBe(true);
      await fetch(`${app.url()}data/plugin/scalars/scalars?run=alpha&tag=loss`);
      await until(() => (model.scalars.get('alpha')?.get('loss')?.steps.length ?? 0) === 120, 10_000, "alpha's scalars on the client");
      expect(model.scalars.get('alpha')!.get('loss')!.steps).toEqual(Array.from({ length: 120 }, (_, i) => i));
      expect(model.histograms.get('alpha')?.get('w')?.length).toBe(30);

      // A client taking only scalars gets only those (and the histograms stay in the cache meanwhile).
      expect((await request(c, 'subscribe', { runs: '*', kinds: ['scalars'] })).ok).toBe(true);
      await fetch(`${app.url()}data/plugin/scalars/scalars?run=beta&tag=loss`);
      await until(() => (model.scalars.get('beta')?.get('loss')?.steps.length ?? 0) === 120, 10_000, "beta's scalars on the client");
      await new Promise((r) => setTimeout(r, 300));
      expect(model.histograms.get('beta')).toBeUndefined();
    } finally {
      c.close();
    }
  }, 60_000);
});

// Appends after a snapshot taken while running (not at close) are tailed too.
describe('log cache while running', () => {
  it('a snapshot written while running covers what was read; a later file of the run is read on restart', async () => {
    const app = await start();
    await answers(app);
    await app.cache!.saveAll(0);
    // Simulate a crash: no final save at close (the cache is closed first).
    app.cache!.close();
    await stop(app);
    // A new event file in a cached run: read after the cached ones.
    await writeRun('gamma/deep', 120, 150, 3);
    const cold = await coldAnswers();
    const warm = await start();
    await expectAnswers(warm, cold);
    expect(warm.cache!.restored).toBe(RUNS.length);
  }, 120_000);
});
