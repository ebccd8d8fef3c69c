/**
 * The simulated fleet: N "routers" answered by Debian snmpd processes on loopback.
 *
 * Site i gets its own loopback address 127.100.x.y (all of 127/8 answers on `lo`, so fping sees N
 * distinct hosts) and SNMP v2c on that address. One snmpd process answers ~500 sites: its
 * endpoints `udp:127.100.x.y:P` are given on the command line (agentAddress lines stop at 128),
 * all on one port P per process (the addresses differ), checked free on 127.0.0.1 first.
 * IF-MIB shows the machine's real interfaces (lo, eth0, ...) with live counters.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PolledSite as Site } from '../../src/core/types.js';
import { siteWithDefaults } from '../../src/config/defaults.js';
import { freeUdpPorts } from '../helpers/ports.js';

export const SITES_PER_SNMPD = 500;
export const COMMUNITY = 'benchcommunity';

/** The loopback address of site i: 127.(100 + ⌊i/65024⌋).(⌊i/254⌋ mod 256).(i mod 254 + 1); never .0 or .255. */
export function siteAddress(i: number): string {
  const perA = 254 * 256;
  const a = 100 + Math.floor(i / perA);
  const r = i % perA;
  return `127.${a}.${Math.floor(r / 254)}.${(r % 254) + 1}`;
}

/** A generated inventory: 10 sites per commune, 10 communes per group, 10 groups per province (a province that uses groups). */
export function benchSite(i: number, host: string, port: number | null): Site {
  const commune = Math.floor(i / 10);
  const group = Math.floor(commune / 10);
  const province = Math.floor(group / 10);
  return { ...siteWithDefaults({
    id: `s${String(i).padStart(5, '0')}`,
    name: `Bench point ${i}`,
    kind: i % 2 === 0 ? 'cultural_house' : 'info_point',
    province: `P${province}`,
    group: `G${group}`,
    commune: `C${commune}`,
    host,
    snmp: port === null ? false : { version: '2c', community: COMMUNITY, port },
    uplink: i % 3 === 0 ? '4g' : 'fibre',
  }), host };
}

export interface Fleet {
  sites: Site[];
  /** PIDs of the snmpd processes (CPU accounting). */
  pids: number[];
  stop(): Promise<void>;
}

/**
 * Interfaces each router shows: the machine's ifIndex 1..IF_MAX (lo, eth0, ... made at boot), so
 * that network namespaces and veths other processes create meanwhile do not change the work per
 * router between runs. 0 = every interface.
 */
export const IF_MAX = 4;

/**
 * The VACM view: the system group, and the ifTable/ifXTable rows of ifIndex 1..ifMax. The mask
 * wildcards the column sub-identifier (ifEntry.C.I: 11 sub-ids, bit 10 off = ff:a0; ifXEntry.C.I:
 * 12 sub-ids, bit 11 off = ff:d0).
 */
export function viewLines(ifMax: number): string[] {
  if (ifMax <= 0) return ['view benchview included .1'];
  const out = ['view benchview included .1.3.6.1.2.1.1', 'view benchview included .1.3.6.1.2.1.2.1'];
  for (let i = 1; i <= ifMax; i++) {
    out.push(`view benchview included .1.3.6.1.2.1.2.2.1.1.${i} ff:a0`);
    out.push(`view benchview included .1.3.6.1.2.1.31.1.1.1.1.${i} ff:d0`);
  }
  return out;
}

export interface Agent { child: ChildProcess; dir: string; exited: Promise<void>; isExited(): boolean }

