// The `trainscope` command line: serve (default), train, worker, export.
import { Command, CommanderError } from 'commander';
import { consoleLogger, packageVersion } from '../config.ts';
import { startServer } from '../main.ts';
import { runExport } from './export.ts';
import { terminalSafe } from '../terminal-text.ts';
import { buildIfNeeded, registerServeCommand, serveConfig, type ServeOptions } from './serve.ts';
import { registerTrainCommand } from './train.ts';
import { registerWorkerCommand } from './worker.ts';

async function runServe(opts: ServeOptions): Promise<number> {
  let config;
  try {
    config = serveConfig(opts);
  } catch (e) {
    process.stderr.write(`trainscope: ${terminalSafe((e as Error).message, true)}\n`);
    return 2;
  }
  if (opts.buildIfNeeded) await buildIfNeeded(config.webDir!, consoleLogger);
  try {
    await startServer(config, consoleLogger);
  } catch (e) {
    process.stderr.write(`trainscope: ${terminalSafe((e as Error).message, true)}\n`);
    return 1;
  }
  return 0; // the server keeps the process alive
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('trainscope')
    .description('Live TensorBoard-style training dashboard: trains and compares MLPs, streams summaries, replays tfevents logs.')
    .version(packageVersion());
  registerServeCommand(program, runServe);
  registerTrainCommand(program);
  registerWorkerCommand(program);
  program
    .command('export <path>')
    .description('print an event file or a whole logdir as one JSON document (unsampled)')
    .option('--workers <n>', 'threads reading and writing runs at once (default: one per core, at most 4, for a logdir of 16 MB or more; 0 = the main thread)')
    .action(async (p: string, o: { workers?: string }) => {
      if (o.workers !== undefined && !/^\d{1,3}$/.test(o.workers)) {
        process.stderr.write(`trainscope export: --workers must be a whole number from 0 to 999 (got ${terminalSafe(o.workers)})\n`);
        process.exitCode = 1;
        return;
      }
      process.exitCode = await runExport(p, process.stdout, process.stderr, o.workers === undefined ? {} : { workers: Number(o.workers) });
    });
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode;
      return;
    }
    process.stderr.write(`trainscope: ${terminalSafe((e as Error).message, true)}\n`);
    process.exitCode = 1;
  }
}
