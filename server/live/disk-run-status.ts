// The status of a run known only from its log (not trained by this server process): pure functions.
// TensorBoard shows a session without an end as status unknown; we do the same for other tools' logs,
// and only for runs our own EventWriter wrote (own-writer.ts) say more: how the session ended, or that
// it never ended because the process writing it died (killed, crashed, power cut): "interrupted".
import type { RunStatus } from '../../shared/types.ts';
import { isOwnWriter, parseOwnWriter } from '../logs/own-writer.ts';

/** What a run's log says (SeriesStore.sessionInfo). */
export interface LoggedSession {
  /** Event.source_metadata.writer of the run's files. */
  writer?: string;
  /** A hparams session_start_info was read. */
  started: boolean;
  /** The session_end_info status as written, e.g. 'STATUS_SUCCESS'. */
  endStatus?: string;
}

/** Is the process that wrote the log still writing it? */
export type WriterState = 'writing' | 'gone' | 'unknown';

/** Where we are: to tell whether the writer named in a log is alive. */
export interface Here {
  pid: number;
  /** hostTag(os.hostname()). */
  host: string;
  /** This process trains the run right now (its TrainingManager has it). */
  trainingIt: boolean;
  /** Whether a process with this pid exists on this host. */
  isAlive: (pid: number) => boolean;
}

/**
 * 'writing' when the writer is this process training the run, or another live process on this host;
 * 'gone' when it is a dead process on this host (or this pid in an earlier life, e.g. PID 1 in a restarted
 * container); 'unknown' for another host (a shared logdir: we cannot see its processes) or no pid.
 */
export function writerState(writer: string | undefined, here: Here): WriterState {
  const id = parseOwnWriter(writer);
  if (!id || id.host !== here.host) return 'unknown';
  if (id.pid === here.pid) return here.trainingIt ? 'writing' : 'gone';
  return here.isAlive(id.pid) ? 'writing' : 'gone';
}

/** Our session end statuses (run-logger.ts writes a stopped run as STATUS_UNKNOWN). */
const ENDED: Record<string, RunStatus['state']> = {
  STATUS_SUCCESS: 'finished',
  STATUS_FAILURE: 'failed',
  STATUS_UNKNOWN: 'stopped',
};

export const INTERRUPTED_MESSAGE =
  'its log has no session end: the process training it stopped before closing the log (killed, crashed, or its disk filled up); the records written before are kept';

/** A logged run's status; undefined when the log cannot tell (other tools' logs, a run being written elsewhere). */
export function loggedRunStatus(s: LoggedSession, writer: WriterState): RunStatus | undefined {
  if (!isOwnWriter(s.writer)) return undefined;
  if (s.endStatus !== undefined) {
    const state = ENDED[s.endStatus];
    return state ? { state } : undefined;
  }
  if (!s.started || writer !== 'gone') return undefined;
  return { state: 'interrupted', error: INTERRUPTED_MESSAGE };
}
