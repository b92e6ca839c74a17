// TRAIN: start a run / sweep and stop runs, over the socket; ack errors are shown in the panel.
import type { TrainRequest } from '../../../../shared/protocol.ts';
import { dict } from '../../../../shared/dict.ts';
import type { DashSocket } from '../socket.ts';

export class TrainingController {
  pending = $state(false);
  error = $state<string | null>(null);
  lastStarted = $state<string[]>([]);
  stopErrors = $state<Record<string, string>>(dict());

  constructor(private socket: () => DashSocket | null, private onStarted: (runs: string[]) => void) {}

  /** Resolves to the started run names, or null with `error` set. */
  start(req: TrainRequest): Promise<string[] | null> {
    const sock = this.socket();
    if (!sock || !sock.connected) {
      this.error = 'not connected to the server';
      return Promise.resolve(null);
    }
    this.pending = true;
    this.error = null;
    return new Promise((resolve) => {
      sock.timeout(15_000).emit('train:start', req, (err, ack) => {
        this.pending = false;
        if (err) {
          this.error = 'the server did not answer in 15 s';
          resolve(null);
        } else if (!ack.ok) {
          this.error = ack.error;
          resolve(null);
        } else {
          this.lastStarted = ack.data.runs;
          this.onStarted(ack.data.runs);
          resolve(ack.data.runs);
        }
      });
    });
  }

  stop(run: string): void {
    const sock = this.socket();
    if (!sock) return;
    sock.emit('train:stop', { run }, (ack) => {
      const next = Object.assign(dict<string>(), this.stopErrors); // a run may be named "__proto__"
      if (ack.ok) delete next[run];
      else next[run] = ack.error;
      this.stopErrors = next;
    });
  }
}
