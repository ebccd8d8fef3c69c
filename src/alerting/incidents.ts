/**
 * Incidents, notices, deliveries, runbook progress and the per-site alert state, in the one
 * SQLite file (WAL) opened by `openDatabase`: the queries. The tables and the stored shapes are
 * declared in incident-schema.ts (re-exported here).
 *
 * Restart safety:
 * - every site's SiteAlertState is saved after each batch (one transaction with the incident
 *   changes), so a restart resumes the streaks and the latch: no open incident lost, nothing
 *   re-opened, nothing re-sent;
 * - a notice is recorded (id UNIQUE) BEFORE it is handed to the dispatcher and marked after. See
 *   engine.ts for the at-least-once reasoning.
 */
import type { Level } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/sqlite.js';
import {
  migrateAlerting, toIncident,
  type DeliveryRecord, type Incident, type IncidentOutcome, type IncidentRow, type NoticeRecord, type OpenIncidentInput, type RunbookStepRecord,
} from './incident-schema.js';
import { MaintenanceStore, type MaintenanceInput, type MaintenanceWindow } from './maintenance.js';
import type { AlertKind, Cause, Notice } from './notice.js';
import { DEGRADED_KINDS, type SiteAlertState } from './reducer.js';

export {
  ALERTING_MIGRATIONS, OUTCOME_MIGRATIONS, migrateAlerting, Incident, IncidentOutcome, RunbookStepRecord,
  type DeliveryRecord, type NoticeRecord, type OpenIncidentInput,
} from './incident-schema.js';

/** A state saved before a DEGRADED kind existed (weak-signal, quota-exhausted) gets it, quiet. */
function withAllConditions(s: SiteAlertState): SiteAlertState {
  for (const k of DEGRADED_KINDS) s.conditions[k] ??= { bad: 0, good: 0, firing: false, since: null, detail: '' };
  return s;
}

export interface ListIncidentsOptions {
  /** Only open (true) or only resolved (false) incidents; both when absent. */
  open?: boolean;
  /** Compatibility with the API's IncidentRepo: false = open only. */
  includeResolved?: boolean;
  communes?: string[];
  /** Default 1000. */
  limit?: number;
  offset?: number;
}

/**
 * The typed face of the alerting tables. Also what the API calls (shape of IncidentRepo in
 * src/api/deps.ts): listIncidents, getIncident, acknowledge, recordStep, steps, and the
 * maintenance windows.
 */
export class IncidentRepository {
  readonly maintenance: MaintenanceStore;

  /** Prepared statements by SQL: the engine runs the same few on every batch of checks. */
  private readonly statements = new Map<string, Statement>();
  private readonly inTransaction: (fn: () => unknown) => unknown;

  constructor(readonly db: Db, private readonly clock: Clock, tz: string) {
    migrateAlerting(db);
    this.maintenance = new MaintenanceStore(db, tz);
    this.inTransaction = db.transaction((fn: () => unknown) => fn());
  }

  /** `db.prepare(sql)`, once per SQL text. */
  stmt(sql: string): Statement {
    let st = this.statements.get(sql);
    if (!st) { st = this.db.prepare(sql); this.statements.set(sql, st); }
    return st;
  }

  // ------------------------------------------------------------ incidents

  listIncidents(opts: ListIncidentsOptions = {}): Incident[] {
    const where: string[] = [];
    const args: unknown[] = [];
    const open = opts.open ?? (opts.includeResolved === false ? true : undefined);
    if (open === true) where.push('resolved_at IS NULL');
    if (open === false) where.push('resolved_at IS NOT NULL');
    if (opts.communes?.length) {
      where.push(`commune IN (${opts.communes.map(() => '?').join(',')})`);
      args.push(...opts.communes);
    }
    args.push(opts.limit ?? 1000, opts.offset ?? 0);
    const sql = `SELECT * FROM alert_incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY (resolved_at IS NULL) DESC, opened_at DESC, id DESC LIMIT ? OFFSET ?`;
    return (this.stmt(sql).all(...args) as IncidentRow[]).map(toIncident);
  }

  getIncident(id: number): Incident | null {
    const r = this.stmt('SELECT * FROM alert_incidents WHERE id = ?').get(id) as IncidentRow | undefined;
    return r ? toIncident(r) : null;
  }

  openIncidents(): Incident[] {
    return (this.stmt('SELECT * FROM alert_incidents WHERE resolved_at IS NULL ORDER BY id').all() as IncidentRow[]).map(toIncident);
  }

