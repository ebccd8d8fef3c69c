/**
 * Fetch the coverage report's inputs from InfluxDB. Every InfluxQL statement the report runs is
 * built here, from the schema constants (src/store/schema.ts), with identifiers quoted and
 * strings escaped (node-influx `escape`); no user text reaches a query unescaped.
 *
 * The state sums are fetched in buckets InfluxDB sums (GROUP BY time(g, offset), site), where g is the
 * longest period dividing 24 h on which every service-hour edge falls (06:00-22:00 local → 8 h
 * buckets starting at 06:00, 14:00 and 22:00): a year for 1,000 sites is ~1.1 million rows from
 * ~24 statements, not 8.8 million hourly rows nor 366 per-day statements (each of which costs
 * InfluxDB 1.x a full set of per-series iterators). The pure aggregation then weights each bucket
 * by its overlap with service hours, so night buckets count zero and odd edges count pro rata.
 * Resolution: raw data for short spans (<= 2 days, within the raw retention), the 5-minute rollup
 * up to 62 days (or when the service-hour edges are not on whole UTC hours), the 1-hour rollup beyond.
 */
import { escape } from 'influx';
import { MEASUREMENTS, RP } from '../store/schema.js';
import { RuntimeError, errorMessage } from '../core/errors.js';
import type { PingBucket, Resolution, StateBucket } from './coverage.js';
import { serviceWindows, type ServiceHours, type Window } from './service-hours.js';

/** The one method the report needs from node-influx's `InfluxDB` (or anything answering like it). */
export interface InfluxQueryClient {
  queryRaw(query: string | string[], options?: { database?: string; precision?: 'ms'; method?: 'GET' | 'POST' }): Promise<unknown>;
}

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
}

export interface FetchedInputs {
  buckets: StateBucket[];
  pings: PingBucket[];
  traffic: Map<string, { in_bytes: number; out_bytes: number }>;
  lastUp: Map<string, number | null>;
  statements: number;
}

const DAY = 86_400_000;
const RESOLUTION_SECONDS: Record<Exclude<Resolution, 'raw'>, number> = { rollup_5m: 300, rollup_1h: 3600 };

const id = (s: string) => escape.quoted(s);
const lit = (s: string) => escape.stringLit(s);
const ts = (ms: number) => `${Math.round(ms)}ms`;

const SS = MEASUREMENTS.site_state;
const PING = MEASUREMENTS.ping;
const IFACE = MEASUREMENTS.interface;
type SsField = keyof typeof SS.fields;
const STATE_SUMS: SsField[] = ['up', 'down', 'unreachable', 'unknown', 'maintenance', 'checked_s'];

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

function from(database: string, resolution: Resolution, measurement: string): string {
  return `${id(database)}.${id(RP[resolution])}.${id(measurement)}`;
}

function scopeClause(scope?: QueryScope): string {
  return scope?.province ? ` AND ${id('province')} = ${lit(scope.province)}` : '';
}

const gcd = (a: number, b: number): number => { a = Math.abs(a); b = Math.abs(b); while (b) [a, b] = [b, a % b]; return a; };
const RESOLUTION_MS: Record<Resolution, number> = { raw: 60_000, rollup_5m: 300_000, rollup_1h: 3_600_000 };

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
  const sums = STATE_SUMS.map((f) => `sum(${id(f)}) AS ${id(f)}`).join(', ');
  // mean per bucket (InfluxDB streams it; median() holds every value): the report takes the median
  // of these bucket means over service hours
  const ping = `mean(${id('rtt_avg_ms' satisfies keyof typeof PING.fields)}) AS ${id('rtt_ms')}, mean(${id('loss_pct' satisfies keyof typeof PING.fields)}) AS ${id('loss_pct')}`;
  const group = `GROUP BY time(${bucket.everyMs}ms, ${bucket.offsetMs}ms), ${id('site')} fill(none)`;
  const state: string[] = [];
  const pingQs: string[] = [];
  for (const [a, b] of ranges) {
    const where = `WHERE time >= ${ts(a)} AND time < ${ts(b)}${sc}`;
    state.push(`SELECT ${sums} FROM ${from(p.database, p.resolution, SS.name)} ${where} ${group}`);
    pingQs.push(`SELECT ${ping} FROM ${from(p.database, p.resolution, PING.name)} ${where} ${group}`);
  }
  const inF: keyof typeof IFACE.fields = 'in_bps';
  const outF: keyof typeof IFACE.fields = 'out_bps';
  const wanTag: (typeof IFACE.tags)[number] = 'wan';
  const traffic = `SELECT sum(${id(inF)}) AS ${id('in_sum')}, sum(${id(outF)}) AS ${id('out_sum')} FROM ${from(p.database, p.resolution, IFACE.name)} ` +
    `WHERE ${id(wanTag)} = ${lit('true')} AND time >= ${ts(p.from)} AND time < ${ts(p.to)}${sc} GROUP BY ${id('site')}`;
  const lookFrom = Math.min(p.from, p.to - (p.droppedOffDays + 1) * DAY);
  const upF: SsField = 'up';
  const lastUp = `SELECT last(${id(upF)}) AS ${id('up')} FROM ${from(p.database, p.resolution, SS.name)} ` +
    `WHERE ${id(upF)} > 0 AND time >= ${ts(lookFrom)} AND time < ${ts(p.to)}${sc} GROUP BY ${id('site')}`;
  return { bucket, ranges, state, ping: pingQs, traffic, lastUp };
}

