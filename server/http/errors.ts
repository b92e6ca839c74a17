// HTTP errors with a status and a reason, and the express error handler that turns any failure into
// a JSON {error} reply (4xx for the client's mistakes, 500 with the cause logged otherwise).
import type { ErrorRequestHandler } from 'express';
import { PathError } from '../live/run-files.ts';
import type { Logger } from '../config.ts';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let status = 500;
    let message = 'internal error';
    if (err instanceof HttpError || err instanceof PathError) {
      status = err.status;
      message = err.message;
    } else if (err && typeof err === 'object' && 'type' in err && (err as { type?: string }).type === 'entity.too.large') {
      status = 413;
      message = 'request body too large';
    } else if (err && typeof err === 'object' && typeof (err as { status?: unknown }).status === 'number') {
      const s = (err as { status: number }).status;
      if (s >= 400 && s < 500) {
        status = s;
        message = (err as Error).message || 'bad request';
      }
    }
    if (status >= 500) logger.error(`HTTP ${req.method} ${req.path} failed: ${(err as Error)?.stack ?? String(err)}`);
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(status).json({ error: message });
  };
}
