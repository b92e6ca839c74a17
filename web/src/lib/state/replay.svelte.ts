// REPLAY: the server re-plays a run's log at 1x/2x/10x/max; its deltas carry replayId. While a replay
// runs, that run's series are cleared and fed only from replay deltas; stop restores live data by
// re-subscribing for the run with an empty `have`.
import type { DeltaBatch, ReplayControlRequest, ReplaySpeed, ReplayState } from '../../../../shared/protocol.ts';
import type { DashSocket } from '../socket.ts';

export interface ReplayHost {
  socket(): DashSocket | null;
  clearRun(run: string): void;
  /** Re-subscribe so the server re-sends everything of `run` (and what the client misses elsewhere). */
  restoreLive(run: string): void;
}

export class ReplayController {
  state = $state<ReplayState | null>(null);
  error = $state<string | null>(null);
  /** Run asked for, before the ack names the replayId (deltas may arrive first). */
  private pendingRun: string | null = null;

  constructor(private host: ReplayHost) {}

  /** Run currently being replayed (also while paused / finished, until stopped). */
  get run(): string | null {
    return this.state?.run ?? this.pendingRun;
  }

  start(run: string, speed: ReplaySpeed = 1): void {
    const sock = this.host.socket();
    if (!sock) return;
    if (this.state) this.stop();
    this.error = null;
    this.pendingRun = run;
    this.host.clearRun(run);
    sock.emit('replay:start', { run, speed, maxGapSec: 2 }, (ack) => {
      if (!ack.ok) {
        this.error = `replay ${run}: ${ack.error}`;
        this.pendingRun = null;
        this.host.restoreLive(run);
        return;
      }
      this.pendingRun = null;
      this.state = ack.data;
    });
  }

  private control(action: ReplayControlRequest['action'], extra: Partial<ReplayControlRequest> = {}): void {
    const sock = this.host.socket();
    const st = this.state;
    if (!sock || !st) return;
    sock.emit('replay:control', { replayId: st.replayId, action, ...extra }, (ack) => {
      if (!ack.ok) this.error = `replay ${action}: ${ack.error}`;
      else if (this.state?.replayId === ack.data.replayId) this.state = ack.data;
    });
  }

  pause(): void {
    this.control('pause');
  }
  resume(): void {
    this.control('resume');
  }
  setSpeed(speed: ReplaySpeed): void {
    this.control('speed', { speed });
  }
  /** Seek: the server resets the run's series and re-sends up to `step`. */
  seek(step: number): void {
    this.control('seek', { step: Math.round(step) });
  }

  stop(): void {
    const st = this.state;
    const run = this.run;
    if (st) this.control('stop');
    this.state = null;
    this.pendingRun = null;
    if (run) {
      this.host.clearRun(run);
      this.host.restoreLive(run);
    }
  }

  /** The connection dropped: the server forgot the replay; live data for the run is restored on reconnect. */
  connectionLost(): string | null {
    const run = this.run;
    this.state = null;
    this.pendingRun = null;
    return run;
  }

  onState(s: ReplayState): void {
    if (this.state && s.replayId !== this.state.replayId) return;
    if (!this.state && this.pendingRun !== s.run) return;
    this.pendingRun = null;
    this.state = s;
  }

  /** Whether a batch's series should be applied (replay deltas of our replay; live deltas of other runs). */
  accepts(batch: DeltaBatch, run: string): boolean {
    if (batch.replayId !== undefined) {
      if (this.state) return batch.replayId === this.state.replayId;
      if (this.pendingRun !== null && run === this.pendingRun) return true;
      return false;
    }
    return run !== this.run;
  }
}
