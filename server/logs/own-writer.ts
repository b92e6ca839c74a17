// Which event files Trainscope wrote: our EventWriter names itself in the first event's
// source_metadata.writer (as TensorFlow writes "tensorflow.core.util.events_writer"), with the writing
// process, so a later server can tell its own unfinished runs (interrupted) from other tools' logs and
// from a run another live Trainscope process is still writing. Pure: no I/O.

export const OWN_WRITER = 'trainscope.event_writer';

export interface WriterIdentity {
  pid: number;
  host: string;
}

/** The source_metadata.writer our EventWriter stores, e.g. "trainscope.event_writer pid=123 host=box". */
export function ownWriterName(pid: number, host: string): string {
  return `${OWN_WRITER} pid=${pid} host=${hostTag(host)}`;
}

/** A host name as stored in the writer name (no spaces), so it compares equal to what was written. */
export function hostTag(host: string): string {
  return host.replace(/\s/g, '_');
}

/** The writing process of one of our files; null for any other writer (or ours without a pid). */
export function parseOwnWriter(writer: string | undefined): WriterIdentity | null {
  if (!writer) return null;
  const m = /^trainscope\.event_writer pid=(\d+) host=(\S*)$/.exec(writer);
  if (!m) return null;
  const pid = Number(m[1]);
  return Number.isSafeInteger(pid) && pid > 0 ? { pid, host: m[2] } : null;
}

/** True when `writer` names our EventWriter (with or without the process part). */
export function isOwnWriter(writer: string | undefined): boolean {
  return writer === OWN_WRITER || (writer?.startsWith(`${OWN_WRITER} `) ?? false);
}

/** A write error as a user reads it: "disk full (ENOSPC) writing <file>" for a full disk. */
export function writeErrorMessage(err: unknown, file: string): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOSPC':
      return `disk full (ENOSPC) writing ${file}`;
    case 'EDQUOT':
      return `disk quota exceeded (EDQUOT) writing ${file}`;
    case 'EFBIG':
      return `file too large (EFBIG) writing ${file}`;
    default:
      return `write failed writing ${file} (${e?.message ?? String(err)})`;
  }
}
