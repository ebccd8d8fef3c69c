/**
 * The read side: every InfluxQL query pointwatch runs against its time series, typed, in one place.
 *
 * - Identifiers (measurements, fields, tags, RPs) come from the declared schema only.
 * - Values from callers (site ids, area names) are bound parameters (`$site`), never spliced in.
 * - Times are validated integers (epoch ms) written as `<n>ms` literals.
 * - The source (raw, rollup_5m, rollup_1h) is picked by the span asked and by what each RP still
 *   holds (sourceFor). Rollup fields keep their raw names, so one SELECT reads any source.
 */
import type { InfluxDB } from 'influx';
import { escape } from 'influx';
import { systemClock, type Clock } from '../core/clock.js';
import { parseDuration } from '../core/duration.js';
import type { InfluxSettings, RawResponse } from './client.js';
import { communeKey, groupKey, type Place } from '../inventory/places.js';
import { LEGACY_TAGS, MEASUREMENTS, ROLLUPS, RP, SITE_STATES, type MeasurementName, type RetentionPolicyName, type SiteStateName } from './schema.js';

const q = (id: string) => escape.quoted(id);
const DAY = 86_400_000;

/** Spans up to this read raw points; up to RAW_MAX..FIVE_MIN_MAX read 5-minute rollups; longer read 1-hour rollups. */
export const SOURCE_LIMITS = { rawMaxSpanMs: 2 * DAY, fiveMinMaxSpanMs: 31 * DAY } as const;

export interface Source {
  rp: RetentionPolicyName;
  /** Width of one point of this source (0 for raw: one point per check). */
  bucketMs: number;
}

const SOURCES: Record<RetentionPolicyName, Source> = {
  raw: { rp: RP.raw, bucketMs: 0 },
  rollup_5m: { rp: RP.rollup_5m, bucketMs: 5 * 60_000 },
  rollup_1h: { rp: RP.rollup_1h, bucketMs: 3_600_000 },
};

/** Pure: the source for a span: ≤ 2 days raw, ≤ 31 days 5-minute rollups, longer 1-hour rollups. */
export function pickSource(spanMs: number): Source {
  if (spanMs <= SOURCE_LIMITS.rawMaxSpanMs) return SOURCES.raw;
  if (spanMs <= SOURCE_LIMITS.fiveMinMaxSpanMs) return SOURCES.rollup_5m;
  return SOURCES.rollup_1h;
}

/** Pure: pickSource, then coarser while the chosen RP no longer holds `from` (e.g. raw keeps 30 days). */
export function sourceFor(from: number, to: number, now: number, retention: InfluxSettings['retention']): Source {
  const order: RetentionPolicyName[] = ['raw', 'rollup_5m', 'rollup_1h'];
  let i = order.indexOf(pickSource(to - from).rp);
  while (i < order.length - 1 && from < now - parseDuration(retention[order[i]!])) i++;
  return SOURCES[order[i]!];
}

export const HISTORY_KINDS = ['ping', 'bandwidth', 'state', 'lte', 'push'] as const;
export type HistoryKind = (typeof HISTORY_KINDS)[number];

export type Row = { ts: number } & Record<string, number | string | null>;

export interface HistorySeries {
  /** Tags that split the series: `ifname` and `wan` for bandwidth; empty otherwise. */
  tags: Record<string, string>;
  rows: Row[];
}

export interface History {
  site: string;
  what: HistoryKind;
  source: Source;
  series: HistorySeries[];
}

/**
 * Filters on the tags as written. `group` also matches the `district` tag of points written before
 * the reform. A commune is matched by its name as written at the time: reports that must follow
 * renamed communes select by site ids from the inventory instead (src/reports/query.ts).
 */
export interface AreaFilter {
  province?: string;
  group?: string;
  commune?: string;
  site?: string;
}

export interface StateCounts {
  up: number;
  down: number;
  unreachable: number;
  unknown: number;
  maintenance: number;
  total: number;
}

