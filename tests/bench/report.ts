/**
 * Phase 4: report speed. A year of 1-hour rollups for N sites (site_state sums, ping aggregates and
 * the WAN interface's traffic: the three measurements the coverage report reads), written with
 * past timestamps through the project's InfluxDB client (createInflux: the declared schema) into
 * the `rollup_1h` RP that ensureSchema created, site_state and ping tagged with `svc` as the poller
 * tags its raw points (createServiceTagger over settings.reports: the 1h CQ keeps the tag); then the
 * daily rollup made from them by the real backfill (backfillRollups, target 1d: the daily CQ's
 * SELECT INTO over the year); then `runCoverageReport` over that year, timed (auto: the daily
 * rollup), and once more forced onto the 1-hour rollup, to compare figures and time.
 *
 * Why not the point writer: it writes the raw RP only (30-day retention), and a year of raw
 * checks would be 100 times the data; the rollups the CQs would have made are written instead.
 */
import type { InfluxDB, IPoint } from 'influx';
import type { Settings, Site } from '../../src/config/schema.js';
import type { Logger } from '../../src/core/logger.js';
import { createInflux } from '../../src/store/client.js';
import { ensureSchema } from '../../src/store/retention.js';
import { backfillRollups } from '../../src/store/backfill.js';
import { siteTags } from '../../src/store/points.js';
import { RP, RP_DAILY, STATE_CODE, SVC_TAG } from '../../src/store/schema.js';
import { runCoverageReport } from '../../src/reports/run.js';
import type { CoverageReport } from '../../src/reports/coverage.js';
import { createServiceTagger, type ServiceTagger } from '../../src/reports/service-tag.js';
import { pidCpuS } from './procstat.js';

const HOUR = 3_600_000;
const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;

/** Deterministic pseudo-random in [0,1) from two integers (no state, so batches can be made in any order). */
function rnd(a: number, b: number): number {
  let x = (a * 374761393 + b * 668265263) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 1274126177) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) / 4294967296;
}

/**
 * The rollup points of one site for one hour: what the 1h CQs make from 120 checks at 30 s.
 * With `svc`, site_state and ping carry the service-hour tag of their hour (service-hour edges on
 * whole hours, as in Vietnam: the 1h CQ's GROUP BY * gives exactly one svc value per hour).
 */
export function hourPoints(site: Site, siteIdx: number, hourIdx: number, ts: number, measurements: Set<string>, svc?: ServiceTagger): IPoint[] {
  const tags = siteTags(site);
  const svcTags = svc ? { ...tags, [SVC_TAG]: svc(ts) } : tags;
  const r = rnd(siteIdx, hourIdx);
  // ~1.5 % of hours down, ~0.5 % unknown, the rest up.
  const down = r < 0.015 ? 120 : 0;
  const unknown = r >= 0.015 && r < 0.02 ? 120 : 0;
  const up = 120 - down - unknown;
  const out: IPoint[] = [];
  if (measurements.has('site_state')) {
    out.push({
      measurement: 'site_state', tags: svcTags, timestamp: ts,
      fields: { up, down, unreachable: 0, unknown, maintenance: 0, checked_s: 3600, state_code: down ? STATE_CODE.DOWN : unknown ? STATE_CODE.UNKNOWN : STATE_CODE.UP },
    });
  }
  if (measurements.has('ping') && up > 0) {
    const rtt = 20 + 60 * rnd(hourIdx, siteIdx);
    out.push({
      measurement: 'ping', tags: svcTags, timestamp: ts,
      fields: { up: 1, loss_pct: r * 10, rtt_avg_ms: rtt, rtt_max_ms: rtt * 2, rtt_min_ms: rtt / 2, jitter_ms: rtt / 10, sent: 600, received: 590 },
    });
  }
  if (measurements.has('interface') && up > 0) {
    out.push({
      measurement: 'interface', tags: { ...tags, ifname: 'ether1', wan: 'true' }, timestamp: ts,
      fields: { in_bps: 2e6 * r, out_bps: 4e5 * r, oper_up: 1, speed_bps: 1e8, in_errors_ps: 0, out_errors_ps: 0, in_discards_ps: 0, out_discards_ps: 0 },
    });
  }
  return out;
}

