// The dashboard's state root: wires the socket to runs / series / replay / training state and
// implements DashboardData for the tab components.
import type { ClientRole, DeltaBatch, Hello } from '../../../../shared/protocol.ts';
import { mayStopRun } from '../../../../shared/run-access.ts';
import type { BackendName, GraphJson, HistogramTuple, ImageRef, RunInfo } from '../../../../shared/types.ts';
import { fetchGraphs, imageUrl } from '../api.ts';
import type { DashSocket } from '../socket.ts';
import { runSearch } from '../run-table.ts';
import { compileFilter } from '../url-state.ts';
import { loadingCount } from '../empty-state.ts';
import { kindsForTab } from '../series-kinds.ts';
import type { DashboardData, RunView } from './dashboard-data.ts';
import { ReplayController } from './replay.svelte.ts';
import { RunsState } from './runs.svelte.ts';
import { SeriesState } from './series.svelte.ts';
import { TrainingController } from './training.svelte.ts';
import { dict } from '../../../../shared/dict.ts';
import { UiState } from './ui.svelte.ts';
import { PluginsState } from './plugins.svelte.ts';
import { ProjectorRunsWatch } from '../projector/projector-runs.ts';
import { shownTab, visibleTabs } from '../tab-visibility.ts';
import { ZoomDetail } from './zoom-detail.svelte.ts';
import { backlogPoints } from '../zoom-window.ts';
import { markOnce } from '../page-marks.ts';
import { afterFirstChart } from '../after-first-chart.ts';

export type Connection = 'connecting' | 'live' | 'reconnecting';

export class Dashboard implements DashboardData {
  readonly series = new SeriesState();
  readonly runsState = new RunsState();
  readonly ui = new UiState();
  /** HTTP-served plugin data: which runs have it, and the cache its tabs fetch through. */
  readonly plugins = new PluginsState();
  /** Projector data lives in files beside the log (projector_config.pbtxt), not in records: asked for over HTTP. */
  private readonly projectorRuns = new ProjectorRunsWatch((runs) => {
    this.plugins.add(runs.map((run) => ({ run, plugin: 'projector' })));
    // Tabs are judged (and a hidden one left) only once both the ack and the projector's answer are in.
    if (this.pluginsPending) {
      this.pluginsPending = false;
      this.pluginsKnown = true;
    }
  });
  private pluginsPending = false;
  readonly replay: ReplayController;
  readonly training: TrainingController;
  /** Full-resolution points of zoomed scalar charts (backlogs arrive downsampled). */
  readonly zoom = new ZoomDetail((m) => (this.notice = m));

  connection = $state<Connection>('connecting');
  backend = $state<BackendName | null>(null);
  logdir = $state('');
  version = $state('');
  /** Set once a subscribe ack said which runs have plugin data (before it, a plugin tab in the URL is kept). */
  pluginsKnown = $state(false);
  /** Set once the first hello arrived (empty state vs. still loading). */
  ready = $state(false);
  notice = $state<string | null>(null);
  /** This connection's role in run control (from hello): decides which stop buttons show. */
  you = $state<ClientRole | undefined>(undefined);
  /** What the server does (hello); TRAIN is offered only with training. */
  features = $state<{ training: boolean; replay: boolean }>({ training: false, replay: true });
  /**
   * Whether the sidebar lists its run rows: from the first chart on (after-first-chart.ts), or a second
   * after the runs are known (SCALARS with no chart; at once on another tab). Rendering them when the run
   * list came was the biggest task between the subscribe and the first chart.
   */
  runRowsShown = $state(false);
  /** Runs whose backlog is still arriving after a subscribe, and how many had one. */
  loadingRuns = $state.raw<ReadonlySet<string>>(new Set());
  private backlogRuns: ReadonlySet<string> = new Set();
  /** A subscribe is on its way: until its ack, every selected run counts as loading. */
  private subscribing = $state(false);

  private sock: DashSocket | null = null;
  private graphCache = $state.raw<Map<string, GraphJson[]>>(new Map());
  private graphLoading = new Set<string>();
  /** Runs whose live data must be re-sent in full on the next subscribe (replay ended while offline). */
  private resync = new Set<string>();
  /** Series kinds the visible tab needs, and those of the last subscribe sent. */
  wantedKinds = $derived(kindsForTab(this.ui.tab));
  private subscribedKinds = '';
  /**
   * The window's width when the dashboard was made (boot.ts, before the app mounts), for the first
   * subscribe: reading innerWidth then forces no layout, while at connect it made the freshly mounted
   * page lay out before the subscribe could leave (~30 ms the server could have spent on the backlog).
   */
  private bootWidth: number | null = typeof window === 'undefined' ? null : window.innerWidth;

