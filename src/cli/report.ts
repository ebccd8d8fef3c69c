/**
 * `pointwatch report coverage --from --to [--province|--group|--commune] [--group-by site|commune|group]
 *  [--format table|csv|json|html|incidents-csv] [--out FILE]`: the provincial review's coverage report.
 * Progress goes to stderr; the report to stdout or --out. Bad input → InputError (exit 2).
 * Incidents come from the operational SQLite file (databaseFile in src/store/sqlite.ts) when it exists, else from InfluxDB's incident events.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { createInflux } from '../store/client.js';
import { openDatabase, type Db } from '../store/sqlite.js';
import { databaseFile } from '../store/sqlite.js';
import { incidentsFromDb } from '../reports/incidents.js';
import { InputError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { GROUP_BY, runCoverageReport, type GroupBy } from '../reports/run.js';
import { FORMATS, renderHtml, renderReport, type Format } from '../reports/render/index.js';
import { reportMap } from '../reports/scheduled/runner.js';
import { BudgetStore, monthOf } from '../alerting/budget.js';
import { budgetSection } from '../reports/scheduled/content.js';
import type { Lang, Settings } from '../config/schema.js';

/** The SMS/Zalo spending of the report's months, per commune (the printable report lists it). */
function spendingSection(db: Db, from: number, to: number, settings: Settings, lang: Lang): string {
  const store = new BudgetStore(db);
  const tz = settings.reports.timezone;
  const months = new Set<string>();
  for (let t = from; t < to; t += 86_400_000) months.add(monthOf(t, tz));
  months.add(monthOf(to - 1, tz));
  const rows = [...months].flatMap((m) => store.monthReport(m).map((r) => ({ ...r, commune: `${r.commune.split('/').pop()} (${m})` })));
  return budgetSection(lang, rows, settings.budget.sms_zalo_per_commune_month).html;
}
import { withConfigOptions, loadFromCli, type ConfigOptions } from './options.js';
import { registerSend } from './report-send.js';

interface ReportOptions extends ConfigOptions {
  from: string;
  to: string;
  province?: string;
  group?: string;
  district?: string;
  commune?: string;
  groupBy: GroupBy | 'district';
  format: Format;
  out?: string;
  resolution: 'auto' | 'raw' | 'rollup_5m' | 'rollup_1h' | 'rollup_1d';
  quiet?: boolean;
  lang?: 'vi' | 'en';
}

export function register(program: Command): void {
  const report = program.command('report').description('Reports computed from the stored checks.');
  registerSend(report);
  withConfigOptions(
    report
      .command('coverage')
      .description('Availability in service hours per site, and the coverage figure per commune/group/province.')
      .requiredOption('--from <date>', 'start: YYYY-MM-DD (local date in reports.timezone), YYYY-MM-DDTHH:MM, or ISO time with zone')
      .requiredOption('--to <date>', 'end: same forms; a plain date includes that whole day')
      .option('--province <name>', 'only this province')
      .option('--group <name>', 'only this group (the optional level between province and commune; Province/Group where names repeat)')
      .addOption(new Option('--district <name>', 'read as --group (districts were abolished in 2025)').hideHelp())
      .option('--commune <name>', 'only this commune (Province/Commune where names repeat)')
      .addOption(new Option('--group-by <level>', 'rows per').choices([...GROUP_BY, 'district']).default('site'))
      .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('table'))
      .addOption(new Option('--resolution <rp>', 'data source (auto: raw for short spans, rollups for long; over 62 days whole days from the daily rollup)').choices(['auto', 'raw', 'rollup_5m', 'rollup_1h', 'rollup_1d']).default('auto'))
      .addOption(new Option('--lang <lang>', 'language of the printable (html) report (default: alerting.default_lang)').choices(['vi', 'en']))
      .option('--out <file>', 'write the report here instead of stdout')
      .option('-q, --quiet', 'no progress on stderr'),
  ).action(async (opts: ReportOptions) => {
    const cfg = await loadFromCli(opts);
    if (opts.out) {
      const dir = path.dirname(path.resolve(opts.out));
      if (!fs.existsSync(dir)) throw new InputError(`--out ${opts.out}: folder ${dir} does not exist`);
    }
    const { settings } = cfg;
    // A report is a batch job: allow each query batch minutes, not the writer's seconds.
    const influx = createInflux({ ...settings.influx, timeout_ms: Math.max(settings.influx.timeout_ms, 300_000) });
    const progress = (done: number, total: number) => {
      if (!opts.quiet) process.stderr.write(`\rreport: querying ${done}/${total}`);
      if (!opts.quiet && done === total) process.stderr.write('\n');
    };
    const started = Date.now();
    // Incidents: from the operational SQLite file when pointwatch has run here (any period), else
    // from the incident events in InfluxDB (raw RP: the last 30 days).
    const dbFile = databaseFile(settings);
    let db: Db | undefined;
    if (fs.existsSync(dbFile)) {
      db = openDatabase(dbFile);
      const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alert_incidents'").get();
      if (!has) { db.close(); db = undefined; }
    }
    let result;
    let spending: string | undefined;
    try {
      result = await runCoverageReport(
        { from: opts.from, to: opts.to, province: opts.province, group: opts.group ?? opts.district, commune: opts.commune, resolution: opts.resolution },
        {
          settings, inventory: cfg.inventory, influx, onProgress: progress, logger: createLogger({ level: 'warn' }),
          ...(db ? { incidents: incidentsFromDb(db) } : {}),
        },
      );
      if (db && opts.format === 'html') spending = spendingSection(db, result.from, result.to, settings, opts.lang ?? settings.alerting.default_lang);
    } finally {
      db?.close();
    }
    const groupBy = opts.groupBy === 'district' ? 'group' : opts.groupBy;
    const lang = opts.lang ?? settings.alerting.default_lang;
    const text = opts.format === 'html'
      ? renderHtml(result, groupBy, { lang, map: reportMap(result, cfg.inventory.sites, settings, lang), extra: spending })
      : renderReport(result, opts.format, groupBy, lang);
    if (opts.out) fs.writeFileSync(opts.out, text);
    else process.stdout.write(text);
    if (!opts.quiet) {
      process.stderr.write(`report: ${result.sites.length} sites from ${result.resolution} in ${((Date.now() - started) / 1000).toFixed(1)} s${opts.out ? ` → ${opts.out}` : ''}\n`);
    }
  });
}
