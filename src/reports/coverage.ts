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
 */
import type { Site } from '../config/schema.js';
import { communeKey, groupKey, placeSortKey } from '../inventory/places.js';
import type { Cause } from '../alerting/notice.js';
import { clipWindows, localDateToUtc, overlapMs, serviceWindows, type ServiceHours, type Window } from './service-hours.js';

export const CAUSES = ['power', 'link', 'unknown'] as const satisfies readonly Cause[];
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
export interface StateBucket {
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

/** Incident kinds that are outages of the site itself (others, e.g. high-loss, are not counted). */
export const OUTAGE_KINDS = new Set(['site-down', 'power-cut-suspected', 'snmp-unreachable', 'wan-interface-down', 'quota-exhausted']);

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
  buckets: readonly StateBucket[];
  /** Buckets of the parents/ancestors outside the scope, for attributing UNREACHABLE time. */
  ancestorBuckets?: readonly StateBucket[];
  /**
   * Buckets used only to attribute UNREACHABLE time to the ancestor that was DOWN at the time,
   * where `buckets` holds `total`s: the days with UNREACHABLE time of the sites, and the days with
   * DOWN or UNREACHABLE time of their ancestors (in or out of scope). Not added to the sums.
   */
  attribution?: readonly StateBucket[];
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

const MIN = 60_000;
const WORST_N = 5;

const zeroCauses = (): Record<Cause, number> => ({ power: 0, link: 0, unknown: 0 });
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The median of a multiset given as (value, count) pairs: equals median() with each value repeated `count` times. */
export function weightedMedian(xs: ReadonlyArray<readonly [number, number]>): number | null {
  const s = xs.filter(([, w]) => w > 0).sort((a, b) => a[0] - b[0]);
  const total = s.reduce((n, [, w]) => n + w, 0);
  if (!(total > 0)) return null;
  // the values at (0-based) positions lo and hi of the expanded, sorted list
  const lo = Math.ceil(total / 2) - 1;
  const hi = Math.floor(total / 2);
  const at = (k: number) => {
    let cum = 0;
    for (const [v, w] of s) {
      cum += w;
      if (k < cum) return v;
    }
    return s[s.length - 1]![0];
  };
  return (at(lo) + at(hi)) / 2;
}

interface Acc {
  up: number; down: number; unreachable: number; unknown: number; maintenance: number; checked: number;
  downstream: number;
}

/**
 * Seconds in each state of one bucket, restricted to service windows (pro rata). A `service` bucket
 * holds service-hour checks only: it counts by the share of the period's service time in it that
 * is in this site's windows (1 unless the site was added inside it).
 */
function bucketSeconds(b: StateBucket, windows: readonly Window[], all: readonly Window[], cache?: { plain: Map<number, Map<number, number>>; service: Map<number, Map<number, number>> }): Acc | null {
  const len = b.end - b.start;
  if (!(len > 0)) return null;
  // buckets of every site share their starts: the overlap is computed once per (start, end)
  const c = b.total ? undefined : b.service ? cache?.service : cache?.plain;
  let byEnd = c?.get(b.start);
  let frac = byEnd?.get(b.end);
  if (frac === undefined) {
    if (b.total) {
      frac = overlapMs(windows, b.start, b.end) > 0 ? 1 : 0;
    } else if (b.service) {
      const whole = overlapMs(all, b.start, b.end);
      frac = whole > 0 ? overlapMs(windows, b.start, b.end) / whole : 0;
    } else {
      frac = overlapMs(windows, b.start, b.end) / len;
    }
    if (c) {
      if (!byEnd) c.set(b.start, (byEnd = new Map()));
      byEnd.set(b.end, frac);
    }
  }
  if (frac <= 0) return null;
  const n = b.up + b.down + b.unreachable + b.unknown + b.maintenance;
  if (!(n > 0) || !(b.checked_s > 0)) return null;
  const k = (b.checked_s * frac) / n;
  return {
    up: b.up * k, down: b.down * k, unreachable: b.unreachable * k, unknown: b.unknown * k,
    maintenance: b.maintenance * k, checked: b.checked_s * frac, downstream: 0,
  };
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

  // index buckets by site and start, for the root-cause walk
  // buckets of the sites that are someone's parent, by start (for the root-cause walk)
  const parents = new Set<string>();
  for (const p of parentOf.values()) if (p) parents.add(p);
  const byKey = new Map<string, Map<number, StateBucket>>();
  for (const list of [input.ancestorBuckets ?? [], input.buckets, input.attribution ?? []]) {
    for (const b of list) {
      if (!parents.has(b.site) || b.total) continue;
      let m = byKey.get(b.site);
      if (!m) byKey.set(b.site, (m = new Map()));
      m.set(b.start, b);
    }
  }
  const rootCause = (site: string, start: number): string | null => {
    const seen = new Set([site]);
    let cur = parentOf.get(site);
    let first: string | null = null;
    while (cur && !seen.has(cur)) {
      first ??= cur;
      const pb = byKey.get(cur)?.get(start);
      if (pb && pb.down > 0) return cur;
      if (!pb || !(pb.unreachable > 0)) return first;
      seen.add(cur);
      cur = parentOf.get(cur);
    }
    return first;
  };

  const sharedWeights = { plain: new Map<number, Map<number, number>>(), service: new Map<number, Map<number, number>>() };
  const acc = new Map<string, Acc>();
  const accOf = (id: string): Acc => {
    let a = acc.get(id);
    if (!a) {
      a = { up: 0, down: 0, unreachable: 0, unknown: 0, maintenance: 0, checked: 0, downstream: 0 };
      acc.set(id, a);
    }
    return a;
  };
  const inScope = new Set(input.sites.map((s) => s.id));
  const lastUpSeen = new Map<string, number>();
  for (const b of input.buckets) {
    if (!inScope.has(b.site)) continue;
    if (b.up > 0 && b.start < to && !b.total) {
      const t = Math.min(b.end, to);
      if ((lastUpSeen.get(b.site) ?? -Infinity) < t) lastUpSeen.set(b.site, t);
    }
    const sec = bucketSeconds(b, windowsOf(b.site), windows, effFrom.get(b.site) === from ? sharedWeights : undefined);
    if (!sec) continue;
    const a = accOf(b.site);
    a.up += sec.up; a.down += sec.down; a.unreachable += sec.unreachable;
    a.unknown += sec.unknown; a.maintenance += sec.maintenance; a.checked += sec.checked;
    if (sec.unreachable > 0 && !b.total) {
      const rc = rootCause(b.site, b.start);
      if (rc) accOf(rc).downstream += sec.unreachable;
    }
  }
  for (const b of input.attribution ?? []) {
    if (!inScope.has(b.site) || !(b.unreachable > 0)) continue;
    const sec = bucketSeconds(b, windowsOf(b.site), windows, effFrom.get(b.site) === from ? sharedWeights : undefined);
    if (!sec || !(sec.unreachable > 0)) continue;
    const rc = rootCause(b.site, b.start);
    if (rc) accOf(rc).downstream += sec.unreachable;
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

  const incidentsBySite = new Map<string, IncidentInput[]>();
  for (const i of input.incidents ?? []) {
    if (i.kind !== undefined && !OUTAGE_KINDS.has(i.kind)) continue;
    let l = incidentsBySite.get(i.site);
    if (!l) incidentsBySite.set(i.site, (l = []));
    l.push(i);
  }

  const sites: SiteCoverage[] = input.sites.map((s) => {
    const a = acc.get(s.id) ?? { up: 0, down: 0, unreachable: 0, unknown: 0, maintenance: 0, checked: 0, downstream: 0 };
    const ef = effFrom.get(s.id) ?? from;
    const sw = windowsOf(s.id);
    const serviceMs = sw.reduce((t, w) => t + (w[1] - w[0]), 0);
    const denom = a.checked - a.maintenance - a.unknown - a.unreachable;
    const availability = denom > 1e-9 ? (100 * a.up) / denom : null;

    // incidents
    let count = 0;
    const durations: number[] = [];
    const causeMs = zeroCauses();
    for (const i of incidentsBySite.get(s.id) ?? []) {
      const end = i.resolved ?? to;
      if (!(end > ef) || !(i.opened < to)) continue;
      count++;
      if (i.resolved !== null && i.resolved >= ef && i.resolved <= to) durations.push(i.resolved - i.opened);
      causeMs[i.cause] += overlapMs(sw, Math.max(i.opened, ef), Math.min(end, to));
    }
    const causeMin = zeroCauses();
    for (const c of CAUSES) causeMin[c] = round(causeMs[c] / MIN, 1);
    let mainCause: Cause | null = null;
    for (const c of CAUSES) if (causeMs[c] > 0 && (mainCause === null || causeMs[c] > causeMs[mainCause])) mainCause = c;

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
      incidents: count,
      mttr_min: durations.length ? round(durations.reduce((x, y) => x + y, 0) / durations.length / MIN, 1) : null,
      cause_min: causeMin,
      main_cause: mainCause,
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

  const order = (p: { province: string | null; group: string | null; commune: string | null }, last: string) =>
    placeSortKey({ province: p.province ?? '', ...(p.group ? { group: p.group } : {}), commune: p.commune ?? '' }) + `\u0000${last}`;
  const group = (level: AreaLevel, key: (s: SiteCoverage) => string | null) => {
    const groups = new Map<string, SiteCoverage[]>();
    for (const s of sites) {
      const k = key(s);
      if (k === null) continue;
      let l = groups.get(k);
      if (!l) groups.set(k, (l = []));
      l.push(s);
    }
    return [...groups.values()].map((members) => areaOf(level, members, settings.target_pct, upSec))
      .sort((x, y) => order(x, x.name).localeCompare(order(y, y.name), 'vi'));
  };

  return {
    from,
    to,
    generated_at: input.generatedAt ?? Date.now(),
    resolution: input.resolution ?? null,
    ...(input.sources ? { sources: [...input.sources] } : {}),
    settings,
    sites: [...sites].sort((x, y) => order(x, x.site).localeCompare(order(y, y.site), 'vi')),
    communes: group('commune', (s) => communeKey(s)),
    groups: group('group', (s) => (s.group ? groupKey({ province: s.province, group: s.group }) : null)),
    provinces: group('province', (s) => s.province),
    total: areaOf('all', sites, settings.target_pct, upSec),
    incident_list: incidentList(input),
  };
}

/** The incidents of the period at the report's sites, oldest first (ties by id). */
export function incidentList(input: Pick<CoverageInput, 'from' | 'to' | 'sites' | 'incidents'>): IncidentListEntry[] {
  const byId = new Map(input.sites.map((s) => [s.id, s]));
  return (input.incidents ?? [])
    .filter((i) => byId.has(i.site) && i.opened < input.to && (i.resolved === null || i.resolved >= input.from))
    .sort((a, b) => a.opened - b.opened || (a.id ?? 0) - (b.id ?? 0))
    .map((i) => {
      const s = byId.get(i.site)!;
      return { id: i.id ?? null, site: i.site, name: s.name, commune: s.commune, kind: i.kind ?? null, cause: i.cause, opened: i.opened, resolved: i.resolved, outcome: i.outcome ?? null };
    });
}

function areaOf(level: AreaLevel, members: SiteCoverage[], target: number, upSec: Map<string, { up: number; denom: number }>): AreaCoverage {
  const first = members[0];
  const name = level === 'commune' ? first?.commune : level === 'group' ? first?.group : level === 'province' ? first?.province : 'all';
  let up = 0, denom = 0;
  const classes: Record<CoverageClass, number> = { live: 0, at_risk: 0, dropped_off: 0, unknown: 0 };
  const causeMin = zeroCauses();
  let down = 0, incidents = 0, gbIn = 0, gbOut = 0;
  const communes = new Map<string, { known: boolean; covered: boolean }>();
  for (const s of members) {
    const u = upSec.get(s.site);
    if (u && u.denom > 1e-9) { up += u.up; denom += u.denom; }
    classes[s.class]++;
    for (const c of CAUSES) causeMin[c] += s.cause_min[c];
    down += s.down_min;
    incidents += s.incidents;
    gbIn += s.traffic_gb_in ?? 0;
    gbOut += s.traffic_gb_out ?? 0;
    const ck = communeKey(s);
    const c = communes.get(ck) ?? { known: false, covered: false };
    if (s.availability_pct !== null) c.known = true;
    if (s.meets_target) c.covered = true;
    communes.set(ck, c);
  }
  const known = [...communes.values()];
  const covered = known.filter((c) => c.covered).length;
  const worst = members
    .filter((s): s is SiteCoverage & { availability_pct: number } => s.availability_pct !== null && !s.meets_target)
    .sort((a, b) => a.availability_pct - b.availability_pct || b.down_min - a.down_min || a.site.localeCompare(b.site))
    .slice(0, WORST_N)
    .map((s) => ({ site: s.site, name: s.name, commune: s.commune, availability_pct: s.availability_pct, main_cause: s.main_cause, down_min: s.down_min }));
  for (const c of CAUSES) causeMin[c] = round(causeMin[c], 1);
  return {
    level,
    name: name ?? '',
    province: level === 'all' ? null : first?.province ?? null,
    // a commune's group is its sites' (they share one unless the inventory disagrees with itself)
    group: level === 'group' || level === 'commune' ? first?.group ?? null : null,
    commune: level === 'commune' ? first?.commune ?? null : null,
    sites: members.length,
    sites_known: members.filter((s) => s.availability_pct !== null).length,
    sites_meeting_target: members.filter((s) => s.meets_target).length,
    availability_pct: denom > 1e-9 ? round((100 * up) / denom, 3) : null,
    communes: communes.size,
    communes_covered: covered,
    coverage_pct: known.some((c) => c.known) ? round((100 * covered) / communes.size, 1) : null,
    classes,
    down_min: round(down, 1),
    incidents,
    cause_min: causeMin,
    traffic_gb_in: round(gbIn, 3),
    traffic_gb_out: round(gbOut, 3),
    worst,
  };
}
