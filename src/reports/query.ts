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
 *
 * Longer than 62 days, whole UTC days come from the daily rollup (`rollup_1d`) instead: its
 * site_state and ping points are split by the `svc` tag stamped at write time, so the service-hour
 * sums are read directly (`WHERE svc = 'in <hours> <tz>'`) as one total per site and piece, with no
 * weighting. A probe first finds the days it can be trusted for (present, final, and with no point
 * tagged otherwise: untagged data from before the tag existed, or other service hours); every other
 * day, and the partial days at the edges, are read the 1-hour way above. `sources` says which.
 * Per-day rows only where they matter: the days with UNREACHABLE time, and the days their
 * ancestors were DOWN (the root-cause walk); InfluxDB 1.x pays ~0.1 ms per output row of a
 * GROUP BY time(), so a row per site and day (365,000 a year) would cost more than the sums.
 * Latency and loss: InfluxDB's median over the days of a piece, weighted by its days with data.
 */
import { escape } from 'influx';
import { MEASUREMENTS, RP, RP_DAILY, SVC_TAG } from '../store/schema.js';
import { RuntimeError, errorMessage } from '../core/errors.js';
import type { PingBucket, Resolution, Source, StateBucket } from './coverage.js';
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

export interface FetchedInputs {
  buckets: StateBucket[];
  pings: PingBucket[];
  traffic: Map<string, { in_bytes: number; out_bytes: number }>;
  lastUp: Map<string, number | null>;
  statements: number;
  /** The pieces of [from, to) and what each was read from. */
  sources: Source[];
  /** Per-day buckets for the root-cause walk where `buckets` holds daily-rollup totals. */
  attribution: StateBucket[];
}

const DAY = 86_400_000;
const RESOLUTION_SECONDS: Record<Exclude<Resolution, 'raw'>, number> = { rollup_5m: 300, rollup_1h: 3600, rollup_1d: 3600 };

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
  return `${id(database)}.${id(resolution === 'rollup_1d' ? RP_DAILY : RP[resolution])}.${id(measurement)}`;
}

function scopeClause(scope?: QueryScope): string {
  return scope?.province ? ` AND ${id('province')} = ${lit(scope.province)}` : '';
}

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
  const lastUp = lastUpStatement(p, Math.min(p.from, p.to - (p.droppedOffDays + 1) * DAY));
  return { bucket, ranges, state, ping: pingQs, traffic, lastUp };
}

/** The last UP check per site in [lookFrom, p.to), at p.resolution. */
function lastUpStatement(p: FetchParams, lookFrom: number): string {
  const upF: SsField = 'up';
  return `SELECT last(${id(upF)}) AS ${id('up')} FROM ${from(p.database, p.resolution, SS.name)} ` +
    `WHERE ${id(upF)} > 0 AND time >= ${ts(lookFrom)} AND time < ${ts(p.to)}${scopeClause(p.scope)} GROUP BY ${id('site')}`;
}

// ---------------------------------------------------------------- the daily rollup

/** Whole UTC days [d0, d1) inside [from, to) whose daily rollup is final at `now`; null when none. Pure. */
export function dailySpan(from: number, to: number, now: number, finalAfterMs: number): [number, number] | null {
  const d0 = Math.ceil(from / DAY) * DAY;
  // a day [d, d + 1 day) is final once now >= d + finalAfterMs
  const lastFinal = Math.floor((now - finalAfterMs) / DAY) * DAY;
  const d1 = Math.min(Math.floor(to / DAY) * DAY, lastFinal + DAY);
  return d1 > d0 ? [d0, d1] : null;
}

/** [from, to) cut into pieces: runs of usable whole days → rollup_1d, the rest → `base`. Pure. */
export function planSegments(from: number, to: number, usableDays: Iterable<number>, base: Resolution): Source[] {
  const days = [...new Set(usableDays)].filter((d) => d % DAY === 0 && d >= from && d + DAY <= to).sort((a, b) => a - b);
  const out: Source[] = [];
  const push = (resolution: Resolution, a: number, b: number) => {
    if (!(b > a)) return;
    const last = out[out.length - 1];
    if (last && last.resolution === resolution && last.to === a) last.to = b;
    else out.push({ resolution, from: a, to: b });
  };
  let t = from;
  for (const d of days) {
    push(base, t, d);
    push('rollup_1d', d, d + DAY);
    t = d + DAY;
  }
  push(base, t, to);
  return out;
}

const svcIs = (v: string) => `${id(SVC_TAG)} = ${lit(v)}`;

/**
 * The probe over [d0, d1): `present` finds the first day the daily rollup holds (days before it were
 * not rolled up: the rollup did not exist yet); `foreign` (site_state, ping) counts per day the points
 * tagged otherwise (no svc tag, or other hours). (A count per day of every series costs InfluxDB 1.6
 * ~1.5 CPU-s a year; `first` and a count over the few foreign series cost nothing.)
 */