  constructor() {
    this.replay = new ReplayController({
      socket: () => this.sock,
      clearRun: (run) => this.series.clearRun(run),
      restoreLive: (run) => {
        this.resync.add(run);
        this.subscribe();
      },
    });
    this.training = new TrainingController(
      () => this.sock,
      (runs) => this.ui.addRuns(runs),
    );
  }

  private runFilterFn = $derived(runSearch(this.ui.runFilter));
  private tagFilterFn = $derived(compileFilter(this.ui.tagFilter));

  /** Runs passing the run search (names and hyper-parameters; sidebar table). */
  filteredRuns = $derived(this.runsState.all.filter((r) => this.runFilterFn(r)));

  /** When a run started (unix s): the trainer's start, else its earliest logged scalar. */
  runStart(run: string): number | null {
    const started = this.runsState.get(run)?.status?.startedAt;
    if (started !== undefined) return started;
    let first = Infinity;
    for (const s of this.series.scalarsOf(run).values()) if (s.n > 0 && s.walls[0] < first) first = s.walls[0];
    return first === Infinity ? null : first;
  }

  /** Last finite value of a run's scalar tag (null when absent). */
  lastValue(run: string, tag: string): number | null {
    if (!tag) return null;
    const s = this.series.scalar(run, tag);
    if (!s) return null;
    for (let i = s.n - 1; i >= 0; i--) if (Number.isFinite(s.values[i])) return s.values[i];
    return null;
  }
  /** Selected, filter-passing runs in display order. */
  runs = $derived<RunView[]>(this.filteredRuns.filter((r) => this.ui.isSelected(r.name)));

  /** Header tabs: plugin tabs only while a selected run has their data (tab-visibility.ts). */
  visibleTabs = $derived(visibleTabs(this.runs.map((r) => ({ name: r.name, info: r.info, plugins: this.plugins.of(r.name) }))));
  /** The tab drawn: the chosen one while visible, else scalars. */
  shownTab = $derived(shownTab(this.ui.tab, this.visibleTabs));

  /** Last step shown of a run's plugin data: the replay's position while it is replayed (null = no limit). */
  maxStep(run: string): number | null {
    if (this.replay.run !== run) return null;
    return this.replay.state?.step ?? -Infinity;
  }

  get tagFilter(): string {
    return this.ui.tagFilter;
  }
  tagMatches(tag: string): boolean {
    return this.tagFilterFn(tag);
  }

  histogramTags(run: string): string[] {
    return this.series.histogramTags(run);
  }
  histograms(run: string, tag: string): HistogramTuple[] {
    return this.series.histograms(run, tag);
  }
  imageTags(run: string): string[] {
    return this.series.imageTags(run);
  }
  images(run: string, tag: string): ImageRef[] {
    return this.series.images(run, tag);
  }
  imageUrl(run: string, tag: string, index: number): string {
    return imageUrl(run, tag, index);
  }
  graphs(run: string): GraphJson[] | undefined {
    return this.graphCache.get(run);
  }
  loadGraphs(run: string): void {
    if (this.graphCache.has(run) || this.graphLoading.has(run)) return;
    this.graphLoading.add(run);
    fetchGraphs(run)
      .then((g) => this.setGraphs(run, g))
      .catch((e: unknown) => {
        this.notice = `graph of ${run}: ${e instanceof Error ? e.message : String(e)}`;
        this.setGraphs(run, []);
      })
      .finally(() => this.graphLoading.delete(run));
  }
  private setGraphs(run: string, g: GraphJson[] | undefined): void {
    const next = new Map(this.graphCache);
    if (g) next.set(run, g);
    else next.delete(run);
    this.graphCache = next;
  }

  /** Training backend: from hello, or (resolved later) from a run's status. */
  backendLabel = $derived(this.backend ?? this.runsState.all.findLast((r) => r.info.status?.backend)?.info.status?.backend ?? null);

  /** Whether this client may stop the run (the server enforces the same rule). */
  mayStop(info: Pick<RunInfo, 'startedBy'>): boolean {
    return mayStopRun(info, this.you);
  }

  /** Status shown in the status line. */
  get status(): 'connecting' | 'live' | 'reconnecting' | 'replaying' {
    if (this.connection === 'live' && this.replay.run) return 'replaying';
    return this.connection;
  }

