/**
 * Every InfluxQL statement the coverage report runs is built here and in daily-rollup.ts, from the
 * schema constants (src/store/schema.ts), with identifiers quoted and strings escaped (node-influx
 * `escape`); no user text reaches a query unescaped. Pure: query.ts runs them.
 *
 * The state sums are fetched in buckets InfluxDB sums (GROUP BY time(g, offset), site), where g is the
 * longest period dividing 24 h on which every service-hour edge falls (06:00-22:00 local → 8 h
 * buckets starting at 06:00, 14:00 and 22:00): a year is a few dozen statements, not a row per hour
 * nor a statement per day (figures: docs/performance.md, the coverage report). The pure aggregation
 * then weights each bucket by its overlap with service hours, so night buckets count zero and odd
 * edges count pro rata.
 * Resolution: raw data for short spans (<= 2 days, within the raw retention), the 5-minute rollup
 * up to 62 days (or when the service-hour edges are not on whole UTC hours), the 1-hour rollup beyond.
 */
import { escape } from 'influx';
import { MEASUREMENTS, RP, RP_DAILY, SVC_TAG } from '../store/schema.js';
import type { Resolution } from './coverage.js';
import { serviceWindows, type ServiceHours, type Window } from './service-hours.js';

export interface QueryScope {
  /** Restrict the statements to one province (the sites and their ancestors must all be in it). */
  province?: string;
}

export interface FetchParams {
  from: number;
  to: number;
  database: string;
  resolution: Resolution;
  serviceHours: ServiceHours;
  timezone: string;
  droppedOffDays: number;
  /** Seconds between interface polls (settings poller.snmp.interfaces_interval_s): what a point stands for at least. */
  rawInterfaceIntervalS: number;
  scope?: QueryScope;
  /** Days per statement (default 31), and requests in flight (default 3). */
  chunkDays?: number;
  parallel?: number;
  onProgress?: (done: number, total: number) => void;
  /**
   * Read whole days from the daily rollup where it can be trusted (the rest at `resolution`).
   * `svc`: the tag values of the report's service hours (serviceTagValues); `finalAfterMs`: a day is
   * final that long after it began (dailyFinalAfterMs of the influx settings); `now`: the clock.
   */
  daily?: {
    svc: { in: string; out: string };
    now: number;
    finalAfterMs: number;
    /** The parent of each site (the inventory graph): whose days to read for the root-cause walk. */
    parentOf?: ReadonlyMap<string, string | undefined>;
  };
}

export const DAY = 86_400_000;

export const id = (s: string) => escape.quoted(s);
export const lit = (s: string) => escape.stringLit(s);
export const ts = (ms: number) => `${Math.round(ms)}ms`;

export const SS = MEASUREMENTS.site_state;
export const PING = MEASUREMENTS.ping;
export const IFACE = MEASUREMENTS.interface;
export type SsField = keyof typeof SS.fields;
const STATE_SUMS: SsField[] = ['up', 'down', 'unreachable', 'unknown', 'maintenance', 'checked_s'];
/** The select list of every state statement: the sum of each state's checks, and the seconds they stand for. */
export const STATE_SUMS_SELECT = STATE_SUMS.map((f) => `sum(${id(f)}) AS ${id(f)}`).join(', ');

/**
 * Which data a span is computed from. `rawRetentionMs`/`rollup5mRetentionMs` from the settings.
 * Half-hour time zones (service-hour edges not on whole UTC hours) avoid the 1-hour rollup.
 */
export function chooseResolution(p: {
  from: number; to: number; now: number; rawRetentionMs: number; rollup5mRetentionMs: number; hourAligned: boolean;
}): Resolution {
  const span = p.to - p.from;
  if (span <= 2 * DAY && p.from >= p.now - p.rawRetentionMs) return 'raw';
  if ((span <= 62 * DAY || !p.hourAligned) && p.from >= p.now - p.rollup5mRetentionMs) return 'rollup_5m';
  return 'rollup_1h';
}

/** True when every service window edge falls on a whole UTC hour (1-hour buckets are exact). */
export function hourAligned(windows: readonly Window[]): boolean {
  return windows.every(([a, b]) => a % 3_600_000 === 0 && b % 3_600_000 === 0);
}

/** `"database"."retention policy"."measurement"` for the data at `resolution`. */
export function measurementPath(database: string, resolution: Resolution, measurement: string): string {
  return `${id(database)}.${id(resolution === 'rollup_1d' ? RP_DAILY : RP[resolution])}.${id(measurement)}`;
}

export function scopeClause(scope?: QueryScope): string {
  return scope?.province ? ` AND ${id('province')} = ${lit(scope.province)}` : '';
}

/** The daily rollup's points of one service-hour split (the `svc` tag). */
export const svcIs = (v: string) => `${id(SVC_TAG)} = ${lit(v)}`;

