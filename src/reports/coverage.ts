/**
 * Coverage and availability (pure): per-bucket state sums + incidents + ping and traffic figures
 * → a CoverageReport per site, per commune (province + name), group (when sites have one) and province.
 *
 * Rules (the provincial review's questions, after Giga's connectivity-coverage programme):
 *  - Only service hours count (e.g. 06:00-22:00 local): a bucket counts by the fraction of it
 *    inside service hours (1-hour rollups for long spans, 5-minute or raw for short ones).
 *  - availability % = UP / (checked − MAINTENANCE − UNKNOWN − UNREACHABLE), all within service
 *    hours and since the site was added. UP includes DEGRADED (the point was usable).
 *  - UNKNOWN and maintenance time are reported separately and never counted as up or down.
 *  - Time a site was UNREACHABLE because of its parent is not held against it: it is reported
 *    on the site as `unreachable_min` and on the ancestor that was DOWN at the time (the root
 *    cause) as `downstream_unreachable_min`.
 *  - No checked time → availability null (UNKNOWN), never 100 % or 0 %.
 *  - A site added mid-period (Site.added, a local date) counts only from that local midnight.
 *  - Classes: `dropped_off` (had data, but no UP check in the last `dropped_off_days` of the
 *    period), `live` (meets the target), `at_risk` (below it), `unknown` (no data).
 *  - Per area: sites meeting the target; communes with at least one point meeting it (the
 *    coverage figure); the worst sites with their main cause.
 *
 * This file: the report's shapes (what goes in, what comes out) and the per-site sums. The rest, by
 * responsibility: bucket-weights.ts (a bucket's share of service hours), attribution.ts (the root
 * cause of UNREACHABLE time), causes.ts (outages and their causes), areas.ts (the figures by place),
 * incident-list.ts (the incidents with their outcomes), numbers.ts (medians, rounding).
 */
import type { Site } from '../config/schema.js';
import { communeKey, groupKey } from '../inventory/places.js';
import type { Cause } from '../alerting/notice.js';
import { areaOf, groupAreas, placeOrder } from './areas.js';
import { rootCauseWalk } from './attribution.js';
import { bucketSeconds, newWeightCache, zeroSeconds, type StateSeconds } from './bucket-weights.js';
import { incidentFigures, outagesBySite } from './causes.js';
import { incidentList } from './incident-list.js';
import { MIN, round, weightedMedian } from './numbers.js';
import { clipWindows, localDateToUtc, overlapMs, serviceWindows, type ServiceHours, type Window } from './service-hours.js';

export const CLASSES = ['live', 'at_risk', 'dropped_off', 'unknown'] as const;
export type CoverageClass = (typeof CLASSES)[number];
/** Where a report's figures came from; `rollup_1d`: the daily rollup's service-hour sums (svc tag), rest from rollup_1h. */
export type Resolution = 'raw' | 'rollup_5m' | 'rollup_1h' | 'rollup_1d';

/** One piece of the period and the data it was computed from. */
export interface Source {
  resolution: Resolution;
  from: number;
  to: number;
}

/** Sums of checks by state over one bucket [start, end) of one site (from `site_state`). */
export interface StateSpan {
  site: string;
  /** Epoch ms. */
  start: number;
  end: number;
  /** Number of checks (or any consistent weight) in each state. UP includes DEGRADED. */
  up: number;
  down: number;
  unreachable: number;
  unknown: number;
  maintenance: number;
  /** Seconds the checks stand for (sum of `checked_s`). Split between states pro rata. */
  checked_s: number;
  /**
   * The sums are of checks inside service hours only (the daily rollup's `svc` split): the bucket
   * counts in full, not by its overlap with service hours; a site added inside it counts by the
   * share of the bucket's service time after it was added, unless the bucket is a `total`.
   */
  service?: boolean;
  /**
   * A total over a long piece of the period (the daily rollup summed per site): counted in full
   * when the site's service windows reach into it (checks before Site.added, if any, are counted);
   * not used for the root-cause walk (the `attribution` buckets are) nor for the last UP time.
   */
  total?: boolean;
}

/** Ping figures (means) for one bucket of one site; the report's medians are taken over the buckets in service hours. */
export interface PingBucket {
  site: string;
  start: number;
  end: number;
  rtt_ms: number | null;
  loss_pct: number | null;
  /** How many buckets this value stands for (a median over the days of a piece: the days with data); default 1. */
  weight?: number;
}

