/**
 * Adapters from the real modules to the API's narrow interfaces (src/api/deps.ts), so the
 * composition root only plugs things together:
 *
 *   incidents: incidentRepoAdapter(engine.repo)
 *   history:   historyAdapter(createReader(influx, settings.influx), () => influx.ping(2000).then(hosts => hosts.some(h => h.online)))
 *   runbooks:  runbookSource(loadRunbooks('config/runbooks'))
 *   coverage:  coverageAdapter((p) => runCoverageReport(p, { settings, inventory: current(), influx, clock }), settings)
 *   live:      { states: () => engine.states(), latest: latest.latest }   with latest = new LatestTracker(); latest.record(checks) each cycle
 */
import type { SiteCheck } from '../core/types.js';
import type { Settings } from '../config/schema.js';
import type { IncidentRepository } from '../alerting/incidents.js';
import type { History, Reader } from '../store/reader.js';
import { SECTION_TITLES, type Runbook, type Runbooks } from '../runbooks/load.js';
import type { CoverageReport as FullReport, AreaCoverage, SiteCoverage } from '../reports/coverage.js';
import type { CoverageParams as RunParams } from '../reports/run.js';
import { Type, type Static } from '@sinclair/typebox';
import { LANGS } from '../config/schema.js';
import { Nullable, StringEnum } from '../core/schema.js';
import { CAUSES } from '../alerting/notice.js';
import { HISTORY_KINDS, type HistoryKind } from '../store/reader.js';
import type { CoverageParams, HistoryReader, IncidentRepo, RunbookSource } from './deps.js';
import { COVERAGE_GROUPS } from './deps.js';

// ---------------------------------------------------------------- incidents and maintenance

export function incidentRepoAdapter(repo: IncidentRepository): IncidentRepo {
  return {
    listIncidents: ({ includeResolved }) => repo.listIncidents({ open: includeResolved ? undefined : true, limit: 100_000 }),
    getIncident: (id) => repo.getIncident(id),
    acknowledge: (id, by, note, at) => {
      repo.acknowledge(id, by, note, at);
    },
    recordStep: (id, rec) => repo.recordStep(id, rec),
    steps: (id) => repo.steps(id),
    stepHistory: (id) => repo.stepHistory(id),
    recordOutcome: (id, o) => repo.recordOutcome(id, o),
    outcome: (id) => repo.outcome(id),
    listMaintenance: () => repo.maintenance.list(),
    createMaintenance: (input, at) => repo.maintenance.create({ ...input, source: 'manual' }, at),
    deleteMaintenance: (id) => repo.maintenance.delete(id),
  };
}

// ---------------------------------------------------------------- history

/**
 * A time series for one site. Fields by kind:
 * ping: loss_pct, rtt_avg_ms, rtt_max_ms, jitter_ms; bandwidth: in_bps, out_bps (WAN);
 * state: state_code (see STATE_CODE in src/store/schema.ts);
 * lte: rsrp_dbm, rsrq_db, sinr_db, rssi_dbm, cell_id, enb_id, operator and band (text);
 * push: received, late_s, data_used_bytes, quota_exhausted (1 or 0).
 * Spans over 2 days of lte and push (no rollups) come as 5-minute (1-hour past 31 days) aggregates.
 */
export const Series = Type.Object({
  what: StringEnum(HISTORY_KINDS),
  from: Type.Number({ description: 'epoch ms' }),
  to: Type.Number({ description: 'epoch ms' }),
  fields: Type.Array(Type.String()),
  points: Type.Array(Type.Object({ t: Type.Number({ description: 'epoch ms' }), values: Type.Record(Type.String(), Nullable(Type.Union([Type.Number(), Type.String()], { description: 'a number; text for lte operator and band' }))) })),
});
export type Series = Static<typeof Series>;

const SERIES_FIELDS: Record<HistoryKind, string[]> = {
  ping: ['loss_pct', 'rtt_avg_ms', 'rtt_max_ms', 'jitter_ms'],
  bandwidth: ['in_bps', 'out_bps'],
  state: ['state_code'],
  lte: ['rsrp_dbm', 'rsrq_db', 'sinr_db', 'rssi_dbm', 'cell_id', 'enb_id', 'operator', 'band'],
  push: ['received', 'late_s', 'data_used_bytes', 'quota_exhausted'],
};
const TEXT_FIELDS = new Set(['operator', 'band']);

const asNum = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const asValue = (f: string, v: unknown): number | string | null => (TEXT_FIELDS.has(f) ? (typeof v === 'string' && v !== '' ? v : null) : asNum(v));

