/**
 * `pointwatch` CLI. One file per command in this folder; each exports `register(program)`.
 * Exit codes: 0 ok, 1 runtime failure, 2 bad input (config, inventory, arguments).
 */
import { Command, CommanderError } from 'commander';
import { EXIT, InputError, errorMessage } from '../core/errors.js';
// ---- commands (one import + one register line each) ----
import * as checkConfig from './check-config.js';
import * as backfillRollups from './backfill-rollups.js';
import * as poll from './poll.js';
import * as probe from './probe.js';
import * as simulate from './simulate.js';
import * as inventory from './inventory.js';
import * as report from './report.js';
import * as dashboards from './dashboards.js';
import * as schema from './schema.js';
import * as run from './run.js';
import * as demo from './demo.js';
import * as user from './user.js';
import * as maintenance from './maintenance.js';
import * as notify from './notify.js';

const program = new Command('pointwatch')
  .description('Monitor village public Wi-Fi points over SNMP and ping; store in InfluxDB; alert when a site goes down.')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

checkConfig.register(program);
backfillRollups.register(program);
poll.register(program);
probe.register(program);
simulate.register(program);
inventory.register(program);
report.register(program);
dashboards.register(program);
schema.register(program);
run.register(program);
demo.register(program);
user.register(program);
maintenance.register(program);
notify.register(program);

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
