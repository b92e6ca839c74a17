// `trainscope export <event-file-or-logdir>`: prints one ExportDocument as JSON (see server/logs/export.ts).
import { buildExport, exportToJson, loadRunsFromPath } from '../logs/export.ts';
import { terminalSafe } from '../terminal-text.ts';

/** Writes the document to `out`; warnings and errors go to stderr. Returns the exit code. */
export async function runExport(
  path: string,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream = process.stderr,
  opts: { lenient?: boolean } = {},
): Promise<number> {
  let runs;
  try {
    runs = await loadRunsFromPath(path, opts);
  } catch (e) {
    err.write(`${terminalSafe(`trainscope export: cannot read ${path}: ${(e as Error).message}`)}\n`);
    return 1;
  }
  if (runs.size === 0) err.write(`${terminalSafe(`trainscope export: no event files (names containing "tfevents") under ${path}`)}\n`);
  for (const [run, data] of runs) for (const w of data.warnings) err.write(`${terminalSafe(`warning [run ${run}]: ${w}`)}\n`);
  const text = exportToJson(buildExport(runs));
  await new Promise<void>((resolve, reject) => {
    out.write(`${text}\n`, (e) => (e ? reject(e) : resolve()));
  });
  return 0;
}
