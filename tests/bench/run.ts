/**
 * `npm run bench -- [--sites N] [--cycles K] [--json] [--no-ping] [--no-store] ...`
 *
 * Starts a simulated fleet of N routers on loopback (Debian snmpd, ~500 endpoints per process,
 * one 127.100.x.y address per site) and a local influxd, then runs, in this process:
 *   1. throughput: K cycles of pointwatch's real poller (fping + net-snmp), CounterTracker, alert
 *      engine (reducer + incidents in SQLite) and writer (InfluxDB), measured per cycle;
 *   2. peers on the same fleet: prometheus-snmp-exporter (CPU per device) vs pointwatch SNMP-only,
 *      and fping alone vs pointwatch ping-only (the ICMP floor);
 *   3. time to notify: real faults in a network namespace (iptables DROP, 30 % loss), the real
 *      engine + dispatcher + webhook to a receiver on loopback;
 *   4. report speed: a year of 1-hour rollups for 1,000 sites, then runCoverageReport.
 * Progress goes to stderr; a table (or with --json ONE JSON object) to stdout.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import { settingsWithDefaults } from '../../src/config/defaults.js';
import type { Settings } from '../../src/config/schema.js';
import { createLogger } from '../../src/core/logger.js';
import { startInfluxd, type Influxd } from '../helpers/influxd.js';
import { startFleet, type Fleet } from './fleet.js';
import { benchExporter, benchFpingAlone, benchNetSnmpBare, EXPORTER_BIN, startExporter } from './peers.js';
import { runNotify, type NotifyResult } from './notify.js';
import { runReportBench, type ReportResult } from './report.js';
import { machineInfo } from './procstat.js';
import { runThroughput, type ThroughputResult } from './throughput.js';

interface Opts {
  sites: number;
  cycles: number;
  json: boolean;
  ping: boolean;
  store: boolean;
  alerting: boolean;
  throughput: boolean;
  peers: boolean;
  notify: boolean;
  report: boolean;
  concurrency?: number;
  maxRepetitions?: number;
  snmpTimeoutMs?: number;
  pingParallel?: number;
  pingBatch?: number;
  snmpRetries?: number;
  spreadMs: number;
  postCycleGc: boolean;
  rssBudget?: number;
  interval: number;
  perSnmpd: number;
  ifMax: number;
  notifyFleet?: number;
  notifyDown: number;
  notifyPairs: number;
  tmpPrefix: string;
  notifyLossy: number;
  notifyInterval: number;
  notifySpread: number;
  reportSites: number;
  reportDays: number;
  reportMeasurements: string;
  reportData?: string;
  out?: string;
  logLevel: string;
}

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}: not a non-negative integer: ${v}`);
  return n;
};

function program(): Command {
  return new Command('bench')
    .description('pointwatch benchmark: throughput, peers, time to notify, report speed')
    .option('--sites <n>', 'simulated routers', int('--sites'), 1000)
    .option('--cycles <k>', 'poll cycles measured', int('--cycles'), 3)
    .option('--json', 'print one JSON object instead of the table', false)
    .option('--no-ping', 'no ICMP (SNMP only)')
    .option('--no-store', 'no points, no writer, no InfluxDB (implies --no-alerting in the throughput phase)')
    .option('--no-alerting', 'no alert engine in the throughput phase')
    .option('--no-throughput', 'skip the throughput phase')
    .option('--no-peers', 'skip snmp_exporter, bare net-snmp and fping-alone')
    .option('--no-notify', 'skip the time-to-notify phase')
    .option('--no-report', 'skip the report-speed phase')
    .option('--concurrency <n>', 'poller.snmp.concurrency (default: the settings default)', int('--concurrency'))
    .option('--max-repetitions <n>', 'poller.snmp.max_repetitions (default: the settings default)', int('--max-repetitions'))
    .option('--snmp-timeout-ms <ms>', 'poller.snmp.timeout_ms (default: the settings default, 2000)', int('--snmp-timeout-ms'))
    .option('--snmp-retries <n>', 'poller.snmp.retries (default: the settings default, 2)', int('--snmp-retries'))
    .option('--ping-parallel <n>', 'poller.ping.parallel_batches (default: the settings default, 4)', int('--ping-parallel'))
    .option('--ping-batch <n>', 'poller.ping.batch_size (default: the settings default, 250)', int('--ping-batch'))
    .option('--no-post-cycle-gc', 'no full collection after a cycle even over poller.rss_budget_mb (the scheduler makes one then: src/core/memory.ts)')
    .option('--rss-budget <mb>', 'poller.rss_budget_mb: a full collection after a cycle above this RSS (default: the settings default)', int('--rss-budget'))
    .option('--spread-ms <ms>', 'window SNMP requests are spread over (0 = back to back)', int('--spread-ms'), 0)
    .option('--interval <s>', 'seconds from one cycle start to the next (0 = back to back)', int('--interval'), 0)
    .option('--per-snmpd <n>', 'sites per snmpd process', int('--per-snmpd'), 500)
    .option('--if-max <n>', 'interfaces each router shows: ifIndex 1..n of this machine (0 = all)', int('--if-max'), 4)
    .option('--notify-fleet <n>', 'healthy loopback sites polled during the notify phase (default min(sites, 1000))', int('--notify-fleet'))
    .option('--notify-down <n>', 'sites taken down (iptables DROP)', int('--notify-down'), 10)
    .option('--tmp-prefix <p>', 'prefix of the work dir, the notify namespace and its veth pair (several benches on one machine)', 'pw')
    .option('--notify-pairs <n>', 'communes where two sites fail 60 s apart (each commune: the two and one healthy site)', int('--notify-pairs'), 5)
    .option('--notify-lossy <n>', 'sites on a 30 % loss link', int('--notify-lossy'), 50)
    .option('--notify-interval <s>', 'cycle interval in the notify phase (settings poller.ping.interval_s default: 30)', int('--notify-interval'), 30)
    .option('--notify-spread <s>', 'faults start at random moments over this many seconds', int('--notify-spread'), 90)
    .option('--report-sites <n>', 'sites in the report-speed phase', int('--report-sites'), 1000)
    .option('--report-days <n>', 'days of 1-hour rollups', int('--report-days'), 365)
    .option('--report-measurements <list>', 'rollup measurements generated', 'site_state,ping,interface')
    .option('--report-data <dir>', 'keep the report data (an influxd data dir) here and reuse it on the next run with the same sizes')
    .option('--out <file>', 'also write the JSON result to this file')
    .addOption(new Option('--log-level <level>', 'pointwatch log level (stderr)').choices(['fatal', 'error', 'warn', 'info', 'debug']).default('error'));
}

/** 50,000 sites need 50,000 SNMP sockets: raise this process's open-file limit (we run as root). */
function raiseNofile(want: number): void {
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${want}:${want}`], { stdio: 'ignore' });
  } catch { /* not root or no prlimit: the default limit stands */ }
}

const f = (n: number | null | undefined, d = 2) => (n === null || n === undefined ? '-' : n.toFixed(d));

function table(rows: Array<[string, string]>): string {
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n');
}

async function main(): Promise<void> {
  const cmd = program();
  cmd.parse(process.argv);
  const o = cmd.opts<Opts>();
  if (!o.store) o.alerting = false;
  const progress = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const logger = createLogger({ level: o.logLevel });
  raiseNofile(Math.max(65_536, o.sites * 2 + 10_000));
  const nofile = /Max open files\s+(\d+)/.exec(fs.readFileSync('/proc/self/limits', 'utf8'))?.[1];
  // The SNMP probe shares a small pool of UDP sockets across sessions: the site count is not
  // bounded by this process's open-file limit (the snmpd fleet processes have their own).
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `${o.tmpPrefix}-bench-`));
  let fleet: Fleet | null = null;
  let influxd: Influxd | null = null;
  const cleanup = async () => {
    await fleet?.stop().catch(() => undefined);
    await influxd?.destroy().catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
  };
  process.once('SIGINT', () => { void cleanup().finally(() => process.exit(130)); });

  const result: Record<string, unknown> = {
    bench: 'pointwatch',
    started_at: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: machineInfo(),
    fleet: { snmpd_processes: Math.ceil(o.sites / o.perSnmpd), if_max: o.ifMax },
  };
  try {
    const needFleet = o.throughput || o.peers || o.notify;
    if (needFleet) {
      const t = performance.now();
      fleet = await startFleet(o.sites, { perProcess: o.perSnmpd, ifMax: o.ifMax });
      progress(`fleet: ${o.sites} sites on ${fleet.pids.length} snmpd processes in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    if ((o.throughput && o.store) || (o.report && !o.reportData)) {
      // CQs: the production default (RESAMPLE EVERY 5m), checked by influxd every second.
      influxd = await startInfluxd({ dir: path.join(work, 'influxd'), cqRunInterval: '1s' });
      progress(`influxd on ${influxd.url} (pid ${influxd.pid()})`);
    }
    const base = (db: string): Settings => settingsWithDefaults({
      data_dir: work,
      influx: { url: influxd?.url ?? 'http://127.0.0.1:1', database: db },
      poller: {
        ...(o.rssBudget !== undefined ? { rss_budget_mb: o.rssBudget } : {}),
        ping: {
          ...(o.pingParallel ? { parallel_batches: o.pingParallel } : {}),
          ...(o.pingBatch ? { batch_size: o.pingBatch } : {}),
        },
        snmp: {
          ...(o.concurrency ? { concurrency: o.concurrency } : {}),
          ...(o.maxRepetitions ? { max_repetitions: o.maxRepetitions } : {}),
          ...(o.snmpTimeoutMs ? { timeout_ms: o.snmpTimeoutMs } : {}),
          ...(o.snmpRetries !== undefined ? { retries: o.snmpRetries } : {}),
        },
      },
    });
    const snmpdPids = fleet?.pids ?? [];
    const eff = base('bench');
    result.settings = { poller: eff.poller, alerting: { down_after: eff.alerting.down_after, up_after: eff.alerting.up_after }, influx: { batch_size: eff.influx.batch_size, flush_interval_ms: eff.influx.flush_interval_ms } };
    const mkdir = (name: string) => { const d = path.join(work, name); fs.mkdirSync(d, { recursive: true }); return d; };

    // ---------------------------------------------------------------- 1. throughput
    let tp: ThroughputResult | null = null;
    if (o.throughput) {
      progress(`throughput: ${o.sites} sites × ${o.cycles} cycles (ping ${o.ping}, snmp true, store ${o.store}, alerting ${o.alerting})`);
      tp = await runThroughput({
        settings: base('bench'), sites: fleet!.sites, cycles: o.cycles, ping: o.ping, snmp: true, store: o.store, alerting: o.alerting,
        dataDir: mkdir('throughput'), logger, influxdPid: influxd?.pid() ?? null, snmpdPids, spreadMs: o.spreadMs, intervalS: o.interval, postCycleGc: o.postCycleGc, progress,
      });
      const { per_cycle: _pc, ...head } = tp;
      Object.assign(result, {
        sites: tp.sites, cycles: tp.cycles, cycle_wall_s: tp.cycle_wall_s, cpu_s_per_1000_site_polls: tp.cpu_s_per_1000_site_polls,
        fping_cpu_s: tp.fping_cpu_s, influxd_cpu_s: tp.influxd_cpu_s, rss_mb_peak: tp.rss_mb_peak, points_written: tp.points_written,
        points_per_s: tp.points_per_s, points_lost: tp.points_lost,
      });
      result.throughput = { ...head, per_cycle: tp.per_cycle };
    }

    // ---------------------------------------------------------------- 2. peers
    if (o.peers) {
      const peers: Record<string, unknown> = {};
      const s = base('bench_peers');
      const passes = Math.max(1, o.cycles);
      // pointwatch SNMP alone (no ping, no store) on the same fleet, then snmp_exporter.
      let pwSnmp: ThroughputResult;
      if (tp && !tp.ping && !tp.store) pwSnmp = tp;
      else {
        progress(`peers: pointwatch SNMP only, ${passes} cycles`);
        pwSnmp = await runThroughput({
          settings: s, sites: fleet!.sites, cycles: passes, ping: false, snmp: true, store: false, alerting: false,
          dataDir: mkdir('pw-snmp'), logger, influxdPid: null, snmpdPids, spreadMs: 0, intervalS: 0, progress,
        });
      }
      const pwSnmpCpuMs = pwSnmp.cpu_ms_per_site_poll;
      const pwSnmpAgentMs = (pwSnmp.snmpd_cpu_s / (pwSnmp.sites * pwSnmp.cycles)) * 1000;
      peers.pointwatch_snmp = {
        cpu_ms_per_device: pwSnmpCpuMs,
        cpu_ms_per_device_steady: pwSnmp.cpu_s_per_1000_site_polls_steady,
        wall_s_per_pass: pwSnmp.cycle_wall_s.median,
        snmpd_cpu_ms_per_device: Math.round(pwSnmpAgentMs * 1000) / 1000,
        timeouts: pwSnmp.per_cycle.reduce((a, c) => a + c.snmp_timeouts, 0),
        errors: pwSnmp.per_cycle.reduce((a, c) => a + c.snmp_errors, 0),
      };
      progress(`peers: bare net-snmp (kept sessions, one GETBULK per device), ${passes} passes`);
      const bare = await benchNetSnmpBare(fleet!.sites, s, passes, o.ifMax || 4);
      peers.net_snmp_bare = bare;
      peers.ratio_snmp_cpu_pointwatch_over_net_snmp_bare = bare.cpu_ms_per_device > 0 ? Math.round((pwSnmpCpuMs / bare.cpu_ms_per_device) * 1000) / 1000 : null;
      if (fs.existsSync(EXPORTER_BIN)) {
        progress(`peers: snmp_exporter, ${passes} passes over ${fleet!.sites.length} sites, concurrency 50`);
        const ex = await startExporter(mkdir('exporter'), s);
        try {
          const er = await benchExporter(ex, fleet!.sites, passes, snmpdPids, 50);
          peers.snmp_exporter = er;
          peers.ratio_snmp_cpu_pointwatch_over_exporter = Math.round((pwSnmpCpuMs / er.cpu_ms_per_device) * 1000) / 1000;
          peers.ratio_snmp_wall_pointwatch_over_exporter = Math.round((pwSnmp.cycle_wall_s.median / er.wall_s_per_pass) * 1000) / 1000;
        } finally {
          await ex.stop();
        }
      } else {
        peers.snmp_exporter = `not installed (${EXPORTER_BIN})`;
      }
      // fping alone vs pointwatch's ping path (no SNMP, no store).
      progress(`peers: pointwatch ping only, ${passes} cycles`);
      const pwPing = await runThroughput({
        settings: s, sites: fleet!.sites, cycles: passes, ping: true, snmp: false, store: false, alerting: false,
        dataDir: mkdir('pw-ping'), logger, influxdPid: null, snmpdPids: [], spreadMs: 0, intervalS: 0, progress,
      });
      progress(`peers: fping alone, ${passes} passes`);
      const fa = await benchFpingAlone(fleet!.sites.map((x) => x.host), s, passes);
      const pwPingMsPerHost = ((pwPing.cpu_ms_per_site_poll * pwPing.sites * pwPing.cycles / 1000 + pwPing.fping_cpu_s) / (pwPing.sites * pwPing.cycles)) * 1000;
      peers.pointwatch_ping = {
        self_cpu_ms_per_host: pwPing.cpu_ms_per_site_poll,
        fping_cpu_ms_per_host: Math.round((pwPing.fping_cpu_s / (pwPing.sites * pwPing.cycles)) * 1e6) / 1000,
        total_cpu_ms_per_host: Math.round(pwPingMsPerHost * 1000) / 1000,
        wall_s_per_pass: pwPing.cycle_wall_s.median,
      };
      peers.fping_alone = fa;
      peers.ratio_ping_cpu_pointwatch_over_fping = fa.cpu_ms_per_host > 0 ? Math.round((pwPingMsPerHost / fa.cpu_ms_per_host) * 1000) / 1000 : null;
      peers.ratio_ping_wall_pointwatch_over_fping = Math.round((pwPing.cycle_wall_s.median / fa.wall_s_per_pass) * 1000) / 1000;
      result.peers = peers;
    }

    // ---------------------------------------------------------------- 3. time to notify
    let nt: NotifyResult | null = null;
    if (o.notify) {
      const nf = Math.min(o.notifyFleet ?? Math.min(o.sites, 1000), fleet!.sites.length);
      progress(`notify: ${o.notifyDown} down + ${o.notifyPairs} pairs (60 s apart) + ${o.notifyLossy} lossy sites among ${nf} healthy, interval ${o.notifyInterval} s, faults over ${o.notifySpread} s`);
      const s = base('bench_notify');
      s.poller.ping.interval_s = Math.max(5, o.notifyInterval);
      nt = await runNotify({
        settings: s, fleet: fleet!.sites.slice(0, nf), down: o.notifyDown, pairs: o.notifyPairs, lossy: o.notifyLossy, intervalS: o.notifyInterval,
        spreadS: o.notifySpread, lossProbability: 0.3, dataDir: mkdir('notify'), nsPrefix: o.tmpPrefix, logger, progress,
      });
      result.notify = nt;
    }

    // Stop the fleet before the report phase: it needs neither, and the machine is small.
    await fleet?.stop();
    fleet = null;

    // ---------------------------------------------------------------- 4. report speed
    let rp: ReportResult | null = null;
    if (o.report) {
      const { benchSite, siteAddress } = await import('./fleet.js');
      const sites = Array.from({ length: o.reportSites }, (_, i) => benchSite(i, siteAddress(i), 161));
      progress(`report: ${o.reportSites} sites × ${o.reportDays} days of 1-hour rollups (${o.reportMeasurements})`);
      const measurements = o.reportMeasurements.split(',').map((x) => x.trim()).filter(Boolean);
      let reportInfluxd: Influxd | null = influxd;
      let existingEnd: number | undefined;
      let onGenerated: ((end: number, points: number) => void) | undefined;
      if (o.reportData) {
        // A kept dataset: its own influxd on that dir (the helper leaves a dir it did not create).
        const dir = path.resolve(o.reportData);
        const metaFile = path.join(dir, 'bench-report.json');
        const want = { sites: o.reportSites, days: o.reportDays, measurements };
        if (fs.existsSync(metaFile)) {
          const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as typeof want & { end: number };
          if (meta.sites === want.sites && meta.days === want.days && meta.measurements.join() === want.measurements.join()) existingEnd = meta.end;
          else throw new Error(`--report-data ${dir} holds ${meta.sites} sites × ${meta.days} days (${meta.measurements.join()}): use another dir`);
        } else if (fs.existsSync(dir) && fs.readdirSync(dir).length) {
          throw new Error(`--report-data ${dir} is not empty and has no complete dataset (bench-report.json): remove it or use another dir`);
        }
        fs.mkdirSync(dir, { recursive: true });
        onGenerated = (end) => fs.writeFileSync(metaFile, JSON.stringify({ ...want, end }));
        reportInfluxd = await startInfluxd({ dir, cqRunInterval: '1s' });
        progress(`report influxd on ${reportInfluxd.url} (data ${dir})`);
      }
      try {
        const rs = base('bench_report');
        rs.influx.url = reportInfluxd!.url;
        rp = await runReportBench({
          settings: rs, sites, days: o.reportDays, measurements, influxdPid: reportInfluxd!.pid() ?? null, logger, progress, existingEnd, onGenerated,
        });
      } finally {
        if (reportInfluxd !== influxd) await reportInfluxd?.destroy();
      }
      result.report = rp;
    }
    result.finished_at = new Date().toISOString();
    result.machine = { ...(result.machine as object), loadavg_1m_end: machineInfo().loadavg_1m };

    const json = JSON.stringify(result, null, 2);
    if (o.out) { fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true }); fs.writeFileSync(o.out, `${json}\n`); }
    if (o.json) {
      process.stdout.write(`${json}\n`);
    } else {
      const rows: Array<[string, string]> = [];
      const m = result.machine as ReturnType<typeof machineInfo>;
      rows.push(['machine', `${m.nproc} × ${m.cpu_model}, ${m.ram_gb} GB, node ${m.node}, load ${m.loadavg_1m}`]);
      if (tp) {
        rows.push(['sites × cycles', `${tp.sites} × ${tp.cycles} (ping ${tp.ping}, store ${tp.store}, alerting ${tp.alerting})`]);
        rows.push(['cycle wall s (median / max)', `${f(tp.cycle_wall_s.median)} / ${f(tp.cycle_wall_s.max)}`]);
        rows.push(['pointwatch CPU s per 1,000 site-polls', `${f(tp.cpu_s_per_1000_site_polls, 3)} (steady: ${f(tp.cpu_s_per_1000_site_polls_steady, 3)})`]);
        rows.push(['fping CPU s / influxd CPU s / snmpd CPU s', `${f(tp.fping_cpu_s)} / ${f(tp.influxd_cpu_s)} / ${f(tp.snmpd_cpu_s)}`]);
        rows.push(['cores used if polled every 60 s', f(tp.total_cores_at_60s, 3)]);
        rows.push(['RSS peak MB', String(tp.rss_mb_peak)]);
        rows.push(['points written / per s / lost', `${tp.points_written} / ${tp.points_per_s} / ${tp.points_lost ?? '-'}`]);
      }
      const pe = result.peers as Record<string, any> | undefined;
      if (pe) {
        if (typeof pe.snmp_exporter === 'object') {
          rows.push(['SNMP CPU ms/device pointwatch vs snmp_exporter', `${f(pe.pointwatch_snmp.cpu_ms_per_device, 3)} vs ${f(pe.snmp_exporter.cpu_ms_per_device, 3)} (ratio ${f(pe.ratio_snmp_cpu_pointwatch_over_exporter, 3)})`]);
          rows.push(['SNMP wall s/pass pointwatch vs snmp_exporter', `${f(pe.pointwatch_snmp.wall_s_per_pass)} vs ${f(pe.snmp_exporter.wall_s_per_pass)} (ratio ${f(pe.ratio_snmp_wall_pointwatch_over_exporter, 3)})`]);
        } else rows.push(['snmp_exporter', String(pe.snmp_exporter)]);
        if (pe.net_snmp_bare) rows.push(['SNMP CPU ms/device pointwatch vs bare net-snmp', `${f(pe.pointwatch_snmp.cpu_ms_per_device, 3)} vs ${f(pe.net_snmp_bare.cpu_ms_per_device, 3)} (ratio ${f(pe.ratio_snmp_cpu_pointwatch_over_net_snmp_bare, 3)})`]);
        rows.push(['ping CPU ms/host pointwatch(+fping) vs fping alone', `${f(pe.pointwatch_ping.total_cpu_ms_per_host, 3)} vs ${f(pe.fping_alone.cpu_ms_per_host, 3)} (ratio ${f(pe.ratio_ping_cpu_pointwatch_over_fping, 3)})`]);
        rows.push(['ping wall s/pass pointwatch vs fping alone', `${f(pe.pointwatch_ping.wall_s_per_pass)} vs ${f(pe.fping_alone.wall_s_per_pass)} (ratio ${f(pe.ratio_ping_wall_pointwatch_over_fping, 3)})`]);
      }
      if (nt) {
        rows.push(['time to notify s (median / max)', nt.time_to_notify_s ? `${f(nt.time_to_notify_s.median, 1)} / ${f(nt.time_to_notify_s.max, 1)} (${nt.notified}/${nt.down_sites} notified, interval ${nt.interval_s} s)` : `none of ${nt.down_sites} notified`]);
        if (nt.wait_for_cycle_s && nt.cycle_start_to_notify_s) {
          rows.push(['  of which: wait for next cycle / cycle start → notified', `median ${f(nt.wait_for_cycle_s.median, 1)} / ${f(nt.cycle_start_to_notify_s.median, 1)}, max ${f(nt.wait_for_cycle_s.max, 1)} / ${f(nt.cycle_start_to_notify_s.max, 1)}`]);
        }
        if (nt.pairs) {
          const pr = nt.pairs;
          rows.push(['two failures in one commune 60 s apart (first / second)', pr.first_s && pr.second_s ? `median ${f(pr.first_s.median, 1)} / ${f(pr.second_s.median, 1)}, max ${f(pr.first_s.max, 1)} / ${f(pr.second_s.max, 1)} (${pr.notified}/${2 * pr.pairs} notified)` : `${pr.notified}/${2 * pr.pairs} notified`]);
        }
        rows.push(['false DOWNs on 30 % loss', `${nt.false_downs} in ${nt.lossy_checks} checks of ${nt.lossy_sites} sites (${f(nt.lossy_site_hours)} site-hours)`]);
      }
      if (rp) rows.push(['coverage report, year × sites', `${f(rp.report_wall_s)} s (${rp.sites} sites, ${rp.days} days, ${rp.report_resolution}; data: ${rp.points_generated} points in ${f(rp.generate_wall_s, 0)} s)`]);
      process.stdout.write(`\npointwatch bench\n${table(rows)}\n`);
    }
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
