import type { Command } from 'commander';
import { withConfigOptions, type ConfigOptions } from './options.js';

/** Stop on SIGTERM/SIGINT: finish the running cycle, flush the writer, close everything. */
export function stopOnSignals(stop: () => Promise<void>, onStopped?: () => void): void {
  let signalled = false;
  const handler = (sig: NodeJS.Signals) => {
    if (signalled) {
      process.stderr.write(`pointwatch: ${sig} again, exiting now\n`);
      process.exit(1);
    }
    signalled = true;
    process.stderr.write(`pointwatch: ${sig}: finishing the cycle, flushing, closing...\n`);
    stop().then(
      () => { onStopped?.(); process.exit(0); },
      (err) => { process.stderr.write(`pointwatch: stop failed: ${String(err)}\n`); process.exit(1); },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

export function register(program: Command): void {
  withConfigOptions(
    program
      .command('run')
      .description('Run the service: poller, alerting and the HTTP server (web UI, API, /metrics) in one process.')
      .option('--no-schedule', 'do not poll (serve the UI and API only)'),
  ).action(async (opts: ConfigOptions & { schedule: boolean }) => {
    const { startService } = await import('../main.js');
    const svc = await startService({ config: opts.config, inventory: opts.inventory, schedule: opts.schedule });
    process.stderr.write(`pointwatch: ${svc.config.inventory.sites.length} sites; web UI and API at ${svc.url}\n`);
    stopOnSignals(() => svc.stop());
  });
}
