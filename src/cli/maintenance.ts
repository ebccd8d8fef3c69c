/**
 * `pointwatch maintenance list|add|import|delete`: maintenance windows (no alerts opened, time
 * excluded from availability), kept in the operational SQLite database (<data_dir>/pointwatch.sqlite).
 *
 *   pointwatch maintenance import lich-cat-dien.csv --by lan       # area,start,end[,reason]
 *   pointwatch maintenance add --communes "Y Tý" --start "2026-11-25 07:00" --end "2026-11-25 11:30" --reason "thay cột"
 *   pointwatch maintenance add --sites yty-nvh --cron "0 22 * * *" --duration 8h --reason "tắt đêm"
 *   pointwatch maintenance list
 *   pointwatch maintenance delete 3
 *
 * Times are local (reports.timezone) unless they carry an offset.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { databaseFile } from '../store/sqlite.js';
import { importPowerCutCsv, MaintenanceStore, parseLocalDateTime, windowProblems, type MaintenanceInput, type MaintenanceWindow } from '../alerting/maintenance.js';
import type { Inventory, Settings } from '../config/schema.js';
import { parseDuration } from '../core/duration.js';
import { InputError } from '../core/errors.js';
import { openDatabase } from '../store/sqlite.js';
import { intOption, loadFromCli, withConfigOptions, type ConfigOptions } from './options.js';
import { communeKey, createPlaceResolver } from '../inventory/places.js';

/** A recurring window without --end runs until this (year 9999). */
const OPEN_END = Date.UTC(9999, 0, 1);

const list = (v: string | undefined) => (v ? v.split(',').map((x) => x.trim()).filter(Boolean) : []);

async function withStore<T>(opts: ConfigOptions, fn: (store: MaintenanceStore, settings: Settings, inventory: Inventory) => T): Promise<T> {
  const { settings, inventory } = await loadFromCli(opts);
  const db = openDatabase(databaseFile(settings));
  try {
    return fn(new MaintenanceStore(db, settings.reports.timezone), settings, inventory);
  } finally {
    db.close();
  }
}

function known(inventory: Inventory) {
  return {
    sites: new Set(inventory.sites.map((s) => s.id)),
    places: inventory.sites,
  };
}

/** A commune as written (current or former name, `Province/Name`) → its key; unresolvable names are left for windowProblems to name. */
function canonicalCommune(name: string, inventory: Inventory): string {
  const r = createPlaceResolver(inventory.sites, inventory.communes).commune(name);
  return r.ok ? communeKey(r.place) : name;
}

function localTime(ts: number, tz: string): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(ts);
}

export function describeWindow(w: MaintenanceWindow, tz: string): string {
  const scope = [...w.sites.map((s) => `site:${s}`), ...w.communes.map((c) => `commune:${c}`), ...w.groups.map((g) => `group:${g}`)].join(',');
  const until = w.end >= OPEN_END ? 'no end' : localTime(w.end, tz);
  const when = w.cron
    ? `every "${w.cron}" for ${Math.round((w.duration_ms ?? 0) / 60_000)} min, ${localTime(w.start, tz)} .. ${until}`
    : `${localTime(w.start, tz)} .. ${localTime(w.end, tz)}`;
  return `${w.id}\t${scope}\t${when}\t${w.reason}\t(${w.source}, by ${w.created_by})`;
}