/** One snmpd answering on every endpoint given (`udp:ADDR:PORT`), optionally inside a network namespace. */
export async function startAgent(endpoints: string[], dir: string, netns?: string, ifMax = IF_MAX): Promise<Agent> {
  fs.mkdirSync(path.join(dir, 'persist'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'snmpd.conf'), [
    'dontLogTCPWrappersConnects yes', 'sysName bench-router', 'sysLocation pointwatch bench', 'sysContact bench@example.invalid',
    ...viewLines(ifMax),
    `rocommunity ${COMMUNITY} default -V benchview`, '',
  ].join('\n'), { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'snmp.conf'), 'mibs :\n');
  const args = ['-f', '-Lo', '-C', '-c', path.join(dir, 'snmpd.conf'), '-I', '-smux', `--persistentDir=${path.join(dir, 'persist')}`, endpoints.join(',')];
  const child = spawn(netns ? 'ip' : 'snmpd', netns ? ['netns', 'exec', netns, 'snmpd', ...args] : args, {
    env: { ...process.env, SNMPCONFPATH: dir, MIBS: '' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const onData = (d: Buffer) => { if (out.length < 20_000) out += d.toString(); };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  let exited = false;
  const exitedP = new Promise<void>((r) => child.once('exit', () => { exited = true; r(); }));
  child.once('error', (e) => { out += `spawn error: ${e.message}`; });
  const deadline = Date.now() + 15_000;
  while (!/NET-SNMP version/.test(out)) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`snmpd did not start: ${out.slice(0, 500) || 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  if (/Error opening specified endpoint|couldn't open/i.test(out)) {
    child.kill('SIGKILL');
    throw new Error(`snmpd could not bind: ${out.slice(0, 500)}`);
  }
  return { child, dir, exited: exitedP, isExited: () => exited };
}

export async function stopAgent(a: Agent): Promise<void> {
  if (!a.isExited()) a.child.kill('SIGTERM');
  await Promise.race([a.exited, new Promise((r) => setTimeout(r, 3000))]);
  if (!a.isExited()) a.child.kill('SIGKILL');
  fs.rmSync(a.dir, { recursive: true, force: true });
}

/** Start snmpd processes for `n` sites (ping-only sites when `snmp` is false: no snmpd at all). */
export async function startFleet(n: number, opts: { snmp?: boolean; perProcess?: number; ifMax?: number } = {}): Promise<Fleet> {
  const per = opts.perProcess ?? SITES_PER_SNMPD;
  const withSnmp = opts.snmp ?? true;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-bench-fleet-'));
  const agents: Agent[] = [];
  const sites: Site[] = [];
  // A crashed run must not leave hundreds of snmpd behind: kill by PID on exit.
  const onExit = () => { for (const a of agents) if (!a.isExited()) try { a.child.kill('SIGKILL'); } catch { /* gone */ } };
  process.once('exit', onExit);
  const stop = async () => {
    process.off('exit', onExit);
    for (const a of agents) if (!a.isExited()) a.child.kill('SIGTERM');
    await Promise.all(agents.map((a) => Promise.race([a.exited, new Promise((r) => setTimeout(r, 3000))])));
    for (const a of agents) if (!a.isExited()) a.child.kill('SIGKILL');
    fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    const groups = Math.ceil(n / per);
    for (let g = 0; g < groups; g++) {
      const first = g * per;
      const count = Math.min(per, n - first);
      if (!withSnmp) {
        for (let i = first; i < first + count; i++) sites.push(benchSite(i, siteAddress(i), null));
        continue;
      }
      let agent: Agent | null = null;
      let port = 0;
      for (let attempt = 0; attempt < 3 && !agent; attempt++) {
        [port] = await freeUdpPorts(1) as [number];
        const endpoints = Array.from({ length: count }, (_, k) => `udp:${siteAddress(first + k)}:${port}`);
        try {
          agent = await startAgent(endpoints, path.join(root, `snmpd${g}-${attempt}`), undefined, opts.ifMax ?? IF_MAX);
        } catch (err) {
          if (attempt === 2) throw err;
        }
      }
      agents.push(agent!);
      for (let i = first; i < first + count; i++) sites.push(benchSite(i, siteAddress(i), port));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { sites, pids: agents.map((a) => a.child.pid!), stop };
}
