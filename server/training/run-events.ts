// The training manager's outgoing events: 'status' (state changes at once, progress at most every
// statusIntervalMs per run, the latest wins), 'file' and 'records'. A listener that throws is logged, never
// allowed to break a run's message handling.
import { EventEmitter } from 'node:events';
import { errorMessage, type Listener, type RunEntry } from './manager-types.ts';

export class RunEvents {
  private readonly events = new EventEmitter();

  constructor(private readonly statusIntervalMs: number) {
    this.events.setMaxListeners(0);
  }

  on<E extends keyof Listener>(ev: E, cb: Listener[E]): void {
    this.events.on(ev, cb as (...args: unknown[]) => void);
  }

  off<E extends keyof Listener>(ev: E, cb: Listener[E]): void {
    this.events.off(ev, cb as (...args: unknown[]) => void);
  }

  /** The run's status now (force), or within statusIntervalMs of the last one sent. */
  status(e: RunEntry, force: boolean): void {
    const interval = this.statusIntervalMs;
    const now = performance.now();
    if (!force && now - e.lastStatusAt < interval) {
      e.statusTimer ??= setTimeout(() => {
        e.statusTimer = undefined;
        if (!e.ended) this.status(e, true);
      }, interval - (now - e.lastStatusAt));
      return;
    }
    clearTimeout(e.statusTimer);
    e.statusTimer = undefined;
    e.lastStatusAt = now;
    this.emit('status', structuredClone(e.info));
  }

  emit(ev: keyof Listener, ...args: unknown[]): void {
    try {
      this.events.emit(ev, ...args);
    } catch (err) {
      // A listener's bug must not kill a run's message handling (nor the process).
      console.error(`trainscope: a training '${ev}' listener threw: ${errorMessage(err)}`);
    }
  }
}
