// What travels on the cluster's live stream (one Redis stream every server reads): a run's summaries as
// they are trained, and its status changes, in the order the producer (a worker) made them. Pure: fields
// in, fields out; every entry read back is checked before it reaches the store (Redis is shared, and a bad
// entry must cost a warning, not a server).
// Records go as record-wire.ts's packed blocks, serialized with v8 (structured clone: typed arrays stay
// typed, ~10x less work than JSON for histograms); statuses as JSON RunInfo.
import v8 from 'node:v8';
import { z } from 'zod';
import type { RunInfo } from '../../shared/types.ts';
import type { LogRecord } from '../logs/records.ts';
import { packRecords, unpackRecords, type WireBlock } from '../training/record-wire.ts';

export type LiveEntry =
  | { type: 'records'; run: string; seq: number; records: LogRecord[] }
  | { type: 'status'; run: string; info: RunInfo };

/** Field/value pairs for XADD. `seq` numbers a run's record batches from 0, so a reader can see a gap. */
export function recordsEntry(run: string, seq: number, records: readonly LogRecord[]): (string | Buffer)[] {
  return ['t', 'rec', 'r', run, 's', String(seq), 'd', v8.serialize(packRecords(records))];
}

export function statusEntry(info: RunInfo): (string | Buffer)[] {
  return ['t', 'st', 'r', info.name, 'd', JSON.stringify(info)];
}

const RUN_STATES = ['queued', 'running', 'finished', 'failed', 'stopped', 'interrupted'] as const;
const primitive = z.union([z.string(), z.number(), z.boolean()]);
export const RunInfoSchema = z.object({
  name: z.string().min(1).max(512),
  source: z.enum(['trainer', 'disk']),
  group: z.string().max(512),
  status: z
    .object({
      state: z.enum(RUN_STATES),
      progress: z
        .object({
          epoch: z.number(),
          epochs: z.number(),
          iteration: z.number(),
          iterationsPerEpoch: z.number(),
          etaSec: z.number().nullable(),
          loss: z.number().nullable(),
        })
        .optional(),
      error: z.string().max(10_000).optional(),
      backend: z.enum(['gpu', 'node', 'wasm', 'cpu']).optional(),
      startedAt: z.number().optional(),
      endedAt: z.number().optional(),
    })
    .optional(),
  hparams: z.record(z.string(), primitive).optional(),
  startedBy: z.string().max(64).optional(),
});

const RECORD_KINDS = new Set(['scalar', 'histogram', 'image', 'graph', 'text', 'hparams', 'tensor', 'meta']);

function checkBlocks(x: unknown): WireBlock[] {
  if (!Array.isArray(x)) throw new Error('records payload is not a list of blocks');
  for (const b of x as Record<string, unknown>[]) {
    if (!b || typeof b !== 'object') throw new Error('a records block is not an object');
    if (b.kind === 'scalars') {
      const n = (b.tag as Uint16Array)?.length;
      const ok =
        b.tag instanceof Uint16Array &&
        b.step instanceof Float64Array &&
        b.value instanceof Float64Array &&
        b.wallTime instanceof Float64Array &&
        b.step.length === n &&
        b.value.length === n &&
        b.wallTime.length === n &&
        Array.isArray(b.tags) &&
        (b.tags as unknown[]).every((t) => typeof t === 'string');
      if (!ok) throw new Error('malformed scalars block');
      for (const i of b.tag as Uint16Array) if (i >= (b.tags as string[]).length) throw new Error('scalars block: tag index out of range');
    } else if (b.kind === 'histogram') {
      const r = b.record as Record<string, unknown> | undefined;
      if (!(b.buckets instanceof Float64Array) || !r || typeof r.tag !== 'string' || typeof r.step !== 'number') {
        throw new Error('malformed histogram block');
      }
    } else if (b.kind === 'record') {
      const r = b.record as Record<string, unknown> | undefined;
      if (!r || typeof r.kind !== 'string' || !RECORD_KINDS.has(r.kind) || typeof r.step !== 'number' || typeof r.wallTime !== 'number') {
        throw new Error('malformed record block');
      }
    } else throw new Error(`unknown block kind ${String(b.kind)}`);
  }
  return x as WireBlock[];
}

/** One stream entry's fields (as XREAD returns them: a flat list) -> a checked entry. Throws a readable Error. */
export function decodeEntry(fields: readonly Buffer[]): LiveEntry {
  const f = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i].toString(), fields[i + 1]);
  const type = f.get('t')?.toString();
  const run = f.get('r')?.toString();
  const data = f.get('d');
  if (!run || run.length > 512 || !data) throw new Error('entry without run or data');
  if (type === 'rec') {
    const seq = Number(f.get('s')?.toString());
    if (!Number.isSafeInteger(seq) || seq < 0) throw new Error(`run "${run}": bad sequence number`);
    let blocks: unknown;
    try {
      blocks = v8.deserialize(data);
    } catch (e) {
      throw new Error(`run "${run}": undecodable records: ${(e as Error).message}`);
    }
    return { type: 'records', run, seq, records: unpackRecords(checkBlocks(blocks)) };
  }
  if (type === 'st') {
    const parsed = RunInfoSchema.safeParse(JSON.parse(data.toString()));
    if (!parsed.success || parsed.data.name !== run) throw new Error(`run "${run}": malformed status`);
    return { type: 'status', run, info: parsed.data as RunInfo };
  }
  throw new Error(`unknown entry type ${String(type)}`);
}
