/**
 * Phase 1: K poll cycles over the whole fleet with pointwatch's real pipeline, measured.
 *
 * Per cycle: wall time (runCycle + writer flush, so the cycle's points are in InfluxDB when it
 * ends), this process's CPU, fping's CPU (its launcher shells and reaped children), influxd's and the snmpds' CPU (/proc).
 * At the end: points produced vs points InfluxDB holds (SELECT COUNT per measurement) = points lost.
 */
import type { InfluxDB } from 'influx';
import { escape } from 'influx';
import type { Settings, Site } from '../../src/config/schema.js';
import type { Logger } from '../../src/core/logger.js';
import { MEASUREMENTS, RP } from '../../src/store/schema.js';
import { createPipeline } from './pipeline.js';
import { pidCpuS, pidsCpuS, rssSampler, selfCpu, treeCpuS } from './procstat.js';
import { collectorFromRuntime, compactIfAbove } from '../../src/core/memory.js';

export interface CycleFigures {
  cycle: number;
  wall_s: number;
  poll_s: number;
  flush_s: number;
  cpu_self_s: number;
  cpu_fping_s: number;
  cpu_influxd_s: number;
  cpu_snmpd_s: number;
  /** The scheduler's post-cycle collection (over poller.rss_budget_mb): ms, or null when none ran. */
  gc_ms: number | null;
  checks: number;
  failed: number;
  snmp_timeouts: number;
  snmp_errors: number;
  points: number;
}

export interface ThroughputResult {
  sites: number;
  cycles: number;
  ping: boolean;
  snmp: boolean;
  store: boolean;
  alerting: boolean;
  cycle_wall_s: { median: number; max: number; min: number };
  cpu_s_per_1000_site_polls: number;
  /** Same, without cycle 1 (sessions, JIT warm-up, first schema creation). */
  cpu_s_per_1000_site_polls_steady: number | null;
  cpu_ms_per_site_poll: number;
  fping_cpu_s: number;
  influxd_cpu_s: number;
  snmpd_cpu_s: number;
  /** (pointwatch + fping + influxd) CPU per cycle ÷ 60 s: cores used when polling every 60 s. */
  total_cores_at_60s: number;
  rss_mb_peak: number;
  /** Interface points per site-poll (null when not stored). */
  interfaces_per_site: number | null;
  points_produced: number;
  points_written: number;
  points_in_influx: number | null;
  points_per_s: number;
  points_lost: number | null;
  writer: { spooled: number; dropped: number; rejected: number; invalid: number } | null;
  per_cycle: CycleFigures[];
}

const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;
export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return 0;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** The field every point of a measurement carries (COUNT counts non-null values of one field). */
const ALWAYS_FIELD: Record<string, string> = { ping: 'up', snmp: 'reachable', interface: 'oper_up', site_state: 'state_code', event: 'text' };

export async function countPoints(client: InfluxDB, database: string, since: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of Object.keys(MEASUREMENTS)) {
    const q = `SELECT COUNT(${escape.quoted(ALWAYS_FIELD[m]!)}) FROM ${escape.quoted(database)}.${escape.quoted(RP.raw)}.${escape.quoted(m)} WHERE time >= ${since - 1000}ms`;
    const rows = (await client.queryRaw(q, { database })) as { results: Array<{ series?: Array<{ values: unknown[][] }> }> };
    out[m] = Number(rows.results[0]?.series?.[0]?.values?.[0]?.[1] ?? 0);
  }
  return out;
}

export interface ThroughputOptions {
  settings: Settings;
  sites: Site[];
  cycles: number;
  ping: boolean;
  snmp: boolean;
  store: boolean;
  alerting: boolean;
  dataDir: string;
  logger: Logger;
  influxdPid: number | null;
  snmpdPids: number[];
  /** Window over which SNMP requests are spread (ms); 0 = as fast as the concurrency cap allows. */
  spreadMs: number;
  /** After each cycle, a full collection when over poller.rss_budget_mb, as the scheduler does (default true). */
  postCycleGc?: boolean;
  /** Seconds from one cycle start to the next (0 = back to back). */
  intervalS: number;
  progress: (line: string) => void;
}

/** Where this process's memory is right now: V8 heap used/committed, external (Buffers), RSS. */
function memory(): string {
  const m = process.memoryUsage();
  const mb = (n: number) => Math.round(n / 2 ** 20); // MiB, as the peak (procstat.ts) and the budget
  return `heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} MB, external ${mb(m.external)} MB, rss now ${mb(m.rss)} MB`;
}

