/**
 * Reading whole days from the daily rollup (`rollup_1d`), for periods longer than 62 days. Pure:
 * which days, and the statements; query.ts runs them. Apart from statements.ts because these read
 * totals per site (no GROUP BY time) where those read buckets.
 *
 * The daily rollup's site_state and ping points are split by the `svc` tag stamped at write time, so
 * the service-hour sums are read directly (`WHERE svc = 'in <hours> <tz>'`) as one total per site and
 * piece, with no weighting. A probe first finds the days it can be trusted for (present, final, and
 * with no point tagged otherwise: untagged data from before the tag existed, or other service hours);
 * every other day, and the partial days at the edges, are read the 1-hour way. `sources` says which.
 * Per-day rows only where they matter: the days with UNREACHABLE time, and the days their ancestors
 * were DOWN (the root-cause walk), because InfluxDB 1.x pays per output row of a GROUP BY time().
 * Latency and loss: InfluxDB's median over the days of a piece, weighted by its days with data.
 */
import { SVC_TAG } from '../store/schema.js';
import type { Resolution, Source } from './coverage.js';
import { DAY, IFACE, PING, SS, STATE_SUMS_SELECT, id, lit, measurementPath, scopeClause, svcIs, ts, type FetchParams, type SsField } from './statements.js';

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

/**
 * The probe over [d0, d1): `present` finds the first day the daily rollup holds (days before it were
 * not rolled up: the rollup did not exist yet); `foreign` (site_state, ping) counts per day the points
 * tagged otherwise (no svc tag, or other hours): a count over those few series, not over every series.
 */
export function dailyProbeStatements(p: FetchParams, d0: number, d1: number): { present: string; foreign: string[] } {
  const svc = p.daily!.svc;
  const where = `time >= ${ts(d0)} AND time < ${ts(d1)}${scopeClause(p.scope)}`;
  const count = (m: string, f: string, cond: string) =>
    `SELECT count(${id(f)}) AS ${id('n')} FROM ${measurementPath(p.database, 'rollup_1d', m)} WHERE ${cond} AND ${where} GROUP BY time(1d) fill(none)`;
  const other = `${id(SVC_TAG)} != ${lit(svc.in)} AND ${id(SVC_TAG)} != ${lit(svc.out)}`;
  const ssF: SsField = 'checked_s';
  const pingF: keyof typeof PING.fields = 'up';
  return {
    present: `SELECT first(${id(ssF)}) AS ${id('n')} FROM ${measurementPath(p.database, 'rollup_1d', SS.name)} WHERE ${svcIs(svc.in)} AND ${where}`,
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
  const bySite = `GROUP BY ${id('site')}`;
  const rtt: keyof typeof PING.fields = 'rtt_avg_ms';
  const loss: keyof typeof PING.fields = 'loss_pct';
  const wanTag: (typeof IFACE.tags)[number] = 'wan';
  const upF: SsField = 'up';
  return {
    state: `SELECT ${STATE_SUMS_SELECT} FROM ${measurementPath(p.database, 'rollup_1d', SS.name)} WHERE ${svcIs(svc.in)} AND ${range} ${bySite}`,
    // one statement per field: they run side by side (median() is InfluxDB's costliest aggregate here)
    ping: [[rtt, 'rtt_ms'], [loss, 'loss_pct']].map(([f, as]) =>
      `SELECT median(${id(f!)}) AS ${id(as!)}, count(${id(f!)}) AS ${id('n')} FROM ${measurementPath(p.database, 'rollup_1d', PING.name)} WHERE ${svcIs(svc.in)} AND ${range} ${bySite}`),
    // in_bytes/out_bytes: made by the daily CQ (ROLLUPS_1D) as sum of hourly mean rates × 3600 / 8
    traffic: `SELECT sum(${id('in_bytes')}) AS ${id('in_bytes')}, sum(${id('out_bytes')}) AS ${id('out_bytes')} FROM ${measurementPath(p.database, 'rollup_1d', IFACE.name)} ` +
      `WHERE ${id(wanTag)} = ${lit('true')} AND ${range} ${bySite}`,
    lastUp: `SELECT last(${id(upF)}) AS ${id('up')} FROM ${measurementPath(p.database, 'rollup_1d', SS.name)} WHERE ${id(upF)} > 0 AND ${range} ${bySite}`,
  };
}

/**
 * Per-day rows over [a, b) for the root-cause walk: the days with UNREACHABLE time of the given
 * sites, and the days with DOWN or UNREACHABLE time of their ancestors (50 sites per statement).
 */
export function attributionStatements(p: FetchParams, a: number, b: number, unreachable: readonly string[], ancestors: readonly string[]): string[] {
  const svc = p.daily!.svc;
  const range = `time >= ${ts(a)} AND time < ${ts(b)}${scopeClause(p.scope)}`;
  const head = `SELECT ${STATE_SUMS_SELECT} FROM ${measurementPath(p.database, 'rollup_1d', SS.name)} WHERE ${svcIs(svc.in)} AND ${range}`;
  const group = `GROUP BY time(1d), ${id('site')} fill(none)`;
  const down: SsField = 'down';
  const unr: SsField = 'unreachable';
  const anyOf = (list: readonly string[], i: number) => list.slice(i, i + 50).map((x) => `${id('site')} = ${lit(x)}`).join(' OR ');
  const out: string[] = [];
  for (let i = 0; i < unreachable.length; i += 50) out.push(`${head} AND ${id(unr)} > 0 AND (${anyOf(unreachable, i)}) ${group}`);
  for (let i = 0; i < ancestors.length; i += 50) out.push(`${head} AND (${id(down)} > 0 OR ${id(unr)} > 0) AND (${anyOf(ancestors, i)}) ${group}`);
  return out;
}