export interface IncidentInput {
  site: string;
  cause: Cause;
  /** Epoch ms. */
  opened: number;
  resolved: number | null;
  /** Alert kind; `upstream-down` incidents are not counted against the child. */
  kind?: string;
  /** The incident's id in SQLite, when it comes from there (the report's incident list links it). */
  id?: number;
  /** What the trainee wrote after the visit, when anyone did. */
  outcome?: IncidentOutcomeText | null;
}

export interface IncidentOutcomeText {
  cause_found: string;
  actions: string;
  parts: string | null;
  by: string;
}

/** One line of the report's incident list: what happened at which site, and what was done. */
export interface IncidentListEntry {
  id: number | null;
  site: string;
  name: string;
  commune: string;
  kind: string | null;
  cause: Cause;
  opened: number;
  resolved: number | null;
  outcome: IncidentOutcomeText | null;
}

export interface ReportSettings {
  timezone: string;
  service_hours: ServiceHours;
  target_pct: number;
  dropped_off_days: number;
}

export interface CoverageInput {
  from: number;
  to: number;
  settings: ReportSettings;
  /** The sites the report is about (already filtered to the scope). */
  sites: ReadonlyArray<Pick<Site, 'id' | 'name' | 'province' | 'group' | 'commune' | 'parent' | 'added'>>;
  /** Every inventory site (parents may lie outside the scope); defaults to `sites`. */
  allSites?: ReadonlyArray<Pick<Site, 'id' | 'parent'>>;
  buckets: readonly StateSpan[];
  /** Buckets of the parents/ancestors outside the scope, for attributing UNREACHABLE time. */
  ancestorBuckets?: readonly StateSpan[];
  /**
   * Buckets used only to attribute UNREACHABLE time to the ancestor that was DOWN at the time,
   * where `buckets` holds `total`s: the days with UNREACHABLE time of the sites, and the days with
   * DOWN or UNREACHABLE time of their ancestors (in or out of scope). Not added to the sums.
   */
  attribution?: readonly StateSpan[];
  pings?: readonly PingBucket[];
  /** Bytes through the WAN interface over the whole period (all hours: how much the point is used). */
  traffic?: ReadonlyMap<string, { in_bytes: number; out_bytes: number }>;
  incidents?: readonly IncidentInput[];
  /** Epoch ms of the last UP check at or before `to` (looked back at least `dropped_off_days`). */
  lastUp?: ReadonlyMap<string, number | null>;
  resolution?: Resolution;
  /** The pieces of the period by data source, when more than one was used. */
  sources?: readonly Source[];
  /** Epoch ms the report was made. */
  generatedAt?: number;
}

export interface SiteCoverage {
  site: string;
  name: string;
  province: string;
  /** The site's group (optional grouping between province and commune); null when none. */
  group: string | null;
  commune: string;
  parent: string | null;
  added: string | null;
  /** null = UNKNOWN (no checked time). */
  availability_pct: number | null;
  meets_target: boolean | null;
  class: CoverageClass;
  /** Service minutes in the period since the site was added. */
  service_min: number;
  checked_min: number;
  up_min: number;
  /** Downtime: DOWN minutes in service hours. */
  down_min: number;
  /** UNREACHABLE minutes (attributed to the parent, not counted here). */
  unreachable_min: number;
  unknown_min: number;
  maintenance_min: number;
  /** Service minutes with no check at all (poller not running, data missing). */
  no_data_min: number;
  /** Minutes the site's descendants were UNREACHABLE because this site was down. */
  downstream_unreachable_min: number;
  incidents: number;
  /** Mean time to recover over incidents resolved in the period, minutes. */
  mttr_min: number | null;
  /** Incident minutes in service hours, by cause. */
  cause_min: Record<Cause, number>;
  main_cause: Cause | null;
  median_rtt_ms: number | null;
  median_loss_pct: number | null;
  traffic_gb_in: number | null;
  traffic_gb_out: number | null;
  /** Epoch ms of the last UP check known, or null. */
  last_up: number | null;
}

export type AreaLevel = 'commune' | 'group' | 'province' | 'all';

export interface WorstSite {
  site: string;
  name: string;
  commune: string;
  availability_pct: number;
  main_cause: Cause | null;
  down_min: number;
}

