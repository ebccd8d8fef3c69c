/**
 * The peers, on the same fleet in the same run:
 *
 * - prometheus-snmp-exporter (Debian 0.21): an `if_mib` module reading exactly what pointwatch
 *   reads (sysDescr/sysObjectID/sysUpTime/sysName + the same 14 IF-MIB columns, v2c, GETBULK with
 *   the same max-repetitions, timeout and retries), every site scraped with concurrency 50.
 *   CPU per device from /proc/<pid>/stat of the exporter.
 * - fping alone over the same hosts with the same arguments and batching (the ICMP floor).
 * - a bare net-snmp script: kept sessions, one GETBULK per device (the SNMP floor in Node).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Settings, Site } from '../../src/config/schema.js';
import { fpingArgs, pingBatches } from '../../src/probes/ping/index.js';
import snmp from 'net-snmp';
import { IF_NUMBER, IF_TABLE, IF_X_TABLE, SYSTEM } from '../../src/probes/snmp/oids.js';
import { freeTcpPort } from '../helpers/ports.js';
import { pidCpuS, pidsCpuS, selfCpu } from './procstat.js';
import { COMMUNITY } from './fleet.js';
import { mapLimit } from '../../src/core/limiter.js';

const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;

// ------------------------------------------------------------------ snmp_exporter

export const EXPORTER_BIN = '/usr/bin/prometheus-snmp-exporter';

/** The `if_mib` module (0.21 format: `auth` inside the module). */
export function exporterConfig(settings: Settings): string {
  const s = settings.poller.snmp;
  const idx = ['    indexes:', '    - labelname: ifIndex', '      type: gauge'];
  const metric = (name: string, oid: string, type: string, table: boolean) => [
    `  - name: ${name}`, `    oid: ${oid}`, `    type: ${type}`, `    help: ${name}`, ...(table ? idx : []),
  ];
  const cols: Array<[string, string, string]> = [
    ...Object.entries(IF_TABLE).map(([n, o]) => [n, o, n === 'ifDescr' ? 'DisplayString' : 'gauge'] as [string, string, string]),
    ...Object.entries(IF_X_TABLE).map(([n, o]) => [n, o, n === 'ifName' ? 'DisplayString' : n.startsWith('ifHC') ? 'counter' : 'gauge'] as [string, string, string]),
  ];
  return [
    'if_mib:',
    '  walk:',
    ...cols.map(([, o]) => `  - ${o}`),
    '  get:',
    ...Object.values(SYSTEM).map((o) => `  - ${o}`),
    '  metrics:',
    ...metric('sysUpTime', SYSTEM.sysUpTime.replace(/\.0$/, ''), 'gauge', false),
    ...metric('sysDescr', SYSTEM.sysDescr.replace(/\.0$/, ''), 'DisplayString', false),
    ...metric('sysName', SYSTEM.sysName.replace(/\.0$/, ''), 'DisplayString', false),
    ...cols.flatMap(([n, o, t]) => metric(n, o, t, true)),
    '  version: 2',
    `  max_repetitions: ${s.max_repetitions}`,
    `  retries: ${s.retries}`,
    `  timeout: ${s.timeout_ms}ms`,
    '  auth:',
    `    community: ${COMMUNITY}`,
    '',
  ].join('\n');
}

export interface ExporterHandle { url: string; pid: number; stop(): Promise<void> }

