// The typed socket.io server: connection guards (host/origin, token), one hub client and one replay
// manager per connection, and thin validated handlers that call the services.
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import { Server, type Socket } from 'socket.io';
import {
  HandshakeAuthSchema,
  ReplayControlSchema,
  ReplayStartSchema,
  StopSchema,
  SubscribeSchema,
  TrainRequestSchema,
  type ClientToServer,
  type DeltaBatch,
  type DropNotice,
  type ServerToClient,
} from '../../shared/protocol.ts';
import { WireDecoder, WireEncoder } from '../../shared/wire-parser.ts';
import type { BackendName } from '../../shared/types.ts';
import type { ResolvedConfig } from '../config.ts';
import { accessPolicy, checkSocketRequest, requestFacts } from '../security/policy.ts';
import { bearer, revealLogdir, tokenMatches } from '../security/token.ts';
import type { LiveHub } from '../live/hub.ts';
import { exposedGc, QuietCollector } from '../live/quiet-collector.ts';
import { ReplayLimiter, ReplayManager } from '../live/replay.ts';
import { clientRole, type RunControl } from '../live/run-control.ts';
import type { RunsService } from '../live/runs-service.ts';
import { compileTagFilter } from '../live/tag-filter.ts';
import { subscribedPlugins } from '../live/plugin-notices.ts';
import type { SeriesStore } from '../store/series-store.ts';
import { errorMessage, safeHandler } from './safe-handler.ts';

export type TypedIo = Server<ClientToServer, ServerToClient>;
type TypedSocket = Socket<ClientToServer, ServerToClient>;

export interface SocketDeps {
  config: ResolvedConfig;
  store: SeriesStore;
  hub: LiveHub;
  runs: RunsService;
  control: RunControl;
  backend(): BackendName | null;
  version: string;
  /** A client subscribed to these runs: load them first, count them as viewed (memory bound). */
  onRunsViewed?: (runs: string[]) => void;
}

/** Largest socket message accepted (bytes). */
export const MAX_MESSAGE_BYTES = 100_000;

function pendingPackets(socket: TypedSocket): number {
  const conn = socket.conn as unknown as { writeBuffer?: unknown[] };
  return conn.writeBuffer?.length ?? 0;
}

/** The engine.io internals read for backpressure (not in its public types). */
interface EngineConn {
  readyState?: string;
  writeBuffer?: { type?: string; data?: unknown }[];
  transport?: { name?: string; socket?: { bufferedAmount?: number; terminate?: () => void } };
  close(discard?: boolean): void;
}

function sizeOf(data: unknown): number {
  if (typeof data === 'string') return data.length;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}

/**
 * Bytes sent to the socket and not yet taken by the peer, for real: engine.io's write buffer (packets
 * waiting while the transport is busy, or for a polling client's next GET) plus, on a websocket, what
 * the ws library and the TCP socket hold (bufferedAmount).
 */
export function queuedBytes(socket: TypedSocket): number {
  const conn = socket.conn as unknown as EngineConn;
  let n = 0;
  for (const p of conn.writeBuffer ?? []) n += sizeOf(p.data);
  if (conn.transport?.name === 'websocket') n += conn.transport.socket?.bufferedAmount ?? 0;
  return n;
}

/** How long a dropped client's transport may take to deliver the notice before it is cut. */
const DROP_GRACE_MS = 2000;

/** Sends the notice, disconnects, and cuts the transport if it has not drained: what was queued is freed. */
function dropSocket(socket: TypedSocket, notice: DropNotice): void {
  const conn = socket.conn as unknown as EngineConn;
  // What waits will not be read (a reconnecting client resumes with `have`): freed now, and the notice
  // goes first, so a client that reads again (or a polling client that polls) learns why.
  if (conn.writeBuffer) conn.writeBuffer = conn.writeBuffer.filter((p) => p.type !== 'message');
  socket.emit('server:dropped', notice);
  socket.disconnect(true);
  const t = setTimeout(() => {
    if (conn.readyState === 'closed') return;
    conn.transport?.socket?.terminate?.();
    conn.close(true);
  }, DROP_GRACE_MS);
  t.unref();
}