export async function runThroughput(o: ThroughputOptions): Promise<ThroughputResult> {
  const pipe = await createPipeline({ settings: o.settings, sites: o.sites, dataDir: o.dataDir, logger: o.logger, store: o.store, alerting: o.alerting });
  const rss = rssSampler(100);
  const started = Date.now();
  const childrenAtStart = selfCpu().children_s;
  // fping runs under long-lived launcher shells: their children's CPU is in their /proc stat
  // (cutime/cstime) while they live, and in ours (children) once one exits and is reaped
  const fpingCpu = () => selfCpu().children_s + (pipe.ping.processes?.() ?? []).reduce((a, p) => a + treeCpuS(p), 0);
  const per: CycleFigures[] = [];
  try {
    for (let k = 1; k <= o.cycles; k++) {
      const cycleStart = Date.now();
      const c0 = selfCpu();
      const fp0 = fpingCpu();
      const i0 = o.influxdPid ? pidCpuS(o.influxdPid) : 0;
      const s0 = pidsCpuS(o.snmpdPids);
      const p0 = pipe.producedTotal();
      const t0 = performance.now();
      const stats = await pipe.poller.runCycle(k, {
        ping: o.ping, snmp: o.snmp, spreadMs: o.spreadMs, interval_s: o.settings.poller.snmp.interfaces_interval_s,
      });
      const t1 = performance.now();
      if (pipe.writer) await pipe.writer.flush();
      const t2 = performance.now();
      // as the scheduler does after every cycle (counted in this process's CPU, not in the wall time)
      const gcMs = o.postCycleGc === false ? null : compactIfAbove(o.settings.poller.rss_budget_mb, collectorFromRuntime()).gc_ms;
      const c1 = selfCpu();
      const fp1 = fpingCpu();
      const f: CycleFigures = {
        cycle: k,
        wall_s: round((t2 - t0) / 1000),
        poll_s: round((t1 - t0) / 1000),
        flush_s: round((t2 - t1) / 1000),
        cpu_self_s: round(c1.self_s - c0.self_s),
        cpu_fping_s: round(fp1 - fp0),
        cpu_influxd_s: round((o.influxdPid ? pidCpuS(o.influxdPid) : 0) - i0),
        cpu_snmpd_s: round(pidsCpuS(o.snmpdPids) - s0),
        gc_ms: gcMs === null ? null : Math.round(gcMs),
        checks: stats.checks,
        failed: stats.failed,
        snmp_timeouts: stats.snmp_timeouts,
        snmp_errors: stats.snmp_errors,
        points: pipe.producedTotal() - p0,
      };
      per.push(f);
      o.progress(
        `cycle ${k}/${o.cycles}: ${f.wall_s.toFixed(2)} s (poll ${f.poll_s.toFixed(2)} + flush ${f.flush_s.toFixed(2)}), cpu self ${f.cpu_self_s.toFixed(2)} s, fping ${f.cpu_fping_s.toFixed(2)} s, ` +
          `influxd ${f.cpu_influxd_s.toFixed(2)} s, snmpd ${f.cpu_snmpd_s.toFixed(2)} s, ${f.points} points, ${f.snmp_timeouts} snmp timeouts, ${f.snmp_errors} errors, rss ${Math.round(rss.peakMb())} MB ` +
          `(${memory()}, post-cycle gc ${gcMs === null ? '-' : Math.round(gcMs)} ms)`,
      );
      const wait = o.intervalS * 1000 - (Date.now() - cycleStart);
      if (k < o.cycles && wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const writerStats = pipe.writer?.stats() ?? null;
    const producedTotal = pipe.producedTotal();
    let inInflux: number | null = null;
    if (pipe.writer) {
      const counts = await countPoints(pipe.writer.client, o.settings.influx.database, started);
      inInflux = Object.values(counts).reduce((a, b) => a + b, 0);
      for (const [m, n] of Object.entries(pipe.produced)) {
        if ((counts[m] ?? 0) !== n) o.progress(`WARNING: ${m}: produced ${n}, InfluxDB holds ${counts[m] ?? 0}`);
      }
    }
    const sitePolls = o.sites.length * o.cycles;
    const cpuSelf = per.reduce((a, c) => a + c.cpu_self_s, 0);
    const steady = per.slice(1);
    const wallTotal = per.reduce((a, c) => a + c.wall_s, 0);
    // Per cycle, each launcher shell's children time is read from /proc in whole ticks (10 ms): with
    // 8 shells a small fleet's fping CPU rounds to 0 for cycles. The run's total is exact once the
    // shells have exited: their children's time then lands, summed, in this process's cutime.
    await pipe.ping.close?.();
    const fping = Math.max(per.reduce((a, c) => a + c.cpu_fping_s, 0), selfCpu().children_s - childrenAtStart);
    const influxd = per.reduce((a, c) => a + c.cpu_influxd_s, 0);
    return {
      sites: o.sites.length,
      cycles: o.cycles,
      ping: o.ping,
      snmp: o.snmp,
      store: o.store,
      alerting: o.alerting,
      cycle_wall_s: { median: round(median(per.map((c) => c.wall_s))), max: round(Math.max(...per.map((c) => c.wall_s))), min: round(Math.min(...per.map((c) => c.wall_s))) },
      cpu_s_per_1000_site_polls: round((cpuSelf / sitePolls) * 1000),
      cpu_s_per_1000_site_polls_steady: steady.length
        ? round((steady.reduce((a, c) => a + c.cpu_self_s, 0) / (o.sites.length * steady.length)) * 1000)
        : null,
      cpu_ms_per_site_poll: round((cpuSelf / sitePolls) * 1000, 4),
      fping_cpu_s: round(fping),
      influxd_cpu_s: round(influxd),
      snmpd_cpu_s: round(per.reduce((a, c) => a + c.cpu_snmpd_s, 0)),
      total_cores_at_60s: round((cpuSelf + fping + influxd) / o.cycles / 60),
      rss_mb_peak: Math.round(rss.peakMb()),
      interfaces_per_site: o.store && o.snmp ? round((pipe.produced.interface ?? 0) / sitePolls, 2) : null,
      points_produced: producedTotal,
      points_written: writerStats ? writerStats.written + writerStats.replayed : 0,
      points_in_influx: inInflux,
      points_per_s: wallTotal > 0 && writerStats ? Math.round((writerStats.written + writerStats.replayed) / wallTotal) : 0,
      points_lost: inInflux === null ? null : producedTotal - inInflux,
      writer: writerStats ? { spooled: writerStats.spooled, dropped: writerStats.dropped, rejected: writerStats.rejected, invalid: writerStats.invalid } : null,
      per_cycle: per,
    };
  } finally {
    rss.stop();
    await pipe.close();
  }
}
