/**
 * The narrow interfaces the API and the web UI need from the rest of pointwatch.
 * The composition root (src/main.ts) adapts the poller, alerting engine, store reader,
 * incident repository, runbook loader and coverage report to these shapes; tests use the
 * in-memory implementations in tests/integration/api/fixtures.ts.
 *
 * Methods may answer synchronously or with a Promise (the routes always `await`).
 */
import type { Inventory, Settings, Lang } from '../config/schema.js';
import type { SiteStateName } from '../store/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Db } from '../store/sqlite.js';

type MaybePromise<T> = T | Promise<T>;

/** A site's current state as the alerting engine holds it. */
export interface LiveState {
  state: SiteStateName;
  /** Epoch ms the state began. */
  since: number;
  /** The condition, explaining itself (`loss_pct 42 > 20 for 3 checks`). */
  detail: string;
}

/** The last check of a site, as the poller saw it (no counters, no secrets). */
export interface LatestMeasurements {
  /** Epoch ms of the check. */
  ts: number;
  loss_pct: number | null;
  rtt_avg_ms: number | null;
  jitter_ms: number | null;
  uptime_s: number | null;
  /** Epoch ms of the last reboot seen, if any. */
  last_reboot: number | null;
  /** WAN interface rates. */
  wan: { name: string; in_bps: number | null; out_bps: number | null; oper_up: boolean; speed_bps: number | null } | null;
  wireless_clients?: number | null;
}

export interface LiveSource {
  states(): Map<string, LiveState>;
  latest(siteId: string): LatestMeasurements | null;
}

export const HISTORY_KINDS = ['ping', 'bandwidth', 'state'] as const;
export type HistoryKind = (typeof HISTORY_KINDS)[number];

/**
 * A time series for one site. Fields by kind:
 * ping: loss_pct, rtt_avg_ms, rtt_max_ms, jitter_ms; bandwidth: in_bps, out_bps (WAN);
 * state: state_code (see STATE_CODE in src/store/schema.ts).
 */
export interface Series {
  what: HistoryKind;
  from: number;
  to: number;
  fields: string[];
  points: Array<{ t: number; values: Record<string, number | null> }>;
}

export interface HistoryReader {
  siteHistory(siteId: string, from: number, to: number, what: HistoryKind): Promise<Series>;
  /** True when the store answers (used by /readyz and the "database down" banner). */
  ping(): Promise<boolean>;
}

export interface Incident {
  id: number;
  kind: string;
  /** null for a commune-level incident. */
  site_id: string | null;
  commune: string;
  /** The site's group, when its province uses groups. */
  group?: string;
  province: string;
  state: SiteStateName;
  detail: string;
  cause: 'power' | 'link' | 'unknown' | null;
  opened_at: number;
  resolved_at: number | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  ack_note: string | null;
  /** Ids of the other sites affected. */
  affected: string[];
}

export interface RunbookStepRecord {
  /** 1-based step number in the runbook. */
  step: number;
  done: boolean;
  by: string;
  at: number;
  note: string | null;
}

export interface MaintenanceWindow {
  id: number;
  sites: string[];
  /** Commune refs (`Province/Commune`, or a plain name where unique). */
  communes: string[];
  groups: string[];
  start: number;
  end: number;
  /** Recurring windows: each occurrence starts on this cron pattern and lasts duration_ms. */
  cron?: string | null;
  duration_ms?: number | null;
  reason: string;
  created_by: string;
  created_at: number;
}

export type MaintenanceInput = Omit<MaintenanceWindow, 'id' | 'created_at' | 'cron' | 'duration_ms'>;

export interface IncidentRepo {
  /** Every incident, open and recent; the route filters by scope, sorts open first and pages. */
  listIncidents(opts: { includeResolved: boolean }): MaybePromise<Incident[]>;
  getIncident(id: number): MaybePromise<Incident | null>;
  acknowledge(id: number, by: string, note: string | null, at: number): MaybePromise<void>;
  recordStep(id: number, rec: RunbookStepRecord): MaybePromise<void>;
  /** The latest record per step. */
  steps(id: number): MaybePromise<RunbookStepRecord[]>;
  /** Every step record, oldest first (the training record), when the repository keeps it. */
  stepHistory?(id: number): MaybePromise<RunbookStepRecord[]>;
  listMaintenance(): MaybePromise<MaintenanceWindow[]>;
  createMaintenance(input: MaintenanceInput, at: number): MaybePromise<MaintenanceWindow>;
  deleteMaintenance(id: number): MaybePromise<boolean>;
}

/** A runbook as the pages show it: fixed sections, then the numbered steps as a checklist. */
export interface RunbookView {
  kind: string;
  lang: Lang;
  title: string;
  sections: Array<{ heading: string; body: string }>;
  steps: string[];
  /** Sections shown after the checklist (when to escalate). */
  after?: Array<{ heading: string; body: string }>;
}

export interface RunbookSource {
  /** lang → kind → runbook. */
  runbooks(): Map<string, Map<string, RunbookView>>;
}

export const COVERAGE_GROUPS = ['site', 'commune', 'group'] as const;
export type CoverageGroup = (typeof COVERAGE_GROUPS)[number];

export interface CoverageParams {
  from: number;
  to: number;
  group_by: CoverageGroup;
  /** The sites the report covers: already filtered by the user's scope and the query. */
  sites: string[];
}

/** Rendered generically: every row's scalar fields become table columns. */
export interface CoverageReport {
  from: number;
  to: number;
  group_by: CoverageGroup;
  target_pct: number;
  rows: Array<{ name: string; availability_pct: number | null } & Record<string, unknown>>;
  summary?: Record<string, unknown>;
}

export interface MetricSample {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'untyped';
  labels?: Record<string, string>;
  value: number;
}

export interface ApiDeps {
  settings: Settings;
  /** The current inventory (changes after a reload). */
  inventory(): Inventory;
  /** Reload the inventory from disk; throws InputError listing every problem. */
  reloadInventory(): Promise<Inventory>;
  live: LiveSource;
  history: HistoryReader;
  incidents: IncidentRepo;
  runbooks: RunbookSource;
  coverage(params: CoverageParams): Promise<CoverageReport>;
  metrics(): MaybePromise<MetricSample[]>;
  /** The operational SQLite database: users, tokens, sessions and the audit log live here. */
  db: Db;
  /** Cookie signing key (see resolveSessionSecret in src/api/auth/secret.ts). */
  sessionSecret: string;
  clock: Clock;
  logger: Logger;
}
