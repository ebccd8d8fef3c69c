/**
 * Measure the poll cycle against the simulator (not a test; prints figures):
 *   npx tsx tests/integration/poller/measure.ts [SITES=500] [CYCLES=3]
 * The simulator runs in its own process (`pointwatch simulate --no-netns`); this process is the
 * poller with the default settings (5 pings, SNMP timeout 2 s, concurrency 200, per agent 4),
 * spread OFF (every request in one burst: the worst case). Prints per cycle: wall time, poller
 * CPU, CPU per 1,000 site-polls, simulator CPU, and statuses.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import YAML from 'yaml';
import { settingsWithDefaults } from '../../../src/config/defaults.js';
import { systemClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { Inventory } from '../../../src/config/schema.js';
import { createPingProbe } from '../../../src/probes/ping/index.js';
import { createSnmpProbe } from '../../../src/probes/snmp/index.js';
import { createPoller } from '../../../src/poller/index.js';
import { CLI } from '../../helpers/cli.js';

const N = Number(process.argv[2] ?? 500);
const CYCLES = Number(process.argv[3] ?? 3);
const ROOT = path.resolve(import.meta.dirname, '../../..');
const dir = await mkdtemp(path.join(os.tmpdir(), 'pwmeasure-'));
const basePort = 10000 + Math.floor(Math.random() * Math.max(1, 22000 - N)); // below the ephemeral range
const sim = spawn(process.execPath, [...CLI, 'simulate', '--sites', String(N), '--base-port', String(basePort), '--no-netns', '--out', path.join(dir, 'sites.yaml')], {
  env: { ...process.env, POINTWATCH_LOG_LEVEL: 'warn' },
});
const t0 = Date.now();
const ready = await new Promise<{ control: string }>((resolve, reject) => {
  readline.createInterface({ input: sim.stdout }).once('line', (l) => resolve(JSON.parse(l)));
  sim.once('exit', (c) => reject(new Error(`simulate exited ${c}`)));
});
console.log(`simulator: ${N} agents ready in ${Date.now() - t0} ms`);
const simCpu = async () => {
  const f = (await readFile(`/proc/${sim.pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime+stime, clock ticks (100 Hz) → ms
};
/** CPU (ms) of this process's finished children: the fping processes. */
const childCpu = async () => {
  const f = (await readFile('/proc/self/stat', 'utf8')).split(') ')[1]!.split(' ');
  return ((Number(f[13]) + Number(f[14])) * 1000) / 100;
};
const simRss = async () => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${sim.pid}/status`, 'utf8'))![1]) / 1024;

const simRequests = async () =>
  ((await (await fetch(`${ready.control}/sites`)).json()) as Array<{ requests: number }>).reduce((a, s) => a + s.requests, 0);
const inv = YAML.parse(await readFile(path.join(dir, 'sites.yaml'), 'utf8')) as Inventory;
const settings = settingsWithDefaults({ poller: { spread: false, snmp: { concurrency: Number(process.env.CONC ?? 200) } } });
const ping = createPingProbe(settings.poller.ping);
const snmp = createSnmpProbe(settings.poller.snmp);
let statuses: Record<string, number> = {};
let durations: number[] = [];
const poller = createPoller({
  settings, sites: inv.sites, ping, snmp, clock: systemClock, logger: silentLogger(),
  onCheck: (cs) => { for (const c of cs) { if (!c.recheck && c.snmp) durations.push(c.snmp.duration_ms); const k = `${c.recheck ? 're:' : ''}${c.snmp?.status}/${c.ping?.received}`; statuses[k] = (statuses[k] ?? 0) + 1; } },
});
const pct = (q: number) => {
  const d = durations.slice().sort((a, b) => a - b);
  return d.length ? Math.round(d[Math.min(d.length - 1, Math.floor(q * d.length))]!) : 0;
};
for (let c = 1; c <= CYCLES; c++) {
  statuses = {};
  durations = [];
  const cpu0 = process.cpuUsage();
  const f0 = await childCpu();
  const s0 = await simCpu();
  const r0 = await simRequests();
  const w0 = Date.now();
  const st = await poller.runCycle(c, { spreadMs: 0 });
  const wall = Date.now() - w0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const simMs = (await simCpu()) - s0;
  const fpingMs = (await childCpu()) - f0;
  const reqs = (await simRequests()) - r0;
  console.log(
    `cycle ${c}: ${N} sites in ${wall} ms; poller CPU ${cpuMs.toFixed(0)} ms (${((cpuMs / N) * 1000).toFixed(0)} ms per 1,000 site-polls) + fping ${fpingMs.toFixed(0)} ms; ` +
      `simulator CPU ${simMs.toFixed(0)} ms (${(simMs / N).toFixed(2)} ms/site, ${reqs} SNMP requests, ${((simMs / reqs) * 1000).toFixed(0)} µs each); failed ${st.failed}, rechecked ${st.rechecked}; ${JSON.stringify(statuses)}; ` +
      `SNMP per site p50/p90/max ${pct(0.5)}/${pct(0.9)}/${pct(1)} ms`,
  );
  await new Promise((r) => setTimeout(r, 2000));
}
for (const only of ['ping', 'snmp'] as const) {
  const w0 = Date.now();
  const cpu0 = process.cpuUsage();
  await poller.runCycle(CYCLES + 1, { spreadMs: 0, ping: only === 'ping', snmp: only === 'snmp' });
  const cpu = process.cpuUsage(cpu0);
  console.log(`${only} only: ${Date.now() - w0} ms, poller CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms`);
}
console.log(`load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs (wall times are only meaningful on an idle machine)`);
console.log(`simulator RSS ${(await simRss()).toFixed(0)} MiB, poller RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
snmp.close();
sim.kill('SIGTERM');
await new Promise((r) => sim.once('exit', r));
await rm(dir, { recursive: true, force: true });
