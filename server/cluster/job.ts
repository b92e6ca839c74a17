// A queued run as it travels through BullMQ: the same zod-validated spec TRAIN and sweeps use, plus its
// name (chosen by the server that enqueued it), sidebar group, owner and retry choice. Pure.
import { z } from 'zod';
import { TrainSpecSchema } from '../../shared/protocol.ts';
import { ACTIVATIONS, type TrainSpec } from '../../shared/types.ts';

export const JobDataSchema = z.object({
  name: z.string().min(1).max(512),
  group: z.string().max(512),
  owner: z.string().max(64).optional(),
  spec: TrainSpecSchema.extend({ activation: z.enum(ACTIVATIONS as unknown as [string, ...string[]]) }),
  /** Set by the worker: the name the run trains under when it differs (a retry, or a name taken meanwhile). */
  trainedAs: z.string().max(512).optional(),
});
export type JobData = { name: string; group: string; owner?: string; spec: TrainSpec; trainedAs?: string };

/** BullMQ job ids may not contain ":" nor be bare integers: the run name, base64url, behind a prefix. */
export function jobIdOf(run: string): string {
  return `run-${Buffer.from(run).toString('base64url')}`;
}

export function runOfJobId(id: string): string | null {
  if (!id.startsWith('run-')) return null;
  const name = Buffer.from(id.slice(4), 'base64url').toString();
  return jobIdOf(name) === id ? name : null;
}

/** The job's data checked; throws a readable Error naming what is wrong. */
export function parseJobData(x: unknown): JobData {
  const r = JobDataSchema.safeParse(x);
  if (!r.success) throw new Error(`malformed run job: ${z.prettifyError(r.error)}`);
  return r.data as JobData;
}

/**
 * What a worker does with a job it takes: train it; or, when an earlier attempt died with its worker
 * (BullMQ saw the job stall `stalledCounter` times), fail it, or train it once more if its spec asked.
 */
export function attemptDecision(stalledCounter: number, retry: boolean | undefined): 'train' | 'retry' | 'fail' {
  if (!(stalledCounter > 0)) return 'train';
  return retry === true && stalledCounter === 1 ? 'retry' : 'fail';
}