export interface ReportOptions {
  settings: Settings;
  sites: Site[];
  days: number;
  measurements: string[];
  influxdPid: number | null;
  logger: Logger;
  progress: (line: string) => void;
  /** The data is already there (a kept --report-data dir): skip generating, report up to this end. */
  existingEnd?: number;
  /** Called once the data is written (to mark a kept dir complete). */
  onGenerated?: (end: number, points: number) => void;
  /** Also run the report on the 1-hour rollup and compare (default true). */
  compare1h?: boolean;
}

export interface ReportResult {
  sites: number;
  days: number;
  measurements: string[];
  points_generated: number;
  generate_wall_s: number;
  generate_points_per_s: number;
  /** The daily rollup made from the year of 1h points (backfill, target 1d). */
  rollup_1d_backfill_wall_s: number;
  rollup_1d_points: number;
  report_wall_s: number;
  report_runs_s: number[];
  report_resolution: string;
  report_sources: Array<{ resolution: string; from: string; to: string }>;
  influxd_cpu_s_report: number;
  /** influxd CPU-seconds of each run (from /proc). */
  influxd_cpu_s_runs: number[];
  sites_in_report: number;
  /** The same report forced onto the 1-hour rollup (the path before the daily rollup), and how far the figures are apart. */
  report_1h_wall_s: number | null;
  compare_1h: { max_availability_diff_pp: number; max_down_min_diff: number; max_traffic_gb_rel_diff: number; sites_compared: number } | null;
}

async function writeAll(client: InfluxDB, o: ReportOptions, end: number, hours: number): Promise<number> {
  const ms = new Set(o.measurements);
  const svc = createServiceTagger(o.settings.reports.service_hours, o.settings.reports.timezone);
  const start = end - hours * HOUR;
  let total = 0;
  let inFlight: Promise<void>[] = [];
  let batch: IPoint[] = [];
  const send = async (pts: IPoint[]) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.writePoints(pts, { precision: 'ms', retentionPolicy: RP.rollup_1h });
        return;
      } catch (err) {
        if (attempt >= 3) throw err;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };
  let lastReport = Date.now();
  // Hour-major: InfluxDB takes time-ordered writes best (one shard group at a time).
  for (let h = 0; h < hours; h++) {
    const ts = start + h * HOUR;
    for (let i = 0; i < o.sites.length; i++) {
      for (const p of hourPoints(o.sites[i]!, i, h, ts, ms, svc)) batch.push(p);
      if (batch.length >= 10_000) {
        total += batch.length;
        inFlight.push(send(batch));
        batch = [];
        if (inFlight.length >= 2) { await Promise.all(inFlight); inFlight = []; }
      }
    }
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      o.progress(`report data: ${Math.round((h / hours) * 100)} % (${total} points)`);
    }
  }
  if (batch.length) { total += batch.length; inFlight.push(send(batch)); }
  await Promise.all(inFlight);
  return total;
}

/** Largest per-site differences between two reports of the same sites. */
export function compareReports(a: CoverageReport, b: CoverageReport): NonNullable<ReportResult['compare_1h']> {
  const byId = new Map(b.sites.map((s) => [s.site, s]));
  let av = 0, down = 0, traffic = 0, n = 0;
  for (const s of a.sites) {
    const o = byId.get(s.site);
    if (!o) throw new Error(`site ${s.site} missing from the 1-hour report`);
    n++;
    if ((s.availability_pct === null) !== (o.availability_pct === null)) av = Infinity;
    else if (s.availability_pct !== null) av = Math.max(av, Math.abs(s.availability_pct - o.availability_pct!));
    down = Math.max(down, Math.abs(s.down_min - o.down_min));
    const rel = (x: number | null, y: number | null) => (x === null || y === null ? (x === y ? 0 : Infinity) : Math.abs(x - y) / Math.max(Math.abs(y), 1e-9));
    traffic = Math.max(traffic, rel(s.traffic_gb_in, o.traffic_gb_in), rel(s.traffic_gb_out, o.traffic_gb_out));
  }
  return { max_availability_diff_pp: round(av, 6), max_down_min_diff: round(down, 3), max_traffic_gb_rel_diff: round(traffic, 6), sites_compared: n };
}

