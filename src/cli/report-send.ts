/**
 * `pointwatch report send [--dry-run] [--at TIME]`: the scheduled reports due now (or at TIME):
 * what would go to whom (--dry-run: nothing sent, nothing recorded), or send what is not yet sent.
 * Live states come from the operational SQLite file (what `pointwatch run` last saw).
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { Command } from 'commander';
import { createInflux } from '../store/client.js';
import { databaseFile, openDatabase, type Db } from '../store/sqlite.js';
import { IncidentRepository } from '../alerting/incidents.js';
import { incidentsFromDb } from '../reports/incidents.js';
import { runCoverageReport, parseBound } from '../reports/run.js';
import { createReportRunner } from '../reports/scheduled/runner.js';
import { createLogger } from '../core/logger.js';
import { InputError } from '../core/errors.js';
import { withConfigOptions, loadFromCli, type ConfigOptions } from './options.js';

interface SendOptions extends ConfigOptions {
  dryRun?: boolean;
  at?: string;
}

/** An in-memory copy of the operational file: through SQLite while a service runs (its WAL included), else its bytes. */
function snapshot(file: string): Db {
  let bytes: Buffer;
  try {
    const live = new Database(file, { readonly: true, fileMustExist: true });
    try { bytes = live.serialize(); } finally { live.close(); }
  } catch {
    bytes = fs.readFileSync(file); // a read-only open of a WAL file needs its -shm, which exists only while a service runs
  }
  // header bytes 18-19 say "WAL" (2), which an in-memory database cannot be: mark the copy rollback-journal (1)
  if (bytes.length > 20) { bytes[18] = 1; bytes[19] = 1; }
  return new Database(bytes);
}

export function registerSend(report: Command): void {
  withConfigOptions(
    report
      .command('send')
      .description('Send the scheduled reports that are due (daily still-down lists, weekly commune summaries, monthly coverage) and not yet sent.')
      .option('--dry-run', 'print what would go to whom; send and record nothing')
      .option('--at <time>', 'as if now were this time (YYYY-MM-DDTHH:MM local, or ISO); with --dry-run only'),
  ).action(async (opts: SendOptions) => {
    const cfg = await loadFromCli(opts);
    const { settings } = cfg;
    if (opts.at && !opts.dryRun) throw new InputError('--at: only with --dry-run (a real send happens now)');
    const now = opts.at ? parseBound(opts.at, '--from', settings.reports.timezone) : Date.now();
    const file = databaseFile(settings);
    // a dry run must not create or change the operational file: it works on an in-memory copy
    let db: Db;
    if (opts.dryRun) {
      db = fs.existsSync(file) ? snapshot(file) : new Database(':memory:');
      db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (module TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (module, version))');
    } else {
      db = openDatabase(file);
    }
    const hasStates = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alert_site_state'").get();
    const states = hasStates ? new IncidentRepository(db, { now: () => now, sleep: async () => undefined }, settings.reports.timezone).loadSiteStates() : new Map();
    const influx = createInflux({ ...settings.influx, timeout_ms: Math.max(settings.influx.timeout_ms, 300_000) });
    const hasIncidents = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alert_incidents'").get();
    const runner = createReportRunner({
      settings, inventory: () => cfg.inventory, states: () => states, db,
      clock: { now: () => now, sleep: async () => undefined }, logger: createLogger({ level: 'warn' }),
      ...(opts.dryRun ? { firstStart: 0 } : {}),
      coverage: (p) => runCoverageReport({ from: p.from, to: p.to, province: p.province }, { settings, inventory: cfg.inventory, influx, ...(hasIncidents ? { incidents: incidentsFromDb(db) } : {}) }),
    });
    try {
      const list = opts.dryRun ? await runner.plan(now) : await runner.runDue();
      if (!list.length) process.stdout.write('nothing due\n');
      for (const p of list) {
        const state = opts.dryRun ? (p.sent ? 'already sent' : 'would send') : p.sent ? 'sent' : 'FAILED';
        const files = p.attachments.length ? ` [${p.attachments.map((a) => a.filename).join(', ')}]` : '';
        process.stdout.write(`${state}\t${p.report}\t${p.period}\t${p.area}\t${p.channel}:${p.to}\t${p.lang}\t${p.subject}${files}\n`);
      }
      if (!opts.dryRun && list.some((p) => !p.sent)) process.exitCode = 1;
    } finally {
      await runner.stop();
      db.close();
    }
  });
}