export function dailyProbeStatements(p: FetchParams, d0: number, d1: number): { present: string; foreign: string[] } {
  const svc = p.daily!.svc;
  const where = `time >= ${ts(d0)} AND time < ${ts(d1)}${scopeClause(p.scope)}`;
  const count = (m: string, f: string, cond: string) =>
    `SELECT count(${id(f)}) AS ${id('n')} FROM ${from(p.database, 'rollup_1d', m)} WHERE ${cond} AND ${where} GROUP BY time(1d) fill(none)`;
  const other = `${id(SVC_TAG)} != ${lit(svc.in)} AND ${id(SVC_TAG)} != ${lit(svc.out)}`;
  const ssF: SsField = 'checked_s';
  const pingF: keyof typeof PING.fields = 'up';
  return {
    present: `SELECT first(${id(ssF)}) AS ${id('n')} FROM ${from(p.database, 'rollup_1d', SS.name)} WHERE ${svcIs(svc.in)} AND ${where}`,
    foreign: [count(SS.name, ssF, other), count(PING.name, pingF, other)],
  };
}

/**
 * The daily statements over [a, b) (whole days), per site: service-hour sums, the median of the
 * daily ping means (and the days it is over), WAN bytes, the last day with an UP check.
 */
export function dailyStatements(p: FetchParams, a: number, b: number): { state: string; ping: string[]; traffic: string; lastUp: string } {
  const svc = p.daily!.svc;
  const sc = scopeClause(p.scope);
  const range = `time >= ${ts(a)} AND time < ${ts(b)}${sc}`;
  const sums = STATE_SUMS.map((f) => `sum(${id(f)}) AS ${id(f)}`).join(', ');
  const bySite = `GROUP BY ${id('site')}`;
  const rtt: keyof typeof PING.fields = 'rtt_avg_ms';
  const loss: keyof typeof PING.fields = 'loss_pct';
  const wanTag: (typeof IFACE.tags)[number] = 'wan';
  const upF: SsField = 'up';
  return {
    state: `SELECT ${sums} FROM ${from(p.database, 'rollup_1d', SS.name)} WHERE ${svcIs(svc.in)} AND ${range} ${bySite}`,
    // one statement per field: they run side by side (median() is InfluxDB's costliest aggregate here)
    ping: [[rtt, 'rtt_ms'], [loss, 'loss_pct']].map(([f, as]) =>
      `SELECT median(${id(f!)}) AS ${id(as!)}, count(${id(f!)}) AS ${id('n')} FROM ${from(p.database, 'rollup_1d', PING.name)} WHERE ${svcIs(svc.in)} AND ${range} ${bySite}`),
    // in_bytes/out_bytes: made by the daily CQ (ROLLUPS_1D) as sum of hourly mean rates × 3600 / 8
    traffic: `SELECT sum(${id('in_bytes')}) AS ${id('in_bytes')}, sum(${id('out_bytes')}) AS ${id('out_bytes')} FROM ${from(p.database, 'rollup_1d', IFACE.name)} ` +
      `WHERE ${id(wanTag)} = ${lit('true')} AND ${range} ${bySite}`,
    lastUp: `SELECT last(${id(upF)}) AS ${id('up')} FROM ${from(p.database, 'rollup_1d', SS.name)} WHERE ${id(upF)} > 0 AND ${range} ${bySite}`,
  };
}

/**
 * Per-day rows over [a, b) for the root-cause walk: the days with UNREACHABLE time of the given
 * sites, and the days with DOWN or UNREACHABLE time of their ancestors (50 sites per statement).
 */
