import fs from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { stringify as toYaml, parse as parseYaml } from 'yaml';
import { InputError } from '../core/errors.js';
import { validateInventoryObject } from '../config/load.js';
import { formatPath } from '../config/validate.js';
import { parseSitesCsv, sitesToCsv } from '../inventory/csv.js';
import { withConfigOptions, loadFromCli, type ConfigOptions } from './options.js';

/** Which CSV column a schema path belongs to (sites[i].snmp.community → snmp_community). */
function csvColumn(p: Array<string | number>): string {
  const [, , field, sub, leaf] = p;
  if (field === 'snmp') {
    if (sub === 'auth' || sub === 'priv') return `snmp_${sub}_${leaf === 'key' ? 'key' : 'protocol'}`;
    return sub === undefined ? 'snmp_version' : `snmp_${String(sub)}`;
  }
  if (field === 'isp') return sub === 'account' ? 'isp_account' : 'isp';
  if ((field === 'sim' || field === 'bandwidth' || field === 'router') && typeof sub === 'string') return `${field}_${sub}`;
  return String(field ?? '');
}

/** Import: every problem in every row, named by CSV line and column; the YAML is written only when all is well. */
export function importCsv(file: string): { yaml: string; warnings: string[]; count: number } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`${file}: cannot read file: ${(err as NodeJS.ErrnoException).code}`);
  }
  const { rows, problems } = parseSitesCsv(text);
  const out = problems.map((p) => `${file}:${p.line}:${p.column ? ` column ${p.column}:` : ''} ${p.message}`);
  if (!out.length) {
    const { problems: vp, warnings } = validateInventoryObject({ sites: rows.map((r) => r.site) });
    const lineOf = (p: Array<string | number>) => (typeof p[1] === 'number' ? rows[p[1]]?.line ?? 1 : 1);
    // Schema problems and cross-field rules come in one list: report them row by row.
    const row = (p: { path: Array<string | number> }) => (typeof p.path[1] === 'number' ? p.path[1] : -1);
    for (const p of [...vp].sort((a, b) => row(a) - row(b))) out.push(`${file}:${lineOf(p.path)}: column ${csvColumn(p.path)}: ${formatPath(p.path.slice(2)) === '(top level)' ? '' : `${formatPath(p.path.slice(2))}: `}${p.message}`);
    if (!out.length) {
      return {
        yaml: `# Imported from ${path.basename(file)} by pointwatch inventory import\n${toYaml({ sites: rows.map((r) => r.site) }, { lineWidth: 0 })}`,
        warnings: warnings.map((w) => `${file}:${lineOf(w.path)}: column ${csvColumn(w.path)}: ${w.message}`),
        count: rows.length,
      };
    }
  }
  throw new InputError(`${file}: ${out.length} problem${out.length === 1 ? '' : 's'}`, out);
}

/** Write atomically: a crash never leaves a half-written inventory. */
function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

export function register(program: Command): void {
  const inv = program.command('inventory').description('Import and export the site inventory (CSV for spreadsheets, YAML for pointwatch).');
  inv
    .command('import')
    .argument('<file.csv>', 'CSV with a header row (columns as written by `inventory export --format csv`)')
    .option('-o, --out <file.yaml>', 'write the inventory here (default: stdout)')
    .description('Convert a spreadsheet CSV into an inventory YAML; every bad cell is reported as file:line: column')
    .action((file: string, opts: { out?: string }) => {
      const { yaml, warnings, count } = importCsv(file);
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      if (opts.out) {
        writeAtomic(opts.out, yaml);
        process.stderr.write(`wrote ${count} sites to ${opts.out}\n`);
      } else process.stdout.write(yaml);
    });
  withConfigOptions(
    inv
      .command('export')
      .addOption(new Option('-f, --format <format>', 'output format').choices(['yaml', 'csv']).default('yaml'))
      .description('Print the inventory (validated) to stdout. Secrets given as ${ENV} or *_file stay references.'),
  ).action(async (opts: ConfigOptions & { format: 'yaml' | 'csv' }) => {
    const cfg = await loadFromCli(opts); // validates everything first
    // Export from the file as written, so ${ENV} / *_file secret references are not expanded into the output.
    const raw = parseYaml(fs.readFileSync(cfg.inventoryPath, 'utf8'), { merge: true, maxAliasCount: -1 }) as { sites: unknown[] };
    const { inventory } = validateInventoryObject(raw);
    const sites = inventory?.sites ?? cfg.inventory.sites;
    if (opts.format === 'csv') process.stdout.write(`\uFEFF${sitesToCsv(sites)}`); // BOM: spreadsheets then read Vietnamese as UTF-8
    else process.stdout.write(toYaml({ sites, areas: cfg.inventory.areas }, { lineWidth: 0 }));
  });
}
