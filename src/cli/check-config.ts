import type { Command } from 'commander';
import { withConfigOptions, loadFromCli, type ConfigOptions } from './options.js';

export function register(program: Command): void {
  withConfigOptions(
    program
      .command('check-config')
      .description('Validate settings and inventory; list EVERY problem as file:line:col (exit 2 on any).'),
  ).action(async (opts: ConfigOptions) => {
    const cfg = await loadFromCli(opts);
    for (const w of cfg.warnings) process.stderr.write(`warning: ${w}\n`);
    const sites = cfg.inventory.sites;
    const communes = new Set(sites.map((s) => `${s.province}/${s.district}/${s.commune}`));
    const districts = new Set(sites.map((s) => `${s.province}/${s.district}`));
    process.stdout.write(
      `ok: ${cfg.settingsPath}\nok: ${cfg.inventoryPath}: ${sites.length} sites in ${communes.size} communes, ${districts.size} districts\n`,
    );
  });
}
