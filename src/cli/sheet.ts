/**
 * `pointwatch sheet --commune NAME [--province NAME] [--lang vi|en] [--out FILE]`: the printable
 * sheet of one commune's points and contacts (the same page as /sheet in the web UI), to print on A4.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { LANGS, type Lang } from '../config/schema.js';
import { InputError } from '../core/errors.js';
import { selectSites } from '../reports/run.js';
import { communeSheet } from '../web/sheet.js';
import { withConfigOptions, loadFromCli, type ConfigOptions } from './options.js';

interface SheetOptions extends ConfigOptions {
  commune: string;
  province?: string;
  lang?: Lang;
  out?: string;
}

export function register(program: Command): void {
  withConfigOptions(
    program
      .command('sheet')
      .description("Write the printable A4 sheet of one commune's points and contacts (HTML) to stdout or --out.")
      .requiredOption('--commune <name>', 'the commune (xã, phường or đặc khu) as written in the inventory')
      .option('--province <name>', 'its province (needed when the commune name is used in several provinces)')
      .addOption(new Option('--lang <lang>', 'language of the sheet (default: alerting.default_lang)').choices([...LANGS]))
      .option('--out <file>', 'write the sheet here instead of stdout'),
  ).action(async (opts: SheetOptions) => {
    const cfg = await loadFromCli(opts);
    if (opts.out) {
      const dir = path.dirname(path.resolve(opts.out));
      if (!fs.existsSync(dir)) throw new InputError(`--out ${opts.out}: folder ${dir} does not exist`);
    }
    const sites = selectSites(cfg.inventory, { province: opts.province, commune: opts.commune });
    const provinces = [...new Set(sites.map((s) => s.province))].sort((a, b) => a.localeCompare(b, 'vi'));
    if (provinces.length > 1) {
      throw new InputError(`--commune "${opts.commune}" is in ${provinces.length} provinces (${provinces.join(', ')}): add --province`);
    }
    // SNMP access never leaves the inventory: the sheet gets the sites without it.
    const printable = sites.map(({ snmp: _snmp, ...rest }) => rest);
    const lang = opts.lang ?? cfg.settings.alerting.default_lang;
    const groupLabel = cfg.settings.places?.group_label?.[lang];
    const page = communeSheet({
      lang, ...(groupLabel ? { groupLabel } : {}),
      province: provinces[0]!, commune: opts.commune, sites: printable, areas: cfg.inventory.areas,
      siteNames: new Map(cfg.inventory.sites.map((s) => [s.id, s.name])),
      printedAt: Date.now(), timeZone: cfg.settings.reports.timezone,
    });
    if (opts.out) {
      fs.writeFileSync(opts.out, page);
      process.stderr.write(`sheet: wrote ${opts.out} (${sites.length} points of ${opts.commune}, ${provinces[0]})\n`);
    } else {
      process.stdout.write(page);
    }
  });
}