export interface AreaCoverage {
  level: AreaLevel;
  /** Display name (the commune, group or province name). */
  name: string;
  province: string | null;
  group: string | null;
  commune: string | null;
  sites: number;
  /** Sites with a known availability. */
  sites_known: number;
  sites_meeting_target: number;
  /** Time-weighted over the area's sites with data; null when none has data. */
  availability_pct: number | null;
  communes: number;
  /** Communes with at least one point meeting the target. */
  communes_covered: number;
  /** communes_covered / communes, %; null when no commune has data. */
  coverage_pct: number | null;
  classes: Record<CoverageClass, number>;
  down_min: number;
  incidents: number;
  cause_min: Record<Cause, number>;
  traffic_gb_in: number;
  traffic_gb_out: number;
  worst: WorstSite[];
}

export interface CoverageReport {
  from: number;
  to: number;
  generated_at: number;
  resolution: Resolution | null;
  /** The pieces of the period by data source (e.g. whole days from rollup_1d, the edges from rollup_1h). */
  sources?: Source[];
  settings: ReportSettings;
  sites: SiteCoverage[];
  /** Per commune (keyed by province + commune). */
  communes: AreaCoverage[];
  /** Per group, for the sites that have one (empty where provinces use no groups). */
  groups: AreaCoverage[];
  provinces: AreaCoverage[];
  /** The whole scope. */
  total: AreaCoverage;
  /** Every incident of the period at these sites, oldest first, with its outcome. */
  incident_list?: IncidentListEntry[];
}

