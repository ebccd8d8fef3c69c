/**
 * The alerting tables and the shapes stored in them, declared once: the SQLite migrations
 * (modules 'alerting' and 'incident_outcomes'), and the TypeBox schemas of an incident, an
 * outcome and a runbook step record that the API serializes as they are. Kept apart from the
 * queries (incidents.ts) so the stored shape reads in one place; incidents.ts re-exports the
 * public part, so callers keep importing from there.
 */
import { Type, type Static } from '@sinclair/typebox';
import { LEVELS, type Level } from '../config/schema.js';
import { Nullable, StringEnum } from '../core/schema.js';
import { migrate, type Db } from '../store/sqlite.js';
import { SITE_STATES, type SiteStateName } from '../store/schema.js';
import { ALERT_KINDS, CAUSES, type AlertKind, type Notice } from './notice.js';

export const ALERTING_MIGRATIONS = [
  `CREATE TABLE alert_incidents (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     kind TEXT NOT NULL,
     site_id TEXT,
     commune TEXT NOT NULL,
     district TEXT NOT NULL,
     province TEXT NOT NULL,
     state TEXT NOT NULL,
     detail TEXT NOT NULL,
     opened_at INTEGER NOT NULL,
     notified_at INTEGER,
     hold_until INTEGER,
     merged_into INTEGER REFERENCES alert_incidents(id),
     acknowledged_at INTEGER,
     acknowledged_by TEXT,
     ack_note TEXT,
     escalated TEXT NOT NULL DEFAULT '[]',
     cause TEXT,
     resolved_at INTEGER,
     duration_s REAL,
     resolve_detail TEXT,
     affected TEXT NOT NULL DEFAULT '[]'
   );
   CREATE UNIQUE INDEX alert_incidents_one_open ON alert_incidents(kind, IFNULL(site_id, ''), province, district, commune) WHERE resolved_at IS NULL;
   CREATE INDEX alert_incidents_opened ON alert_incidents(opened_at);
   CREATE TABLE alert_notices (
     notice_id TEXT PRIMARY KEY,
     incident_id INTEGER NOT NULL REFERENCES alert_incidents(id),
     event TEXT NOT NULL,
     level TEXT NOT NULL,
     payload TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('pending', 'dispatched', 'failed')),
     attempts INTEGER NOT NULL DEFAULT 0,
     last_error TEXT,
     created_at INTEGER NOT NULL,
     dispatched_at INTEGER
   );
   CREATE INDEX alert_notices_status ON alert_notices(status);
   CREATE TABLE alert_deliveries (
     notice_id TEXT NOT NULL REFERENCES alert_notices(notice_id),
     channel TEXT NOT NULL,
     recipient TEXT NOT NULL,
     status TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     last_error TEXT,
     sent_at INTEGER,
     PRIMARY KEY (notice_id, channel, recipient)
   );
   CREATE TABLE alert_runbook_steps (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     incident_id INTEGER NOT NULL REFERENCES alert_incidents(id),
     step INTEGER NOT NULL,
     done INTEGER NOT NULL DEFAULT 1,
     done_by TEXT NOT NULL,
     done_at INTEGER NOT NULL,
     note TEXT,
     outcome TEXT
   );
   CREATE INDEX alert_runbook_steps_incident ON alert_runbook_steps(incident_id, step);
   CREATE TABLE alert_site_state (
     site TEXT PRIMARY KEY,
     state TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   );`,
  // 2025 reform: the district becomes the optional group ('' = none), and no longer part of an
  // incident's identity (a site whose district is dropped keeps its open incident)
  `ALTER TABLE alert_incidents RENAME COLUMN district TO area_group;
   DROP INDEX alert_incidents_one_open;
   CREATE UNIQUE INDEX alert_incidents_one_open ON alert_incidents(kind, IFNULL(site_id, ''), province, commune) WHERE resolved_at IS NULL;`,
];

/**
 * What happened, written by whoever went (the training record's last word). Its own migration
 * module, so it never collides with the numbering of ALERTING_MIGRATIONS.
 */
export const OUTCOME_MIGRATIONS = [
  `CREATE TABLE incident_outcomes (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     incident_id INTEGER NOT NULL REFERENCES alert_incidents(id),
     cause_found TEXT NOT NULL,
     actions TEXT NOT NULL,
     parts TEXT,
     written_by TEXT NOT NULL,
     via TEXT NOT NULL CHECK (via IN ('session', 'token', 'link')),
     written_at INTEGER NOT NULL
   );
   CREATE INDEX incident_outcomes_incident ON incident_outcomes(incident_id, id);`,
];

