/**
 * Fetch the coverage report's inputs from InfluxDB: run the statements (built in statements.ts and
 * daily-rollup.ts), a few side by side, and turn their rows into the buckets, pings, traffic and
 * last UP times the pure aggregation (coverage.ts) takes. The only file here that does IO.
 *
 * Longer than 62 days, whole UTC days come from the daily rollup where a probe finds it can be
 * trusted (daily-rollup.ts), the rest at the chosen resolution; `sources` says which.
 */
import { RuntimeError, errorMessage } from '../core/errors.js';
import { mapLimit } from '../core/limiter.js';
import type { PingBucket, Resolution, Source, StateSpan } from './coverage.js';
import { attributionStatements, dailyProbeStatements, dailySpan, dailyStatements, planSegments } from './daily-rollup.js';
import { DAY, lastUpStatement, statements, type FetchParams } from './statements.js';

/** The one method the report needs from node-influx's `InfluxDB` (or anything answering like it). */
export interface InfluxQueryClient {
  queryRaw(query: string | string[], options?: { database?: string; precision?: 'ms'; method?: 'GET' | 'POST' }): Promise<unknown>;
}

export interface FetchedInputs {
  buckets: StateSpan[];
  pings: PingBucket[];
  traffic: Map<string, { in_bytes: number; out_bytes: number }>;
  lastUp: Map<string, number | null>;
  statements: number;
  /** The pieces of [from, to) and what each was read from. */
  sources: Source[];
  /** Per-day buckets for the root-cause walk where `buckets` holds daily-rollup totals. */
  attribution: StateSpan[];
}

const RESOLUTION_SECONDS: Record<Exclude<Resolution, 'raw'>, number> = { rollup_5m: 300, rollup_1h: 3600, rollup_1d: 3600 };

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

type Row = Record<string, number | string | null>;

/** Rows of every series of a result, with the series' site tag (a statement without GROUP BY tags has one untagged series). */
function allRows(r: RawResult | undefined): Array<{ site: string | undefined; row: Row }> {
  const out: Array<{ site: string | undefined; row: Row }> = [];
  for (const s of r?.series ?? []) {
    for (const v of s.values) {
      const row: Row = {};
      s.columns.forEach((c, i) => { row[c] = v[i] ?? null; });
      out.push({ site: s.tags?.site, row });
    }
  }
  return out;
}

/** Rows of the series tagged with a site. */
function rows(r: RawResult | undefined): Array<{ site: string; row: Row }> {
  return allRows(r).filter((x): x is { site: string; row: Row } => !!x.site);
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
      for (const r of foreign) for (const { row } of allRows(r)) if (num(row.n) > 0) bad.add(num(row.time));
      const usable: number[] = [];
      const first = allRows(present)[0]?.row.time;
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

  const buckets: StateSpan[] = [];
  const pings: PingBucket[] = [];
  const traffic = new Map<string, { in_bytes: number; out_bytes: number }>();
  const lastUp = new Map<string, number | null>();
  let total = jobs.length + probes;
  let done = probes;
  const runJobs = (list: Job[]) => mapLimit(list, parallel, async (job) => {
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
  });
  const attribution: StateSpan[] = [];
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
function collect(r: RawResult | undefined, job: Extract<Job, { kind: 'state' | 'ping' }>, buckets: StateSpan[], pings: PingBucket[]): void {
  const [lo, hi] = job.range;
  const every = job.every;
  for (const series of r?.series ?? []) {
    const site = series.tags?.site;
    if (!site) continue;
    const c = (name: string) => series.columns.indexOf(name);
    const iT = c('time');
    // a total (no GROUP BY time) comes back at time 0: it stands for the whole range
    const span = (v: Array<number | string | null>) => {
      const t = job.total ? lo : num(v[iT]);
      return { site, start: Math.max(t, lo), end: Math.min(t + every, hi) };
    };
    if (job.kind === 'state') {
      const [iU, iD, iR, iK, iM, iC] = [c('up'), c('down'), c('unreachable'), c('unknown'), c('maintenance'), c('checked_s')];
      for (const v of series.values) {
        const b: StateSpan = {
          ...span(v), up: num(v[iU]), down: num(v[iD]), unreachable: num(v[iR]),
          unknown: num(v[iK]), maintenance: num(v[iM]), checked_s: num(v[iC]),
        };
        if (job.service) b.service = true;
        if (job.total) b.total = true;
        buckets.push(b);
      }
    } else {
      const [iRtt, iLoss, iN] = [c('rtt_ms'), c('loss_pct'), c('n')];
      for (const v of series.values) {
        const pb: PingBucket = { ...span(v), rtt_ms: numOrNull(v[iRtt]), loss_pct: numOrNull(v[iLoss]) };
        if (job.total) pb.weight = num(v[iN]);
        pings.push(pb);
      }
    }
  }
}
