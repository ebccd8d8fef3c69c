/**
 * The fleet simulator on the wire: real net-snmp manager sessions against its agents (v2c, v3
 * authPriv, 32-bit-only), counters and uptime that really move, SNMP-level faults, the HTTP
 * control API, and (as root) the namespace where ICMP down and loss are real for fping.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import snmp from 'net-snmp';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger.js';
import { Inventory } from '../../../src/config/schema.js';
import { Value } from '@sinclair/typebox/value';
import { createFleet, DEFAULT_CREDS, type Fleet } from '../../../src/sim/fleet.js';
import { parseFaultSpec } from '../../../src/sim/faults.js';

// below the ephemeral range (32768+), where other tests' sockets come from
const basePort = 10000 + Math.floor(Math.random() * 20000);
let fleet: Fleet;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pwsim-test-'));
  // 10 sites: sim-0004 (i=3) is 32-bit only, sim-0005 (i=4) is v3; sim-0009 lossy and sim-0010 down in the namespace
  fleet = await createFleet({ sites: 10, basePort, loopbackBlock: 22, faults: parseFaultSpec('lossy:0.5@sim-0009,down@sim-0010'), logger: silentLogger() });
});
afterAll(async () => {
  const name = fleet?.netns.name;
  await fleet?.close();
  if (name) expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(name);
  await rm(dir, { recursive: true, force: true });
});

type Vb = { oid: string; type: number; value: unknown };
function session(id: string, timeout = 2000, retries = 1) {
  const s = fleet.sites.find((x) => x.id === id)!;
  const a = s.snmp;
  if (a === false) throw new Error('no snmp');
  if (a.version === '3') {
    return snmp.createV3Session(s.host, {
      name: a.user, level: snmp.SecurityLevel.authPriv,
      authProtocol: snmp.AuthProtocols.sha, authKey: a.auth!.key, privProtocol: snmp.PrivProtocols.aes, privKey: a.priv!.key,
    } as snmp.User, { port: a.port, timeout, retries, version: snmp.Version3 } as unknown as snmp.SessionOptionsV3);
  }
  return snmp.createSession(s.host, a.community, { port: a.port, timeout, retries, version: snmp.Version2c } as snmp.SessionOptions);
}
const get = (id: string, oids: string[], timeout = 2000) =>
  new Promise<Vb[]>((resolve, reject) => {
    const s = session(id, timeout);
    s.get(oids, (err, vbs) => { s.close(); if (err) reject(err); else resolve(vbs as Vb[]); });
  });
const walk = (id: string, base: string) =>
  new Promise<Vb[]>((resolve, reject) => {
    const s = session(id);
    const out: Vb[] = [];
    s.subtree(base, 20, (vbs) => { out.push(...(vbs as Vb[])); }, (err) => { s.close(); if (err) reject(err); else resolve(out); });
  });
const u64 = (b: unknown) => BigInt(`0x${(b as Buffer).toString('hex') || '0'}`);

describe('simulated routers on the wire', () => {
  it('serve the system group; sysUpTime really counts', async () => {
    const [descr, oid, up1, name] = await get('sim-0001', ['1.3.6.1.2.1.1.1.0', '1.3.6.1.2.1.1.2.0', '1.3.6.1.2.1.1.3.0', '1.3.6.1.2.1.1.5.0']);
    expect(String(descr!.value)).toMatch(/RouterOS/);
    expect(oid!.value).toBe('1.3.6.1.4.1.14988.1');
    expect(String(name!.value)).toBe('sim-0001');
    await new Promise((r) => setTimeout(r, 300));
    const [up2] = await get('sim-0001', ['1.3.6.1.2.1.1.3.0']);
    expect((up2!.value as number) - (up1!.value as number)).toBeGreaterThanOrEqual(25);
  });

  it('serve ifTable + ifXTable with HC counters that move, below the interface speed', async () => {
    const a = await walk('sim-0002', '1.3.6.1.2.1.31.1.1.1.6');
    await new Promise((r) => setTimeout(r, 1000));
    const b = await walk('sim-0002', '1.3.6.1.2.1.31.1.1.1.6');
    expect(a.length).toBeGreaterThanOrEqual(3);
    const speeds = await walk('sim-0002', '1.3.6.1.2.1.31.1.1.1.15');
    const names = await walk('sim-0002', '1.3.6.1.2.1.31.1.1.1.1');
    expect(names.map((v) => String(v.value))).toEqual(fleet.router('sim-0002').model.spec.interfaces.map((i) => i.name));
    for (let i = 0; i < a.length; i++) {
      expect(a[i]!.type).toBe(snmp.ObjectType.Counter64);
      const bps = Number(u64(b[i]!.value) - u64(a[i]!.value)) * 8; // over ~1 s
      expect(bps).toBeGreaterThan(0);
      expect(bps).toBeLessThanOrEqual((speeds[i]!.value as number) * 1e6 * 1.2);
    }
  });

  it('a 32-bit-only device has no ifXTable; a walk of it ends cleanly', async () => {
    expect(fleet.router('sim-0004').model.spec.hc).toBe(false);
    const x = await walk('sim-0004', '1.3.6.1.2.1.31.1.1');
    expect(x).toEqual([]);
    const octets = await walk('sim-0004', '1.3.6.1.2.1.2.2.1.10');
    expect(octets.every((v) => v.type === snmp.ObjectType.Counter)).toBe(true);
  });

  it('a v3 device answers authPriv (SHA/AES) and ignores v2c', async () => {
    expect(fleet.router('sim-0005').model.spec.v3).toBe(true);
    const [name] = await get('sim-0005', ['1.3.6.1.2.1.1.5.0']);
    expect(String(name!.value)).toBe('sim-0005');
    const s = snmp.createSession('127.22.0.5', DEFAULT_CREDS.community, { port: basePort + 4, timeout: 300, retries: 0 } as snmp.SessionOptions);
    await expect(new Promise((res, rej) => s.get(['1.3.6.1.2.1.1.5.0'], (e, v) => { s.close(); if (e) rej(e); else res(v); }))).rejects.toThrow(/timed out/i);
  });

  it('faults on demand over the control API: down, slow, reboot, none', async () => {
    const port = await fleet.listenControl(0);
    const set = async (id: string, spec: string) => {
      const r = await fetch(`http://127.0.0.1:${port}/sites/${id}/fault?set=${spec}`, { method: 'POST' });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    expect((await set('sim-0003', 'down')).body).toMatchObject({ id: 'sim-0003', fault: 'down', fault_on: 'snmp' });
    await expect(get('sim-0003', ['1.3.6.1.2.1.1.3.0'], 300)).rejects.toThrow(/timed out/i);
    await set('sim-0003', 'slow:1500');
    const t0 = Date.now();
    await get('sim-0003', ['1.3.6.1.2.1.1.3.0'], 4000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1450);
    await expect(get('sim-0003', ['1.3.6.1.2.1.1.3.0'], 300)).rejects.toThrow(/timed out/i);
    expect((await set('sim-0003', 'reboot')).body).toMatchObject({ reboots: 1 });
    await set('sim-0003', 'none');
    const [up] = await get('sim-0003', ['1.3.6.1.2.1.1.3.0']);
    expect(up!.value as number).toBeLessThan(500);
    expect((await set('sim-0003', 'explode')).status).toBe(400);
    expect((await set('nope', 'down')).status).toBe(404);
    const list = (await (await fetch(`http://127.0.0.1:${port}/sites`)).json()) as Array<{ id: string; fault: string }>;
    expect(list.find((s) => s.id === 'sim-0010')!.fault).toBe('down');
  });

  it('writes an inventory that the schema accepts', async () => {
    const file = path.join(dir, 'sites.yaml');
    await fleet.writeInventory(file);
    const inv = YAML.parse(await readFile(file, 'utf8'));
    expect([...Value.Errors(Inventory, Value.Default(Inventory, inv))]).toEqual([]);
    expect(inv.sites).toHaveLength(10);
    expect(inv.sites[1].parent).toBe('sim-0001');
  });
});

describe('namespace faults (root): ICMP really dropped', () => {
  // fping writes -C results on stderr, whatever its exit code (1 = some host unreachable)
  const fping = (hosts: string[], count: number) =>
    spawnSync('fping', ['-C', String(count), '-q', '-p', '20', '-t', '200', '-i', '1', ...hosts], { encoding: 'utf8' }).stderr;
  const lost = (line: string) => line.split(':')[1]!.trim().split(/\s+/).filter((x) => x === '-').length;

  it('down drops every echo, lossy about half, and a healthy namespace host answers all', async () => {
    expect(fleet.netns.active).toBe(true);
    const h = (id: string) => fleet.sites.find((s) => s.id === id)!.host;
    expect(h('sim-0010')).toMatch(/^10\.251\.\d+\.\d+$/);
    const out = fping([h('sim-0009'), h('sim-0010')], 40).trim().split('\n');
    const line = (host: string) => out.find((l) => l.startsWith(`${host} `))!;
    expect(lost(line(h('sim-0010')))).toBe(40);
    const l9 = lost(line(h('sim-0009')));
    expect(l9).toBeGreaterThan(5);
    expect(l9).toBeLessThan(35);
    // clear the down fault: the same host answers, and SNMP through the namespace (DNAT) works
    await fleet.setFault('sim-0010', null);
    expect(lost(fping([h('sim-0010')], 5).trim())).toBe(0);
    const [name] = await get('sim-0010', ['1.3.6.1.2.1.1.5.0']);
    expect(String(name!.value)).toBe('sim-0010');
    await fleet.setFault('sim-0010', { kind: 'down' });
    await expect(get('sim-0010', ['1.3.6.1.2.1.1.5.0'], 300)).rejects.toThrow(/timed out/i);
  });

  it('flapping toggles the DROP rule: down for the period, then up', async () => {
    const host = fleet.sites.find((s) => s.id === 'sim-0010')!.host;
    const t0 = Date.now();
    await fleet.setFault('sim-0010', { kind: 'flapping', period_s: 2 });
    expect(lost(fping([host], 3).trim())).toBe(3); // first phase: down
    await new Promise((r) => setTimeout(r, Math.max(0, 2600 - (Date.now() - t0))));
    expect(lost(fping([host], 3).trim())).toBe(0); // second phase: up
    await fleet.setFault('sim-0010', { kind: 'down' });
  });
});

describe('without a namespace (--no-netns, or not root): faults are SNMP-level only, and it says so', () => {
  it('a down site still pings, its SNMP is unanswered', async () => {
    const port = 10000 + Math.floor(Math.random() * 20000);
    const f = await createFleet({ sites: 2, basePort: port, loopbackBlock: 24, netns: 'off', faults: parseFaultSpec('down@sim-0002'), logger: silentLogger() });
    try {
      expect(f.netns).toEqual({ active: false, reason: 'disabled (--no-netns): faults are SNMP-level only' });
      expect(f.state().find((s) => s.id === 'sim-0002')).toMatchObject({ fault: 'down', fault_on: 'snmp', host: '127.24.0.2' });
      const r = spawnSync('fping', ['-C', '3', '-q', '-p', '20', '-t', '300', '127.24.0.2'], { encoding: 'utf8' });
      expect(r.stderr).toMatch(/^127\.24\.0\.2 : [\d.]+ [\d.]+ [\d.]+/);
      const s = snmp.createSession('127.24.0.2', DEFAULT_CREDS.community, { port: port + 1, timeout: 300, retries: 0 } as snmp.SessionOptions);
      await expect(new Promise((res, rej) => s.get(['1.3.6.1.2.1.1.5.0'], (e, v) => { s.close(); if (e) rej(e); else res(v); }))).rejects.toThrow(/timed out/i);
      expect(f.router('sim-0002').agent.stats.dropped).toBeGreaterThanOrEqual(1);
    } finally {
      await f.close();
    }
  });
});

describe('a port already taken', () => {
  it('createFleet rejects with the address, and closes the agents it had started', async () => {
    const dgram = await import('node:dgram');
    const port = 10000 + Math.floor(Math.random() * 20000);
    const taken = dgram.createSocket('udp4');
    await new Promise<void>((r) => taken.bind(port + 1, '127.25.0.2', () => r()));
    try {
      await expect(createFleet({ sites: 3, basePort: port, loopbackBlock: 25, netns: 'off', logger: silentLogger() })).rejects.toThrow(/EADDRINUSE 127\.25\.0\.2/);
      // the agents of sim-0001 and sim-0003 were closed: their endpoints bind again
      for (const [addr, p] of [['127.25.0.1', port], ['127.25.0.3', port + 2]] as const) {
        const s = dgram.createSocket('udp4');
        await new Promise<void>((resolve, reject) => { s.once('error', reject); s.bind(p, addr, () => resolve()); });
        await new Promise<void>((r) => s.close(() => r()));
      }
    } finally {
      taken.close();
    }
  });
});
