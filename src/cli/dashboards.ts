/**
 * `pointwatch dashboards build [--check] [--out DIR]`: write the Grafana dashboards (dashboards/*.ts)
 * as JSON into dashboards/json/. `--check` writes nothing and exits 1 when a committed file is stale
 * or missing (CI runs it).
 * `pointwatch dashboards gazetteer --out FILE`: the sites' coordinates from the inventory, for the
 * province overview's map (Grafana gazetteer format: [{ key, name, latitude, longitude }]).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { renderDashboards } from '../../dashboards/index.js';
import type { Site } from '../config/schema.js';
import { packageRoot } from '../core/paths.js';
import { withConfigOptions, loadFromCli, type ConfigOptions } from './options.js';

export const DEFAULT_JSON_DIR = path.join(packageRoot(), 'dashboards/json');

/** Files that differ from what the code builds (name → reason). */
export function staleDashboards(dir: string): Array<{ file: string; reason: 'missing' | 'stale' | 'extra' }> {
  const out: Array<{ file: string; reason: 'missing' | 'stale' | 'extra' }> = [];
  const built = renderDashboards();
  for (const [name, text] of built) {
    const file = path.join(dir, `${name}.json`);
    if (!fs.existsSync(file)) out.push({ file, reason: 'missing' });
    else if (fs.readFileSync(file, 'utf8') !== text) out.push({ file, reason: 'stale' });
  }
  if (fs.existsSync(dir)) {
    for (const f of fs.readdirSync(dir)) {
      if (f.endsWith('.json') && !built.has(f.slice(0, -5) as never)) out.push({ file: path.join(dir, f), reason: 'extra' });
    }
  }
  return out;
}

export function writeDashboards(dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of renderDashboards()) {
    const file = path.join(dir, `${name}.json`);
    if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) {
      fs.writeFileSync(file, text);
      written.push(file);
    }
  }
  return written;
}

export function gazetteer(sites: readonly Site[]): Array<{ key: string; name: string; latitude: number; longitude: number }> {
  return sites
    .filter((s): s is Site & { lat: number; lon: number } => typeof s.lat === 'number' && typeof s.lon === 'number')
    .map((s) => ({ key: s.id, name: s.name, latitude: s.lat, longitude: s.lon }));
}

export function register(program: Command): void {
  const cmd = program.command('dashboards').description('Grafana dashboards as code.');
  cmd
    .command('build')
    .description('Write dashboards/json/*.json from dashboards/*.ts; --check exits 1 when the committed JSON is stale.')
    .option('--check', 'write nothing; exit 1 if any file is missing or stale')
    .option('--out <dir>', 'output folder', DEFAULT_JSON_DIR)
    .action((opts: { check?: boolean; out: string }) => {
      if (opts.check) {
        const stale = staleDashboards(opts.out);
        for (const s of stale) process.stderr.write(`${s.reason}: ${path.relative(process.cwd(), s.file)}\n`);
        if (stale.length) {
          process.stderr.write('dashboards: the committed JSON does not match dashboards/*.ts: run `pointwatch dashboards build` and commit\n');
          process.exitCode = 1;
        } else {
          process.stdout.write(`dashboards: ${renderDashboards().size} dashboards up to date\n`);
        }
        return;
      }
      const written = writeDashboards(opts.out);
      for (const f of written) process.stdout.write(`wrote ${path.relative(process.cwd(), f)}\n`);
      if (!written.length) process.stdout.write('dashboards: nothing to write (up to date)\n');
    });
  withConfigOptions(
    cmd
      .command('gazetteer')
      .description('Write the sites\' coordinates (inventory lat/lon) as a Grafana gazetteer for the province map.')
      .requiredOption('--out <file>', 'e.g. config/grafana/gazetteer/pointwatch-sites.json'),
  ).action(async (opts: ConfigOptions & { out: string }) => {
    const cfg = await loadFromCli(opts);
    const g = gazetteer(cfg.inventory.sites);
    fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
    fs.writeFileSync(opts.out, `${JSON.stringify(g, null, 2)}\n`);
    process.stdout.write(`wrote ${opts.out}: ${g.length} of ${cfg.inventory.sites.length} sites have coordinates\n`);
  });
}
