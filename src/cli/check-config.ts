import type { Command } from 'commander';
import { withConfigOptions, type ConfigOptions } from './options.js';
import { loadConfig } from '../config/load.js';
import { checkNotificationSetup, runbooksDir } from '../alerting/notifiers/check.js';
import { escalationGaps } from '../alerting/escalation.js';
import { communeKey, groupKey } from '../inventory/places.js';

export function register(program: Command): void {
  withConfigOptions(
    program
      .command('check-config')
      .description('Validate settings and inventory; list EVERY problem as file:line:col (exit 2 on any).'),
  ).action(async (opts: ConfigOptions) => {
    // Notifiers and runbooks are checked in the same pass as the files: every problem in one list.
    const cfg = await loadConfig({ config: opts.config, inventory: opts.inventory, extraChecks: checkNotificationSetup });
    for (const w of cfg.warnings) process.stderr.write(`warning: ${w}\n`);
    // an escalation level that reaches nobody is worth a look before 3 a.m.
    for (const g of escalationGaps(cfg.settings, cfg.inventory)) {
      const when = g.after === null ? 'first notice (commune level)' : `escalation to ${g.level} after ${g.after}`;
      const fix = g.name === null
        ? `give these sites a group, or drop the group level from alerting.escalation`
        : `add to areas: { level: ${g.level}, name: ${g.name}${g.level === 'province' ? '' : `, province: ${g.province}`}, contacts: [...] }`;
      process.stderr.write(`warning: ${cfg.inventoryPath}: ${when}: nobody to tell for ${g.level} '${g.area}' (${g.sites} site${g.sites === 1 ? '' : 's'}): ${fix}\n`);
    }
    const sites = cfg.inventory.sites;
    const communes = new Set(sites.map((s) => communeKey(s)));
    const provinces = new Set(sites.map((s) => s.province));
    const groups = new Set(sites.flatMap((s) => (s.group ? [groupKey(s)] : [])));
    process.stdout.write(
      `ok: ${cfg.settingsPath}\nok: ${cfg.inventoryPath}: ${sites.length} sites in ${communes.size} communes, ${provinces.size} province${provinces.size === 1 ? '' : 's'}${groups.size ? `, ${groups.size} groups` : ''}\n` +
        `ok: ${runbooksDir(cfg.settings, cfg.settingsPath)}: runbooks for every alert kind in every language\n`,
    );
  });
}