export function register(program: Command): void {
  const m = program.command('maintenance').description('Maintenance windows and planned power cuts: no alerts inside them, time excluded from availability.');

  withConfigOptions(m.command('list').description('List every window (times in reports.timezone).').option('--json', 'JSON output'))
    .action(async (opts: ConfigOptions & { json?: boolean }) => {
      await withStore(opts, (store, settings) => {
        const all = store.list();
        if (opts.json) process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
        else for (const w of all) process.stdout.write(`${describeWindow(w, settings.reports.timezone)}\n`);
      });
    });

  withConfigOptions(
    m.command('add')
      .description('Add a one-off window (--start/--end) or a recurring one (--cron/--duration, valid from --start to --end when given).')
      .option('--sites <ids>', 'comma-separated site ids')
      .option('--communes <names>', 'comma-separated commune names (Province/Commune where a name repeats)')
      .option('--groups <names>', 'comma-separated group names (the optional level between province and commune)')
      .addOption(new Option('--districts <names>', 'read as --groups (districts were abolished in 2025)').hideHelp())
      .option('--start <time>', 'YYYY-MM-DD HH:MM (local) or ISO with offset')
      .option('--end <time>', 'YYYY-MM-DD HH:MM (local) or ISO with offset')
      .option('--cron <pattern>', 'recurring: when each occurrence starts, e.g. "0 22 * * *"')
      .option('--duration <d>', 'recurring: how long each occurrence lasts, e.g. 8h')
      .requiredOption('--reason <text>', 'why (shown on the site page)')
      .option('--by <name>', 'who adds it', process.env.USER ?? 'cli'),
  ).action(async (opts: ConfigOptions & { sites?: string; communes?: string; groups?: string; districts?: string; start?: string; end?: string; cron?: string; duration?: string; reason: string; by: string }) => {
    await withStore(opts, (store, settings, inventory) => {
      const tz = settings.reports.timezone;
      const problems: string[] = [];
      const time = (flag: string, v: string | undefined, fallback: number | null): number => {
        if (v === undefined) {
          if (fallback === null) problems.push(`--${flag}: required for a one-off window`);
          return fallback ?? NaN;
        }
        const t = parseLocalDateTime(v, tz);
        if (t === null) problems.push(`--${flag}: '${v}' is not a date and time (use YYYY-MM-DD HH:MM, local time)`);
        return t ?? NaN;
      };
      let duration_ms: number | null = null;
      if (opts.duration !== undefined) {
        try { duration_ms = parseDuration(opts.duration); } catch (err) { problems.push(`--duration: ${(err as Error).message}`); }
      }
      const recurring = opts.cron !== undefined;
      const input: MaintenanceInput = {
        sites: list(opts.sites), communes: list(opts.communes).map((c) => canonicalCommune(c, inventory)), groups: [...list(opts.groups), ...list(opts.districts)],
        start: time('start', opts.start, recurring ? Date.now() : null),
        end: time('end', opts.end, recurring ? OPEN_END : null),
        cron: opts.cron ?? null, duration_ms, reason: opts.reason, created_by: opts.by, source: 'manual',
      };
      if (!problems.length) problems.push(...windowProblems(input, known(inventory)).map((p) => `--${p}`));
      if (problems.length) throw new InputError('maintenance add: bad window', problems);
      const w = store.create(input, Date.now());
      process.stdout.write(`${describeWindow(w, tz)}\n`);
    });
  });

  withConfigOptions(
    m.command('import <csv>')
      .description('Import a published planned-power-cut schedule: CSV with header area,start,end[,reason][,district]; area = a commune (current or former name, the former district telling apart former names that repeat) or a group. All rows or none.')
      .option('--by <name>', 'who imports it', process.env.USER ?? 'cli')
      .option('--dry-run', 'check and show, store nothing'),
  ).action(async (file: string, opts: ConfigOptions & { by: string; dryRun?: boolean }) => {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new InputError(`${file}: cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    await withStore(opts, (store, settings, inventory) => {
      const tz = settings.reports.timezone;
      const inputs = importPowerCutCsv(text, { file: path.basename(file), sites: inventory.sites, communes: inventory.communes, tz, created_by: opts.by });
      const windows = opts.dryRun
        ? inputs.map((i, n) => ({ ...i, id: 0 - n - 1, cron: null, duration_ms: null, source: i.source ?? 'csv', created_at: 0 }))
        : store.createMany(inputs, Date.now());
      for (const w of windows) process.stdout.write(`${describeWindow(w, tz)}\n`);
      process.stderr.write(`${opts.dryRun ? 'would import' : 'imported'} ${windows.length} window${windows.length === 1 ? '' : 's'} from ${path.basename(file)}\n`);
    });
  });

  withConfigOptions(m.command('delete <id>').description('Delete a window by id.'))
    .action(async (id: string, opts: ConfigOptions) => {
      const n = intOption('id')(id);
      await withStore(opts, (store) => {
        if (!store.delete(n)) throw new InputError(`maintenance delete: no window ${n}`);
        process.stdout.write(`deleted window ${n}\n`);
      });
    });
}