/** Encodes counted per server (tests and benchmarks check that a broadcast is encoded once). */
export interface WireStats {
  /** socket.io packets of the 'delta' event encoded, and their bytes. */
  deltaEncodes: number;
  deltaBytes: number;
  /** Of those, frozen batches (shared backlog chunks), and how often such a batch's frames were reused. */
  frozenEncodes: number;
  frozenReuses: number;
}
const wireStatsOf = new WeakMap<object, WireStats>();
export function wireStats(io: TypedIo): WireStats {
  return wireStatsOf.get(io) ?? { deltaEncodes: 0, deltaBytes: 0, frozenEncodes: 0, frozenReuses: 0 };
}

function countingParser(stats: WireStats) {
  // A frozen delta batch is a backlog chunk the hub sends as is to many late joiners (hub-model.ts
  // ClientSink): its frames are kept with it and reused, so it is encoded once however many get it.
  const framesOf = new WeakMap<object, { nsp: unknown; type: unknown; frames: Uint8Array[] }>();
  class CountingEncoder extends WireEncoder {
    override encode(packet: { type?: unknown; nsp?: unknown; id?: unknown; data?: unknown[] }): Uint8Array[] {
      const batch = Array.isArray(packet.data) && packet.data[0] === 'delta' && packet.data.length === 2 ? packet.data[1] : null;
      const reusable = batch !== null && typeof batch === 'object' && Object.isFrozen(batch) && packet.id === undefined;
      if (reusable) {
        const hit = framesOf.get(batch);
        if (hit && hit.nsp === packet.nsp && hit.type === packet.type) {
          stats.frozenReuses++;
          return hit.frames;
        }
      }
      const out = super.encode(packet);
      if (reusable) {
        framesOf.set(batch, { nsp: packet.nsp, type: packet.type, frames: out });
        stats.frozenEncodes++;
      }
      if (Array.isArray(packet.data) && packet.data[0] === 'delta') {
        stats.deltaEncodes++;
        for (const b of out) stats.deltaBytes += b.byteLength;
      }
      return out;
    }
  }
  return { Encoder: CountingEncoder, Decoder: WireDecoder };
}

/** Sends one batch to several sockets, encoded once (each socket is in the room named by its id). */
export function broadcaster(io: TypedIo): (ids: string[], batch: DeltaBatch) => void {
  return (ids, batch) => {
    // Local: with the cluster's Redis adapter every server pushes its own clients from its own store.
    io.local.to(ids).emit('delta', batch);
  };
}

/** Quiet time (no client came or went) after which the server collects its garbage once. */
const QUIET_GC_MS = 10_000;

export function createSocketServer(http: HttpServer, d: SocketDeps): TypedIo {
  const policy = accessPolicy(d.config);
  const stats: WireStats = { deltaEncodes: 0, deltaBytes: 0, frozenEncodes: 0, frozenReuses: 0 };
  const io: TypedIo = new Server<ClientToServer, ServerToClient>(http, {
    // MessagePack frames (shared/wire-parser.ts); every client passes the same parser.
    parser: countingParser(stats),
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    serveClient: false,
    // Deltas are small and frequent on a local link: compressing each frame (per client) costs more
    // latency and CPU than it saves.
    perMessageDeflate: false,
    // Pages on listed origins may use the polling transport too (websockets need no CORS).
    cors: d.config.allowedOrigins.length > 0 ? { origin: d.config.allowedOrigins } : undefined,
  });

  wireStatsOf.set(io, stats);

  // Every transport request, not only the handshake: polling requests and the websocket upgrade too.
  io.engine.use((req: IncomingMessage, res: ServerResponse, next: (err?: Error) => void) => {
    const verdict = checkSocketRequest(requestFacts(req), policy);
    if (verdict.ok) return next();
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: verdict.reason }));
  });

  io.use((socket, next) => {
    const token = d.config.authToken;
    if (!token) return next();
    const h = socket.handshake;
    // Sent explicitly by the client; the cookie is not accepted here (pages on other ports send it too).
    const given =
      (h.auth as { token?: unknown } | undefined)?.token ??
      (typeof h.query.token === 'string' ? h.query.token : undefined) ??
      bearer(h.headers);
    if (tokenMatches(token, given)) return next();
    next(new Error('unauthorized: missing or wrong token'));
  });

  const replayLimiter = new ReplayLimiter(d.config.maxReplays);
  const gc = exposedGc();
  const quiet = gc ? new QuietCollector({ quietMs: QUIET_GC_MS, collect: gc }) : null;
  io.on('connection', (socket) => {
    quiet?.activity();
    socket.on('disconnect', () => quiet?.activity());
    try {
      attach(socket, d, replayLimiter);
    } catch (e) {
      d.config.logger.error(`socket ${socket.id}: setup failed: ${errorMessage(e)}`);
      socket.disconnect(true);
    }
  });
  return io;
}

