// Wraps a socket event handler so that nothing a client sends can throw out of it: the payload is
// validated with zod, a missing or non-function ack is tolerated, and every failure becomes an
// {ok:false, error} ack with a readable reason.
import { z } from 'zod';
import type { Ack } from '../../shared/protocol.ts';

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

type Handler = (...args: unknown[]) => void;

/**
 * `schema` null: the event carries only an ack. Otherwise the first argument is the payload (socket.io
 * passes whatever the client sent, possibly nothing, or the ack in its place).
 */
export function safeHandler<S extends z.ZodType, T>(
  event: string,
  schema: S | null,
  fn: (data: z.infer<S>) => T | Promise<T>,
  onError: (message: string) => void,
  /** Runs after a successful ack was sent (e.g. start streaming what the ack announced). */
  after?: (value: T) => void,
): Handler {
  return (...args: unknown[]) => {
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as (r: Ack<T>) => void) : undefined;
    const reply = (r: Ack<T>) => {
      if (!ack) return;
      try {
        ack(r);
      } catch (e) {
        onError(`${event}: ack failed: ${errorMessage(e)}`);
      }
    };
    try {
      let data: z.infer<S> = undefined as z.infer<S>;
      if (schema) {
        const payload = typeof args[0] === 'function' ? undefined : args[0];
        const parsed = schema.safeParse(payload);
        if (!parsed.success) {
          reply({ ok: false, error: `${event}: invalid request: ${z.prettifyError(parsed.error)}` });
          return;
        }
        data = parsed.data;
      }
      Promise.resolve(fn(data)).then(
        (value) => {
          reply({ ok: true, data: value });
          if (after) {
            try {
              after(value);
            } catch (e) {
              onError(`${event}: ${errorMessage(e)}`);
            }
          }
        },
        (e: unknown) => reply({ ok: false, error: `${event}: ${errorMessage(e)}` }),
      );
    } catch (e) {
      reply({ ok: false, error: `${event}: ${errorMessage(e)}` });
    }
  };
}