export async function startExporter(dir: string, settings: Settings): Promise<ExporterHandle> {
  const cfg = path.join(dir, 'snmp.yml');
  fs.writeFileSync(cfg, exporterConfig(settings));
  const port = await freeTcpPort();
  const child: ChildProcess = spawn(EXPORTER_BIN, [`--config.file=${cfg}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { if (err.length < 5000) err += d.toString(); });
  let exited = false;
  const exitP = new Promise<void>((r) => child.once('exit', () => { exited = true; r(); }));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (exited) throw new Error(`snmp_exporter exited: ${err.slice(0, 1000)}`);
    try {
      const r = await fetch(`${url}/`);
      if (r.ok) break;
    } catch { /* not yet */ }
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`snmp_exporter did not answer: ${err.slice(0, 1000)}`); }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url, pid: child.pid!,
    async stop() {
      if (!exited) child.kill('SIGTERM');
      await Promise.race([exitP, new Promise((r) => setTimeout(r, 3000))]);
      if (!exited) child.kill('SIGKILL');
    },
  };
}

export interface ExporterResult {
  devices: number;
  passes: number;
  wall_s_per_pass: number;
  cpu_s: number;
  cpu_ms_per_device: number;
  snmpd_cpu_ms_per_device: number;
  failed_scrapes: number;
  /** Interfaces seen in the last scrape of the first site (sanity: the module read something). */
  interfaces_seen: number;
}

/** Scrape every site `passes` times through the exporter with `concurrency` scrapes in flight. */
export async function benchExporter(ex: ExporterHandle, sites: Site[], passes: number, snmpdPids: number[], concurrency = 50): Promise<ExporterResult> {
  let failed = 0;
  let interfaces = 0;
  const cpu0 = pidCpuS(ex.pid);
  const s0 = pidsCpuS(snmpdPids);
  const t0 = performance.now();
  for (let p = 0; p < passes; p++) {
    await mapLimit(sites, concurrency, async (s) => {
      if (s.snmp === false) return;
      try {
        const r = await fetch(`${ex.url}/snmp?target=${encodeURIComponent(`${s.host}:${s.snmp.port}`)}&module=if_mib`);
        const body = await r.text();
        if (!r.ok || !body.includes('ifHCInOctets{')) failed += 1;
        else if (s === sites[0]) interfaces = (body.match(/^ifHCInOctets\{/gm) ?? []).length;
      } catch {
        failed += 1;
      }
    });
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = pidCpuS(ex.pid) - cpu0;
  const devices = sites.length * passes;
  return {
    devices: sites.length, passes,
    wall_s_per_pass: round(wall / passes),
    cpu_s: round(cpu),
    cpu_ms_per_device: round((cpu / devices) * 1000, 4),
    snmpd_cpu_ms_per_device: round(((pidsCpuS(snmpdPids) - s0) / devices) * 1000, 4),
    failed_scrapes: failed,
    interfaces_seen: interfaces,
  };
}

// ------------------------------------------------------------------ fping alone

export interface FpingAloneResult {
  hosts: number;
  passes: number;
  wall_s_per_pass: number;
  cpu_s: number;
  cpu_ms_per_host: number;
  replies_pct: number;
}

function runFping(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn('fping', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
    c.once('error', reject);
    c.once('close', () => resolve(err));
  });
}

/** fping over the same hosts, same arguments, same batches and parallelism as the ping probe. */
export async function benchFpingAlone(hosts: string[], settings: Settings, passes: number): Promise<FpingAloneResult> {
  const p = settings.poller.ping;
  const opts = { count: p.count, period_ms: p.period_ms, timeout_ms: p.timeout_ms, interval_ms: p.interval_ms, batch_size: p.batch_size, parallel_batches: p.parallel_batches };
  const batches = pingBatches(hosts, p.batch_size, p.parallel_batches); // exactly the probe's split
  let replies = 0;
  const c0 = selfCpu().children_s;
  const t0 = performance.now();
  for (let k = 0; k < passes; k++) {
    await mapLimit(batches, p.parallel_batches, async (b) => {
      const out = await runFping(fpingArgs(opts, b));
      for (const line of out.split('\n')) {
        const m = /^\S+\s+:\s+(.*)$/.exec(line);
        if (m) replies += m[1]!.split(/\s+/).filter((x) => x !== '-' && x !== '').length;
      }
    });
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = selfCpu().children_s - c0;
  return {
    hosts: hosts.length, passes,
    wall_s_per_pass: round(wall / passes),
    cpu_s: round(cpu),
    cpu_ms_per_host: round((cpu / (hosts.length * passes)) * 1000, 4),
    replies_pct: round((replies / (hosts.length * passes * p.count)) * 100, 2),
  };
}

// ------------------------------------------------------------------ bare net-snmp

export interface NetSnmpBareResult {
  devices: number;
  passes: number;
  varbinds_asked: number;
  wall_s_per_pass: number;
  cpu_ms_per_device: number;
  failed: number;
}

/**
 * The floor for SNMP in Node: a bare net-snmp script, one session per site made once and kept, ONE
 * GETBULK per device per pass asking what pointwatch's steady poll asks (sysUpTime.0 and ifNumber.0
 * as non-repeaters, then the steady columns × `rows` repetitions), `concurrency` in flight, no
 * decoding past net-snmp's varbinds, nothing stored.
 * CPU is this process's (run it when nothing else runs in it).
 */
export async function benchNetSnmpBare(sites: Site[], settings: Settings, passes: number, rows = 4, concurrency = 200): Promise<NetSnmpBareResult> {
  const s = settings.poller.snmp;
  const cols = [
    IF_TABLE.ifSpeed, IF_TABLE.ifAdminStatus, IF_TABLE.ifOperStatus, IF_TABLE.ifInDiscards, IF_TABLE.ifInErrors, IF_TABLE.ifOutDiscards,
    IF_TABLE.ifOutErrors, IF_X_TABLE.ifHighSpeed, IF_X_TABLE.ifHCInOctets, IF_X_TABLE.ifHCOutOctets,
  ];
  const oids = [SYSTEM.sysUpTime.slice(0, -2), IF_NUMBER.slice(0, -2), ...cols];
  const withSnmp = sites.filter((x) => x.snmp !== false);
  const sessions = withSnmp.map((x) => snmp.createSession(x.host, COMMUNITY, {
    port: (x.snmp as { port?: number }).port ?? 161, version: snmp.Version2c, timeout: s.timeout_ms, retries: s.retries,
  }));
  let failed = 0;
  const idx = withSnmp.map((_, i) => i);
  const pass = () => mapLimit(idx, concurrency, (i) => new Promise<void>((resolve) => {
    sessions[i]!.getBulk(oids, 2, rows, (err) => { if (err) failed++; resolve(); });
  }));
  try {
    await pass(); // warm-up: not measured
    failed = 0;
    const c0 = selfCpu().self_s;
    const t0 = performance.now();
    for (let p = 0; p < passes; p++) await pass();
    const cpu = selfCpu().self_s - c0;
    const devices = withSnmp.length * passes;
    return {
      devices: withSnmp.length, passes, varbinds_asked: 2 + cols.length * rows,
      wall_s_per_pass: round((performance.now() - t0) / 1000 / passes),
      cpu_ms_per_device: round((cpu / devices) * 1000, 4),
      failed,
    };
  } finally {
    for (const x of sessions) x.close();
  }
}
