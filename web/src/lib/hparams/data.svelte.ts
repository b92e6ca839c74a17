// The HPARAMS tab's data: the experiment and every session group, fetched on open and again (throttled)
// when new scalar points or run changes arrive, so metric values follow runs while they train.
import { fetchExperiment, fetchSessionGroups } from './api.ts';
import { Throttle } from './throttle.ts';
import type { Experiment, SessionGroup } from './types.ts';

/** Live refreshes of the session groups at most this often. */
export const REFRESH_MS = 2000;

export class HparamsData {
  experiment = $state.raw<Experiment | null>(null);
  groups = $state.raw<SessionGroup[]>([]);
  error = $state<string | null>(null);
  /** How many answers arrived (tests and the empty state tell "loading" from "no sessions"). */
  loads = $state(0);
  private inflight: AbortController | null = null;
  private again = false;
  private throttle = new Throttle(() => void this.load(), REFRESH_MS);

  /** Asks for fresh data (throttled). */
  refresh(): void {
    this.throttle.request();
  }

  private async load(): Promise<void> {
    // One request at a time; a refresh asked meanwhile runs once this one ends.
    if (this.inflight) {
      this.again = true;
      return;
    }
    const ac = (this.inflight = new AbortController());
    try {
      const [experiment, groups] = await Promise.all([fetchExperiment(ac.signal), fetchSessionGroups(ac.signal)]);
      this.experiment = experiment;
      this.groups = groups;
      this.error = null;
      this.loads++;
    } catch (e) {
      if (!ac.signal.aborted) this.error = `hparams: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      this.inflight = null;
      if (this.again && !ac.signal.aborted) {
        this.again = false;
        this.refresh();
      }
    }
  }

  dispose(): void {
    this.throttle.cancel();
    this.inflight?.abort();
  }
}
