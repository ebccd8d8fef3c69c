/**
 * Incidents for the coverage report from the alerting SQLite tables (alert_incidents), for any
 * period: the incident events in InfluxDB live in the raw RP only (30 days). Pass the result as
 * `deps.incidents` to runCoverageReport.
 */
import type { Db } from '../store/sqlite.js';
import { causeOf } from './causes.js';
import type { IncidentInput } from './coverage.js';

interface Row {
  id: number; site_id: string; kind: string; cause: string | null; opened_at: number; resolved_at: number | null;
  cause_found: string | null; actions: string | null; parts: string | null; written_by: string | null;
}

/**
 * Site incidents overlapping [from, to), each with its latest outcome. Commune-level incidents (no
 * site) are not site downtime. Call after the alerting migrations ran (the outcome table).
 */
export function incidentsFromDb(db: Db) {
  // A database from before outcomes existed (the report CLI opens it read-only in spirit: no migration here).
  const hasOutcomes = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'incident_outcomes'").get() !== undefined;
  const outcome = hasOutcomes
    ? 'o.cause_found, o.actions, o.parts, o.written_by FROM alert_incidents i LEFT JOIN incident_outcomes o ON o.id = (SELECT MAX(id) FROM incident_outcomes x WHERE x.incident_id = i.id)'
    : 'NULL AS cause_found, NULL AS actions, NULL AS parts, NULL AS written_by FROM alert_incidents i';
  const stmt = db.prepare(`SELECT i.id, i.site_id, i.kind, i.cause, i.opened_at, i.resolved_at, ${outcome}
    WHERE i.site_id IS NOT NULL AND i.opened_at < ? AND (i.resolved_at IS NULL OR i.resolved_at >= ?) ORDER BY i.opened_at, i.id`);
  return async (from: number, to: number): Promise<IncidentInput[]> =>
    (stmt.all(to, from) as Row[]).map((r) => ({
      id: r.id,
      site: r.site_id,
      kind: r.kind,
      cause: causeOf(r.cause),
      opened: r.opened_at,
      resolved: r.resolved_at,
      outcome: r.cause_found !== null ? { cause_found: r.cause_found, actions: r.actions ?? '', parts: r.parts, by: r.written_by ?? '' } : null,
    }));
}