export function computeCoverage(input: CoverageInput): CoverageReport {
  const { from, to, settings } = input;
  const tz = settings.timezone;
  const windows = serviceWindows(from, to, settings.service_hours, tz);
  const dropMs = settings.dropped_off_days * 86_400_000;

  const parentOf = new Map<string, string | undefined>();
  for (const s of input.allSites ?? input.sites) parentOf.set(s.id, s.parent);
  for (const s of input.sites) if (!parentOf.has(s.id)) parentOf.set(s.id, s.parent);

  // effective start per site (added mid-period)
  const effFrom = new Map<string, number>();
  for (const s of input.sites) {
    const added = s.added ? localDateToUtc(s.added, tz) : -Infinity;
    effFrom.set(s.id, Math.max(from, added));
  }
  const siteWindows = new Map<string, Window[]>();
  const windowsOf = (id: string): Window[] => {
    let w = siteWindows.get(id);
    if (!w) {
      w = clipWindows(windows, effFrom.get(id) ?? from, to);
      siteWindows.set(id, w);
    }
    return w;
  };

  const rootCause = rootCauseWalk(parentOf, [input.ancestorBuckets ?? [], input.buckets, input.attribution ?? []]);
  const sharedWeights = newWeightCache();
  const secondsOf = (b: StateSpan) => bucketSeconds(b, windowsOf(b.site), windows, effFrom.get(b.site) === from ? sharedWeights : undefined);
  const acc = new Map<string, StateSeconds>();
  const accOf = (id: string): StateSeconds => {
    let a = acc.get(id);
    if (!a) acc.set(id, (a = zeroSeconds()));
    return a;
  };
  const blame = (b: StateSpan, unreachableS: number) => {
    const rc = rootCause(b.site, b.start);
    if (rc) accOf(rc).downstream += unreachableS;
  };
  const inScope = new Set(input.sites.map((s) => s.id));
  const lastUpSeen = new Map<string, number>();
  for (const b of input.buckets) {
    if (!inScope.has(b.site)) continue;
    if (b.up > 0 && b.start < to && !b.total) {
      const t = Math.min(b.end, to);
      if ((lastUpSeen.get(b.site) ?? -Infinity) < t) lastUpSeen.set(b.site, t);
    }
    const sec = secondsOf(b);
    if (!sec) continue;
    const a = accOf(b.site);
    a.up += sec.up; a.down += sec.down; a.unreachable += sec.unreachable;
    a.unknown += sec.unknown; a.maintenance += sec.maintenance; a.checked += sec.checked;
    if (sec.unreachable > 0 && !b.total) blame(b, sec.unreachable);
  }
  for (const b of input.attribution ?? []) {
    if (!inScope.has(b.site) || !(b.unreachable > 0)) continue;
    const sec = secondsOf(b);
    if (sec && sec.unreachable > 0) blame(b, sec.unreachable);
  }

  const pingsBySite = new Map<string, { rtt: Array<[number, number]>; loss: Array<[number, number]> }>();
  for (const p of input.pings ?? []) {
    if (!inScope.has(p.site)) continue;
    if (overlapMs(windowsOf(p.site), p.start, p.end) <= 0) continue;
    let e = pingsBySite.get(p.site);
    if (!e) pingsBySite.set(p.site, (e = { rtt: [], loss: [] }));
    const w = p.weight ?? 1;
    if (p.rtt_ms !== null && Number.isFinite(p.rtt_ms)) e.rtt.push([p.rtt_ms, w]);
    if (p.loss_pct !== null && Number.isFinite(p.loss_pct)) e.loss.push([p.loss_pct, w]);
  }

  const incidentsBySite = outagesBySite(input.incidents ?? []);

  const sites: SiteCoverage[] = input.sites.map((s) => {
    const a = acc.get(s.id) ?? zeroSeconds();
    const ef = effFrom.get(s.id) ?? from;
    const sw = windowsOf(s.id);
    const serviceMs = sw.reduce((t, w) => t + (w[1] - w[0]), 0);
    const denom = a.checked - a.maintenance - a.unknown - a.unreachable;
    const availability = denom > 1e-9 ? (100 * a.up) / denom : null;
    const inc = incidentFigures(incidentsBySite.get(s.id) ?? [], ef, to, sw);

    const pings = pingsBySite.get(s.id);
    const traffic = input.traffic?.get(s.id);
    const known = input.lastUp?.get(s.id) ?? null;
    const seen = lastUpSeen.get(s.id) ?? null;
    const lastUp = known === null ? seen : seen === null ? known : Math.max(known, seen);

    let cls: CoverageClass;
    const hadData = a.checked > 0 || lastUp !== null;
    const end = Math.min(to, input.generatedAt ?? to);
    if (!hadData) cls = 'unknown';
    else if ((lastUp === null || lastUp < end - dropMs) && end - ef >= dropMs) cls = 'dropped_off';
    else if (availability === null) cls = 'unknown';
    else cls = availability >= settings.target_pct ? 'live' : 'at_risk';

    return {
      site: s.id,
      name: s.name,
      province: s.province,
      group: s.group ?? null,
      commune: s.commune,
      parent: s.parent ?? null,
      added: s.added ?? null,
      availability_pct: availability === null ? null : round(availability, 3),
      meets_target: availability === null ? null : availability >= settings.target_pct,
      class: cls,
      service_min: round(serviceMs / MIN, 1),
      checked_min: round(a.checked / 60, 1),
      up_min: round(a.up / 60, 1),
      down_min: round(a.down / 60, 1),
      unreachable_min: round(a.unreachable / 60, 1),
      unknown_min: round(a.unknown / 60, 1),
      maintenance_min: round(a.maintenance / 60, 1),
      no_data_min: round(Math.max(0, serviceMs / 1000 - a.checked) / 60, 1),
      downstream_unreachable_min: round(a.downstream / 60, 1),
      incidents: inc.incidents,
      mttr_min: inc.mttr_min,
      cause_min: inc.cause_min,
      main_cause: inc.main_cause,
      median_rtt_ms: pings ? weightedMedian(pings.rtt) : null,
      median_loss_pct: pings ? weightedMedian(pings.loss) : null,
      traffic_gb_in: traffic ? round(traffic.in_bytes / 1e9, 3) : null,
      traffic_gb_out: traffic ? round(traffic.out_bytes / 1e9, 3) : null,
      last_up: lastUp,
    };
  });

  const upSec = new Map<string, { up: number; denom: number }>();
  for (const s of input.sites) {
    const a = acc.get(s.id);
    if (a) upSec.set(s.id, { up: a.up, denom: a.checked - a.maintenance - a.unknown - a.unreachable });
  }
  const target = settings.target_pct;

  return {
    from,
    to,
    generated_at: input.generatedAt ?? Date.now(),
    resolution: input.resolution ?? null,
    ...(input.sources ? { sources: [...input.sources] } : {}),
    settings,
    sites: [...sites].sort((x, y) => placeOrder(x, x.site).localeCompare(placeOrder(y, y.site), 'vi')),
    communes: groupAreas('commune', sites, (s) => communeKey(s), target, upSec),
    groups: groupAreas('group', sites, (s) => (s.group ? groupKey({ province: s.province, group: s.group }) : null), target, upSec),
    provinces: groupAreas('province', sites, (s) => s.province, target, upSec),
    total: areaOf('all', sites, target, upSec),
    incident_list: incidentList(input),
  };
}
