// Downloads: the whole logdir in `trainscope export`'s format (read from disk, unsampled, size-guarded,
// streamed run by run, a few at a time), and one scalar series as CSV or JSON.
import { Router, type Response } from 'express';
import { StreamSink, streamExport } from '../logs/export-stream.ts';
import { eventBytesUnder } from '../live/run-files.ts';
import type { HttpDeps } from './deps.ts';
import { HttpError } from './errors.ts';
import { toTensorBoardJson } from './json.ts';
import { DownloadQuery, parseQuery, requireRun, requireTag } from './params.ts';

/** Exports running at once (each reads the whole logdir); more get a 429. */
export const MAX_CONCURRENT_EXPORTS = 2;

function fileSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100) || 'series';
}

function csvNumber(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : String(v);
}

export function exportRoutes(d: HttpDeps): Router {
  const r = Router();
  // Each export reads the whole logdir (on up to 4 worker threads, a few chunks each in memory): a few at
  // a time, the rest told to come back.
  let exporting = 0;
  r.get('/api/export', async (_req, res) => {
    if (exporting >= MAX_CONCURRENT_EXPORTS) {
      res.setHeader('Retry-After', '5');
      throw new HttpError(429, `${exporting} exports are running (at most ${MAX_CONCURRENT_EXPORTS} at once); try again shortly, or use \`trainscope export <path>\``);
    }
    exporting++;
    try {
      await sendExport(res);
    } finally {
      exporting--;
    }
  });
  const sendExport = async (res: Response): Promise<void> => {
    const limit = d.config.maxExportBytes;
    const bytes = await eventBytesUnder(d.config.logdir, limit);
    if (bytes > limit) {
      throw new HttpError(413, `the logdir holds more than ${(limit / 1024 / 1024).toFixed(0)} MB of event files; use \`trainscope export <path>\` instead`);
    }
    res.setHeader('Content-Disposition', 'attachment; filename="trainscope-export.json"');
    res.type('application/json');
    // Run by run to the socket, waiting whenever the client reads slower than the logdir is read.
    try {
      await streamExport(d.config.logdir, new StreamSink(res));
    } catch (e) {
      if (!res.headersSent) throw e;
      // Mid-document: the client gets a cut-short body (invalid JSON), never a document that looks whole.
      d.config.logger.warn(`/api/export stopped: ${(e as Error).message}`);
      res.destroy();
      return;
    }
    res.end();
  };
  r.get('/api/download', (req, res) => {
    const { run, tag, format } = parseQuery(DownloadQuery, req);
    requireRun(d.store, run);
    requireTag(d.store.scalarTags(run), run, tag, 'scalar');
    const rows = d.store.scalars(run, tag);
    const name = `${fileSafe(run)}-${fileSafe(tag)}.${format}`;
    res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
    if (format === 'json') {
      res.type('application/json').send(toTensorBoardJson(rows));
      return;
    }
    const lines = ['wall_time,step,value'];
    for (const [w, s, v] of rows) lines.push(`${w},${s},${csvNumber(v)}`);
    res.type('text/csv').send(lines.join('\n') + '\n');
  });
  return r;
}
