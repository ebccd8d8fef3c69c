/**
 * Load: a flood of visitors on a public province page (autocannon from a SECOND PROCESS, a few
 * seconds, bounded connections, loopback) while the whole service (src/main.ts, the real cron
 * scheduler) polls a small simulated fleet in a THIRD process and writes to a real influxd.
 *
 * Asserted: the page is rendered at most once per cache_s per language whatever the visitors
 * (render count bounded), its 30-day history read at most once, no error, and the poller keeps
 * completing cycles during the flood. Timings and overruns are printed, never asserted.
 * Sites: PW_PUBLIC_LOAD_SITES (default 100); flood: PW_PUBLIC_LOAD_SECONDS (default 5), 20 connections.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { silentLogger } from '../../src/core/logger.js';
import { startService, type Service } from '../../src/main.js';
import { publicStatsFor } from '../../src/web/public/routes.js';
import { slug } from '../../src/web/public/model.js';
import { startInfluxd, type Influxd } from '../helpers/influxd.js';
import { freeTcpPort } from '../helpers/ports.js';
import { CLI } from '../helpers/cli.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SITES = Number(process.env.PW_PUBLIC_LOAD_SITES ?? 100);
const LOAD_S = Number(process.env.PW_PUBLIC_LOAD_SECONDS ?? 5);
const INTERVAL_S = 5;
const CACHE_S = 60;

let influxd: Influxd;
let sim: ChildProcess | null = null;
let svc: Service;
let dir = '';
let province = '';

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-public-load-'));
  influxd = await startInfluxd();
  const basePort = 10_000 + Math.floor(Math.random() * (22_000 - SITES));
  const sitesFile = path.join(dir, 'sites.yaml');
  sim = spawn(process.execPath, [...CLI, 'simulate', '--sites', String(SITES), '--base-port', String(basePort), '--no-netns', '--out', sitesFile], {
    env: { ...process.env, POINTWATCH_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  sim.stderr!.resume();
  await new Promise<void>((resolve, reject) => {
    readline.createInterface({ input: sim!.stdout! }).once('line', () => resolve());
    sim!.once('exit', (c) => reject(new Error(`simulate exited ${c}`)));
  });
  const inv = parse(fs.readFileSync(sitesFile, 'utf8')) as { sites: Array<{ province: string }> };
  province = inv.sites[0]!.province;
  const apiPort = await freeTcpPort();
  const settingsFile = path.join(dir, 'pointwatch.yaml');
  fs.writeFileSync(settingsFile, stringify({
    inventory: 'sites.yaml',
    runbooks_dir: path.join(ROOT, 'config/runbooks'),
    data_dir: path.join(dir, 'data'),
    log_level: 'warn',
    influx: { url: influxd.url, database: 'pbpublic' },
    poller: { ping: { interval_s: INTERVAL_S }, snmp: { system_interval_s: INTERVAL_S, interfaces_interval_s: INTERVAL_S, timeout_ms: 1000, retries: 1 }, spread: true },
    api: { host: '127.0.0.1', port: apiPort, public_url: `http://127.0.0.1:${apiPort}` },
    public: { enabled: true, provinces: [province], cache_s: CACHE_S },
  }));
  svc = await startService({ config: settingsFile, schedule: true, logger: silentLogger() });
}, 180_000);

afterAll(async () => {
  await svc?.stop();
  if (sim?.pid && sim.exitCode === null) {
    const exited = new Promise((r) => sim!.once('exit', r));
    sim.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (sim.exitCode === null) sim.kill('SIGKILL');
  }
  await influxd?.destroy();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function metrics(): Promise<{ cycles: number; overruns: number; duration_s: number }> {
  const text = await (await fetch(`${svc.url}/metrics`)).text();
  const get = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { cycles: get('pointwatch_cycles_total'), overruns: get('pointwatch_cycle_overruns_total'), duration_s: get('pointwatch_cycle_duration_seconds') };
}

describe('public page under a flood of visitors while polling', () => {
  it('renders the page once per cache period and the poll cycles still complete', async () => {
    const warm = Date.now();
    for (;;) {
      const m = await metrics();
      if (m.cycles >= 2 && m.duration_s > 0) break;
      if (Date.now() - warm > 120_000) throw new Error(`the poller did not finish two cycles in 120 s (${JSON.stringify(m)})`);
      await new Promise((r) => setTimeout(r, 300));
    }
    const url = `${svc.url}/public/${slug(province)}?lang=vi`;
    const first = await fetch(url);
    expect(first.status).toBe(200);
    const pageBytes = (await first.text()).length;
    const stats = publicStatsFor(svc.app.pw.deps);
    const before = { ...stats, ...(await metrics()) };
    const cpu0 = process.cpuUsage();
    const ac = spawn(process.execPath, [path.join(ROOT, 'node_modules/autocannon/autocannon.js'), '--json', '-d', String(LOAD_S), '-c', '20', '-H', 'accept-encoding=br, gzip', url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    ac.stdout!.on('data', (c) => (out += c));
    ac.stderr!.on('data', (c) => (err += c));
    const code = await new Promise<number | null>((r) => ac.once('exit', r));
    const cpu = process.cpuUsage(cpu0);
    // let the cycle running at the end of the flood finish: it must complete
    const end = Date.now();
    let after = await metrics();
    while (after.cycles <= before.cycles + 1 && Date.now() - end < 30_000) { await new Promise((r) => setTimeout(r, 300)); after = await metrics(); }
    expect(code, err).toBe(0);
    const r = JSON.parse(out) as { requests: { total: number; average: number }; latency: { p50: number; p99: number; max: number }; errors: number; timeouts: number; non2xx: number; '2xx': number };
    const renders = stats.renders - before.renders;
    const reads = stats.historyReads - before.historyReads;
    const cycles = after.cycles - before.cycles;
    process.stdout.write(
      `PUBLIC load: sites=${SITES} page_bytes=${pageBytes} duration_s=${LOAD_S} connections=20 requests=${r.requests.total} req_per_s=${r.requests.average} ` +
      `p50_ms=${r.latency.p50} p99_ms=${r.latency.p99} max_ms=${r.latency.max} errors=${r.errors} non2xx=${r.non2xx} renders=${renders} history_reads=${reads} ` +
      `service_cpu_s=${((cpu.user + cpu.system) / 1e6).toFixed(2)} interval_s=${INTERVAL_S} cycles_during=${cycles} last_cycle_s=${after.duration_s.toFixed(2)} overruns=${after.overruns - before.overruns}\n`,
    );
    expect(r.errors).toBe(0);
    expect(r.non2xx).toBe(0);
    expect(r['2xx']).toBeGreaterThan(100); // the flood really ran
    // within one cache period (cache_s 60 > the flood): not one more render, not one more history read
    expect(renders).toBe(0);
    expect(reads).toBe(0);
    expect(cycles, 'the poller completed cycles during and right after the flood').toBeGreaterThanOrEqual(1);
  }, 240_000);
});
