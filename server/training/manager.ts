// Runs training jobs in worker threads: at most maxRuns at once, the rest in a bounded queue.
// The main thread never imports tfjs; it relays each worker's summaries ('records'), status
// (throttled) and event-file path as events. A failing run — an exception in the trainer, a worker
// error or an abrupt exit — is reported as 'failed' and never takes the process down.
// Workers are reused: a run that ended cleanly hands its warm worker (tsx + tfjs/wasm already loaded,
// ~0.5 s saved) to the next queued run, and the backend probe's worker is kept as a spare for the first run.
// The workers themselves (starting, the spare, the probe) live in worker-slots.ts; this file owns the runs.
// Runs are admitted against disk budgets (run-disk-guard.ts, which also stops runs over budget while they
// run) and a folder that must resolve inside the logdir (run-paths.ts); events go out through run-events.ts.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Activation, BackendChoice, BackendName, RunInfo, RunState, TrainSpec } from '../../shared/types.ts';
import type { LogRecord } from '../logs/records.ts';
import { RunDiskGuard } from './run-disk-guard.ts';
import { RunEvents } from './run-events.ts';
import { unpackRecords } from './record-wire.ts';
import { assertRunPathInside, makeRunDir } from './run-paths.ts';
import { RunQueue } from './run-queue.ts';
import { isRootName, parentGroup, pickFreeNames, specHparams, validateRunName } from './run-meta.ts';
import { isWorkerToMain, type MainToWorker, type RunResult, type WorkerToMain } from './worker-protocol.ts';
import { WorkerSlots } from './worker-slots.ts';
import { errorMessage, MAX_ENDED_RUNS, type Listener, type RunEntry, type Slot, type TrainingManagerOptions } from './manager-types.ts';

export { MAX_ENDED_RUNS, type TrainingManagerOptions } from './manager-types.ts';

export class TrainingManager {
  readonly logdir: string;
  readonly maxRuns: number;
  private readonly choice: BackendChoice;
  private readonly opts: TrainingManagerOptions;
  private readonly events: RunEvents;
  private readonly runs = new Map<string, RunEntry>();
  private readonly queue: RunQueue;
  private running = 0;
  private resolved: BackendName | null = null;
  private initPromise: Promise<BackendName> | undefined;
  private readonly slots: WorkerSlots<RunEntry>;
  private closed = false;
  private readonly guard: RunDiskGuard;

  constructor(opts: TrainingManagerOptions) {
    this.opts = opts;
    this.logdir = path.resolve(opts.logdir);
    this.maxRuns = Math.max(1, Math.floor(opts.maxRuns ?? os.availableParallelism()));
    this.queue = new RunQueue(opts.maxQueue ?? 64);
    this.choice = opts.backend ?? 'auto';
    this.guard = new RunDiskGuard(opts, {
      running: () => [...this.runs.values()].filter((e) => !e.ended && e.slot).map((e) => e.info.name),
      stopFor: (run, reason) => {
        const e = this.runs.get(run);
        if (!e || e.ended || e.stopReason) return;
        e.stopReason = reason;
        this.stop(run);
      },
    });
    this.events = new RunEvents(opts.statusIntervalMs ?? 100);
    this.slots = new WorkerSlots<RunEntry>(
      { summaries: opts.summaries ?? true, faultInjection: opts.faultInjection },
      {
        message: (e, m) => this.onMessage(e, m),
        error: (e, err) => {
          if (!e.ended) this.end(e, 'failed', `run "${e.info.name}": worker error: ${err.message}`);
        },
        exit: (e, code) => {
          if (e.ended) return;
          if (e.stopRequested) this.end(e, 'stopped');
          else this.end(e, 'failed', `run "${e.info.name}": worker exited unexpectedly (exit code ${code})`);
        },
      },
    );
  }

  /** Worker threads started so far (probe included); less than runs + 1 when warm workers were reused. */
  get workersStarted(): number {
    return this.slots.started;
  }

  /** The backend runs use, once known (after init() or a run's first report). */
  get backend(): BackendName | null {
    return this.resolved;
  }