const gcd = (a: number, b: number): number => { a = Math.abs(a); b = Math.abs(b); while (b) [a, b] = [b, a % b]; return a; };
const RESOLUTION_MS: Record<Resolution, number> = { raw: 60_000, rollup_5m: 300_000, rollup_1h: 3_600_000, rollup_1d: DAY };

/**
 * The GROUP BY time() bucket for a period: the longest length dividing 24 h on which every
 * service-window edge falls (with an offset), never finer than the data. Pure.
 */
export function bucketing(from: number, to: number, hours: ServiceHours, tz: string, resolution: Resolution): { everyMs: number; offsetMs: number } {
  const res = RESOLUTION_MS[resolution];
  // windows over a wider span, without the first and last (they may be clipped)
  const ws = serviceWindows(from - 2 * DAY, to + 2 * DAY, hours, tz).slice(1, -1);
  if (ws.length === 0) return { everyMs: DAY, offsetMs: 0 };
  const base = ws[0]![0];
  let g = DAY;
  for (const [a, b] of ws) g = gcd(gcd(g, a - base), b - base);
  if (g < res || g % res !== 0) return { everyMs: res, offsetMs: 0 };
  return { everyMs: g, offsetMs: ((base % g) + g) % g };
}

/** [from, to) cut at bucket boundaries into pieces of at most `maxMs`. */
function pieces(from: number, to: number, b: { everyMs: number; offsetMs: number }, maxMs: number): Array<[number, number]> {
  const per = Math.max(1, Math.floor(maxMs / b.everyMs)) * b.everyMs;
  const out: Array<[number, number]> = [];
  let a = from;
  while (a < to) {
    // the first boundary after a + per
    const k = Math.floor((a + per - b.offsetMs) / b.everyMs);
    const next = Math.min(to, k * b.everyMs + b.offsetMs);
    out.push([a, next > a ? next : to]);
    a = next > a ? next : to;
  }
  return out;
}

export interface Statements {
  bucket: { everyMs: number; offsetMs: number };
  /** [from, to) of each state/ping statement pair. */
  ranges: Array<[number, number]>;
  state: string[];
  ping: string[];
  traffic: string;
  lastUp: string;
}

/** The statements, in one place. Exported for tests (each must run on a real influxd). */
export function statements(p: FetchParams): Statements {
  const bucket = bucketing(p.from, p.to, p.serviceHours, p.timezone, p.resolution);
  const ranges = pieces(p.from, p.to, bucket, (p.chunkDays ?? 31) * DAY);
  const sc = scopeClause(p.scope);
  // mean per bucket (InfluxDB streams it; median() holds every value): the report takes the median
  // of these bucket means over service hours
  const ping = `mean(${id('rtt_avg_ms' satisfies keyof typeof PING.fields)}) AS ${id('rtt_ms')}, mean(${id('loss_pct' satisfies keyof typeof PING.fields)}) AS ${id('loss_pct')}`;
  const group = `GROUP BY time(${bucket.everyMs}ms, ${bucket.offsetMs}ms), ${id('site')} fill(none)`;
  const state: string[] = [];
  const pingQs: string[] = [];
  for (const [a, b] of ranges) {
    const where = `WHERE time >= ${ts(a)} AND time < ${ts(b)}${sc}`;
    state.push(`SELECT ${STATE_SUMS_SELECT} FROM ${measurementPath(p.database, p.resolution, SS.name)} ${where} ${group}`);
    pingQs.push(`SELECT ${ping} FROM ${measurementPath(p.database, p.resolution, PING.name)} ${where} ${group}`);
  }
  const inF: keyof typeof IFACE.fields = 'in_bps';
  const outF: keyof typeof IFACE.fields = 'out_bps';
  const wanTag: (typeof IFACE.tags)[number] = 'wan';
  const traffic = `SELECT sum(${id(inF)}) AS ${id('in_sum')}, sum(${id(outF)}) AS ${id('out_sum')} FROM ${measurementPath(p.database, p.resolution, IFACE.name)} ` +
    `WHERE ${id(wanTag)} = ${lit('true')} AND time >= ${ts(p.from)} AND time < ${ts(p.to)}${sc} GROUP BY ${id('site')}`;
  const lastUp = lastUpStatement(p, Math.min(p.from, p.to - (p.droppedOffDays + 1) * DAY));
  return { bucket, ranges, state, ping: pingQs, traffic, lastUp };
}

/** The last UP check per site in [lookFrom, p.to), at p.resolution. */
export function lastUpStatement(p: FetchParams, lookFrom: number): string {
  const upF: SsField = 'up';
  return `SELECT last(${id(upF)}) AS ${id('up')} FROM ${measurementPath(p.database, p.resolution, SS.name)} ` +
    `WHERE ${id(upF)} > 0 AND time >= ${ts(lookFrom)} AND time < ${ts(p.to)}${scopeClause(p.scope)} GROUP BY ${id('site')}`;
}
