/**
 * `pointwatch` CLI. One file per command in this folder; each exports `register(program)`.
 * Exit codes: 0 ok, 1 runtime failure, 2 bad input (config, inventory, arguments).
 */
import { Command, CommanderError } from 'commander';
import { EXIT, InputError, errorMessage } from '../core/errors.js';
type CommandModule = { register(program: Command): void };

/**
 * Every command, loaded on demand: `pointwatch check-config` loads only its own module (and its
 * imports), so a command starts fast on a small machine; `--help` and unknown names load them all.
 * To add a command: one line here, one file beside this one.
 */
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  'check-config': () => import('./check-config.js'),
  inventory: () => import('./inventory.js'),
  schema: () => import('./schema.js'),
  poll: () => import('./poll.js'),
  probe: () => import('./probe.js'),
  simulate: () => import('./simulate.js'),
  run: () => import('./run.js'),
  demo: () => import('./demo.js'),
  report: () => import('./report.js'),
  dashboards: () => import('./dashboards.js'),
  'backfill-rollups': () => import('./backfill-rollups.js'),
  user: () => import('./user.js'),
  site: () => import('./site.js'),
  maintenance: () => import('./maintenance.js'),
  incident: () => import('./incident.js'),
  notify: () => import('./notify.js'),
  sheet: () => import('./sheet.js'),
};

const program = new Command('pointwatch')
  .description('Monitor village public Wi-Fi points over SNMP and ping; store in InfluxDB; alert when a site goes down.')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

const wanted = process.argv[2];
const loaders = wanted && COMMANDS[wanted] ? [COMMANDS[wanted]!] : Object.values(COMMANDS);
for (const mod of await Promise.all(loaders.map((load) => load()))) mod.register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? EXIT.OK : EXIT.INPUT;
  } else if (err instanceof InputError) {
    for (const p of err.problems) process.stderr.write(`${p}\n`);
    process.exitCode = EXIT.INPUT;
  } else {
    process.stderr.write(`pointwatch: ${errorMessage(err)}\n`);
    process.exitCode = EXIT.RUNTIME;
  }
}