export function attributionStatements(p: FetchParams, a: number, b: number, unreachable: readonly string[], ancestors: readonly string[]): string[] {
  const svc = p.daily!.svc;
  const range = `time >= ${ts(a)} AND time < ${ts(b)}${scopeClause(p.scope)}`;
  const sums = STATE_SUMS.map((f) => `sum(${id(f)}) AS ${id(f)}`).join(', ');
  const head = `SELECT ${sums} FROM ${from(p.database, 'rollup_1d', SS.name)} WHERE ${svcIs(svc.in)} AND ${range}`;
  const group = `GROUP BY time(1d), ${id('site')} fill(none)`;
  const down: SsField = 'down';
  const unr: SsField = 'unreachable';
  const anyOf = (list: readonly string[], i: number) => list.slice(i, i + 50).map((x) => `${id('site')} = ${lit(x)}`).join(' OR ');
  const out: string[] = [];
  for (let i = 0; i < unreachable.length; i += 50) out.push(`${head} AND ${id(unr)} > 0 AND (${anyOf(unreachable, i)}) ${group}`);
  for (let i = 0; i < ancestors.length; i += 50) out.push(`${head} AND (${id(down)} > 0 OR ${id(unr)} > 0) AND (${anyOf(ancestors, i)}) ${group}`);
  return out;
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

/** Rows of every series of a result (a statement without GROUP BY tags has one untagged series). */
function rowsAnySeries(r: RawResult | undefined): Array<{ row: Record<string, number | string | null> }> {
  const out: Array<{ row: Record<string, number | string | null> }> = [];
  for (const s of r?.series ?? []) {
    for (const v of s.values) {
      const row: Record<string, number | string | null> = {};
      s.columns.forEach((c, i) => { row[c] = v[i] ?? null; });
      out.push({ row });
    }
  }
  return out;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

type Job =
  | { kind: 'state' | 'ping'; range: [number, number]; every: number; service: boolean; total: boolean; q: string }
  | { kind: 'traffic'; q: string; secondsPerUnit: number; bytes: boolean }
  | { kind: 'lastUp'; q: string };

export async function fetchCoverageInputs(client: InfluxQueryClient, p: FetchParams): Promise<FetchedInputs> {
  const parallel = p.parallel ?? 3;
  let segments: Source[] = [{ resolution: p.resolution, from: p.from, to: p.to }];
  let probes = 0;
  if (p.daily && p.resolution !== 'raw') {
    const span = dailySpan(p.from, p.to, p.daily.now, p.daily.finalAfterMs);
    if (span) {
      const pr = dailyProbeStatements(p, span[0], span[1]);
      const [present, ...foreign] = await run(client, p.database, [pr.present, ...pr.foreign]);
      probes = 3;
      const bad = new Set<number>();
      for (const r of foreign) for (const { row } of rowsAnySeries(r)) if (num(row.n) > 0) bad.add(num(row.time));
      const usable: number[] = [];
      const first = rowsAnySeries(present)[0]?.row.time;
      if (typeof first === 'number') {
        for (let d = Math.max(span[0], Math.floor(first / DAY) * DAY); d < span[1]; d += DAY) if (!bad.has(d)) usable.push(d);
      }
      segments = planSegments(p.from, p.to, usable, p.resolution === 'rollup_1d' ? 'rollup_1h' : p.resolution);
    }
  }
  const base: Resolution = p.resolution === 'rollup_1d' ? 'rollup_1h' : p.resolution;
  // Each interface point stands for its bucket, or for the poll interval when polls are sparser than buckets.
  const bucketS = (r: Resolution) => Math.max(r === 'raw' ? 0 : RESOLUTION_SECONDS[r], p.rawInterfaceIntervalS);

  const jobs: Job[] = [];
  const daily: Source[] = segments.filter((s) => s.resolution === 'rollup_1d');
  for (const seg of segments) {
    if (seg.resolution === 'rollup_1d') {
      // the sums in a few pieces run side by side (they add up); one median over the whole piece
      const days = Math.round((seg.to - seg.from) / DAY);
      const per = Math.max(7, Math.ceil(days / parallel)) * DAY;
      for (let a = seg.from; a < seg.to; a += per) {
        const b = Math.min(seg.to, a + per);
        jobs.push({ kind: 'state', range: [a, b], every: b - a, service: true, total: true, q: dailyStatements(p, a, b).state });
      }
      const d = dailyStatements(p, seg.from, seg.to);
      for (const q of d.ping) jobs.push({ kind: 'ping', range: [seg.from, seg.to], every: seg.to - seg.from, service: true, total: true, q });
      jobs.push({ kind: 'traffic', q: d.traffic, secondsPerUnit: bucketS('rollup_1h') / 3600, bytes: true });
      jobs.push({ kind: 'lastUp', q: d.lastUp });
    } else {
      const sp = { ...p, from: seg.from, to: seg.to, resolution: seg.resolution };
      const st = statements(sp);
      // a partial day at the edge of daily pieces adds at most a bucket or two to medians over
      // hundreds of days: its ping statements (1,000 series for a few hours) are not worth their cost
      const edge = daily.length > 0 && seg.to - seg.from < DAY;
      st.ranges.forEach((range, i) => {
        jobs.push({ kind: 'state', range, every: st.bucket.everyMs, service: false, total: false, q: st.state[i]! });
        if (!edge) jobs.push({ kind: 'ping', range, every: st.bucket.everyMs, service: false, total: false, q: st.ping[i]! });
      });
      jobs.push({ kind: 'traffic', q: st.traffic, secondsPerUnit: bucketS(seg.resolution), bytes: false });
    }
  }
  // last UP check: over the whole period; when days came from the daily rollup (which gives the
  // last UP day), precisely over the days that decide "dropped off"
  const lookFrom = daily.length ? Math.max(p.from, p.to - (p.droppedOffDays + 1) * DAY) : Math.min(p.from, p.to - (p.droppedOffDays + 1) * DAY);
  jobs.push({ kind: 'lastUp', q: lastUpStatement({ ...p, resolution: base }, lookFrom) });

  const buckets: StateBucket[] = [];
  const pings: PingBucket[] = [];
  const traffic = new Map<string, { in_bytes: number; out_bytes: number }>();
  const lastUp = new Map<string, number | null>();
  let total = jobs.length + probes;
  let done = probes;
  const runJobs = async (list: Job[]) => {
    let next = 0;
    const worker = async () => {
      while (next < list.length) {
        const job = list[next++]!;
        const [r] = await run(client, p.database, [job.q]);
        if (job.kind === 'traffic') {
          for (const { site, row } of rows(r)) {
            const t = traffic.get(site) ?? { in_bytes: 0, out_bytes: 0 };
            const k = job.bytes ? job.secondsPerUnit : job.secondsPerUnit / 8;
            t.in_bytes += num(job.bytes ? row.in_bytes : row.in_sum) * k;
            t.out_bytes += num(job.bytes ? row.out_bytes : row.out_sum) * k;
            traffic.set(site, t);
          }
        } else if (job.kind === 'lastUp') {
          for (const { site, row } of rows(r)) {
            const t = numOrNull(row.time);
            if (t !== null && t > (lastUp.get(site) ?? -Infinity)) lastUp.set(site, t);
            else if (!lastUp.has(site)) lastUp.set(site, t);
          }
        } else {
          collect(r, job, buckets, pings);
        }
        p.onProgress?.(++done, total);
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, list.length) }, worker));
  };
  const attribution: StateBucket[] = [];
  await runJobs(jobs);

  // the root-cause walk on daily totals: per-day rows of the sites with UNREACHABLE time and of their ancestors
  const parentOf = p.daily?.parentOf;
  if (daily.length && parentOf) {
    const unreachable = new Set(buckets.filter((b) => b.total && b.unreachable > 0).map((b) => b.site));
    const ancestors = new Set<string>();
    for (const site of unreachable) {
      for (let cur = parentOf.get(site); cur && !ancestors.has(cur); cur = parentOf.get(cur)) ancestors.add(cur);
    }
    if (unreachable.size) {
      const more: Job[] = [];
      for (const seg of daily) {
        for (const q of attributionStatements(p, seg.from, seg.to, [...unreachable].sort(), [...ancestors].sort())) {
          more.push({ kind: 'state', range: [seg.from, seg.to], every: DAY, service: true, total: false, q });
        }
      }
      total += more.length;
      const before = buckets.length;
      await runJobs(more);
      // the per-day rows landed in `buckets`: move them to `attribution`
      attribution.push(...buckets.splice(before));
    }
  }
  return { buckets, pings, traffic, lastUp, statements: total, sources: segments, attribution };
}

