import fs from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { stringify as toYaml, parse as parseYaml } from 'yaml';
import { InputError } from '../core/errors.js';
import { resolveSecrets, validateInventoryObject } from '../config/load.js';
import { formatProblem, parseYamlSource, toPlain } from '../config/yaml-source.js';
import { communeKey } from '../inventory/places.js';
import { parseMappingCsv, remapInventory } from '../inventory/remap.js';
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
    else process.stdout.write(toYaml({ sites, areas: cfg.inventory.areas, ...(cfg.inventory.communes?.length ? { communes: cfg.inventory.communes } : {}) }, { lineWidth: 0 }));
  });

  withConfigOptions(
    inv
      .command('remap')
      .requiredOption('-m, --mapping <file.csv>', 'CSV: old_commune,old_district,new_commune[,province][,new_group][,kind]')
      .option('--write', 'write the result (default: print it to stdout and change nothing)')
      .option('-o, --out <file.yaml>', 'with --write: write here instead of over the inventory (which is then kept as .bak)')
      .option('--keep-group', 'keep each site\'s former district as its group (and district contacts as group contacts)')
      .description('Rewrite an inventory from before the 2025 reform to the merged communes: every site to its new commune, the old name and district kept as former_names. Every site or row it cannot map is reported; nothing is written unless all map.'),
  ).action(async (opts: ConfigOptions & { mapping: string; write?: boolean; out?: string; keepGroup?: boolean }) => {
    const cfg = await loadFromCli(opts);
    const result = remapFile(cfg.inventoryPath, opts.mapping, { keepGroup: opts.keepGroup ?? false });
    for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
    if (!opts.write) {
      process.stdout.write(result.yaml);
      process.stderr.write(`would move ${result.moved} site${result.moved === 1 ? '' : 's'} to ${result.communes} commune${result.communes === 1 ? '' : 's'} (nothing written: give --write)\n`);
      return;
    }
    const target = path.resolve(opts.out ?? cfg.inventoryPath);
    if (target === path.resolve(cfg.inventoryPath)) fs.copyFileSync(cfg.inventoryPath, `${cfg.inventoryPath}.bak`);
    writeAtomic(target, result.yaml);
    process.stderr.write(`moved ${result.moved} site${result.moved === 1 ? '' : 's'} to ${result.communes} commune${result.communes === 1 ? '' : 's'}; wrote ${target}${target === path.resolve(cfg.inventoryPath) ? ` (the old one: ${cfg.inventoryPath}.bak)` : ''}\n`);
  });
}

/**
 * The remap, all checks first: the mapping's rows, every site, then the result against the schema
 * (secrets resolved only for that check: the output keeps `${ENV}` and `*_file` references).
 * Throws InputError with every problem; returns the YAML to write otherwise.
 */
export function remapFile(inventoryFile: string, mappingFile: string, opts: { keepGroup: boolean; env?: NodeJS.ProcessEnv }): { yaml: string; warnings: string[]; moved: number; communes: number } {
  const read = (f: string) => {
    try { return fs.readFileSync(f, 'utf8'); } catch (err) { throw new InputError(`${f}: cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`); }
  };
  const mapName = path.basename(mappingFile);
  const { rows, problems: mapProblems } = parseMappingCsv(read(mappingFile), mapName);
  if (mapProblems.length) throw new InputError(`${mapName}: ${mapProblems.length} problem${mapProblems.length === 1 ? '' : 's'}`, mapProblems);
  const src = parseYamlSource(inventoryFile, read(inventoryFile));
  const plain = toPlain(src);
  if (src.syntaxProblems.length || 'problem' in plain) throw new InputError(`${inventoryFile}: not readable`, [...src.syntaxProblems, ...('problem' in plain ? [plain.problem] : [])]);
  const r = remapInventory(plain.value, rows, { mappingFile: mapName, keepGroup: opts.keepGroup });
  const problems = r.problems.map((p) => formatProblem(src, p.path, p.message));
  if (!problems.length) {
    const resolved = resolveSecrets(r.value, opts.env ?? process.env, path.dirname(inventoryFile));
    const { problems: vp } = validateInventoryObject(resolved);
    for (const p of vp) problems.push(`${inventoryFile}: after the remap: ${formatPath(p.path)}: ${p.message}`);
  }
  if (problems.length) throw new InputError(`inventory remap: ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing written`, problems);
  const communes = new Set((r.value.sites as Array<{ province: string; commune: string }>).map((s) => communeKey(s))).size;
  return {
    yaml: `# Remapped to the communes of the 2025 reform by pointwatch inventory remap (${mapName})\n${toYaml(r.value, { lineWidth: 0 })}`,
    warnings: r.warnings, moved: r.moved, communes,
  };
}
