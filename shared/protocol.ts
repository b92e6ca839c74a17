// The live protocol, declared once: socket.io event maps used by both ends
// (`Server<ClientToServer, ServerToClient>` and `Socket<ServerToClient, ClientToServer>`), and the zod
// schemas the server validates every incoming message with (the web's TRAIN form reuses them).
import { z } from 'zod';
import { ownRecord } from './own-record.ts';
import {
  ACTIVATIONS,
  DATASETS,
  OPTIMIZERS,
  type BackendName,
  type HistogramTuple,
  type ImageRef,
  type RunInfo,
  type RunName,
  type Tag,
} from './types.ts';

export type Ack<T> = { ok: true; data: T } | { ok: false; error: string };
export type AckFn<T> = (reply: Ack<T>) => void;

// ---------- server -> client ----------

/**
 * Exact decimal text of steps past 2^53, keyed by the step as the (rounded) number sent: int64 steps that a
 * double cannot hold keep their value. Present only when the series has such steps.
 */
export type ExactSteps = Record<string, string>;

/** New points of one (run, tag). `reset` = drop what you hold for this series first (step rewind). */
export type SeriesDelta =
  | {
      kind: 'scalars';
      run: RunName;
      tag: Tag;
      reset?: boolean;
      exactSteps?: ExactSteps;
      /** Columnar: same length. Values may be null where the logged value was NaN/±Inf (JSON has none). */
      wallTimes: number[];
      steps: number[];
      values: (number | null)[];
      /** A backlog downsampled for `points`: the left-out points are served by GET /data/plugin/scalars/scalars?min_step=&max_step=. */
      decimated?: boolean;
    }
  | { kind: 'histograms'; run: RunName; tag: Tag; reset?: boolean; exactSteps?: ExactSteps; points: HistogramTuple[] }
  | { kind: 'images'; run: RunName; tag: Tag; reset?: boolean; exactSteps?: ExactSteps; points: ImageRef[] };

/** One coalesced push (at most every PUSH_INTERVAL_MS per client). */
export interface DeltaBatch {
  /** Set when this batch belongs to a replay session of this client (see replay:start). */
  replayId?: string;
  series: SeriesDelta[];
  /** The runs whose info changed (new run, status/progress change, hparams). */
  runs?: RunInfo[];
  /** Runs whose graph arrived or changed: fetch GET /api/graphs?run=. */
  graphs?: RunName[];
  /** Runs whose subscribe-time backlog this batch completes (named in the subscribe ack's `loading`). */
  loaded?: RunName[];
  /**
   * Runs that got new data of plugins served over HTTP only (text, pr_curves, audio, custom_scalars; what
   * they held at subscribe time is in the subscribe ack): refetch from the plugin's /data/plugin route.
   */
  plugins?: PluginNotice[];
}

/** A run has (new) data of a plugin; `plugin` is TensorBoard's plugin name. */
export interface PluginNotice {
  run: RunName;
  plugin: string;
}

export interface Hello {
  version: string;
  logdir: string;
  /** Backend the trainer uses for new runs (as resolved at start). */
  backend: BackendName | null;
  runs: RunInfo[];
  /** Who this connection is to the server: its owner tag (RunInfo.startedBy of its runs) and whether it may stop any run. */
  you?: ClientRole;
  /** What this server does: no TRAIN without training. Absent (older server): both enabled. */
  features?: { training: boolean; replay: boolean };
}

/** A connection's role in run control (see shared/run-access.ts). */
export interface ClientRole {
  owner: string;
  admin: boolean;
}

/**
 * socket.io handshake `auth` the dashboard sends: `clientId` is a random per-tab id (kept across reconnects)
 * that owns the runs the tab starts. Unknown keys are ignored (e.g. `token`, checked elsewhere).
 */
export const HandshakeAuthSchema = z.object({ clientId: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/).optional() });

export interface ReplayState {
  replayId: string;
  run: RunName;
  state: 'playing' | 'paused' | 'finished';
  speed: ReplaySpeed;
  /** Last step delivered. */
  step: number | null;
  firstStep: number | null;
  lastStep: number | null;
}

export interface ServerToClient {
  hello: (h: Hello) => void;
  delta: (batch: DeltaBatch) => void;
  'replay:state': (s: ReplayState) => void;
  /** A run was removed (its directory vanished). */
  'run:removed': (run: RunName) => void;
  /** The server is dropping this client (e.g. it cannot keep up); says why. */
  'server:notice': (message: string) => void;
  /** Sent just before the server disconnects a client it will not keep serving (e.g. it stopped reading). */
  'server:dropped': (n: DropNotice) => void;
}

/** Why a client was dropped: `slow-client` = more queued for it than --max-client-buffer-mb allows. */
export interface DropNotice {
  reason: 'slow-client' | 'send-failed';
  /** Readable, for the dashboard's notice line. */
  message: string;
  /** Bytes queued for the client when it was dropped, and the cap. */
  queuedBytes?: number;
  limitBytes?: number;
}

