// Composes the server: store, logdir watcher, trainer, live hub, HTTP routes and the socket server.
// Every record source goes through one ingest path (store, then clients); nothing here knows tfjs.
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { DeltaBatch } from '../shared/protocol.ts';
import type { BackendName } from '../shared/types.ts';
import { displayUrl, packageVersion, resolveConfig, type AppConfig, type ResolvedConfig } from './config.ts';
import { answerClientError } from './http/client-error.ts';
import { createHttpApp } from './http/router.ts';
import { LiveHub } from './live/hub.ts';
import { createIngest, createPackedIngest, type Ingest } from './live/ingest.ts';
import { ProgressPublisher } from './live/load-progress.ts';
import { MemoryBound } from './live/memory-bound.ts';
import { diskReloader } from './store/run-reloader.ts';
import { RunControl } from './live/run-control.ts';
import { RunsService } from './live/runs-service.ts';
import { LogdirWatcher } from './logs/logdir.ts';
import { LogCache } from './cache/log-cache.ts';
import { createdLogdirNotice, ensureLogdir } from './logs/ensure-logdir.ts';
import { broadcaster, createSocketServer, type TypedIo } from './socket/io-server.ts';
import { SeriesStore } from './store/series-store.ts';
import { defaultLogdirBudget, freeDiskBytes, measureDirBytes } from './training/disk-budget.ts';
import { TrainingManager } from './training/manager.ts';

export interface App {
  http: http.Server;
  io: TypedIo;
  /** e.g. http://127.0.0.1:6006/ (the bound port, also when port 0 was asked). */
  url(): string;
  close(): Promise<void>;
  config: ResolvedConfig;
  store: SeriesStore;
  hub: LiveHub;
  manager: TrainingManager | null;
  /** The ingest path trainer and watcher records take (benchmarks feed synthetic records through it). */
  ingest: Ingest;
  /** Resolves with the training backend once known (null when training is off or unavailable). */
  backend: Promise<BackendName | null>;
  /** The initial read of the logdir is done (at once unless config.backgroundLoad). */
  loaded: Promise<void>;
  /** The persistent log cache (null without one). */
  cache: LogCache | null;
}

/** How often the log cache looks for runs that grew past their snapshot. */
const CACHE_SAVE_MS = 30_000;
/** Longest a close spends bringing snapshots up to date. */
const CACHE_CLOSE_SAVE_MS = 2_000;