  /** Runs at once plus runs that may wait: every place a run can take. */
  get capacity(): number {
    return this.maxRuns + this.queue.capacity;
  }

  /** Sets the logdir's size before our runs (the base of the logdir budget); see disk-budget.ts measureDirBytes. */
  setLogdirBaseline(bytes: number): void {
    this.guard.budget.baseline = bytes;
  }

  /** Bytes the logdir holds as far as the manager knows (baseline + what runs wrote). */
  get logdirBytes(): number {
    return this.guard.budget.used();
  }

  /** Resolves the backend in a short-lived probe worker (the main thread never loads tfjs). */
  init(): Promise<BackendName> {
    if (this.resolved) return Promise.resolve(this.resolved);
    this.initPromise ??= this.slots.probe(this.choice).then(
      (b) => (this.resolved ??= b),
      (err: unknown) => {
        this.initPromise = undefined;
        throw err;
      },
    );
    return this.initPromise;
  }

  on<E extends keyof Listener>(ev: E, cb: Listener[E]): this {
    this.events.on(ev, cb);
    return this;
  }

  off<E extends keyof Listener>(ev: E, cb: Listener[E]): this {
    this.events.off(ev, cb);
    return this;
  }

  /**
   * Starts (or queues) one run named `name` (a safe relative path below the logdir). A name already in
   * use — by a run of this manager or an existing directory — gets a numeric suffix ("name-2", "name-3", ...);
   * the returned RunInfo carries the name used. Throws on a bad name, a full queue or after close().
   */
  startRun(name: string, spec: TrainSpec, group?: string, owner?: string): RunInfo {
    this.assertOpen();
    const base = validateRunName(name);
    if (!this.queue.hasRoom(Math.max(0, 1 - this.freeSlots()))) this.queueFull();
    const [free] = pickFreeNames((s) => [base + s], (n) => this.isTaken(n));
    assertRunPathInside(this.logdir, free);
    const estimate = this.guard.admit([[free, spec]]);
    return this.add(free, spec, group ?? parentGroup(free), estimate[0], owner);
  }

  /**
   * One run per activation, named "<sweep>/<activation>", everything else identical (same seed, same data
   * order). A sweep name in use gets a numeric suffix on the sweep folder ("<sweep>-2/<activation>").
   * sweepName "." (or "") uses the logdir itself as the sweep folder: runs "<activation>" (suffix "<activation>-2").
   */
  startSweep(sweepName: string, spec: Omit<TrainSpec, 'activation'>, activations: Activation[], owner?: string): RunInfo[] {
    this.assertOpen();
    if (activations.length === 0) throw new Error('a sweep needs at least one activation');
    if (new Set(activations).size !== activations.length) throw new Error(`duplicate activations in sweep: ${activations.join(',')}`);
    const root = isRootName(sweepName);
    const sweep = root ? '' : validateRunName(sweepName);
    if (!this.queue.hasRoom(Math.max(0, activations.length - this.freeSlots()))) this.queueFull(activations.length);
    const names = pickFreeNames(
      (s) => activations.map((a) => (root ? `${a}${s}` : `${sweep}${s}/${a}`)),
      (n) => this.isTaken(n),
    );
    const specs = names.map((n, i) => [n, { ...spec, activation: activations[i] } as TrainSpec] as const);
    for (const [n] of specs) assertRunPathInside(this.logdir, n);
    const estimates = this.guard.admit(specs);
    return specs.map(([n, s], i) => this.add(n, s, root ? '.' : parentGroup(n), estimates[i], owner));
  }

  /** Stops a queued (removed) or running (ends after the current iteration, log closed) run. False if not active. */
  stop(run: string): boolean {
    const e = this.runs.get(run);
    if (!e || e.ended) return false;
    if (this.queue.remove(run)) {
      this.end(e, 'stopped');
      return true;
    }
    if (e.stopRequested) return true;
    e.stopRequested = true;
    this.send(e, { type: 'stop' });
    const timeout = this.opts.stopTimeoutMs ?? 15_000;
    e.killTimer = setTimeout(() => {
      if (e.ended) return;
      this.end(e, 'stopped', `run "${run}" did not stop within ${timeout} ms; its worker was terminated`);
    }, timeout);
    return true;
  }

