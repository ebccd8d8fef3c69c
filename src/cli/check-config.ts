import type { Command } from 'commander';
import { withConfigOptions, loadFromCli, type ConfigOptions } from './options.js';
import { InputError } from '../core/errors.js';
import { checkNotificationSetup, runbooksDir } from '../alerting/notifiers/check.js';

export function register(program: Command): void {
  withConfigOptions(
    program
      .command('check-config')
      .description('Validate settings and inventory; list EVERY problem as file:line:col (exit 2 on any).'),
  ).action(async (opts: ConfigOptions) => {
    const cfg = await loadFromCli(opts);
    for (const w of cfg.warnings) process.stderr.write(`warning: ${w}\n`);
    const notifyProblems = checkNotificationSetup(cfg.settings, cfg.settingsPath);
    if (notifyProblems.length) throw new InputError(`${notifyProblems.length} problem(s) in notifiers or runbooks`, notifyProblems);
    const sites = cfg.inventory.sites;
    const communes = new Set(sites.map((s) => `${s.province}/${s.district}/${s.commune}`));
    const districts = new Set(sites.map((s) => `${s.province}/${s.district}`));
    process.stdout.write(
      `ok: ${cfg.settingsPath}\nok: ${cfg.inventoryPath}: ${sites.length} sites in ${communes.size} communes, ${districts.size} districts\n` +
        `ok: ${runbooksDir(cfg.settings, cfg.settingsPath)}: runbooks for every alert kind in every language\n`,
    );
  });
}
