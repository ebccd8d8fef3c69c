/**
 * Phase 4: report speed. A year of 1-hour rollups for N sites (site_state sums, ping aggregates and
 * the WAN interface's traffic: the three measurements the coverage report reads), written with
 * past timestamps through the project's InfluxDB client (createInflux: the declared schema) into
 * the `rollup_1h` RP that ensureSchema created, then `runCoverageReport` over that year, timed.
 *
 * Why not the point writer: it writes the raw RP only (30-day retention), and a year of raw
 * checks would be 100 times the data; the rollups the CQs would have made are written instead.
 */
import type { InfluxDB, IPoint } from 'influx';
import type { Settings, Site } from '../../src/config/schema.js';
import type { Logger } from '../../src/core/logger.js';
import { createInflux } from '../../src/store/client.js';
import { ensureSchema } from '../../src/store/retention.js';
import { siteTags } from '../../src/store/points.js';
import { RP, STATE_CODE } from '../../src/store/schema.js';
import { runCoverageReport } from '../../src/reports/run.js';
import { pidCpuS } from './procstat.js';

const HOUR = 3_600_000;
const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;

/** Deterministic pseudo-random in [0,1) from two integers (no state, so batches can be made in any order). */
function rnd(a: number, b: number): number {
  let x = (a * 374761393 + b * 668265263) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 1274126177) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) / 4294967296;
}

/** The rollup points of one site for one hour: what the 1h CQs make from 120 checks at 30 s. */
export function hourPoints(site: Site, siteIdx: number, hourIdx: number, ts: number, measurements: Set<string>): IPoint[] {
  const tags = siteTags(site);
  const r = rnd(siteIdx, hourIdx);
  // ~1.5 % of hours down, ~0.5 % unknown, the rest up.
  const down = r < 0.015 ? 120 : 0;
  const unknown = r >= 0.015 && r < 0.02 ? 120 : 0;
  const up = 120 - down - unknown;
  const out: IPoint[] = [];
  if (measurements.has('site_state')) {
    out.push({
      measurement: 'site_state', tags, timestamp: ts,
      fields: { up, down, unreachable: 0, unknown, maintenance: 0, checked_s: 3600, state_code: down ? STATE_CODE.DOWN : unknown ? STATE_CODE.UNKNOWN : STATE_CODE.UP },
    });
  }
  if (measurements.has('ping') && up > 0) {
    const rtt = 20 + 60 * rnd(hourIdx, siteIdx);
    out.push({
      measurement: 'ping', tags, timestamp: ts,
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
}

export interface ReportResult {
  sites: number;
  days: number;
  measurements: string[];
  points_generated: number;
  generate_wall_s: number;
  generate_points_per_s: number;
  report_wall_s: number;
  report_runs_s: number[];
  report_resolution: string;
  influxd_cpu_s_report: number;
  sites_in_report: number;
}

async function writeAll(client: InfluxDB, o: ReportOptions, end: number, hours: number): Promise<number> {
  const ms = new Set(o.measurements);
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
      for (const p of hourPoints(o.sites[i]!, i, h, ts, ms)) batch.push(p);
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

export async function runReportBench(o: ReportOptions): Promise<ReportResult> {
  const client = createInflux(o.settings.influx);
  await ensureSchema(client, o.settings.influx, o.logger);
  const end = o.existingEnd ?? Math.floor(Date.now() / HOUR) * HOUR - 24 * HOUR;
  const hours = o.days * 24;
  const t0 = performance.now();
  const points = o.existingEnd ? 0 : await writeAll(client, o, end, hours);
  const genS = (performance.now() - t0) / 1000;
  if (!o.existingEnd) o.onGenerated?.(end, points);
  o.progress(o.existingEnd ? 'report data: reusing the kept data' : `report data: ${points} points in ${genS.toFixed(1)} s; running the coverage report`);
  const runs: number[] = [];
  let resolution = '';
  let sitesIn = 0;
  const cpu0 = o.influxdPid ? pidCpuS(o.influxdPid) : 0;
  for (let k = 0; k < 2; k++) {
    const t1 = performance.now();
    const rep = await runCoverageReport(
      { from: end - hours * HOUR, to: end },
      { settings: o.settings, inventory: { sites: o.sites, areas: [] }, influx: client, logger: o.logger },
    );
    runs.push(round((performance.now() - t1) / 1000));
    resolution = String(rep.resolution);
    sitesIn = rep.sites.length;
    o.progress(`coverage report run ${k + 1}: ${runs[k]!.toFixed(2)} s (${resolution}, ${sitesIn} sites)`);
  }
  return {
    sites: o.sites.length,
    days: o.days,
    measurements: o.measurements,
    points_generated: points,
    generate_wall_s: round(genS, 1),
    generate_points_per_s: points ? Math.round(points / genS) : 0,
    report_wall_s: runs[0]!,
    report_runs_s: runs,
    report_resolution: resolution,
    influxd_cpu_s_report: round((o.influxdPid ? pidCpuS(o.influxdPid) : 0) - cpu0),
    sites_in_report: sitesIn,
  };
}
