/**
 * `runCoverageReport(params, deps)`: the one entry point for the CLI, the API and the web UI.
 * Validates the parameters (InputError naming the parameter), picks the sites, fetches the inputs
 * from InfluxDB (src/reports/query.ts) and the incidents, and aggregates (src/reports/coverage.ts).
 */
import { escape } from 'influx';
import type { Inventory, Settings, Site } from '../config/schema.js';
import { InputError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { parseDuration } from '../core/duration.js';
import { MEASUREMENTS, RP } from '../store/schema.js';
import { dailyFinalAfterMs } from '../store/retention.js';
import { causeOf } from './causes.js';
import { computeCoverage, type CoverageReport, type IncidentInput, type Resolution } from './coverage.js';
import { fetchCoverageInputs, type InfluxQueryClient } from './query.js';
import { chooseResolution, hourAligned } from './statements.js';
import { checkTimeZone, serviceWindows, zonedTimeToUtc } from './service-hours.js';
import { serviceTagValues } from './service-tag.js';
import { communeKey, createPlaceResolver, refMatches } from '../inventory/places.js';

export const GROUP_BY = ['site', 'commune', 'group'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

export interface CoverageParams {
  /** `YYYY-MM-DD` (local midnight in reports.timezone), an ISO date-time, or epoch ms. */
  from: string | number;
  /** Same forms; a plain date is INCLUSIVE (the report runs to the end of that local day). */
  to: string | number;
  province?: string;
  /** The optional group between province and commune (name or Province/Group). */
  group?: string;
  /** A commune name, or Province/Commune where the name repeats. */
  commune?: string;
  /** Restrict to these site ids (e.g. the API user's scope). */
  sites?: readonly string[];
  /**
   * Force the data source; default 'auto' (raw for short spans, rollups for long ones: over 62 days,
   * whole days from the daily rollup where its service-hour split matches, the rest from rollup_1h).
   * `rollup_1d` asks for the daily rollup whatever the span; `rollup_1h` never uses it.
   */
  resolution?: Resolution | 'auto';
}

export interface CoverageDeps {
  settings: Settings;
  inventory: Inventory;
  influx: InfluxQueryClient;
  /** Incidents overlapping [from, to). Default: the incident events in InfluxDB (raw RP). */
  incidents?: (from: number, to: number) => Promise<IncidentInput[]>;
  clock?: Clock;
  logger?: Logger;
  /** Progress, e.g. to stderr: (done, total) query batches. */
  onProgress?: (done: number, total: number) => void;
}

/** Spans longer than this read whole days from the daily rollup (auto); shorter keep raw / 5m / 1h. */
export const DAILY_MIN_SPAN_MS = 62 * 86_400_000;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_DT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;

/** Parse a report bound. Throws InputError naming `param`. */
export function parseBound(value: string | number, param: '--from' | '--to', tz: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InputError(`${param}: not a time: ${value}`);
    return value;
  }
  const v = value.trim();
  const bad = () => new InputError(`${param} "${value}": not a date; use YYYY-MM-DD (local date in ${tz}), YYYY-MM-DDTHH:MM, or an ISO time with a zone`);
  let m = DATE.exec(v);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const check = new Date(Date.UTC(y, mo - 1, d));
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) throw bad();
    // --to a date: the whole day is included
    const dd = param === '--to' ? new Date(Date.UTC(y, mo - 1, d + 1)) : check;
    return zonedTimeToUtc(dd.getUTCFullYear(), dd.getUTCMonth() + 1, dd.getUTCDate(), 0, 0, tz);
  }
  m = LOCAL_DT.exec(v);
  if (m) {
    const [y, mo, d, hh, mi] = [1, 2, 3, 4, 5].map((i) => Number(m![i]));
    const check = new Date(Date.UTC(y!, mo! - 1, d!, hh!, mi!));
    if (check.getUTCMonth() !== mo! - 1 || check.getUTCDate() !== d! || hh! > 23 || mi! > 59) throw bad();
    return zonedTimeToUtc(y!, mo!, d!, hh!, mi!, tz);
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v)) {
    const t = Date.parse(v);
    if (Number.isFinite(t)) return t;
  }
  throw bad();
}

