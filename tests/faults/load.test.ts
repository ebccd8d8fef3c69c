/**
 * Load: the status board (/board, every site in the inventory, worst first) served at a steady rate
 * to a SECOND PROCESS (autocannon, fixed duration and rate, on loopback) while the whole service
 * (src/main.ts, the real cron scheduler) polls a simulated fleet running in a THIRD process
 * (`pointwatch simulate`), and writes to a real influxd.
 *
 * Reported: board latency p50/p99, errors, non-2xx; polling cycles during the load, their
 * durations against the interval, and overruns (ticks skipped because a cycle was still running).
 * Asserted: 0 errors, 0 non-2xx, overruns during the load = 0, every cycle shorter than the
 * interval, and the poller made at least one full cycle during the load.
 *
 * Sites: PW_FAULTS_LOAD_SITES (default 1,000; the simulator's net-snmp agents cost ~1.7 ms CPU per
 * site-poll, so 2,000 sites on a shared 2-core CI machine spend most of the test in the first walk:
 * see the README for the 2,000-site run). PW_FAULTS_LOAD_INTERVAL_S (default 20: CI runs other test files beside this one on the same 2 cores), PW_FAULTS_LOAD_SECONDS (default 30).
 * Prints one FAULTS line for the README.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { AuthStore } from '../../src/api/auth/store.js';
import { silentLogger } from '../../src/core/logger.js';
import { startService, type Service } from '../../src/main.js';
import { startInfluxd, type Influxd } from '../helpers/influxd.js';
import { freeTcpPort } from '../helpers/ports.js';
import { CLI } from '../helpers/cli.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SITES = Number(process.env.PW_FAULTS_LOAD_SITES ?? 1000);
const INTERVAL_S = Number(process.env.PW_FAULTS_LOAD_INTERVAL_S ?? 20);
const LOAD_S = Number(process.env.PW_FAULTS_LOAD_SECONDS ?? 30);
const RATE = 10; // board requests per second, all connections together (a 200 KB page for 1,000 sites)
const PASSWORD = 'load-test-password-1';

let influxd: Influxd;
let sim: ChildProcess | null = null;
let svc: Service;
let dir = '';

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-faults-load-'));
  influxd = await startInfluxd();
  const basePort = 10_000 + Math.floor(Math.random() * (22_000 - SITES));
  const sitesFile = path.join(dir, 'sites.yaml');
  sim = spawn(process.execPath, [...CLI, 'simulate', '--sites', String(SITES), '--base-port', String(basePort), '--no-netns', '--out', sitesFile], {
    env: { ...process.env, POINTWATCH_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  sim.stderr!.resume();
  await new Promise<void>((resolve, reject) => {
    readline.createInterface({ input: sim!.stdout! }).once('line', () => resolve());
    sim!.once('exit', (c) => reject(new Error(`simulate exited ${c}`)));
  });
  const apiPort = await freeTcpPort();
  const settingsFile = path.join(dir, 'pointwatch.yaml');
  fs.writeFileSync(settingsFile, stringify({
    inventory: 'sites.yaml',
    runbooks_dir: path.join(ROOT, 'config/runbooks'),
    data_dir: path.join(dir, 'data'),
    log_level: 'warn',
    influx: { url: influxd.url, database: 'pwload' },
    poller: {
      ping: { interval_s: INTERVAL_S },
      snmp: { system_interval_s: INTERVAL_S, interfaces_interval_s: INTERVAL_S },
      spread: true,
    },
    api: { host: '127.0.0.1', port: apiPort, public_url: `http://127.0.0.1:${apiPort}` },
  }));
  svc = await startService({ config: settingsFile, schedule: true, logger: silentLogger() });
  const auth = new AuthStore(svc.db);
  await auth.addUser('viewer', 'admin', [], PASSWORD); // admin: the board shows the whole fleet
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

interface Metrics { cycles: number; overruns: number; duration_s: number; written: number }

async function metrics(): Promise<Metrics> {
  const text = await (await fetch(`${svc.url}/metrics`)).text();
  const get = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    cycles: get('pointwatch_cycles_total'),
    overruns: get('pointwatch_cycle_overruns_total'),
    duration_s: get('pointwatch_cycle_duration_seconds'),
    written: get('pointwatch_points_written_total'),
  };
}

describe('status board under load while polling', () => {
  it(`serves ${RATE} boards/s for ${LOAD_S} s with no error while polling keeps up`, async () => {
    // Warm-up: the first cycle walks every router's tables (the expensive one); start measuring after a steady cycle.
    const warm = Date.now();
    for (;;) {
      const m = await metrics();
      if (m.cycles >= 2 && m.duration_s > 0) break;
      if (Date.now() - warm > 150_000) throw new Error(`the poller did not finish two cycles in 150 s (${JSON.stringify(m)})`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const login = await fetch(`${svc.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'viewer', password: PASSWORD }) });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const probe = await fetch(`${svc.url}/board`, { headers: { cookie } });
    expect(probe.status).toBe(200);
    const boardBytes = (await probe.text()).length;
    expect(boardBytes).toBeGreaterThan(SITES * 50); // the whole fleet is on it

    const before = await metrics();
    const durations: number[] = [];
    let lastCycles = before.cycles;
    const watcher = setInterval(() => {
      void metrics().then((m) => {
        if (m.cycles !== lastCycles) { lastCycles = m.cycles; durations.push(m.duration_s); }
      }).catch(() => undefined);
    }, 500);
    const ac = spawn(process.execPath, [path.join(ROOT, 'node_modules/autocannon/autocannon.js'), '--json', '-d', String(LOAD_S), '-R', String(RATE), '-c', '10', '-H', `cookie=${cookie}`, '-H', 'accept-encoding=gzip', `${svc.url}/board`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    ac.stdout!.on('data', (c) => (out += c));
    ac.stderr!.on('data', (c) => (err += c));
    const code = await new Promise<number | null>((r) => ac.once('exit', r));
    await new Promise((r) => setTimeout(r, 1000));
    clearInterval(watcher);
    const after = await metrics();
    if (after.cycles !== lastCycles) durations.push(after.duration_s);
    expect(code, err).toBe(0);
    const r = JSON.parse(out) as { requests: { total: number; average: number }; latency: { p50: number; p99: number; max: number }; errors: number; timeouts: number; non2xx: number; '2xx': number };
    const cycles = after.cycles - before.cycles;
    const overruns = after.overruns - before.overruns;
    const maxCycle = Math.max(...durations, 0);
    process.stdout.write(
      `FAULTS load: sites=${SITES} board_bytes=${boardBytes} rate=${RATE}/s duration_s=${LOAD_S} requests=${r.requests.total} ok_2xx=${r['2xx']} ` +
      `p50_ms=${r.latency.p50} p99_ms=${r.latency.p99} max_ms=${r.latency.max} errors=${r.errors} timeouts=${r.timeouts} non2xx=${r.non2xx} ` +
      `interval_s=${INTERVAL_S} cycles_during_load=${cycles} cycle_s=${durations.map((d) => d.toFixed(1)).join('/')} overruns=${overruns} points_written=${after.written - before.written}\n`,
    );
    expect(r.errors).toBe(0);
    expect(r.timeouts).toBe(0);
    expect(r.non2xx).toBe(0);
    // the load really ran (no latency/throughput bar here: figures are reported, a loaded CI machine is slower)
    expect(r['2xx']).toBeGreaterThanOrEqual(RATE * LOAD_S * 0.5);
    expect(cycles, 'the poller kept polling during the load').toBeGreaterThanOrEqual(1);
    expect(overruns).toBe(0);
    expect(maxCycle).toBeLessThan(INTERVAL_S);
    expect(after.written).toBeGreaterThan(before.written);
  }, 300_000);
});