  list(): RunInfo[] {
    return [...this.runs.values()].map((e) => structuredClone(e.info));
  }

  /** The trainer's final figures of a finished (or cleanly stopped) run. */
  result(run: string): RunResult | undefined {
    return this.runs.get(run)?.result;
  }

  /** Resolves when the run has ended (at once if unknown or already ended). */
  waitFor(run: string): Promise<void> {
    const e = this.runs.get(run);
    if (!e || e.ended) return Promise.resolve();
    return new Promise((resolve) => e.endWaiters.push(resolve));
  }

  /** Stops everything (queued runs are dropped, running ones end cleanly or are terminated) and waits for it. */
  async close(): Promise<void> {
    this.closed = true;
    this.guard.close();
    this.slots.close();
    for (const run of this.queue.drain()) {
      const e = this.runs.get(run);
      if (e) this.end(e, 'stopped');
    }
    const active = [...this.runs.values()].filter((e) => !e.ended);
    for (const e of active) this.stop(e.info.name);
    await Promise.all(active.map((e) => this.waitFor(e.info.name)));
  }

  // ---------- internals ----------

  private assertOpen(): void {
    if (this.closed) throw new Error('training manager is closed');
  }

  private freeSlots(): number {
    return Math.max(0, this.maxRuns - this.running);
  }

  private queueFull(n = 1): never {
    throw new Error(
      `training queue is full: ${this.running} running, ${this.queue.size} of ${this.queue.capacity} queued; cannot add ${n} more. Stop some runs or wait.`,
    );
  }

  /** Taken: used by a run of ours (or nested with one), or present on disk. */
  private isTaken(name: string): boolean {
    for (const other of this.runs.keys()) {
      if (other === name || other.startsWith(name + '/') || name.startsWith(other + '/')) return true;
    }
    return existsSync(path.join(this.logdir, name));
  }

  private add(name: string, spec: TrainSpec, group: string, estimate: number, owner?: string): RunInfo {
    this.guard.budget.track(name, estimate);
    const entry: RunEntry = {
      info: {
        name,
        source: 'trainer',
        group,
        status: { state: 'queued' },
        hparams: specHparams(spec, this.resolved),
        ...(owner !== undefined ? { startedBy: owner } : {}),
      },
      spec,
      stopRequested: false,
      ended: false,
      lastStatusAt: 0,
      endWaiters: [],
    };
    this.runs.set(name, entry);
    if (this.running < this.maxRuns) this.spawn(entry);
    else {
      this.queue.push(name);
      this.events.status(entry, true);
    }
    return structuredClone(entry.info);
  }

  /**
   * Starts run e, on `warm` (an idle worker) when given and suitable, else on a new worker. False when the
   * run ended before a worker was considered (disk budget, run folder): `warm` is then still the caller's.
   */
  private spawn(e: RunEntry, warm?: Slot): boolean {
    const name = e.info.name;
    const full = this.guard.budget.logdirOver();
    if (full) {
      this.end(e, 'stopped', `${full}; the run did not start`);
      return false;
    }
    let runDir: string;
    try {
      runDir = makeRunDir(this.logdir, name);
    } catch (err) {
      this.end(e, 'failed', errorMessage(err));
      return false;
    }
    this.running++;
    this.guard.watch();
    e.info.status = { state: 'running', startedAt: Date.now() / 1000, backend: this.resolved ?? undefined };
    this.events.status(e, true);
    const fault = this.slots.hasFault(name);
    let slot = warm && !warm.exited && !fault ? warm : undefined;
    if (!slot && !fault) slot = this.slots.takeSpare();
    if (warm && slot !== warm) this.slots.discard(warm);
    if (slot) slot.worker.ref();
    else {
      try {
        slot = this.slots.create('run', name);
      } catch (err) {
        this.end(e, 'failed', `run "${name}": could not start its worker: ${errorMessage(err)}`);
        return true;
      }
    }
    slot.entry = e;
    slot.idle = false;
    e.slot = slot;
    this.send(e, { type: 'start', spec: e.spec, runDir, backend: this.resolved ?? this.choice });
    return true;
  }

