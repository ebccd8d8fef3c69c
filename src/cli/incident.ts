/**
 * `pointwatch incident delete ID --by NAME`: remove an incident and everything recorded about it
 * (notices, deliveries, steps, outcome) from the operational SQLite database. Its signed links stop
 * opening anything at once (they verify against the stored incident). Audited.
 *
 *   pointwatch incident delete 17 --by lan
 */
import type { Command } from 'commander';
import { IncidentRepository } from '../alerting/incidents.js';
import { AuthStore } from '../api/auth/store.js';
import { systemClock } from '../core/clock.js';
import { InputError } from '../core/errors.js';
import { databaseFile, openDatabase } from '../store/sqlite.js';
import { intOption, loadFromCli, withConfigOptions, type ConfigOptions } from './options.js';

export function register(program: Command): void {
  const c = program.command('incident').description('Incidents in the operational database.');
  withConfigOptions(
    c.command('delete <id>')
      .description('Delete an incident with its notices, steps and outcome; its signed links are revoked.')
      .requiredOption('--by <name>', 'who deletes it (written to the audit log)'),
  ).action(async (id: string, opts: ConfigOptions & { by: string }) => {
    const n = intOption('<id>')(id);
    const { settings } = await loadFromCli(opts);
    const db = openDatabase(databaseFile(settings));
    try {
      const repo = new IncidentRepository(db, systemClock, settings.reports.timezone);
      const inc = repo.getIncident(n);
      if (!inc || !repo.deleteIncident(n)) throw new InputError(`incident delete: no incident ${n}`);
      new AuthStore(db).audit(opts.by, 'incident.delete', `incident:${n}`, `${inc.kind} ${inc.site_id ?? inc.commune}, opened ${new Date(inc.opened_at).toISOString()} (cli)`);
      process.stdout.write(`deleted incident ${n} (${inc.kind} ${inc.site_id ?? inc.commune}); its links no longer open\n`);
    } finally {
      db.close();
    }
  });
}