export async function runReportBench(o: ReportOptions): Promise<ReportResult> {
  const client = createInflux(o.settings.influx);
  await ensureSchema(client, o.settings.influx, o.logger);
  const end = o.existingEnd ?? Math.floor(Date.now() / HOUR) * HOUR - 24 * HOUR;
  const hours = o.days * 24;
  const t0 = performance.now();
  const points = o.existingEnd ? 0 : await writeAll(client, o, end, hours);
  const genS = (performance.now() - t0) / 1000;
  o.progress(o.existingEnd ? 'report data: reusing the kept data' : `report data: ${points} points in ${genS.toFixed(1)} s; making the daily rollup (backfill, target 1d)`);
  let backfillS = 0;
  let dailyPoints = 0;
  // a kept dataset made before the daily rollup existed (or with it dropped): make it now
  const dailyCount = async () => {
    const r = await client.queryRaw(`SELECT count("checked_s") FROM "${o.settings.influx.database}"."${RP_DAILY}"."site_state" WHERE time >= ${end - hours * HOUR}ms AND time < ${end}ms`, { precision: 'ms' } as never) as { results?: Array<{ series?: Array<{ values: number[][] }> }> };
    return Number(r.results?.[0]?.series?.[0]?.values?.[0]?.[1] ?? 0);
  };
  if (!o.existingEnd || (await dailyCount()) === 0) {
    // The daily rollup as the CQ makes it: its SELECT INTO over the year, through the backfill code.
    const tb = performance.now();
    let last = Date.now();
    const res = await backfillRollups(client, o.settings.influx, { from: end - hours * HOUR, to: end }, {
      targets: ['1d'],
      onProgress: (p) => {
        if (Date.now() - last > 10_000) { last = Date.now(); o.progress(`daily rollup: ${p.done}/${p.total} statements (${p.written} points)`); }
      },
    });
    backfillS = (performance.now() - tb) / 1000;
    dailyPoints = res.written;
    o.progress(`daily rollup: ${res.written} points in ${backfillS.toFixed(1)} s`);
    if (!o.existingEnd) o.onGenerated?.(end, points);
  }
  const runs: number[] = [];
  const cpuRuns: number[] = [];
  let resolution = '';
  let sitesIn = 0;
  let sources: ReportResult['report_sources'] = [];
  let daily: CoverageReport | null = null;
  const cpu = () => (o.influxdPid ? pidCpuS(o.influxdPid) : 0);
  const cpu0 = cpu();
  const inventory = { sites: o.sites, areas: [] };
  for (let k = 0; k < 2; k++) {
    const c1 = cpu();
    const t1 = performance.now();
    const rep = await runCoverageReport({ from: end - hours * HOUR, to: end }, { settings: o.settings, inventory, influx: client, logger: o.logger });
    runs.push(round((performance.now() - t1) / 1000));
    cpuRuns.push(round(cpu() - c1));
    resolution = String(rep.resolution);
    sitesIn = rep.sites.length;
    sources = (rep.sources ?? []).map((s) => ({ resolution: s.resolution, from: new Date(s.from).toISOString(), to: new Date(s.to).toISOString() }));
    daily = rep;
    o.progress(`coverage report run ${k + 1}: ${runs[k]!.toFixed(2)} s (${resolution}, ${sitesIn} sites, influxd ${cpuRuns[k]} CPU-s)`);
  }
  const influxdCpu = round(cpu() - cpu0);
  let report1h: number | null = null;
  let compare: ReportResult['compare_1h'] = null;
  if (o.compare1h !== false) {
    o.progress('coverage report on the 1-hour rollup (the path before the daily rollup), to compare');
    const t2 = performance.now();
    const rep = await runCoverageReport({ from: end - hours * HOUR, to: end, resolution: 'rollup_1h' }, { settings: o.settings, inventory, influx: client, logger: o.logger });
    report1h = round((performance.now() - t2) / 1000);
    compare = compareReports(daily!, rep);
    o.progress(`coverage report on rollup_1h: ${report1h.toFixed(2)} s; largest differences ${JSON.stringify(compare)}`);
  }
  return {
    sites: o.sites.length,
    days: o.days,
    measurements: o.measurements,
    points_generated: points,
    generate_wall_s: round(genS, 1),
    generate_points_per_s: points ? Math.round(points / genS) : 0,
    rollup_1d_backfill_wall_s: round(backfillS, 1),
    rollup_1d_points: dailyPoints,
    report_wall_s: runs[0]!,
    report_runs_s: runs,
    report_resolution: resolution,
    report_sources: sources,
    influxd_cpu_s_report: influxdCpu,
    influxd_cpu_s_runs: cpuRuns,
    sites_in_report: sitesIn,
    report_1h_wall_s: report1h,
    compare_1h: compare,
  };
}
