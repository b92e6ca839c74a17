// `trainscope export <event-file-or-logdir>`: prints one ExportDocument as JSON, streamed run by run
// (see server/logs/export-stream.ts).
import { open, stat } from 'node:fs/promises';
import { StreamSink, streamExport } from '../logs/export-stream.ts';
import { maskedCrc32c } from '../logs/tfrecord.ts';

/**
 * True when `head` (a file's first bytes) starts like a TFRecord file: an 8-byte length whose masked
 * CRC-32C follows it. An empty file counts (an event file just created has no record yet).
 */
export function startsLikeTfrecord(head: Uint8Array): boolean {
  if (head.length === 0) return true;
  if (head.length < 12) return false;
  const stored = new DataView(head.buffer, head.byteOffset, 12).getUint32(8, true);
  return maskedCrc32c(head.subarray(0, 8)) === stored;
}

async function readHead(file: string): Promise<Uint8Array> {
  const fh = await open(file, 'r');
  try {
    const buf = new Uint8Array(12);
    const { bytesRead } = await fh.read(buf, 0, 12, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
import { terminalSafe } from '../terminal-text.ts';

/** Writes the document to `out`; warnings and errors go to stderr. Returns the exit code. */
export async function runExport(
  path: string,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream = process.stderr,
  opts: { lenient?: boolean; workers?: number } = {},
): Promise<number> {
  try {
    // A single file that is not TFRecord-framed gets a plain answer instead of a CRC warning and an empty document.
    if (!(await stat(path)).isDirectory() && !startsLikeTfrecord(await readHead(path))) {
      err.write(`${terminalSafe(`trainscope export: ${path} is not a tfevents file (no TFRecord header); give an event file or a logdir`)}\n`);
      return 1;
    }
  } catch (e) {
    err.write(`${terminalSafe(`trainscope export: cannot read ${path}: ${(e as Error).message}`)}\n`);
    return 1;
  }
  // Run by run, straight to `out`: memory holds one run, never the whole document.
  let runs: number;
  try {
    runs = await streamExport(path, new StreamSink(out), {
      ...opts,
      onWarnings: (run, warnings) => {
        for (const w of warnings) err.write(`${terminalSafe(`warning [run ${run}]: ${w}`)}\n`);
      },
      onWorkerFailure: (m) => err.write(`${terminalSafe(`warning: ${m}; the runs it leaves are exported in the main thread`)}\n`),
    });
  } catch (e) {
    err.write(`${terminalSafe(`trainscope export: ${path}: ${(e as Error).message}`)}\n`);
    return 1;
  }
  if (runs === 0) err.write(`${terminalSafe(`trainscope export: no event files (names containing "tfevents") under ${path}`)}\n`);
  return 0;
}