  /** The site incidents folded into a commune incident, open or resolved. */
  foldedInto(id: number): Incident[] {
    return (this.stmt('SELECT * FROM alert_incidents WHERE merged_into = ? ORDER BY id').all(id) as IncidentRow[]).map(toIncident);
  }

  findOpen(kind: AlertKind, site_id: string | null, area: { province: string; commune: string }): Incident | null {
    const r = this.stmt(`SELECT * FROM alert_incidents WHERE resolved_at IS NULL AND kind = ? AND IFNULL(site_id, '') = ? AND province = ? AND commune = ?`)
      .get(kind, site_id ?? '', area.province, area.commune) as IncidentRow | undefined;
    return r ? toIncident(r) : null;
  }

  /** Open an incident, or return the one already open for the same kind and subject. */
  openIncident(i: OpenIncidentInput): Incident {
    const existing = this.findOpen(i.kind, i.site_id, i);
    if (existing) return existing;
    const r = this.stmt(`INSERT INTO alert_incidents (kind, site_id, commune, area_group, province, state, detail, opened_at, affected, hold_until, merged_into)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      i.kind, i.site_id, i.commune, i.group ?? '', i.province, i.state, i.detail, i.opened_at,
      JSON.stringify(i.affected ?? []), i.hold_until ?? null, i.merged_into ?? null,
    );
    return this.getIncident(Number(r.lastInsertRowid))!;
  }

  setAffected(id: number, affected: readonly string[]): void {
    this.stmt('UPDATE alert_incidents SET affected = ? WHERE id = ?').run(JSON.stringify([...affected]), id);
  }

  setDetail(id: number, detail: string): void {
    this.stmt('UPDATE alert_incidents SET detail = ? WHERE id = ?').run(detail, id);
  }

  markNotified(id: number, at: number): void {
    this.stmt('UPDATE alert_incidents SET notified_at = COALESCE(notified_at, ?), hold_until = NULL WHERE id = ?').run(at, id);
  }

  setHold(id: number, until: number | null, mergedInto: number | null): void {
    this.stmt('UPDATE alert_incidents SET hold_until = ?, merged_into = ? WHERE id = ?').run(until, mergedInto, id);
  }

  markEscalated(id: number, level: Level): void {
    const inc = this.getIncident(id);
    if (!inc || inc.escalated.includes(level)) return;
    this.stmt('UPDATE alert_incidents SET escalated = ? WHERE id = ?').run(JSON.stringify([...inc.escalated, level]), id);
  }

  resolveIncident(id: number, at: number, cause: Cause, detail: string): Incident | null {
    const inc = this.getIncident(id);
    if (!inc || inc.resolved_at !== null) return inc;
    const duration = Math.max(0, at - inc.opened_at) / 1000;
    this.stmt('UPDATE alert_incidents SET resolved_at = ?, duration_s = ?, cause = ?, resolve_detail = ?, hold_until = NULL WHERE id = ?')
      .run(at, duration, cause, detail, id);
    return this.getIncident(id);
  }

  /** The cause of the site's latest resolved site-down or upstream-down incident opened at or after `since`. */
  lastOutageCause(siteId: string, since: number): Cause | null {
    const r = this.stmt(`SELECT cause FROM alert_incidents WHERE kind IN ('site-down', 'upstream-down') AND site_id = ? AND resolved_at IS NOT NULL AND opened_at >= ? ORDER BY id DESC LIMIT 1`)
      .get(siteId, since) as { cause: Cause | null } | undefined;
    return r?.cause ?? null;
  }

  /** Acknowledging twice keeps the first; an unknown id changes nothing (check getIncident first). */
  acknowledge(id: number, by: string, note: string | null, at: number = this.clock.now()): void {
    this.stmt('UPDATE alert_incidents SET acknowledged_at = ?, acknowledged_by = ?, ack_note = ? WHERE id = ? AND acknowledged_at IS NULL')
      .run(at, by, note, id);
  }

  /**
   * Delete an incident and everything recorded about it (notices, deliveries, steps, outcomes).
   * Its signed links stop opening anything (they verify against the stored incident).
   */
  deleteIncident(id: number): boolean {
    return this.transaction(() => {
      this.stmt('UPDATE alert_incidents SET merged_into = NULL WHERE merged_into = ?').run(id);
      this.stmt('DELETE FROM alert_deliveries WHERE notice_id IN (SELECT notice_id FROM alert_notices WHERE incident_id = ?)').run(id);
      this.stmt('DELETE FROM alert_notices WHERE incident_id = ?').run(id);
      this.stmt('DELETE FROM alert_runbook_steps WHERE incident_id = ?').run(id);
      this.stmt('DELETE FROM incident_outcomes WHERE incident_id = ?').run(id);
      return this.stmt('DELETE FROM alert_incidents WHERE id = ?').run(id).changes > 0;
    });
  }

  // ------------------------------------------------------------ outcome

  recordOutcome(id: number, o: IncidentOutcome): void {
    if (!this.getIncident(id)) throw new Error(`no incident ${id}`);
    this.stmt('INSERT INTO incident_outcomes (incident_id, cause_found, actions, parts, written_by, via, written_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(id, o.cause_found, o.actions, o.parts, o.by, o.via, o.at);
  }

  /** The latest outcome written for the incident (earlier versions stay in the table and the audit log). */
  outcome(id: number): IncidentOutcome | null {
    const r = this.stmt('SELECT cause_found, actions, parts, written_by, via, written_at FROM incident_outcomes WHERE incident_id = ? ORDER BY id DESC LIMIT 1').get(id) as
      | { cause_found: string; actions: string; parts: string | null; written_by: string; via: IncidentOutcome['via']; written_at: number }
      | undefined;
    return r ? { cause_found: r.cause_found, actions: r.actions, parts: r.parts, by: r.written_by, via: r.via, at: r.written_at } : null;
  }

  // ------------------------------------------------------------ runbook progress

  recordStep(id: number, rec: RunbookStepRecord): void {
    if (!this.getIncident(id)) throw new Error(`no incident ${id}`);
    this.stmt('INSERT INTO alert_runbook_steps (incident_id, step, done, done_by, done_at, note, outcome) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(id, rec.step, rec.done ? 1 : 0, rec.by, rec.at, rec.note, rec.outcome ?? null);
  }

  /** The latest record per step, by step number. */
  steps(id: number): RunbookStepRecord[] {
    const rows = this.stmt(`SELECT step, done, done_by, done_at, note, outcome FROM alert_runbook_steps s
      WHERE incident_id = ? AND id = (SELECT MAX(id) FROM alert_runbook_steps t WHERE t.incident_id = s.incident_id AND t.step = s.step)
      ORDER BY step`).all(id) as Array<{ step: number; done: number; done_by: string; done_at: number; note: string | null; outcome: string | null }>;
    return rows.map((r) => ({ step: r.step, done: r.done === 1, by: r.done_by, at: r.done_at, note: r.note, outcome: r.outcome }));
  }

  /** Every step record, oldest first: the training record. */
  stepHistory(id: number): RunbookStepRecord[] {
    const rows = this.stmt('SELECT step, done, done_by, done_at, note, outcome FROM alert_runbook_steps WHERE incident_id = ? ORDER BY id').all(id) as Array<{ step: number; done: number; done_by: string; done_at: number; note: string | null; outcome: string | null }>;
    return rows.map((r) => ({ step: r.step, done: r.done === 1, by: r.done_by, at: r.done_at, note: r.note, outcome: r.outcome }));
  }

  // ------------------------------------------------------------ notices and deliveries

  /**
   * Record a notice before dispatching it. Returns false when it was already dispatched (never
   * send twice); true when it must be (re)dispatched.
   */
  recordNotice(notice: Notice, at: number): boolean {
    this.stmt(`INSERT INTO alert_notices (notice_id, incident_id, event, level, payload, status, created_at)
      VALUES (?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT(notice_id) DO NOTHING`)
      .run(notice.id, notice.incident_id, notice.event, notice.level, JSON.stringify(notice), at);
    const r = this.stmt('SELECT status FROM alert_notices WHERE notice_id = ?').get(notice.id) as { status: string };
    return r.status !== 'dispatched';
  }

  markNotice(id: string, outcome: { ok: true; at: number } | { ok: false; error: string }): void {
    if (outcome.ok) {
      this.stmt(`UPDATE alert_notices SET status = 'dispatched', attempts = attempts + 1, dispatched_at = ?, last_error = NULL WHERE notice_id = ?`).run(outcome.at, id);
    } else {
      this.stmt(`UPDATE alert_notices SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE notice_id = ?`).run(outcome.error.slice(0, 1000), id);
    }
  }

  getNotice(id: string): NoticeRecord | null {
    const r = this.stmt('SELECT * FROM alert_notices WHERE notice_id = ?').get(id) as (Omit<NoticeRecord, 'notice'> & { payload: string }) | undefined;
    if (!r) return null;
    const { payload, ...rest } = r;
    return { ...rest, notice: JSON.parse(payload) as Notice };
  }

  /** Notices recorded but not (successfully) dispatched: after a crash, or a failed dispatch. */
  undispatched(maxAttempts = Number.MAX_SAFE_INTEGER): NoticeRecord[] {
    const rows = this.stmt(`SELECT notice_id FROM alert_notices WHERE status != 'dispatched' AND attempts < ? ORDER BY created_at, notice_id`).all(maxAttempts) as Array<{ notice_id: string }>;
    return rows.map((r) => this.getNotice(r.notice_id)!);
  }

  /**
   * Resolved notices handed to the dispatcher that reached nobody: every recorded delivery
   * failed. The dispatcher's retry queue lives in memory, so after a restart these are sent
   * again (a resolved notice is never lost).
   */
  undeliveredResolved(): NoticeRecord[] {
    const rows = this.stmt(`SELECT n.notice_id FROM alert_notices n
      WHERE n.event = 'resolved' AND n.status = 'dispatched'
        AND EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.notice_id = n.notice_id)
        AND NOT EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.notice_id = n.notice_id AND d.status = 'delivered')
      ORDER BY n.created_at, n.notice_id`).all() as Array<{ notice_id: string }>;
    return rows.map((r) => this.getNotice(r.notice_id)!);
  }

  noticesFor(incidentId: number): NoticeRecord[] {
    const rows = this.stmt('SELECT notice_id FROM alert_notices WHERE incident_id = ? ORDER BY created_at, notice_id').all(incidentId) as Array<{ notice_id: string }>;
    return rows.map((r) => this.getNotice(r.notice_id)!);
  }

  /** For the notifiers: one row per (notice, channel, recipient), updated on every attempt. */
  recordDelivery(d: DeliveryRecord): void {
    this.stmt(`INSERT INTO alert_deliveries (notice_id, channel, recipient, status, attempts, last_error, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(notice_id, channel, recipient) DO UPDATE SET status = excluded.status, attempts = excluded.attempts, last_error = excluded.last_error, sent_at = excluded.sent_at`)
      .run(d.notice_id, d.channel, d.recipient, d.status, d.attempts, d.last_error, d.sent_at);
  }

  /**
   * The notifiers' dispatcher `record(notice, results)` hook: one row per (notice, notifier,
   * address), attempts added up, the latest outcome kept.
   */
  recordDeliveryResults(notice: Pick<Notice, 'id'>, results: ReadonlyArray<{ notifier: string; recipient: string; ok: boolean; error?: string; attempts?: number }>): void {
    const up = this.stmt(`INSERT INTO alert_deliveries (notice_id, channel, recipient, status, attempts, last_error, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(notice_id, channel, recipient) DO UPDATE SET status = excluded.status, attempts = alert_deliveries.attempts + excluded.attempts,
        last_error = excluded.last_error, sent_at = COALESCE(excluded.sent_at, alert_deliveries.sent_at)`);
    const at = this.clock.now();
    this.db.transaction(() => {
      for (const r of results) {
        up.run(notice.id, r.notifier, r.recipient, r.ok ? 'delivered' : 'failed', r.attempts ?? 1, r.ok ? null : (r.error ?? 'failed').slice(0, 1000), r.ok ? at : null);
      }
    })();
  }

  deliveries(noticeId: string): DeliveryRecord[] {
    return this.stmt('SELECT * FROM alert_deliveries WHERE notice_id = ? ORDER BY channel, recipient').all(noticeId) as DeliveryRecord[];
  }

  // ------------------------------------------------------------ per-site alert state

  loadSiteStates(): Map<string, SiteAlertState> {
    const rows = this.stmt('SELECT site, state FROM alert_site_state').all() as Array<{ site: string; state: string }>;
    return new Map(rows.map((r) => [r.site, withAllConditions(JSON.parse(r.state) as SiteAlertState)]));
  }

  saveSiteStates(states: Iterable<SiteAlertState>, at: number): void {
    const up = this.stmt('INSERT INTO alert_site_state (site, state, updated_at) VALUES (?, ?, ?) ON CONFLICT(site) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at');
    for (const s of states) up.run(s.site, JSON.stringify(s), at);
  }

  /** Run `fn` in one transaction (the engine's batch: states + incidents together). */
  transaction<T>(fn: () => T): T {
    return this.inTransaction(fn) as T;
  }

  // ------------------------------------------------------------ maintenance (API)

  listMaintenance(): MaintenanceWindow[] {
    return this.maintenance.list();
  }

  createMaintenance(input: MaintenanceInput, at: number = this.clock.now()): MaintenanceWindow {
    return this.maintenance.create(input, at);
  }

  deleteMaintenance(id: number): boolean {
    return this.maintenance.delete(id);
  }
}
