// Messages between the logdir's initial-load pool (load-pool.ts) and its worker threads (load-worker.ts).
import type { DecoderState } from './event-codec.ts';
import type { TailerState } from './event-file-reader.ts';
import type { PackedRecords } from './packed-records.ts';

/** One run to read: its files in order, read with one decoder (tag metadata spans a run's files). */
export interface LoadJob {
  id: number;
  run: string;
  files: { real: string; complete: boolean }[];
  lenient?: boolean;
  maxBytesPerPoll: number;
}

export type ToWorker =
  | { type: 'job'; job: LoadJob }
  /** A batch is ingested; its column buffers come back for the worker's next batches (no new memory). */
  | { type: 'ack'; buffers?: ArrayBuffer[] };

export type FromWorker =
  /** Records of one poll of one file; `position`: the file's read offset after it. */
  | { type: 'batch'; id: number; real: string; packed: PackedRecords; warnings: string[]; position: number }
  /** A file read to its end as it was: the tailer's state and the last poll's warnings, to tail on from. */
  | { type: 'file'; id: number; real: string; state: TailerState; lastWarnings: string[] }
  /** The run's files are read: what the decoder learnt, and the tags annotated with their metadata. */
  | { type: 'done'; id: number; decoder: DecoderState; annotated: string[] }
  | { type: 'error'; id: number; message: string };

/** Batches a worker may have in flight before it waits for the main thread to ingest one. */
export const LOAD_CREDITS = 2;
