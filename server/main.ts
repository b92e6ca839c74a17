// Starting the server for real: create the app, print where it is and what trains, warn about exposed
// interfaces, and shut down cleanly on SIGINT/SIGTERM.
import { createApp, type App } from './app.ts';
import { consoleLogger, isLoopbackHost, type AppConfig, type Logger } from './config.ts';

export function exposureWarning(host: string, hasToken: boolean): string | null {
  if (isLoopbackHost(host)) return null;
  return (
    `WARNING: serving on ${host}: anyone who can reach this machine on the network can read your logs` +
    (hasToken ? ' (with the token)' : ' and start training runs; consider --auth-token') +
    '.'
  );
}

export async function startServer(config: AppConfig, log: Logger = consoleLogger): Promise<App> {
  const app = await createApp({ logger: log, ...config });
  const warning = exposureWarning(app.config.host, Boolean(app.config.authToken));
  if (warning) log.warn(warning);
  log.log(`Trainscope ${app.config.logdir ? `serving ${app.config.logdir}` : ''} at ${app.url()}`);
  if (app.config.authToken) log.log('An auth token is required: open the URL with ?token=<your token>.');
  if (app.manager) {
    void app.backend.then((b) => log.log(b ? `Training backend: ${b}` : 'Training backend: unavailable (training runs will fail)'));
  } else if (app.config.redis && app.config.training) {
    log.log(`Training: runs are queued in Redis for \`trainscope worker\`s (${app.config.redis})`);
  } else {
    log.log('Training backend: none (training disabled)');
  }
  // A stray rejection somewhere must not take the dashboard down (Node's default is to exit).
  process.on('unhandledRejection', (e) => log.error(`unhandled rejection (server keeps running): ${(e as Error)?.stack ?? String(e)}`));
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      process.exit(130);
    }
    stopping = true;
    log.log(`${signal}: shutting down (again to force)...`);
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  return app;
}