/** State and ping rows of one statement → buckets clipped to the statement's range. */
function collect(r: RawResult | undefined, job: Extract<Job, { kind: 'state' | 'ping' }>, buckets: StateBucket[], pings: PingBucket[]): void {
  const [lo, hi] = job.range;
  const every = job.every;
  for (const series of r?.series ?? []) {
    const site = series.tags?.site;
    if (!site) continue;
    const c = (name: string) => series.columns.indexOf(name);
    const iT = c('time');
    if (job.kind === 'state') {
      const [iU, iD, iR, iK, iM, iC] = [c('up'), c('down'), c('unreachable'), c('unknown'), c('maintenance'), c('checked_s')];
      for (const v of series.values) {
        // a total (no GROUP BY time) comes back at time 0: it stands for the whole range
        const t = job.total ? lo : num(v[iT]);
        const b: StateBucket = {
          site, start: Math.max(t, lo), end: Math.min(t + every, hi), up: num(v[iU]), down: num(v[iD]), unreachable: num(v[iR]),
          unknown: num(v[iK]), maintenance: num(v[iM]), checked_s: num(v[iC]),
        };
        if (job.service) b.service = true;
        if (job.total) b.total = true;
        buckets.push(b);
      }
    } else {
      const [iRtt, iLoss, iN] = [c('rtt_ms'), c('loss_pct'), c('n')];
      for (const v of series.values) {
        // a total (no GROUP BY time) comes back at time 0: it stands for the whole range
        const t = job.total ? lo : num(v[iT]);
        const pb: PingBucket = { site, start: Math.max(t, lo), end: Math.min(t + every, hi), rtt_ms: numOrNull(v[iRtt]), loss_pct: numOrNull(v[iLoss]) };
        if (job.total) pb.weight = num(v[iN]);
        pings.push(pb);
      }
    }
  }
}