function attach(socket: TypedSocket, d: SocketDeps, replayLimiter: ReplayLimiter): void {
  const warn = (m: string) => d.config.logger.warn(`socket ${socket.id}: ${m}`);
  const id = socket.id;
  // Runs belong to the tab's clientId (kept across reconnects), else to this connection. Past the token
  // guard every client holds the server's token: with --auth-token, all are admins (may stop any run).
  const auth = HandshakeAuthSchema.safeParse(socket.handshake.auth ?? {});
  const you = clientRole((auth.success && auth.data.clientId) || id, d.config.authToken !== undefined);
  d.hub.addClient({
    id,
    emitDelta: (batch) => socket.emit('delta', batch),
    pending: () => pendingPackets(socket),
    queuedBytes: () => queuedBytes(socket),
    drop: (notice) => dropSocket(socket, notice),
  });
  const replays = new ReplayManager({
    store: d.store,
    maxSessions: d.config.maxReplaysPerClient,
    limiter: replayLimiter,
    sink: {
      emitDelta: (batch) => socket.emit('delta', batch),
      emitState: (s) => socket.emit('replay:state', s),
      pending: () => pendingPackets(socket),
    },
  });

  socket.on('disconnect', () => {
    d.hub.removeClient(id);
    replays.closeAll();
  });

  socket.on(
    'subscribe',
    safeHandler(
      'subscribe',
      SubscribeSchema,
      (req) => {
        const filter = compileTagFilter(req.tagPattern);
        if (filter instanceof Error) throw filter;
        if (req.runs !== '*') d.onRunsViewed?.(req.runs);
        const loading = d.hub.subscribe(id, {
          runs: req.runs,
          filter,
          filterKey: req.tagPattern ?? '',
          have: req.have,
          kinds: req.kinds,
          points: req.points,
        });
        return { runs: d.runs.list(), loading, plugins: subscribedPlugins(d.store, req.runs) };
      },
      warn,
    ) as ClientToServer['subscribe'],
  );
  socket.on(
    'unsubscribe',
    safeHandler('unsubscribe', null, () => {
      d.hub.unsubscribe(id);
      return null;
    }, warn) as ClientToServer['unsubscribe'],
  );
  socket.on('runs:list', safeHandler('runs:list', null, () => d.runs.list(), warn) as ClientToServer['runs:list']);
  socket.on(
    'train:start',
    safeHandler('train:start', TrainRequestSchema, (req) => ({ runs: d.control.start(you, req) }), warn) as ClientToServer['train:start'],
  );
  socket.on(
    'train:stop',
    safeHandler('train:stop', StopSchema, (req) => {
      d.control.stop(you, req.run);
      return null;
    }, warn) as ClientToServer['train:stop'],
  );
  socket.on(
    'replay:start',
    // Ack first, then play: the client learns the replayId before the first batch that carries it.
    safeHandler('replay:start', ReplayStartSchema, (req) => replays.start(req), warn, (state) =>
      replays.begin(state.replayId),
    ) as ClientToServer['replay:start'],
  );
  socket.on(
    'replay:control',
    safeHandler('replay:control', ReplayControlSchema, (req) => replays.control(req), warn) as ClientToServer['replay:control'],
  );

  // The absolute path only for a client on this machine, or when a token is required (see security/token.ts).
  const shownLogdir = revealLogdir(socket.handshake.address, Boolean(d.config.authToken)) ? d.config.logdir : '';
  socket.emit('hello', { version: d.version, logdir: shownLogdir, backend: d.backend(), runs: d.runs.list(), you, features: { training: d.config.training, replay: true } });
}