/** What happened after the visit (the API answers it as declared here). */
export const IncidentOutcome = Type.Object({
  cause_found: Type.String({ description: 'the cause the trainee found' }),
  actions: Type.String({ description: 'what was done' }),
  parts: Nullable(Type.String({ description: 'parts replaced' })),
  by: Type.String({ description: "who wrote it; `<name> (signed link)` when written through a notice's link" }),
  via: StringEnum(['session', 'token', 'link'] as const, { description: "a signed-in page, an API token, or a notice's signed link" }),
  at: Type.Number({ description: 'epoch ms' }),
});
export type IncidentOutcome = Static<typeof IncidentOutcome>;

/** An incident as stored and as the API answers it (the schema serializes it: declared once, here). */
export const Incident = Type.Object({
  id: Type.Integer(),
  kind: StringEnum(ALERT_KINDS),
  site_id: Nullable(Type.String({ description: 'null for a commune-level incident' })),
  commune: Type.String(),
  group: Type.Optional(Type.String({ description: "the site's group, when its province uses groups" })),
  province: Type.String(),
  state: StringEnum(SITE_STATES, { description: 'the site state the incident is about (DOWN, DEGRADED, ...)' }),
  detail: Type.String({ description: 'the condition, explaining itself' }),
  cause: Nullable(StringEnum(CAUSES)),
  opened_at: Type.Number({ description: 'epoch ms' }),
  notified_at: Nullable(Type.Number({ description: 'first firing notice handed to the dispatcher; null while held or folded' })),
  hold_until: Nullable(Type.Number({ description: 'a held notice goes out at this time unless a commune incident takes the site in' })),
  merged_into: Nullable(Type.Integer({ description: 'the commune incident this site incident was folded into' })),
  resolved_at: Nullable(Type.Number()),
  duration_s: Nullable(Type.Number()),
  resolve_detail: Nullable(Type.String()),
  acknowledged_at: Nullable(Type.Number()),
  acknowledged_by: Nullable(Type.String()),
  ack_note: Nullable(Type.String()),
  escalated: Type.Array(StringEnum(LEVELS), { description: 'levels already escalated to' }),
  affected: Type.Array(Type.String(), { description: 'ids of the other sites affected' }),
});
export type Incident = Static<typeof Incident>;

/** One tick or untick of a runbook step (the training record). */
export const RunbookStepRecord = Type.Object({
  step: Type.Integer({ minimum: 1, description: '1-based step number in the runbook' }),
  done: Type.Boolean(),
  by: Type.String(),
  at: Type.Number({ description: 'epoch ms' }),
  note: Nullable(Type.String()),
  outcome: Type.Optional(Nullable(Type.String())),
});
export type RunbookStepRecord = Static<typeof RunbookStepRecord>;

export interface NoticeRecord {
  notice_id: string;
  incident_id: number;
  event: Notice['event'];
  level: Level;
  status: 'pending' | 'dispatched' | 'failed';
  attempts: number;
  last_error: string | null;
  created_at: number;
  dispatched_at: number | null;
  notice: Notice;
}

export interface DeliveryRecord {
  notice_id: string;
  channel: string;
  recipient: string;
  status: string;
  attempts: number;
  last_error: string | null;
  sent_at: number | null;
}

export interface OpenIncidentInput {
  kind: AlertKind;
  site_id: string | null;
  commune: string;
  group?: string;
  province: string;
  state: SiteStateName;
  detail: string;
  opened_at: number;
  affected?: string[];
  hold_until?: number | null;
  merged_into?: number | null;
}

/** A row of alert_incidents as SQLite returns it (lists as JSON text, the group as area_group). */
export interface IncidentRow extends Omit<Incident, 'escalated' | 'affected' | 'group'> {
  escalated: string;
  affected: string;
  area_group: string;
}

export const toIncident = ({ area_group, ...r }: IncidentRow): Incident => ({
  ...r, ...(area_group ? { group: area_group } : {}), escalated: JSON.parse(r.escalated), affected: JSON.parse(r.affected),
});

export function migrateAlerting(db: Db): void {
  migrate(db, 'alerting', ALERTING_MIGRATIONS);
  migrate(db, 'incident_outcomes', OUTCOME_MIGRATIONS);
}