/** Per site: the place comes from the inventory (availabilityByArea), not from tags that changed with the reform. */
export interface SiteAvailability {
  site: string;
  /** Number of checks in each state class (UP and DEGRADED count as up). Exact. */
  checks: StateCounts;
  /**
   * Seconds in each class: the checked seconds of the period shared out by check counts. Exact when
   * checks in the period have one interval; with fast re-checks the re-check seconds are spread.
   */
  seconds: StateCounts;
  /** up / (up + down) × 100; null when there was no up or down check. UNREACHABLE, UNKNOWN and MAINTENANCE are excluded. */
  availability_pct: number | null;
  source: Source;
}

/** Checks of one site in each state class over one bucket (`stateBuckets`); the public pages read these too (web/public/model.ts). */
export interface StateBucket {
  site: string;
  /** Bucket start, epoch ms. */
  ts: number;
  up: number;
  down: number;
  unreachable: number;
  unknown: number;
  maintenance: number;
  /** Seconds the checks stand for. */
  checked_s: number;
}

const STATE_CLASSES = ['up', 'down', 'unreachable', 'unknown', 'maintenance'] as const;
const AREA_TAGS = ['site', 'commune', 'group', 'province'] as const;
const LEGACY_GROUP_TAG: (typeof LEGACY_TAGS)[number] = 'district';

type Aggregate = 'mean' | 'sum' | 'max' | 'last';
/**
 * `perBucket`: a measurement without rollups (push, lte: raw retention only) is always read raw;
 * over a span longer than raw data is read for, it is aggregated per 5 minutes (1 hour past 31
 * days) in the query, field by field as given, so a 7-day chart never pulls every report.
 */
const HISTORY: Record<HistoryKind, { measurement: MeasurementName; fields: string[]; rawOnly?: string[]; groupBy: string[]; perBucket?: Record<string, Aggregate> }> = {
  ping: { measurement: 'ping', fields: ['up', 'loss_pct', 'rtt_min_ms', 'rtt_avg_ms', 'rtt_max_ms', 'jitter_ms', 'sent', 'received'], groupBy: [] },
  bandwidth: { measurement: 'interface', fields: ['in_bps', 'out_bps', 'oper_up', 'speed_bps'], groupBy: ['ifname', 'wan'] },
  state: { measurement: 'site_state', fields: ['state_code', ...STATE_CLASSES, 'checked_s'], rawOnly: ['state'], groupBy: [] },
  lte: {
    measurement: 'lte', fields: ['rsrp_dbm', 'rsrq_db', 'sinr_db', 'rssi_dbm', 'cell_id', 'enb_id', 'operator', 'band'], groupBy: [],
    perBucket: { rsrp_dbm: 'mean', rsrq_db: 'mean', sinr_db: 'mean', rssi_dbm: 'mean', cell_id: 'last', enb_id: 'last', operator: 'last', band: 'last' },
  },
  push: {
    measurement: 'push', fields: ['received', 'late_s', 'data_used_bytes', 'quota_exhausted'], groupBy: [],
    perBucket: { received: 'sum', late_s: 'max', data_used_bytes: 'sum', quota_exhausted: 'last' },
  },
};

// Every identifier used above must be declared: a rename in schema.ts fails here at import time.
for (const h of Object.values(HISTORY)) {
  const m = MEASUREMENTS[h.measurement];
  for (const f of [...h.fields, ...(h.rawOnly ?? [])]) if (!Object.hasOwn(m.fields, f)) throw new Error(`reader: field ${h.measurement}.${f} is not declared`);
  for (const t of h.groupBy) if (!(m.tags as readonly string[]).includes(t)) throw new Error(`reader: tag ${h.measurement}.${t} is not declared`);
  if (h.perBucket) {
    if (Object.keys(h.perBucket).join() !== h.fields.join()) throw new Error(`reader: ${h.measurement} needs one aggregate per field`);
  } else if (h.measurement !== 'site_state' && h.measurement !== 'event') {
    const roll = (ROLLUPS as Partial<Record<MeasurementName, Record<string, string>>>)[h.measurement] ?? {};
    for (const f of h.fields) if (!Object.hasOwn(roll, f)) throw new Error(`reader: ${h.measurement}.${f} has no rollup`);
  }
}

