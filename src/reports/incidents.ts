/**
 * Incidents for the coverage report from the alerting SQLite tables (alert_incidents), for any
 * period: the incident events in InfluxDB live in the raw RP only (30 days). Pass the result as
 * `deps.incidents` to runCoverageReport.
 */
import type { Db } from '../store/sqlite.js';
import type { Cause } from '../alerting/notice.js';
import type { IncidentInput } from './coverage.js';

const CAUSES = new Set<Cause>(['power', 'link', 'unknown']);

interface Row { site_id: string; kind: string; cause: string | null; opened_at: number; resolved_at: number | null }

/** Site incidents overlapping [from, to). Commune-level incidents (no site) are not site downtime. */
export function incidentsFromDb(db: Db) {
  const stmt = db.prepare(`SELECT site_id, kind, cause, opened_at, resolved_at FROM alert_incidents
    WHERE site_id IS NOT NULL AND opened_at < ? AND (resolved_at IS NULL OR resolved_at >= ?) ORDER BY opened_at`);
  return async (from: number, to: number): Promise<IncidentInput[]> =>
    (stmt.all(to, from) as Row[]).map((r) => ({
      site: r.site_id,
      kind: r.kind,
      cause: CAUSES.has(r.cause as Cause) ? (r.cause as Cause) : 'unknown',
      opened: r.opened_at,
      resolved: r.resolved_at,
    }));
}
