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
import type {
  CoverageParams, CoverageReport, HistoryKind, HistoryReader, IncidentRepo, LatestMeasurements, RunbookSource, RunbookView, Series,
} from './deps.js';

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
    listMaintenance: () => repo.maintenance.list(),
    createMaintenance: (input, at) => repo.maintenance.create({ ...input, source: 'manual' }, at),
    deleteMaintenance: (id) => repo.maintenance.delete(id),
  };
}

// ---------------------------------------------------------------- history

const PING_FIELDS = ['loss_pct', 'rtt_avg_ms', 'rtt_max_ms', 'jitter_ms'];
const BW_FIELDS = ['in_bps', 'out_bps'];

const asNum = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The store's History (series split by tags) → one Series: the WAN interface for bandwidth. */
export function historyToSeries(h: History, from: number, to: number): Series {
  const kind: HistoryKind = h.what;
  const fields = kind === 'ping' ? PING_FIELDS : kind === 'bandwidth' ? BW_FIELDS : ['state_code'];
  let series = h.series[0];
  if (kind === 'bandwidth') series = h.series.find((s) => s.tags.wan === 'true') ?? h.series[0];
  const points = (series?.rows ?? []).map((r) => ({ t: r.ts, values: Object.fromEntries(fields.map((f) => [f, asNum(r[f])])) }));
  return { what: kind, from, to, fields, points };
}

export function historyAdapter(reader: Pick<Reader, 'siteHistory'>, ping: () => Promise<boolean>): HistoryReader {
  return {
    siteHistory: async (site, from, to, what) => historyToSeries(await reader.siteHistory(site, from, to, what), from, to),
    ping,
  };
}

// ---------------------------------------------------------------- runbooks

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

const SITE_COLUMNS = ['availability_pct', 'class', 'down_min', 'unknown_min', 'maintenance_min', 'incidents', 'mttr_min', 'main_cause', 'median_rtt_ms', 'median_loss_pct', 'traffic_gb_in', 'traffic_gb_out'] as const;
const AREA_COLUMNS = ['availability_pct', 'sites', 'sites_meeting_target', 'communes', 'communes_covered', 'coverage_pct', 'down_min', 'incidents', 'traffic_gb_in', 'traffic_gb_out'] as const;

function pick<T extends object>(o: T, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, (o as Record<string, unknown>)[k] ?? null]));
}

/** The reports module's full report → the rows the API and the page show for one grouping. */
export function coverageRows(full: FullReport, group_by: CoverageParams['group_by'], target_pct: number): CoverageReport {
  type RowT = CoverageReport['rows'][number];
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
  };
}

export function coverageAdapter(run: (p: RunParams) => Promise<FullReport>, settings: Settings): (p: CoverageParams) => Promise<CoverageReport> {
  return async (p) => coverageRows(await run({ from: p.from, to: p.to, sites: p.sites }), p.group_by, settings.reports.target_pct);
}

// ---------------------------------------------------------------- latest measurements

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