function ms(t: number, name: string): string {
  if (!Number.isSafeInteger(t)) throw new Error(`${name} must be epoch milliseconds (got ${t})`);
  return `${t}ms`;
}

function timeRange(from: number, to: number): string {
  if (!(to > from)) throw new Error(`empty time range: from ${from} must be before to ${to}`);
  return `time >= ${ms(from, 'from')} AND time < ${ms(to, 'to')}`;
}

function areaWhere(filter: AreaFilter | undefined, params: Record<string, string>): string {
  let out = '';
  for (const k of AREA_TAGS) {
    const v = filter?.[k];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v === '') throw new Error(`filter.${k} must be a non-empty string`);
    params[k] = v;
    // points written before the reform carry the group as `district`
    out += k === 'group' ? ` AND (${q(k)} = $${k} OR ${q(LEGACY_GROUP_TAG)} = $${k})` : ` AND ${q(k)} = $${k}`;
  }
  return out;
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

export interface SiteEvent {
  ts: number;
  type: string;
  text: string | null;
  from_state: string | null;
  to_state: string | null;
  cause: string | null;
  incident_id: number | null;
  value: number | null;
}

export interface Reader {
  /**
   * The last state point of every site seen within `withinMs` (default 24 h: the poller writes one
   * per check, so an older one is stale anyway, and the bound keeps the query off 30 days of raw data).
   */
  latestStates(opts?: { withinMs?: number }): Promise<Map<string, { state: SiteStateName; ts: number }>>;
  /** Events (transitions, reboots, incidents, flapping) of one site, oldest first. */
  siteEvents(site: string, from: number, to: number): Promise<SiteEvent[]>;
  siteHistory(site: string, from: number, to: number, what: HistoryKind): Promise<History>;
  availabilityBySite(from: number, to: number, filter?: AreaFilter): Promise<SiteAvailability[]>;
  stateBuckets(from: number, to: number, bucket: '5m' | '1h', filter?: AreaFilter): Promise<StateBucket[]>;
}

