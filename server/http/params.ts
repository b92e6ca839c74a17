// Query-string schemas (zod) for every route, and the lookups that turn an unknown run or tag into a 404.
import type { Request } from 'express';
import { z } from 'zod';
import { badRunNameReason } from '../live/run-files.ts';
import type { SeriesStore } from '../store/series-store.ts';
import { HttpError } from './errors.ts';

export const runParam = z
  .string({ error: 'run is required (one string)' })
  .min(1)
  .max(512)
  .superRefine((run, ctx) => {
    const bad = badRunNameReason(run);
    if (bad) ctx.addIssue({ code: 'custom', message: bad });
  });
export const tagParam = z.string({ error: 'tag is required (one string)' }).min(1).max(1024);

export const RunQuery = z.object({ run: runParam });
export const RunTagQuery = z.object({ run: runParam, tag: tagParam });
export const ImageQuery = RunTagQuery.extend({
  index: z.coerce.number({ error: 'index must be a number' }).int().min(0).max(1_000_000_000),
});
export const DownloadQuery = RunTagQuery.extend({
  format: z.enum(['csv', 'json']).default('csv'),
});

/** Parses req.query with the schema; a 400 with zod's readable reason otherwise. */
export function parseQuery<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  const r = schema.safeParse(req.query);
  if (!r.success) throw new HttpError(400, z.prettifyError(r.error));
  return r.data;
}

export function requireRun(store: SeriesStore, run: string): void {
  if (!store.hasRun(run)) throw new HttpError(404, `unknown run "${run}"`);
}

export function requireTag(tags: readonly string[], run: string, tag: string, what: string): void {
  if (!tags.includes(tag)) throw new HttpError(404, `run "${run}" has no ${what} tag "${tag}"`);
}