  private send(e: RunEntry, m: MainToWorker): void {
    try {
      e.slot?.worker.postMessage(m);
    } catch {
      // worker already gone; its 'exit' handler reports the run
    }
  }

  private onMessage(e: RunEntry, raw: unknown): void {
    if (e.ended || !isWorkerToMain(raw)) return;
    const m: WorkerToMain = raw;
    const name = e.info.name;
    switch (m.type) {
      case 'backend':
        this.resolved ??= m.backend;
        e.info.status!.backend = m.backend;
        e.info.hparams = { ...e.info.hparams, backend: m.backend };
        this.events.status(e, true);
        break;
      case 'file':
        this.guard.budget.setFile(name, m.path);
        this.events.emit('file', name, m.path);
        break;
      case 'records':
        {
          let records: LogRecord[];
          try {
            records = unpackRecords(m.blocks);
          } catch (err) {
            console.warn(`run ${name}: dropped a malformed records message from its worker: ${(err as Error).message}`);
            break;
          }
          this.events.emit('records', name, records);
        }
        break;
      case 'progress':
        e.info.status!.progress = m.progress;
        this.events.status(e, false);
        break;
      case 'done':
        e.result = m.result;
        if (e.slot) e.slot.idle = true;
        this.end(e, m.stopped ? 'stopped' : 'finished'); // a stop that came after the last iteration still finished
        break;
      case 'error':
        this.end(e, 'failed', `run "${name}": ${m.message}`);
        break;
    }
  }

  private end(e: RunEntry, state: RunState, error?: string): void {
    if (e.ended) return;
    e.ended = true;
    clearTimeout(e.statusTimer);
    clearTimeout(e.killTimer);
    const wasRunning = e.slot !== undefined || e.info.status?.state === 'running';
    this.guard.budget.release(e.info.name);
    // A run the server stopped (disk budget) says why, also when it ended cleanly.
    const why = error ?? (state === 'stopped' ? e.stopReason : undefined);
    e.info.status = { ...e.info.status, state, endedAt: Date.now() / 1000, ...(why ? { error: why } : {}) };
    // A worker that ended its job cleanly is kept for the next queued run; any other is terminated.
    const slot = e.slot;
    e.slot = undefined;
    let warm: Slot | undefined;
    if (slot) {
      slot.entry = null;
      const reusable = slot.idle && !slot.exited && !this.closed && !this.slots.hasFault(e.info.name);
      if (reusable && this.queue.size > 0) warm = slot;
      else if (!reusable || !this.slots.keepSpare(slot)) this.slots.discard(slot);
    }
    this.events.status(e, true);
    for (const w of e.endWaiters.splice(0)) w();
    this.pruneEnded();
    if (wasRunning) {
      this.running--;
      this.pump(warm);
    } else if (warm) this.slots.discard(warm);
  }

  /** Keeps the run table bounded in a long-lived server: forgets the oldest ended runs beyond MAX_ENDED_RUNS. */
  private pruneEnded(): void {
    let excess = -MAX_ENDED_RUNS;
    for (const e of this.runs.values()) if (e.ended) excess++;
    for (const [name, e] of this.runs) {
      if (excess <= 0) break;
      if (e.ended) {
        this.runs.delete(name);
        excess--;
      }
    }
  }

  /** Starts queued runs while slots are free; the first one gets `warm` (an idle worker), if any. */
  private pump(warm?: Slot): void {
    while (!this.closed && this.running < this.maxRuns) {
      const next = this.queue.shift();
      if (next === undefined) break;
      const e = this.runs.get(next);
      if (e && !e.ended) {
        if (this.spawn(e, warm)) warm = undefined;
      }
    }
    if (warm) this.slots.discard(warm);
  }
}