export function createReader(influx: InfluxDB, cfg: InfluxSettings, opts: { clock?: Clock } = {}): Reader {
  const clock = opts.clock ?? systemClock;
  const db = cfg.database;
  const from_ = (src: Source | RetentionPolicyName, m: MeasurementName) => `${q(db)}.${q(typeof src === 'string' ? src : src.rp)}.${q(m)}`;

  async function run(query: string, params: Record<string, string> = {}): Promise<NonNullable<RawResponse['results'][number]['series']>> {
    const res = (await influx.queryRaw(query, { database: db, precision: 'ms', placeholders: params })) as RawResponse;
    const r = res.results[0];
    if (r?.error) throw new Error(`InfluxDB: ${r.error}`);
    return r?.series ?? [];
  }

  function rowsOf(s: NonNullable<RawResponse['results'][number]['series']>[number]): Row[] {
    return (s.values ?? []).map((v) => {
      const row: Row = { ts: 0 };
      s.columns.forEach((c, i) => {
        if (c === 'time') row.ts = Number(v[i]);
        else row[c] = (v[i] ?? null) as number | string | null;
      });
      return row;
    });
  }

  return {
    async latestStates(o = {}) {
      const now = clock.now();
      const within = o.withinMs ?? DAY;
      const series = await run(
        `SELECT last(${q('state')}) AS ${q('state')} FROM ${from_('raw', 'site_state')} WHERE ${timeRange(now - within, now + 60_000)} GROUP BY ${q('site')}`,
      );
      const out = new Map<string, { state: SiteStateName; ts: number }>();
      for (const s of series) {
        const site = s.tags?.site;
        const row = rowsOf(s)[0];
        if (!site || !row || !SITE_STATES.includes(row.state as SiteStateName)) continue;
        out.set(site, { state: row.state as SiteStateName, ts: row.ts });
      }
      return out;
    },

    async siteEvents(site, from, to) {
      const params: Record<string, string> = {};
      const cols = ['type', 'text', 'from_state', 'to_state', 'cause', 'incident_id', 'value'];
      const series = await run(`SELECT ${cols.map(q).join(', ')} FROM ${from_('raw', 'event')} WHERE ${timeRange(from, to)}${areaWhere({ site }, params)} ORDER BY time ASC`, params);
      return series.flatMap(rowsOf).map((r) => ({
        ts: r.ts, type: String(r.type), text: (r.text ?? null) as string | null, from_state: (r.from_state ?? null) as string | null,
        to_state: (r.to_state ?? null) as string | null, cause: (r.cause ?? null) as string | null,
        incident_id: (r.incident_id ?? null) as number | null, value: (r.value ?? null) as number | null,
      }));
    },

    async siteHistory(site, from, to, what) {
      const h = HISTORY[what];
      if (!h) throw new Error(`unknown history kind '${String(what)}' (${HISTORY_KINDS.join(', ')})`);
      if (h.perBucket) {
        const span = pickSource(to - from);
        const source: Source = { rp: RP.raw, bucketMs: span.bucketMs };
        const params: Record<string, string> = {};
        const where = `${timeRange(from, to)}${areaWhere({ site }, params)}`;
        const select = source.bucketMs
          ? `${Object.entries(h.perBucket).map(([f, fn]) => `${fn}(${q(f)}) AS ${q(f)}`).join(', ')}`
          : h.fields.map(q).join(', ');
        const tail = source.bucketMs ? ` GROUP BY time(${source.bucketMs}ms) fill(none)` : ' ORDER BY time ASC';
        const series = await run(`SELECT ${select} FROM ${from_(source, h.measurement)} WHERE ${where}${tail}`, params);
        return { site, what, source, series: series.map((s) => ({ tags: s.tags ?? {}, rows: rowsOf(s) })) };
      }
      const source = sourceFor(from, to, clock.now(), cfg.retention);
      const fields = source.rp === RP.raw ? [...h.fields, ...(h.rawOnly ?? [])] : h.fields;
      const params: Record<string, string> = {};
      const where = `${timeRange(from, to)}${areaWhere({ site }, params)}`;
      const groupBy = h.groupBy.length ? ` GROUP BY ${h.groupBy.map(q).join(', ')}` : '';
      const series = await run(`SELECT ${fields.map(q).join(', ')} FROM ${from_(source, h.measurement)} WHERE ${where}${groupBy} ORDER BY time ASC`, params);
      return { site, what, source, series: series.map((s) => ({ tags: s.tags ?? {}, rows: rowsOf(s) })) };
    },

    async availabilityBySite(from, to, filter) {
      const source = sourceFor(from, to, clock.now(), cfg.retention);
      const params: Record<string, string> = {};
      const sums = [...STATE_CLASSES, 'checked_s'].map((f) => `sum(${q(f)}) AS ${q(f)}`).join(', ');
      const series = await run(
        `SELECT ${sums} FROM ${from_(source, 'site_state')} WHERE ${timeRange(from, to)}${areaWhere(filter, params)} GROUP BY ${q('site')}`,
        params,
      );
      return series
        .map((s) => {
          const row = rowsOf(s)[0] ?? { ts: 0 };
          const checks = { up: num(row.up), down: num(row.down), unreachable: num(row.unreachable), unknown: num(row.unknown), maintenance: num(row.maintenance), total: 0 };
          checks.total = checks.up + checks.down + checks.unreachable + checks.unknown + checks.maintenance;
          const secs = num(row.checked_s);
          const share = (n: number) => (checks.total ? Math.round(((secs * n) / checks.total) * 1000) / 1000 : 0);
          const seconds = { up: share(checks.up), down: share(checks.down), unreachable: share(checks.unreachable), unknown: share(checks.unknown), maintenance: share(checks.maintenance), total: secs };
          const denom = checks.up + checks.down;
          return {
            site: s.tags?.site ?? '',
            checks, seconds, availability_pct: denom ? (checks.up / denom) * 100 : null, source,
          };
        })
        .sort((a, b) => a.site.localeCompare(b.site));
    },

    async stateBuckets(from, to, bucket, filter) {
      if (bucket !== '5m' && bucket !== '1h') throw new Error(`bucket must be 5m or 1h (got '${String(bucket)}')`);
      let source = sourceFor(from, to, clock.now(), cfg.retention);
      if (bucket === '5m' && source.rp === RP.rollup_1h) throw new Error('5-minute buckets are not kept that far back: use 1h');
      if (source.bucketMs > (bucket === '5m' ? 300_000 : 3_600_000)) source = SOURCES.rollup_1h;
      const params: Record<string, string> = {};
      const sums = [...STATE_CLASSES, 'checked_s'].map((f) => `sum(${q(f)}) AS ${q(f)}`).join(', ');
      const series = await run(
        `SELECT ${sums} FROM ${from_(source, 'site_state')} WHERE ${timeRange(from, to)}${areaWhere(filter, params)} GROUP BY time(${bucket}), ${q('site')} fill(none)`,
        params,
      );
      const out: StateBucket[] = [];
      for (const s of series) {
        for (const r of rowsOf(s)) {
          out.push({
            site: s.tags?.site ?? '',
            ts: r.ts, up: num(r.up), down: num(r.down), unreachable: num(r.unreachable), unknown: num(r.unknown), maintenance: num(r.maintenance), checked_s: num(r.checked_s),
          });
        }
      }
      return out.sort((a, b) => a.site.localeCompare(b.site) || a.ts - b.ts);
    },
  };
}

