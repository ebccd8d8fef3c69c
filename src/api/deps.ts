/**
 * The narrow interfaces the API and the web UI need from the rest of pointwatch.
 * The composition root (src/main.ts) adapts the poller, alerting engine, store reader,
 * incident repository, runbook loader and coverage report to these shapes; tests use the
 * in-memory implementations in tests/integration/api/fixtures.ts.
 *
 * Methods may answer synchronously or with a Promise (the routes always `await`).
 *
 * The shapes that cross these interfaces are declared once, as TypeBox schemas, by the module
 * that builds them (incidents and maintenance in alerting/, the views in ./adapters.ts); they are
 * re-exported here for the API's callers, never re-declared.
 */
import type { Inventory, Settings } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Db } from '../store/sqlite.js';
import type { SiteCheck } from '../core/types.js';
import type { PushSource } from '../push/source.js';

import type { Incident, IncidentOutcome, RunbookStepRecord } from '../alerting/incidents.js';
import type { MaintenanceInput, MaintenanceWindow } from '../alerting/maintenance.js';
import type { LiveSiteState } from '../alerting/engine.js';
import type { HistoryKind, StateBucket } from '../store/reader.js';
import type { CoverageReport, LatestMeasurements, RunbookView, Series } from './adapters.js';

export type { Incident, IncidentOutcome, RunbookStepRecord, MaintenanceInput, MaintenanceWindow, HistoryKind, CoverageReport, LatestMeasurements, RunbookView, Series };
export { HISTORY_KINDS } from '../store/reader.js';
/** A site's current state as the alerting engine holds it. */
export type LiveState = LiveSiteState;

type MaybePromise<T> = T | Promise<T>;

export interface LiveSource {
  states(): Map<string, LiveState>;
  latest(siteId: string): LatestMeasurements | null;
}

export interface HistoryReader {
  siteHistory(siteId: string, from: number, to: number, what: HistoryKind): Promise<Series>;
  /** True when the store answers (used by /readyz and the "database down" banner). */
  ping(): Promise<boolean>;
}

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
  recordOutcome(id: number, outcome: IncidentOutcome): MaybePromise<void>;
  /** The latest outcome, or null. */
  outcome(id: number): MaybePromise<IncidentOutcome | null>;
  listMaintenance(): MaybePromise<MaintenanceWindow[]>;
  createMaintenance(input: MaintenanceInput, at: number): MaybePromise<MaintenanceWindow>;
  deleteMaintenance(id: number): MaybePromise<boolean>;
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
  /** Hourly state sums per site of an area (the public pages' 30-day bars); absent: bars show no data. */
  stateBuckets?(from: number, to: number, filter: { province?: string; commune?: string }): Promise<Array<Omit<StateBucket, 'checked_s'>>>;
  /** The operational SQLite database: users, tokens, sessions and the audit log live here. */
  db: Db;
  /** Cookie signing key (see resolveSessionSecret in src/api/auth/secret.ts). */
  sessionSecret: string;
  clock: Clock;
  logger: Logger;
  /** Push reports (POST /api/v1/push/:site): absent, the route is not served. */
  push?: PushIngress;
}

/** What the push route needs: the sites and their state (src/push/source.ts), the tokens, and where checks go. */
export interface PushIngress {
  source: Pick<PushSource, 'site' | 'isReplay' | 'admit' | 'accept'>;
  tokens: { keyFor(site: string): string | null };
  /** Hand an accepted report's check on (store + alerting, as the poller's checks; batched, so it may return first). */
  onCheck(check: SiteCheck): MaybePromise<void>;
  /** Counted for /metrics. */
  stats: { accepted: number; rejected: Record<string, number> };
}
