/**
 * Fetch the coverage report's inputs from InfluxDB. Every InfluxQL statement the report runs is
 * built here, from the schema constants (src/store/schema.ts), with identifiers quoted and
 * strings escaped (node-influx `escape`); no user text reaches a query unescaped.
 *
 * The state sums are fetched per service window (one statement per local day: e.g. 06:00-22:00),
 * so InfluxDB does the summing and a year for 1,000 sites is ~366 statements returning ~366,000
 * rows, not 8.8 million hourly rows. Resolution: raw data for short spans (<= 2 days, within the
 * raw retention), the 5-minute rollup up to 62 days (or when the service-hour edges are not on
 * whole UTC hours), the 1-hour rollup beyond.
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
  /** Statements per HTTP request, and requests in flight. */
  chunk?: number;
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

/** The statements, in one place. Exported for tests (each must run on a real influxd). */
export function statements(p: FetchParams): { windows: Window[]; stateAndPing: string[]; traffic: string; lastUp: string } {
  const windows = serviceWindows(p.from, p.to, p.serviceHours, p.timezone);
  const sc = scopeClause(p.scope);
  const stateAndPing: string[] = [];
  const sums = STATE_SUMS.map((f) => `sum(${id(f)}) AS ${id(f)}`).join(', ');
  const ping = `median(${id('rtt_avg_ms' satisfies keyof typeof PING.fields)}) AS ${id('rtt_ms')}, median(${id('loss_pct' satisfies keyof typeof PING.fields)}) AS ${id('loss_pct')}`;
  for (const [a, b] of windows) {
    const where = `WHERE time >= ${ts(a)} AND time < ${ts(b)}${sc}`;
    stateAndPing.push(`SELECT ${sums} FROM ${from(p.database, p.resolution, SS.name)} ${where} GROUP BY ${id('site')}`);
    stateAndPing.push(`SELECT ${ping} FROM ${from(p.database, p.resolution, PING.name)} ${where} GROUP BY ${id('site')}`);
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
  return { windows, stateAndPing, traffic, lastUp };
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
  const chunk = p.chunk ?? 60; // an even number: state and ping statements come in pairs
  const parallel = p.parallel ?? 4;
  const buckets: StateBucket[] = [];
  const pings: PingBucket[] = [];
  const chunks: Array<{ offset: number; qs: string[] }> = [];
  for (let i = 0; i < st.stateAndPing.length; i += chunk) chunks.push({ offset: i, qs: st.stateAndPing.slice(i, i + chunk) });
  const total = chunks.length + 1;
  let done = 0;
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const c = chunks[next++]!;
      const results = await run(client, p.database, c.qs);
      results.forEach((r, k) => {
        const idx = c.offset + k;
        const [a, b] = st.windows[idx >> 1]!;
        if (idx % 2 === 0) {
          for (const { site, row } of rows(r)) {
            buckets.push({
              site, start: a, end: b, up: num(row.up), down: num(row.down), unreachable: num(row.unreachable),
              unknown: num(row.unknown), maintenance: num(row.maintenance), checked_s: num(row.checked_s),
            });
          }
        } else {
          for (const { site, row } of rows(r)) pings.push({ site, start: a, end: b, rtt_ms: numOrNull(row.rtt_ms), loss_pct: numOrNull(row.loss_pct) });
        }
      });
      p.onProgress?.(++done, total);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, chunks.length) }, worker));

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
  return { buckets, pings, traffic, lastUp, statements: st.stateAndPing.length + 2 };
}