/** The store's History (series split by tags) → one Series: the WAN interface for bandwidth. */
export function historyToSeries(h: History, from: number, to: number): Series {
  const kind: HistoryKind = h.what;
  const fields = SERIES_FIELDS[kind];
  let series = h.series[0];
  if (kind === 'bandwidth') series = h.series.find((s) => s.tags.wan === 'true') ?? h.series[0];
  const points = (series?.rows ?? []).map((r) => ({ t: r.ts, values: Object.fromEntries(fields.map((f) => [f, asValue(f, r[f])])) }));
  return { what: kind, from, to, fields, points };
}

export function historyAdapter(reader: Pick<Reader, 'siteHistory'>, ping: () => Promise<boolean>): HistoryReader {
  return {
    siteHistory: async (site, from, to, what) => historyToSeries(await reader.siteHistory(site, from, to, what), from, to),
    ping,
  };
}

// ---------------------------------------------------------------- runbooks

const Section = Type.Object({ heading: Type.String(), body: Type.String() });
/** A runbook as the pages and the API show it: fixed sections, then the numbered steps as a checklist. */
export const RunbookView = Type.Object({
  kind: Type.String(),
  lang: StringEnum(LANGS),
  title: Type.String(),
  sections: Type.Array(Section),
  steps: Type.Array(Type.String()),
  after: Type.Optional(Type.Array(Section, { description: 'sections shown after the checklist (when to escalate)' })),
});
export type RunbookView = Static<typeof RunbookView>;

export function runbookView(r: Runbook): RunbookView {
  const t = SECTION_TITLES[r.lang];
  return {
    kind: r.kind,
    lang: r.lang,
    title: r.title,
    sections: [
      { heading: t.means, body: r.sections.means },
      { heading: t.check_first, body: r.sections.check_first },
    ],
    steps: r.sections.steps,
    after: [{ heading: t.escalate, body: r.sections.escalate }],
  };
}

export function runbookSource(books: Runbooks): RunbookSource {
  const views = new Map<string, Map<string, RunbookView>>();
  for (const [lang, byKind] of books) views.set(lang, new Map([...byKind].map(([kind, r]) => [kind, runbookView(r)])));
  return { runbooks: () => views };
}

// ---------------------------------------------------------------- coverage

const num = Type.Optional(Nullable(Type.Number()));
/** The columns of a site row, beside name and availability_pct (null when the report has none). */
const SITE_ROW = {
  site: Type.Optional(Type.String()), commune: Type.Optional(Type.String()),
  class: Type.Optional(Nullable(Type.String())), down_min: num, unknown_min: num, maintenance_min: num, incidents: num, mttr_min: num,
  main_cause: Type.Optional(Nullable(StringEnum(CAUSES))), median_rtt_ms: num, median_loss_pct: num, traffic_gb_in: num, traffic_gb_out: num,
};
/** The columns of a commune or district row. */
const AREA_ROW = { sites: num, sites_meeting_target: num, communes: num, communes_covered: num, coverage_pct: num, down_min: num, incidents: num, traffic_gb_in: num, traffic_gb_out: num };
const SITE_COLUMNS = ['availability_pct', ...Object.keys(SITE_ROW).filter((k) => k !== 'site' && k !== 'commune')];
const AREA_COLUMNS = ['availability_pct', ...Object.keys(AREA_ROW)];

/** One row of the coverage table; the pages show every scalar column. */
export const CoverageRow = Type.Object({ name: Type.String(), availability_pct: Nullable(Type.Number()), ...SITE_ROW, ...AREA_ROW });
export type CoverageRow = Static<typeof CoverageRow>;

/** One line of the report's incident list (src/reports/incident-list.ts incidentList). */
export const CoverageIncident = Type.Object({
  id: Nullable(Type.Integer()), site: Type.String(), name: Type.String(), commune: Type.String(), kind: Nullable(Type.String()),
  cause: StringEnum(CAUSES, { description: 'as inferred' }), opened: Type.Number(), resolved: Nullable(Type.Number()),
  outcome: Nullable(Type.Object({ cause_found: Type.String(), actions: Type.String(), parts: Nullable(Type.String()), by: Type.String() })),
});