/** The sites a report covers. Throws InputError for an unknown province, group or commune. */
export function selectSites(inventory: Inventory, p: Pick<CoverageParams, 'province' | 'group' | 'commune' | 'sites'>): Site[] {
  let sites = inventory.sites;
  const problems: string[] = [];
  const pick = (key: 'province' | 'group' | 'commune', value: string | undefined) => {
    if (value === undefined) return;
    const matching = sites.filter((s) => (key === 'province' ? s.province === value : refMatches(value, s.province, s[key])));
    if (matching.length === 0 && key === 'commune') {
      const was = createPlaceResolver(inventory.sites, inventory.communes).commune(value);
      if (was.ok && was.via === 'former') {
        const now = communeKey(was.place);
        problems.push(`--commune "${value}": merged into ${now} (former name): use --commune "${now}"`);
        return;
      }
    }
    if (matching.length === 0) {
      const known = [...new Set(sites.flatMap((s) => (s[key] ? [s[key]] : [])))].sort((a, b) => a.localeCompare(b, 'vi'));
      const near = known.filter((k) => k.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '') === value.toLowerCase().normalize('NFD').replace(/\p{M}/gu, ''));
      problems.push(`--${key} "${value}": no site in the inventory is in this ${key}` +
        (near.length ? ` (did you mean "${near[0]}"?)` : known.length ? ` (known: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', ...' : ''})` : ''));
      return;
    }
    sites = matching;
  };
  pick('province', p.province);
  pick('group', p.group);
  pick('commune', p.commune);
  if (p.sites) {
    const want = new Set(p.sites);
    const ids = new Set(inventory.sites.map((s) => s.id));
    for (const id of want) if (!ids.has(id)) problems.push(`site "${id}": not in the inventory`);
    sites = sites.filter((s) => want.has(s.id));
  }
  if (problems.length) throw new InputError(problems[0]!, problems);
  return sites;
}

export async function runCoverageReport(params: CoverageParams, deps: CoverageDeps): Promise<CoverageReport> {
  const r = deps.settings.reports;
  checkTimeZone(r.timezone);
  const problems: string[] = [];
  let from = NaN, to = NaN;
  try { from = parseBound(params.from, '--from', r.timezone); } catch (e) { problems.push((e as Error).message); }
  try { to = parseBound(params.to, '--to', r.timezone); } catch (e) { problems.push((e as Error).message); }
  if (!problems.length && !(from < to)) {
    problems.push(`--from (${new Date(from).toISOString()}) must be before --to (${new Date(to).toISOString()})`);
  }
  if (params.resolution !== undefined && params.resolution !== 'auto' && params.resolution !== 'rollup_1d' && !Object.hasOwn(RP, params.resolution)) {
    problems.push(`resolution "${String(params.resolution)}": use auto, raw, rollup_5m, rollup_1h or rollup_1d`);
  }
  if (problems.length) throw new InputError(problems[0]!, problems);
  const sites = selectSites(deps.inventory, params);
  const now = deps.clock?.now() ?? Date.now();

  // ancestors outside the scope, for attributing UNREACHABLE time
  const byId = new Map(deps.inventory.sites.map((s) => [s.id, s]));
  const inScope = new Set(sites.map((s) => s.id));
  const relevant = new Set(inScope);
  for (const s of sites) {
    let cur = s.parent;
    while (cur && !relevant.has(cur) && byId.has(cur)) { relevant.add(cur); cur = byId.get(cur)?.parent; }
  }
  const provinces = new Set([...relevant].map((id) => byId.get(id)?.province));
  // points written before provinces merged (2025) carry the former province: no province filter then
  const provinceRenamed = (deps.inventory.communes ?? []).some((c) => c.former_names.some((f) => f.province !== undefined && f.province !== c.province));
  const scope = provinces.size === 1 && !provinceRenamed ? { province: [...provinces][0]! } : undefined;

  const windows = serviceWindows(from, to, r.service_hours, r.timezone);
  const parentOf = new Map(deps.inventory.sites.map((s) => [s.id, s.parent]));
  const ret = deps.settings.influx.retention;
  const auto = !params.resolution || params.resolution === 'auto';
  const base: Resolution = params.resolution && params.resolution !== 'auto' && params.resolution !== 'rollup_1d'
    ? params.resolution
    : chooseResolution({ from, to, now, rawRetentionMs: parseDuration(ret.raw), rollup5mRetentionMs: parseDuration(ret.rollup_5m), hourAligned: hourAligned(windows) });
  // the daily rollup for long spans (or when asked): whole days where it can be trusted, the rest at `base`
  const useDaily = params.resolution === 'rollup_1d' || (auto && base !== 'raw' && to - from > DAILY_MIN_SPAN_MS);
  const log = deps.logger?.child({ component: 'reports' });
  log?.info({ from, to, sites: sites.length, resolution: base, daily: useDaily }, 'coverage report');

  const t0 = Date.now();
  const fetched = await fetchCoverageInputs(deps.influx, {
    from, to, database: deps.settings.influx.database, resolution: base === 'raw' && useDaily ? 'rollup_1h' : base,
    serviceHours: r.service_hours, timezone: r.timezone, droppedOffDays: r.dropped_off_days,
    rawInterfaceIntervalS: deps.settings.poller.snmp.interfaces_interval_s,
    scope, onProgress: deps.onProgress,
    ...(useDaily ? { daily: { svc: serviceTagValues(r.service_hours, r.timezone), now, finalAfterMs: dailyFinalAfterMs(deps.settings.influx), parentOf } } : {}),
  });
  const resolution: Resolution = fetched.sources.some((s) => s.resolution === 'rollup_1d') ? 'rollup_1d' : fetched.sources[0]?.resolution ?? base;
  const incidents = await (deps.incidents ?? incidentsFromEvents(deps.influx, deps.settings.influx.database))(from, to);

  const t1 = Date.now();
  const inBuckets = fetched.buckets.filter((b) => inScope.has(b.site));
  const ancestorBuckets = fetched.buckets.filter((b) => !inScope.has(b.site) && relevant.has(b.site));
  const report = computeCoverage({
    from, to, settings: r, sites, allSites: deps.inventory.sites,
    buckets: inBuckets, ancestorBuckets, attribution: fetched.attribution.filter((b) => relevant.has(b.site)), pings: fetched.pings, traffic: fetched.traffic,
    incidents: incidents.filter((i) => inScope.has(i.site)), lastUp: fetched.lastUp, resolution, generatedAt: now,
    ...(fetched.sources.length > 1 || resolution === 'rollup_1d' ? { sources: fetched.sources } : {}),
  });
  log?.info({ statements: fetched.statements, buckets: fetched.buckets.length, resolution, sources: fetched.sources.length, fetch_ms: t1 - t0, compute_ms: Date.now() - t1 }, 'coverage report done');
  return report;
}

