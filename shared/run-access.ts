// Who may stop a trainer run: one rule, used by the server (RunControl) and the dashboard (to hide the
// stop button). Pure.
import type { ClientRole } from './protocol.ts';
import type { RunInfo } from './types.ts';

/**
 * The client that started a run may stop it; an admin (a token-authenticated client of a server run with
 * --auth-token) may stop any run; a run started by no client (CLI, demo) may be stopped by anyone.
 */
export function mayStopRun(run: Pick<RunInfo, 'startedBy'>, you: ClientRole | undefined): boolean {
  if (run.startedBy === undefined) return true;
  if (!you) return false;
  return you.admin || run.startedBy === you.owner;
}