/** The coverage report as the API and the page show it, for one grouping. */
export const CoverageReport = Type.Object({
  from: Type.Number(),
  to: Type.Number(),
  group_by: StringEnum(COVERAGE_GROUPS),
  target_pct: Type.Number(),
  rows: Type.Array(CoverageRow),
  summary: Type.Optional(Type.Object({
    sites: num, sites_meeting_target: num, availability_pct: num, communes: num, communes_covered: num, coverage_pct: num,
    live: num, at_risk: num, dropped_off: num, unknown: num, resolution: Type.Optional(Nullable(Type.String())),
  })),
  incidents: Type.Optional(Type.Array(CoverageIncident, { description: 'the incidents of the period at these sites, oldest first, with the outcome written after each' })),
  /** Each site's class, for the province map (src/reports/map.ts). */
  map: Type.Optional(Type.Array(Type.Object({ site: Type.String(), province: Type.String(), commune: Type.String(), class: StringEnum(['live', 'at_risk', 'dropped_off', 'unknown'] as const) }))),
});
export type CoverageReport = Static<typeof CoverageReport>;

function pick<T extends object>(o: T, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, (o as Record<string, unknown>)[k] ?? null]));
}

/** The reports module's full report → the rows the API and the page show for one grouping. */
export function coverageRows(full: FullReport, group_by: CoverageParams['group_by'], target_pct: number): CoverageReport {
  type RowT = CoverageRow;
  const site = (s: SiteCoverage): RowT => ({ ...pick(s, SITE_COLUMNS), name: s.name, availability_pct: s.availability_pct, commune: s.commune, site: s.site });
  const area = (a: AreaCoverage): RowT => ({ ...pick(a, AREA_COLUMNS), name: a.name, availability_pct: a.availability_pct });
  const rows = group_by === 'site' ? full.sites.map(site) : (group_by === 'commune' ? full.communes : full.groups).map(area);
  const t = full.total;
  return {
    from: full.from, to: full.to, group_by, target_pct,
    rows,
    summary: {
      sites: t.sites, sites_meeting_target: t.sites_meeting_target, availability_pct: t.availability_pct,
      communes: t.communes, communes_covered: t.communes_covered, coverage_pct: t.coverage_pct,
      live: t.classes.live, at_risk: t.classes.at_risk, dropped_off: t.classes.dropped_off, unknown: t.classes.unknown,
      resolution: full.resolution,
    },
    incidents: full.incident_list ?? [],
    map: full.sites.map((s) => ({ site: s.site, province: s.province, commune: s.commune, class: s.class })),
  };
}

export function coverageAdapter(run: (p: RunParams) => Promise<FullReport>, settings: Settings): (p: CoverageParams) => Promise<CoverageReport> {
  return async (p) => coverageRows(await run({ from: p.from, to: p.to, sites: p.sites }), p.group_by, settings.reports.target_pct);
}

// ---------------------------------------------------------------- latest measurements

/** The last check of a site, as the poller saw it (no counters, no secrets). */
export const LatestMeasurements = Type.Object({
  ts: Type.Number({ description: 'epoch ms of the check' }),
  loss_pct: Nullable(Type.Number()),
  rtt_avg_ms: Nullable(Type.Number()),
  jitter_ms: Nullable(Type.Number()),
  uptime_s: Nullable(Type.Number()),
  last_reboot: Nullable(Type.Number({ description: 'epoch ms of the last reboot seen' })),
  wan: Nullable(Type.Object({
    name: Type.String(), in_bps: Nullable(Type.Number()), out_bps: Nullable(Type.Number()), oper_up: Type.Boolean(), speed_bps: Nullable(Type.Number()),
  }, { description: 'WAN interface rates' })),
  wireless_clients: Type.Optional(Nullable(Type.Number())),
});
export type LatestMeasurements = Static<typeof LatestMeasurements>;

/** The last check per site, as the site page shows it. Feed it every poll cycle's checks. */
export class LatestTracker {
  private readonly bySite = new Map<string, LatestMeasurements>();

  record(checks: readonly SiteCheck[]): void {
    for (const c of checks) {
      const prev = this.bySite.get(c.site);
      const wan = c.wan ? c.interfaces.find((i) => i.name === c.wan!.name) : undefined;
      this.bySite.set(c.site, {
        ts: c.ts,
        loss_pct: c.ping?.loss_pct ?? null,
        rtt_avg_ms: c.ping?.rtt_avg_ms ?? null,
        jitter_ms: c.ping?.jitter_ms ?? null,
        uptime_s: c.uptime_s ?? prev?.uptime_s ?? null,
        last_reboot: c.rebooted ? c.rebooted_at ?? c.ts : prev?.last_reboot ?? null,
        wan: wan ? { name: wan.name, in_bps: wan.in_bps, out_bps: wan.out_bps, oper_up: wan.oper_up, speed_bps: wan.speed_bps } : prev?.wan ?? null,
        wireless_clients: c.snmp?.wireless_clients ?? prev?.wireless_clients ?? null,
      });
    }
  }

  latest = (site: string): LatestMeasurements | null => this.bySite.get(site) ?? null;
}