interface RawSeries { name: string; tags?: Record<string, string>; columns: string[]; values: Array<Array<number | string | null>> }
interface RawResult { statement_id: number; series?: RawSeries[]; error?: string }

async function run(client: InfluxQueryClient, database: string, qs: string[]): Promise<RawResult[]> {
  let res: unknown;
  try {
    res = await client.queryRaw(qs, { database, precision: 'ms', method: 'POST' });
  } catch (err) {
    throw new RuntimeError(`InfluxDB query failed: ${errorMessage(err)}`, { cause: err });
  }
  const results = (res as { results?: RawResult[]; error?: string }).results;
  if (!results) throw new RuntimeError(`InfluxDB query failed: ${(res as { error?: string }).error ?? 'no results'}`);
  for (const r of results) if (r.error) throw new RuntimeError(`InfluxDB query failed: ${r.error}`);
  return results;
}

function rows(r: RawResult | undefined): Array<{ site: string; row: Record<string, number | string | null> }> {
  const out: Array<{ site: string; row: Record<string, number | string | null> }> = [];
  for (const s of r?.series ?? []) {
    const site = s.tags?.site;
    if (!site) continue;
    for (const v of s.values) {
      const row: Record<string, number | string | null> = {};
      s.columns.forEach((c, i) => { row[c] = v[i] ?? null; });
      out.push({ site, row });
    }
  }
  return out;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export async function fetchCoverageInputs(client: InfluxQueryClient, p: FetchParams): Promise<FetchedInputs> {
  const st = statements(p);
  const parallel = p.parallel ?? 3;
  const buckets: StateBucket[] = [];
  const pings: PingBucket[] = [];
  const jobs: Array<{ kind: 'state' | 'ping'; range: [number, number]; q: string }> = [];
  st.ranges.forEach((range, i) => {
    jobs.push({ kind: 'state', range, q: st.state[i]! });
    jobs.push({ kind: 'ping', range, q: st.ping[i]! });
  });
  const total = jobs.length + 1;
  const every = st.bucket.everyMs;
  let done = 0;
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      const [r] = await run(client, p.database, [job.q]);
      const [lo, hi] = job.range;
      for (const series of r?.series ?? []) {
        const site = series.tags?.site;
        if (!site) continue;
        const c = (name: string) => series.columns.indexOf(name);
        const iT = c('time');
        if (job.kind === 'state') {
          const [iU, iD, iR, iK, iM, iC] = [c('up'), c('down'), c('unreachable'), c('unknown'), c('maintenance'), c('checked_s')];
          for (const v of series.values) {
            const t = num(v[iT]);
            buckets.push({
              site, start: Math.max(t, lo), end: Math.min(t + every, hi), up: num(v[iU]), down: num(v[iD]), unreachable: num(v[iR]),
              unknown: num(v[iK]), maintenance: num(v[iM]), checked_s: num(v[iC]),
            });
          }
        } else {
          const [iRtt, iLoss] = [c('rtt_ms'), c('loss_pct')];
          for (const v of series.values) {
            const t = num(v[iT]);
            pings.push({ site, start: Math.max(t, lo), end: Math.min(t + every, hi), rtt_ms: numOrNull(v[iRtt]), loss_pct: numOrNull(v[iLoss]) });
          }
        }
      }
      p.onProgress?.(++done, total);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, jobs.length) }, worker));

  const [trafficRes, lastUpRes] = await run(client, p.database, [st.traffic, st.lastUp]);
  // Each point stands for its bucket, or for the poll interval when polls are sparser than buckets.
  const bucketS = Math.max(p.resolution === 'raw' ? 0 : RESOLUTION_SECONDS[p.resolution], p.rawInterfaceIntervalS);
  const traffic = new Map<string, { in_bytes: number; out_bytes: number }>();
  for (const { site, row } of rows(trafficRes)) {
    traffic.set(site, { in_bytes: (num(row.in_sum) * bucketS) / 8, out_bytes: (num(row.out_sum) * bucketS) / 8 });
  }
  const lastUp = new Map<string, number | null>();
  for (const { site, row } of rows(lastUpRes)) lastUp.set(site, numOrNull(row.time));
  p.onProgress?.(total, total);
  return { buckets, pings, traffic, lastUp, statements: jobs.length + 2 };
}