/**
 * Pure: add per-site availability up to commune (keyed by province + commune), group or province
 * (check counts and seconds summed). `placeOf` is the inventory's place of a site: data written
 * under a former commune name lands on the current commune. Sites not in the inventory are left out;
 * at group level, sites without a group are too.
 */
export function availabilityByArea(rows: readonly SiteAvailability[], level: 'commune' | 'group' | 'province', placeOf: (site: string) => Place | undefined): {
  province: string; group?: string; commune?: string; sites: number; checks: StateCounts; seconds: StateCounts; availability_pct: number | null;
}[] {
  const groups = new Map<string, { province: string; group?: string; commune?: string; sites: number; checks: StateCounts; seconds: StateCounts }>();
  const zero = (): StateCounts => ({ up: 0, down: 0, unreachable: 0, unknown: 0, maintenance: 0, total: 0 });
  for (const r of rows) {
    const p = placeOf(r.site);
    if (!p || (level === 'group' && !p.group)) continue;
    const k = level === 'province' ? p.province : level === 'group' ? groupKey(p)! : communeKey(p);
    let g = groups.get(k);
    if (!g) {
      g = { province: p.province, ...(level === 'group' ? { group: p.group! } : {}), ...(level === 'commune' ? { ...(p.group ? { group: p.group } : {}), commune: p.commune } : {}), sites: 0, checks: zero(), seconds: zero() };
      groups.set(k, g);
    }
    g.sites += 1;
    for (const c of [...STATE_CLASSES, 'total'] as const) {
      g.checks[c] += r.checks[c];
      g.seconds[c] += r.seconds[c];
    }
  }
  return [...groups.values()].map((g) => {
    const denom = g.checks.up + g.checks.down;
    return { ...g, availability_pct: denom ? (g.checks.up / denom) * 100 : null };
  });
}