/**
 * Incidents from the `event` measurement (incident_open / incident_resolve points with
 * incident_id and cause), looked back 90 days before `from` for incidents still open then.
 * Events live in the raw RP only: for periods older than its retention pass `deps.incidents`
 * (the SQLite incident repository) instead.
 */
export function incidentsFromEvents(client: InfluxQueryClient, database: string) {
  return async (from: number, to: number): Promise<IncidentInput[]> => {
    const ev = MEASUREMENTS.event;
    const q = `SELECT ${escape.quoted('incident_id')}, ${escape.quoted('cause')} FROM ${escape.quoted(database)}.${escape.quoted(RP.raw)}.${escape.quoted(ev.name)} ` +
      `WHERE (${escape.quoted('type')} = ${escape.stringLit('incident_open')} OR ${escape.quoted('type')} = ${escape.stringLit('incident_resolve')}) ` +
      `AND time >= ${Math.round(from - 90 * 86_400_000)}ms AND time < ${Math.round(to)}ms GROUP BY ${escape.quoted('site')}, ${escape.quoted('type')}`;
    const res = (await client.queryRaw(q, { database, precision: 'ms' })) as { results?: Array<{ series?: Array<{ tags?: Record<string, string>; columns: string[]; values: unknown[][] }>; error?: string }> };
    const open = new Map<number, IncidentInput>();
    const resolved = new Map<number, number>();
    for (const s of res.results?.[0]?.series ?? []) {
      const site = s.tags?.site;
      const type = s.tags?.type;
      if (!site) continue;
      const ci = s.columns.indexOf('incident_id'), cc = s.columns.indexOf('cause'), ct = s.columns.indexOf('time');
      for (const v of s.values) {
        const idv = v[ci];
        if (typeof idv !== 'number') continue;
        const t = v[ct] as number;
        if (type === 'incident_open') {
          open.set(idv, { site, opened: t, resolved: null, cause: causeOf(v[cc]) });
        } else {
          resolved.set(idv, t);
        }
      }
    }
    const out: IncidentInput[] = [];
    for (const [idv, i] of open) {
      const res = resolved.get(idv) ?? null;
      if (res !== null && res < from) continue;
      out.push({ ...i, resolved: res });
    }
    return out;
  };
}