export async function createApp(input: AppConfig): Promise<App> {
  const config = resolveConfig(input);
  const log = config.logger;
  if ((await ensureLogdir(config.logdir)).created) log.warn(createdLogdirNotice(config.logdir));

  const store = new SeriesStore(config.samplesPerPlugin);
  // --redis: the cluster's part (Redis, BullMQ) loads only then; its trainer queues runs for workers.
  const cluster = config.redis
    ? new (await import('./cluster/cluster-server.ts')).ClusterServer({
        redis: config.redis,
        logdir: config.logdir,
        queueRuns: config.training && !config.localTraining,
        maxQueue: config.maxQueue,
        maxRunBytes: config.maxRunBytes,
        warn: log.warn,
      })
    : null;
  // The logdir's disk budget counts from its size now (one walk at start-up).
  const logdirBytes = config.training ? await measureDirBytes(config.logdir) : 0;
  const maxLogdirBytes = config.maxLogdirBytes ?? defaultLogdirBudget(logdirBytes, await freeDiskBytes(config.logdir));
  const manager = config.training && !cluster?.trainer
    ? new TrainingManager({
        logdir: config.logdir,
        maxRuns: config.maxRuns,
        maxQueue: config.maxQueue,
        backend: config.backend,
        maxRunBytes: config.maxRunBytes,
        maxLogdirBytes,
      })
    : null;
  manager?.setLogdirBaseline(logdirBytes);
  const runs = new RunsService(store, cluster ? { list: () => cluster.runList() } : manager);
  // The hub broadcasts through io once the socket server exists (set below, before any client connects).
  let broadcast: (ids: string[], batch: DeltaBatch) => void = () => {};
  const hub = new LiveHub(store, { broadcast: (ids, batch) => broadcast(ids, batch), maxClientBytes: config.maxClientBufferBytes });
  const ingest = createIngest(store, hub, runs, (m) => log.warn(m));
  const control = new RunControl(config.training ? (cluster?.trainer ?? manager) : null, config.maxRunsPerClient);
  const version = packageVersion();
  const currentBackend = () => manager?.backend ?? null;

  const packedIngest = createPackedIngest(store, hub, runs, (m) => log.warn(m));
  const progress = new ProgressPublisher((run) => {
    const info = runs.info(run);
    if (info) hub.publishRuns([info]);
  });
  const watcher = new LogdirWatcher(config.logdir, {
    reloadIntervalSec: config.reloadIntervalSec,
    onRecords: (() => {
      const bounded = (run: string, records: Parameters<typeof ingest>[1]) => {
        ingest(run, records);
        memory.enforce();
      };
      return cluster ? cluster.fromDisk(bounded) : bounded;
    })(),
    // In a cluster every record from disk must pass the stream dedup, which the packed path skips.
    loadWorkers: cluster ? 0 : config.loadWorkers,
    onPacked: (run, packed) => {
      packedIngest(run, packed);
      memory.enforce();
    },
    onLoadProgress: (run) => progress.changed(run, watcher.loadProgress(run) === undefined),
    onRun: (run) => {
      try {
        if (!store.hasRun(run)) store.addRun(run);
        const info = runs.info(run);
        if (info) hub.publishRuns([info]);
      } catch (e) {
        log.warn(`new run "${run}": ${(e as Error).message}`);
      }
    },
    onRunRemoved: (run) => {
      // A run of ours that is still training keeps its data (the trainer re-creates the directory).
      if (manager?.list().some((r) => r.name === run && (r.status?.state === 'running' || r.status?.state === 'queued'))) return;
      store.removeRun(run);
      cache?.drop([run]);
      hub.runRemoved(run);
      io.emit('run:removed', run);
    },
    onWarning: (run, message) => {
      store.addWarning(run, message);
      log.warn(`[run ${run}] ${message}`);
    },
  });

  runs.loadProgress = (run) => watcher.loadProgress(run);
  // The log cache (server/cache/): runs it holds are listed at once and their data comes back from it (when
  // viewed, or in the background while memory allows); it is also where a run dropped by --max-memory comes
  // back from. In a cluster every record from disk must pass the stream dedup: no cache there.
  const cache = config.cacheDir && !cluster ? LogCache.open({ dir: config.cacheDir, logdir: config.logdir, warn: (m) => log.warn(m) }) : null;
  cache?.bind(store, watcher, {
    // Viewers of the run get its series whole (they may hold an older state of it, or nothing); only the
    // kinds someone takes (histograms stay in the cache until touched).
    restored: (run) => {
      const kinds = new Set((['scalars', 'histograms', 'images'] as const).filter((k) => hub.wantsKind(run, k)));
      if (kinds.size > 0) hub.publish(store.deltasAfter(run, {}, undefined, kinds).map((d) => ({ ...d, reset: true })));
      const info = runs.info(run);
      if (info) hub.publishRuns([info]);
    },
    lost: (run) => {
      if (store.isEvicted(run) || !store.hasRun(run)) return;
      watcher.park(run);
      store.evictRun(run);
    },
  });
  cache?.prepare();
  // Runs our trainer writes are never dropped: the watcher does not read their files, so nothing could bring them back.
  const memory = new MemoryBound(store, config.maxMemoryMb * 2 ** 20, cache ?? diskReloader(watcher), (run) => !manager?.list().some((r) => r.name === run));
  const viewed = (list: string[]): Promise<void> => {
    watcher.want(list);
    return memory.touch(list);
  };

  if (manager) {
    const ownRunDirs = new Set<string>();
    // Our runs' points arrive in-process; the watcher must not read their files too. The run folder is
    // known (and ignored) from the first status, before the worker creates its file.
    manager.on('file', (_run, absPath) => watcher.ignoreFile(absPath));
    manager.on('records', ingest);
    manager.on('status', (info) => {
      if (!ownRunDirs.has(info.name)) {
        ownRunDirs.add(info.name);
        watcher.ignoreDir(path.join(config.logdir, info.name));
      }
      const merged = runs.info(info.name) ?? info;
      hub.publishRuns([merged]);
      // The one status event of a failed run: the console says why too (e.g. a full disk).
      if (info.status?.state === 'failed') log.warn(info.status.error ?? `run "${info.name}" failed`);
    });
  }

  const app = createHttpApp({ config, store, runs, backend: currentBackend, version, beforeRead: viewed });
  const server = http.createServer(app);
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;
  const io = createSocketServer(server, { config, store, hub, runs, control, backend: currentBackend, version, onRunsViewed: (list) => void viewed(list) });
  broadcast = broadcaster(io);
  await cluster?.start({ io, ingest, manager, runChanged: (run, info) => hub.publishRuns([runs.info(run) ?? info]) });

  const startWatcher = () =>
    watcher.start().catch((e: unknown) => log.error(`cannot watch logdir ${config.logdir}: ${(e as Error).message}`));
  // In the background, the port opens at once and runs say how far their reading is (RunInfo.loading).
  if (!config.backgroundLoad) await startWatcher();
  else await watcher.discover(); // every run is listed from the first request on

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(
        e.code === 'EADDRINUSE'
          ? new Error(`port ${config.port} on ${config.host} is already in use; pick another with --port`)
          : e,
      );
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(config.port, config.host);
  }).catch(async (e) => {
    io.close();
    hub.close();
    await watcher.stop();
    cache?.close();
    await manager?.close();
    await cluster?.close();
    throw e;
  });
  const loaded = config.backgroundLoad ? startWatcher() : Promise.resolve();
  let cacheTimer: NodeJS.Timeout | null = null;
  if (cache) {
    void cache.restoreAll(memory.limitBytes).then(() => memory.enforce());
    // Snapshots of what was read: all of it once loaded, then runs that grew, now and then.
    void loaded.then(() => cache.saveAll(0));
    cacheTimer = setInterval(() => void cache.saveAll(), CACHE_SAVE_MS);
    cacheTimer.unref();
  }
  // From here on a socket error must not crash the process.
  server.on('error', (e) => log.error(`HTTP server error: ${e.message}`));
  server.on('clientError', answerClientError);

  const backend: Promise<BackendName | null> = manager
    ? manager.init().catch((e: unknown) => {
        log.warn(`training backend unavailable: ${(e as Error).message}`);
        return null;
      })
    : Promise.resolve(null);

  if (config.demo && manager && store.runs().length === 0) startDemo(manager, log.log);

  let closing: Promise<void> | null = null;
  return {
    http: server,
    io,
    config,
    store,
    hub,
    manager,
    ingest,
    backend,
    loaded,
    cache,
    url() {
      const a = server.address() as AddressInfo | null;
      return displayUrl(config.host, a?.port ?? config.port);
    },
    close() {
      closing ??= (async () => {
        hub.close();
        await new Promise<void>((resolve) => {
          io.close(() => resolve());
          server.closeAllConnections();
        });
        progress.close();
        if (cacheTimer) clearInterval(cacheTimer);
        // What was read since the last snapshots, so the next start reads only what is new (bounded in time).
        await cache?.saveAll(0, Date.now() + CACHE_CLOSE_SAVE_MS);
        await watcher.stop();
        cache?.close();
        await manager?.close();
        await cluster?.close();
      })();
      return closing;
    },
  };
}

/** A small activation sweep on the spiral set, so a first start shows live training at once. */
function startDemo(manager: TrainingManager, log: (m: string) => void): void {
  try {
    const runs = manager.startSweep(
      'demo',
      {
        dataset: 'spiral',
        noise: 0.1,
        samples: 2000,
        layers: [32, 32],
        optimizer: 'adam',
        learningRate: 0.01,
        batchSize: 16,
        epochs: 200, // 20,000 iterations a run
        dropout: 0,
        batchNorm: false,
        seed: 1,
        summaryEvery: 50, // histograms dominate a log's size: ~15 MB a run instead of ~45 MB
        // Unpaced, a run takes ~10 s here; at 250 it/s the sweep (two runs at a time) lasts ~3 minutes.
        maxItersPerSec: 250,
      },
      ['relu', 'tanh', 'sigmoid', 'linear'],
    );
    log(`Demo: the logdir was empty, training ${runs.map((r) => r.name).join(', ')}`);
  } catch (e) {
    log(`Demo sweep could not start: ${(e as Error).message}`);
  }
}