// ---------- client -> server ----------

const runName = z.string().min(1).max(512);
export const SERIES_KINDS = ['scalars', 'histograms', 'images'] as const;
export type SeriesKind = (typeof SERIES_KINDS)[number];
const tagName = z.string().min(1).max(1024); // tags from logs are capped at 1024 (server/logs/names.ts)

export const SubscribeSchema = z.object({
  /** Run names, or "*" for all runs (including ones that appear later). */
  runs: z.union([z.literal('*'), z.array(runName).max(10_000)]),
  /** Optional regex on tags (RE2 syntax: no backreferences or lookaround; case-insensitive); only matching series are pushed. */
  tagPattern: z.string().max(512).optional(),
  /** Zero-gap resume: per run, per tag, the last step the client holds. The server sends exactly what is after it. */
  have: ownRecord(runName, ownRecord(tagName, z.number().int())).optional(),
  /** Scalar backlogs downsampled to about this many points a series (min / max per step bucket; `decimated` set). */
  points: z.number().int().min(2).max(1_000_000).optional(),
  /** Kinds of series to push (a client without a histogram/distribution view skips histograms); all when absent. */
  kinds: z.array(z.enum(SERIES_KINDS)).max(3).optional(),
});
export type SubscribeRequest = z.infer<typeof SubscribeSchema>;

export const TrainSpecSchema = z.object({
  dataset: z.enum(DATASETS as unknown as [string, ...string[]]),
  noise: z.number().min(0).max(1).default(0.1),
  samples: z.number().int().min(20).max(60_000).default(1000),
  layers: z.array(z.number().int().min(1).max(1024)).min(1).max(8),
  optimizer: z.enum(OPTIMIZERS as unknown as [string, ...string[]]).default('adam'),
  learningRate: z.number().positive().max(10),
  batchSize: z.number().int().min(1).max(4096),
  epochs: z.number().int().min(1).max(1000),
  dropout: z.number().min(0).max(0.9).default(0),
  batchNorm: z.boolean().default(false),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  summaryEvery: z.number().int().min(1).max(10_000).default(10),
  maxItersPerSec: z.number().int().min(1).max(1_000_000).optional(),
  /** Cluster training (serve --redis): retry a run once when its worker dies. Ignored when training locally. */
  retry: z.boolean().optional(),
});
/** Start one run per activation (a sweep when more than one), everything else identical. */
export const TrainRequestSchema = TrainSpecSchema.extend({
  activations: z.array(z.enum(ACTIVATIONS as unknown as [string, ...string[]])).min(1).max(12),
  /** Run name for one activation, sweep folder for several; generated when absent. Validated as a safe relative name. */
  name: z
    .string()
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, "_", "-" and "." only')
    .optional(),
});
export type TrainRequest = z.infer<typeof TrainRequestSchema>;

export const StopSchema = z.object({ run: runName });

export type ReplaySpeed = 1 | 2 | 10 | 'max';
export const ReplayStartSchema = z.object({
  run: runName,
  speed: z.union([z.literal(1), z.literal(2), z.literal(10), z.literal('max')]).default(1),
  /** Idle gaps in the log longer than this (seconds) are shortened to it. */
  maxGapSec: z.number().positive().max(3600).default(2),
});
export type ReplayStartRequest = z.infer<typeof ReplayStartSchema>;
export const ReplayControlSchema = z.object({
  replayId: z.string().min(1).max(64),
  action: z.enum(['pause', 'resume', 'seek', 'speed', 'stop']),
  step: z.number().int().optional(),
  speed: z.union([z.literal(1), z.literal(2), z.literal(10), z.literal('max')]).optional(),
});
export type ReplayControlRequest = z.infer<typeof ReplayControlSchema>;

export interface ClientToServer {
  /** `loading`: runs whose backlog is still to come (each is named in a later batch's `loaded`). */
  /** `plugins`: the HTTP-served plugins the subscribed runs hold data of (later ones come in DeltaBatch.plugins). */
  subscribe: (req: SubscribeRequest, ack: AckFn<{ runs: RunInfo[]; loading?: RunName[]; plugins?: PluginNotice[] }>) => void;
  unsubscribe: (ack: AckFn<null>) => void;
  'runs:list': (ack: AckFn<RunInfo[]>) => void;
  'train:start': (req: TrainRequest, ack: AckFn<{ runs: RunName[] }>) => void;
  'train:stop': (req: z.infer<typeof StopSchema>, ack: AckFn<null>) => void;
  'replay:start': (req: ReplayStartRequest, ack: AckFn<ReplayState>) => void;
  'replay:control': (req: ReplayControlRequest, ack: AckFn<ReplayState>) => void;
}

/**
 * Coalescing window for pushes to one client: a point is held at most this long before it is pushed
 * (leading edge: after a quiet period it goes out at once). 25 ms keeps hold + transit under 50 ms even
 * with 20 clients on 2 cores (bench:live), at 40 pushes a second at most.
 */
export const PUSH_INTERVAL_MS = 25;