  /** Attaches the socket (the only one) and starts the subscribe / delta flow. */
  attach(sock: DashSocket): void {
    this.sock = sock;
    sock.on('connect', () => {
      markOnce('connect');
      this.connection = 'live';
      this.subscribe();
    });
    sock.on('disconnect', () => {
      this.connection = 'reconnecting';
      this.subscribing = false; // the ack will not come; the next connect subscribes again
      const run = this.replay.connectionLost();
      if (run) {
        this.series.clearRun(run);
        this.resync.add(run);
      }
    });
    sock.on('connect_error', () => {
      if (this.connection !== 'live') this.connection = 'reconnecting';
    });
    sock.on('hello', (h) => this.onHello(h));
    sock.on('delta', (b) => this.onDelta(b));
    sock.on('replay:state', (s) => this.replay.onState(s));
    sock.on('run:removed', (run) => {
      this.runsState.remove(run);
      this.series.removeRun(run);
      this.setGraphs(run, undefined);
      this.plugins.remove(run);
    });
    sock.on('server:notice', (m) => (this.notice = m));
    sock.on('server:dropped', (n) => (this.notice = n.message));
  }

  onHello(h: Hello): void {
    markOnce('hello');
    this.backend = h.backend;
    this.logdir = h.logdir;
    this.version = h.version;
    this.you = h.you;
    this.runsState.replaceAll(h.runs);
    this.features = h.features ?? { training: true, replay: true };
    this.ready = true;
    if (!this.runRowsShown) afterFirstChart.run(() => (this.runRowsShown = true), this.shownTab === 'scalars' ? 1000 : 0);
  }

  onDelta(b: DeltaBatch): void {
    if (b.series.length > 0) markOnce('first-series');
    if (b.runs) {
      this.runsState.upsert(b.runs);
      this.projectorRuns.poke();
    }
    for (const d of b.series) if (this.replay.accepts(b, d.run)) this.series.apply(d);
    if (b.graphs) for (const run of b.graphs) if (!b.replayId) this.setGraphs(run, undefined);
    if (b.plugins && !b.replayId) this.plugins.add(b.plugins);
    if (b.loaded?.length && this.loadingRuns.size > 0) {
      const next = new Set(this.loadingRuns);
      for (const run of b.loaded) next.delete(run);
      this.loadingRuns = next;
    }
  }

  /** Selected runs still loading: { loaded, total } over the selected runs that had a backlog; null when none is left. */
  get loading(): { loaded: number; total: number } | null {
    if (this.subscribing && this.runs.length > 0) return { loaded: 0, total: this.runs.length };
    return loadingCount(this.runs.map((r) => r.name), this.loadingRuns, this.backlogRuns);
  }

  /** Resubscribes when the visible tab needs other series kinds than those subscribed (see series-kinds.ts). */
  followKinds(): void {
    if (this.wantedKinds.join(',') !== this.subscribedKinds) this.subscribe();
  }

  /** (Re)subscribe to every run with what we hold, so the server sends exactly what we miss. */
  subscribe(): void {
    const sock = this.sock;
    if (!sock || !sock.connected) return;
    const resync = new Set(this.resync);
    const replaying = this.replay.run;
    if (replaying) resync.add(replaying);
    const have = this.series.have(resync);
    for (const r of resync) if (r !== replaying) have[r] = dict();
    this.subscribing = true;
    // Long series arrive downsampled to about 2 points per pixel; a zoom fetches the rest (zoom-detail.svelte.ts).
    const points = backlogPoints(this.bootWidth ?? (typeof window === 'undefined' ? 0 : window.innerWidth));
    this.bootWidth = null;
    const kinds = this.wantedKinds;
    this.subscribedKinds = kinds.join(',');
    markOnce('subscribe');
    sock.emit('subscribe', { runs: '*', have, points, kinds }, (ack) => {
      markOnce('ack');
      this.subscribing = false;
      if (!ack.ok) {
        this.notice = `subscribe failed: ${ack.error}`;
        return;
      }
      for (const r of resync) this.resync.delete(r);
      this.backlogRuns = new Set(ack.data.loading ?? []);
      this.loadingRuns = this.backlogRuns;
      this.runsState.upsert(ack.data.runs);
      this.plugins.replace(ack.data.plugins ?? [], '*');
      if (!this.pluginsKnown) this.pluginsPending = true;
      this.projectorRuns.poke();
      this.ready = true;
    });
  }
}
