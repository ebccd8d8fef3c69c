/**
 * `npm run bench:push -- [--sites 5000] [--interval 60] [--seconds 120] [--out FILE]`
 *
 * How many push reports one pointwatch process ingests: the service wired by src/main.ts (fastify
 * route, HMAC check, report parser, counter math, alert engine with SQLite, writer to a real
 * influxd), N push-only sites each reporting every `interval` seconds, sent by a load generator in
 * another process (tests/bench/push-load.ts: a new TCP connection per report, as routers do; plain
 * HTTP: TLS, when pointwatch terminates it, costs more per connection).
 * Measured over the whole run: this process's CPU (the service), influxd's CPU, reports accepted,
 * points in InfluxDB. The first interval (every site's first sample) is counted too.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { settingsWithDefaults, siteWithDefaults } from '../../src/config/defaults.js';
import { createLogger } from '../../src/core/logger.js';
import { startService } from '../../src/main.js';
import { PushTokenStore } from '../../src/push/tokens.js';
import { signingKey } from '../../src/push/signature.js';
import { startInfluxd } from '../helpers/influxd.js';
import { freeTcpPort } from '../helpers/ports.js';
import { machineInfo, pidCpuS, rssMb, selfCpu } from './procstat.js';

const o = new Command('bench:push')
  .option('--sites <n>', 'push sites', (v) => Number(v), 5000)
  .option('--interval <s>', 'seconds between two reports of a site', (v) => Number(v), 60)
  .option('--seconds <s>', 'how long the routers report', (v) => Number(v), 120)
  .option('--out <file>', 'also write the JSON result here')
  .parse(process.argv)
  .opts<{ sites: number; interval: number; seconds: number; out?: string }>();

const progress = (s: string) => process.stderr.write(`[bench:push ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pu-bench-push-'));
const influxd = await startInfluxd();
try {
  const sites = Array.from({ length: o.sites }, (_, i) => siteWithDefaults({
    id: `p${String(i).padStart(5, '0')}`, name: `Push point ${i}`, kind: 'cultural_house',
    province: `P${Math.floor(i / 1000)}`, group: `G${Math.floor(i / 100)}`, commune: `C${Math.floor(i / 10)}`, uplink: '4g',
    push: { interval_s: o.interval },
  }));
  const port = await freeTcpPort();
  const settings = settingsWithDefaults({
    data_dir: path.join(dir, 'data'), log_level: 'error', runbooks_dir: path.resolve('config/runbooks'),
    influx: { url: influxd.url, database: 'pubench' },
    api: { host: '127.0.0.1', port, public_url: `http://127.0.0.1:${port}` },
  });
  fs.writeFileSync(path.join(dir, 'pointwatch.yaml'), '{}\n');
  const svc = await startService({
    loaded: { settings, inventory: { sites, areas: [] }, settingsPath: path.join(dir, 'pointwatch.yaml'), inventoryPath: path.join(dir, 'sites.yaml'), warnings: [] },
    schedule: false, logger: createLogger({ level: 'error' }),
  });
  const store = new PushTokenStore(svc.db);
  const plan = { url: svc.url!, interval_s: o.interval, seconds: o.seconds, sites: sites.map((s) => ({ id: s.id, key: signingKey(store.issue(s.id)) })) };
  const planFile = path.join(dir, 'plan.json');
  fs.writeFileSync(planFile, JSON.stringify(plan));
  progress(`${o.sites} push sites every ${o.interval} s for ${o.seconds} s (${(o.sites / o.interval).toFixed(1)} reports/s) to ${svc.url}`);

  const cpu0 = selfCpu().self_s;
  const ifx0 = pidCpuS(influxd.pid()!);
  const t0 = performance.now();
  const load = spawn(process.execPath, ['--import', 'tsx', path.resolve('tests/bench/push-load.ts'), planFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  load.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  // after the first interval every site has reported once: from then on, the steady state
  let steady: { cpu: number; t: number; ifx: number } | null = null;
  const steadyTimer = setTimeout(() => { steady = { cpu: selfCpu().self_s, t: performance.now(), ifx: pidCpuS(influxd.pid()!) }; }, o.interval * 1000);
  let peakRss = rssMb();
  const rssTimer = setInterval(() => { peakRss = Math.max(peakRss, rssMb()); }, 1000);
  await new Promise((r) => load.on('close', r));
  clearInterval(rssTimer);
  clearTimeout(steadyTimer);
  const tEnd = performance.now();
  const wall = (tEnd - t0) / 1000;
  const cpuEnd = selfCpu().self_s;
  const cpu = cpuEnd - cpu0;
  const ifxEnd = pidCpuS(influxd.pid()!);
  const ifx = ifxEnd - ifx0;
  const st = steady as { cpu: number; t: number; ifx: number } | null;
  const steadyWall = st ? (tEnd - st.t) / 1000 : 0;
  const loadResult = JSON.parse(out.trim()) as { sent: number; status: Record<string, number>; latency_ms_p50: number; latency_ms_p99: number };
  await svc.stop();
  const count = async (m: string) => {
    const r = await fetch(`${influxd.url}/query?db=pubench&q=${encodeURIComponent(`SELECT count(received) FROM ${m}`)}`);
    const j = (await r.json()) as { results: Array<{ series?: Array<{ values: number[][] }> }> };
    return j.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
  };
  const accepted = loadResult.status['202'] ?? 0;
  const result = {
    bench: 'pointwatch push ingest',
    started_at: new Date().toISOString(),
    command: `npm run bench:push -- --sites ${o.sites} --interval ${o.interval} --seconds ${o.seconds}`,
    machine: machineInfo(),
    sites: o.sites, interval_s: o.interval, seconds: o.seconds,
    reports_sent: loadResult.sent, status: loadResult.status,
    reports_per_s: Math.round((accepted / wall) * 10) / 10,
    wall_s: Math.round(wall * 10) / 10,
    cpu_service_s: Math.round(cpu * 100) / 100,
    cores_service: Math.round((cpu / wall) * 1000) / 1000,
    cpu_ms_per_report: Math.round((cpu / Math.max(1, accepted)) * 1e6) / 1000,
    cores_service_steady: st && steadyWall > 0 ? Math.round(((cpuEnd - st.cpu) / steadyWall) * 1000) / 1000 : null,
    steady_window_s: Math.round(steadyWall * 10) / 10,
    cpu_influxd_s: Math.round(ifx * 100) / 100,
    cores_influxd_steady: st && steadyWall > 0 ? Math.round(((ifxEnd - st.ifx) / steadyWall) * 1000) / 1000 : null,
    cores_influxd: Math.round((ifx / wall) * 1000) / 1000,
    latency_ms_p50: loadResult.latency_ms_p50, latency_ms_p99: loadResult.latency_ms_p99,
    push_points_in_influxdb: await count('push'),
    peak_rss_mb: Math.round(peakRss),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.stderr.write(`\n  push ingest: ${accepted} reports accepted of ${loadResult.sent} in ${result.wall_s} s = ${result.reports_per_s}/s; service ${result.cores_service} of a core (${result.cpu_ms_per_report} ms CPU per report; after the first interval ${result.cores_service_steady}); influxd ${result.cores_influxd} of a core; p50 ${result.latency_ms_p50} ms, p99 ${result.latency_ms_p99} ms\n`);
  if (o.out) fs.writeFileSync(o.out, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await influxd.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
}
