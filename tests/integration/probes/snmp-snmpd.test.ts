/**
 * SNMP probe against a REAL snmpd (net-snmp 5.9, Debian): v1, v2c, v3, wrong credentials, wrong
 * types (snmpd `override`), a closed port, per-agent concurrency, and no secret in results or logs.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import dgram from 'node:dgram';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { startSnmpd, type SnmpdHandle } from '../../helpers/snmpd.js';
import { startSnmpsim } from '../../helpers/snmpsim.js';
import { fileURLToPath } from 'node:url';
import { freeUdpPorts } from '../../helpers/ports.js';
import { createSnmpProbe } from '../../../src/probes/snmp/index.js';
import type { SnmpResult } from '../../../src/core/types.js';
import { CounterTracker } from '../../../src/metrics/counters.js';
import { testSite, capturingLogger, jsonBig } from './site.js';

const SECRETS = { community: 'c0mmunity-Secret', auth: 'authSecret-123', priv: 'privSecret-456', auth256: 'auth256-Secret-789' };
/** A UDP relay in front of an agent that counts requests and those in flight; answers are held `holdMs`. */
async function startRelay(targetPort: number, holdMs: number) {
  const [relayPort] = await freeUdpPorts(1);
  const relay = dgram.createSocket('udp4');
  const upstream = new Map<string, dgram.Socket>();
  const stats = { forwarded: 0, inFlight: 0, maxInFlight: 0, maxResponseBytes: 0, requestBytes: [] as number[] };
  let closed = false;
  relay.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`;
    let up = upstream.get(key);
    if (!up) {
      up = dgram.createSocket('udp4');
      up.on('message', (resp) => {
        stats.inFlight--;
        stats.maxResponseBytes = Math.max(stats.maxResponseBytes, resp.length);
        setTimeout(() => { if (!closed) relay.send(resp, rinfo.port, rinfo.address); }, holdMs);
      });
      upstream.set(key, up);
    }
    stats.forwarded++;
    stats.requestBytes.push(msg.length);
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    up.send(msg, targetPort, '127.0.0.1');
  });
  await new Promise<void>((r) => relay.bind(relayPort, '127.0.0.1', () => r()));
  return {
    port: relayPort!,
    stats,
    close: () => { closed = true; relay.close(); for (const u of upstream.values()) u.close(); },
  };
}

let agent: SnmpdHandle;
let badAgent: SnmpdHandle;
let port: number;
let closedPort: number;

beforeAll(async () => {
  const ports = await freeUdpPorts(3);
  port = ports[0]!;
  closedPort = ports[2]!;
  agent = await startSnmpd({
    ports: [port],
    communities: [SECRETS.community],
    v3Users: [
      { name: 'pwpriv', authProtocol: 'SHA', authKey: SECRETS.auth, privProtocol: 'AES', privKey: SECRETS.priv },
      { name: 'pwauth', authProtocol: 'SHA-256', authKey: SECRETS.auth256 },
    ],
    sysName: 'village-router',
  });
  // An agent that answers sysUpTime with a string and ifHCInOctets.1 with an integer (wrong types).
  badAgent = await startSnmpd({
    ports: [ports[1]!],
    communities: ['public'],
    extraConf: ['override 1.3.6.1.2.1.1.3.0 octet_str "up 3 days"', 'override 1.3.6.1.2.1.31.1.1.1.6.1 integer 42'],
  });
});

afterAll(async () => {
  await agent?.stop();
  await badAgent?.stop();
});

const v2c = () => ({ version: '2c', community: SECRETS.community, port });
const OPTS = { timeout_ms: 1500, retries: 0, max_repetitions: 20 };

describe('SNMP probe against real snmpd', () => {
  it('v2c: system and the real IF-MIB with 64-bit counters', async () => {
    const probe = createSnmpProbe(OPTS);
    try {
      const r = await probe.poll(testSite('v2c', v2c()), { system: true, interfaces: true });
      expect(r.status, r.reason).toBe('ok');
      expect(r.system).toMatchObject({ sys_name: 'village-router', sys_object_id: '1.3.6.1.4.1.8072.3.2.10' });
      expect(r.system!.uptime_ticks).toBeGreaterThanOrEqual(0);
      expect(r.system!.sys_descr).toMatch(/Linux/);
      const lo = r.interfaces!.find((i) => i.name === 'lo');
      expect(lo).toMatchObject({ counter_bits: 64, oper_up: true, admin_up: true, descr: 'lo' });
      expect(typeof lo!.in_octets).toBe('bigint');
      expect(lo!.in_octets! > 0n).toBe(true);
      // Same set of interfaces as the kernel has.
      expect(r.interfaces!.length).toBeGreaterThanOrEqual(1);
      expect(new Set(r.interfaces!.map((i) => i.index)).size).toBe(r.interfaces!.length);
    } finally {
      probe.close();
    }
  });

  it('system only: no interface walk', async () => {
    const probe = createSnmpProbe(OPTS);
    const r = await probe.poll(testSite('sys', v2c()), { system: true, interfaces: false });
    probe.close();
    expect(r.status).toBe('ok');
    expect(r.interfaces).toBeUndefined();
  });

  it('v1: GETNEXT walk, 32-bit counters only', async () => {
    const probe = createSnmpProbe(OPTS);
    const r = await probe.poll(testSite('v1', { version: '1', community: SECRETS.community, port }), { system: true, interfaces: true });
    probe.close();
    expect(r.status, r.reason).toBe('ok');
    expect(r.interfaces!.length).toBeGreaterThan(0);
    expect(r.interfaces!.every((i) => i.counter_bits === 32)).toBe(true);
    expect(r.interfaces!.find((i) => i.name === 'lo')!.in_octets! > 0n).toBe(true);
  });

  it('v3 authPriv SHA/AES and authNoPriv SHA-256 are ok', async () => {
    const probe = createSnmpProbe(OPTS);
    const priv = await probe.poll(
      testSite('v3p', { version: '3', user: 'pwpriv', auth: { protocol: 'sha', key: SECRETS.auth }, priv: { protocol: 'aes', key: SECRETS.priv }, port }),
      { system: true, interfaces: true },
    );
    const auth = await probe.poll(testSite('v3a', { version: '3', user: 'pwauth', auth: { protocol: 'sha256', key: SECRETS.auth256 }, port }), { system: true, interfaces: false });
    probe.close();
    expect(priv.status, priv.reason).toBe('ok');
    expect(priv.interfaces!.some((i) => i.name === 'lo' && i.counter_bits === 64)).toBe(true);
    expect(auth.status, auth.reason).toBe('ok');
    expect(auth.system!.sys_name).toBe('village-router');
  });

  it('v3 wrong auth key: error at once (Wrong Digest), not a timeout; no secret anywhere', async () => {
    const cap = capturingLogger();
    const probe = createSnmpProbe({ ...OPTS, timeout_ms: 3000, retries: 1 }, { logger: cap.logger });
    const wrongKey = 'wrong-Auth-Key-000';
    const r = await probe.poll(
      testSite('v3bad', { version: '3', user: 'pwpriv', auth: { protocol: 'sha', key: wrongKey }, priv: { protocol: 'aes', key: SECRETS.priv }, port }),
      { system: true, interfaces: true },
    );
    probe.close();
    expect(r.status).toBe('error');
    expect(r.reason).toMatch(/Wrong Digest/);
    expect(r.duration_ms).toBeLessThan(1000);
    const all = jsonBig(r) + cap.text();
    for (const s of [wrongKey, SECRETS.priv, SECRETS.auth]) expect(all).not.toContain(s);
    expect(cap.text()).toContain('snmp status changed');
  });

  it('v3 wrong privacy key: snmpd drops the request → timeout naming the possible cause', async () => {
    const probe = createSnmpProbe({ ...OPTS, timeout_ms: 300 });
    const r = await probe.poll(
      testSite('v3priv', { version: '3', user: 'pwpriv', auth: { protocol: 'sha', key: SECRETS.auth }, priv: { protocol: 'aes', key: 'wrong-Priv-Key-000' }, port }),
      { system: true, interfaces: false },
    );
    probe.close();
    expect(r.status).toBe('timeout');
    expect(r.reason).toContain('wrong v3 privacy key');
    expect(jsonBig(r)).not.toContain('wrong-Priv-Key-000');
  });

  it('wrong community: timeout (v2c agents stay silent), community not in the reason or logs', async () => {
    const cap = capturingLogger();
    const probe = createSnmpProbe({ ...OPTS, timeout_ms: 300, retries: 1 }, { logger: cap.logger });
    const r = await probe.poll(testSite('badc', { version: '2c', community: 'not-the-Community', port }), { system: true, interfaces: true });
    probe.close();
    expect(r).toMatchObject({ status: 'timeout', reason: 'no response within 300 ms × 2 tries (agent down, unreachable, or wrong community)' });
    // One timeout for the GET; the walk is not attempted.
    expect(r.duration_ms).toBeGreaterThanOrEqual(550);
    expect(r.duration_ms).toBeLessThan(1500);
    expect(jsonBig(r) + cap.text()).not.toContain('not-the-Community');
  });

  it('closed port: timeout', async () => {
    const probe = createSnmpProbe({ ...OPTS, timeout_ms: 200 });
    const r = await probe.poll(testSite('closed', { version: '2c', community: 'public', port: closedPort }), { system: true, interfaces: false });
    probe.close();
    expect(r.status).toBe('timeout');
  });

  it('wrong types from the agent become a clear error', async () => {
    const probe = createSnmpProbe(OPTS);
    const r = await probe.poll(testSite('types', { version: '2c', community: 'public', port: badAgent.ports[0] }), { system: true, interfaces: true });
    probe.close();
    expect(r.status).toBe('error');
    expect(r.reason).toContain('sysUpTime.0: expected TimeTicks, got OctetString');
    expect(r.reason).toContain('ifHCInOctets.1: expected Counter64, got Integer');
  });

  it('ping-only site (snmp: false) and a closed probe give an error result, never a throw', async () => {
    const probe = createSnmpProbe(OPTS);
    expect(await probe.poll(testSite('nosnmp', false), { system: true, interfaces: true })).toMatchObject({ status: 'error', reason: 'site has no SNMP access configured' });
    probe.close();
    expect(await probe.poll(testSite('late', v2c()), { system: true, interfaces: false })).toMatchObject({ status: 'error', reason: 'SNMP probe is closed' });
  });

  it('unknown host name: error, not a crash', async () => {
    const probe = createSnmpProbe({ ...OPTS, timeout_ms: 500 });
    const r = await probe.poll(testSite('dns', v2c(), { host: 'nosuchhost.invalid' }), { system: true, interfaces: false });
    probe.close();
    expect(r.status).toBe('error');
    expect(r.reason).toMatch(/did not resolve|ENOTFOUND|EAI_AGAIN/);
  });

  it('caps requests in flight per agent (counted by a UDP relay in front of snmpd)', async () => {
    const relay = await startRelay(port, 20);
    try {
      const probe = createSnmpProbe({ ...OPTS, per_agent_concurrency: 2 });
      // 8 sites behind the same agent address (host:port): at most 2 requests at a time.
      const sites = Array.from({ length: 8 }, (_, i) => testSite(`cap${i}`, { version: '2c', community: SECRETS.community, port: relay.port }));
      const rs = await Promise.all(sites.map((s) => probe.poll(s, { system: true, interfaces: false })));
      probe.close();
      expect(rs.every((r) => r.status === 'ok')).toBe(true);
      expect(relay.stats.forwarded).toBe(8);
      expect(relay.stats.maxInFlight).toBe(2);
    } finally {
      relay.close();
    }
  });

  it('walk requests: ONE GETBULK per poll for a small router, the steady ones smaller (no 32-bit octets), same result', async () => {
    // A device with a fixed table (2 interfaces): the host's own interface list changes while other tests run.
    const sim = await startSnmpsim({ files: [{ name: 'moving64', from: fileURLToPath(new URL('./data/moving64.snmprec', import.meta.url)) }] });
    const relay = await startRelay(sim.port, 0);
    try {
      const probe = createSnmpProbe({ ...OPTS, max_repetitions: 20, full_walk_every: 3 });
      const site = testSite('count', { version: '2c', community: 'moving64', port: relay.port });
      const counts: number[] = [];
      const results: SnmpResult[] = [];
      for (let i = 0; i < 4; i++) {
        const before = relay.stats.forwarded;
        results.push(await probe.poll(site, { system: true, interfaces: true }));
        counts.push(relay.stats.forwarded - before);
      }
      probe.close();
      for (const r of results) expect(r.status, r.reason).toBe('ok');
      // Full walk (polls 1 and 4, full_walk_every 3): one GETBULK of the system scalars + 3 rows of all
      // 14 columns (47 of the 56-varbind budget) sees the end of every column of this 2-row table.
      // Steady polls: one GETBULK of the system scalars + 2 rows of 12 columns (no 32-bit octets: the
      // agent has HC counters): a smaller request.
      expect(counts).toEqual([1, 1, 1, 1]);
      const [full1, steady1, steady2, full2] = relay.stats.requestBytes;
      // (sizes vary by a byte or two with the random request id)
      expect(steady1).toBeLessThan(full1! - 20);
      expect(Math.abs(steady2! - steady1!)).toBeLessThanOrEqual(2);
      expect(Math.abs(full2! - full1!)).toBeLessThanOrEqual(2);
      // The steady polls say exactly what the full walks say (counters move: compare everything else).
      const shape = (r: SnmpResult) => ({
        system: { ...r.system, uptime_ticks: 0 },
        interfaces: r.interfaces!.map((i) => Object.fromEntries(Object.entries(i).map(([k, v]) => [k, typeof v === 'bigint' ? 'bigint' : v]))),
      });
      expect(results[1]!.interfaces!.map((i) => i.name)).toEqual(['ether1', 'wlan1']);
      for (const r of results.slice(1)) expect(shape(r)).toEqual(shape(results[0]!));
      expect(results.map((r) => typeof r.interfaces![0]!.in_octets)).toEqual(['bigint', 'bigint', 'bigint', 'bigint']);
    } finally {
      relay.close();
      await sim.stop();
    }
  });

  it('deadline_ms: no new request once the poll budget is spent → timeout naming the budget', async () => {
    const relay = await startRelay(port, 150);
    try {
      // 1 varbind per request: the walk needs dozens of 150 ms round trips (several seconds without a budget).
      const probe = createSnmpProbe({ ...OPTS, max_varbinds_per_request: 1, deadline_ms: 600 });
      const r = await probe.poll(testSite('budget', { version: '2c', community: SECRETS.community, port: relay.port }), { system: true, interfaces: true });
      probe.close();
      expect(r).toMatchObject({ status: 'timeout', reason: 'poll took longer than its 600 ms budget' });
      expect(r.system).toBeDefined();
      expect(r.duration_ms).toBeLessThan(2000);
    } finally {
      relay.close();
    }
  });

  it('answers stay near one MTU on the real IF-MIB (no IP fragmentation on mobile links)', async () => {
    const relay = await startRelay(port, 0);
    try {
      const probe = createSnmpProbe(OPTS);
      const site = testSite('mtu', { version: '2c', community: SECRETS.community, port: relay.port });
      for (let i = 0; i < 2; i++) expect((await probe.poll(site, { system: true, interfaces: true })).status).toBe('ok');
      probe.close();
      console.log(`[probes] largest SNMP answer on this host's IF-MIB: ${relay.stats.maxResponseBytes} bytes`);
      expect(relay.stats.maxResponseBytes).toBeLessThanOrEqual(1472);
    } finally {
      relay.close();
    }
  });

  it('malformed and truncated responses: error naming the cause, not a crash', async () => {
    const [garbagePort, truncPort] = await freeUdpPorts(2);
    // 1) an "agent" that answers every request with bytes that are not SNMP
    const garbage = dgram.createSocket('udp4');
    garbage.on('message', (_m, r) => garbage.send(Buffer.from('3082ffff0201', 'hex'), r.port, r.address));
    // 2) a relay that cuts every real snmpd answer in half
    const trunc = dgram.createSocket('udp4');
    const up = dgram.createSocket('udp4');
    let client: dgram.RemoteInfo | null = null;
    trunc.on('message', (m, r) => { client = r; up.send(m, port, '127.0.0.1'); });
    up.on('message', (m) => { if (client) trunc.send(m.subarray(0, Math.floor(m.length / 2)), client.port, client.address); });
    await Promise.all([
      new Promise<void>((r) => garbage.bind(garbagePort, '127.0.0.1', () => r())),
      new Promise<void>((r) => trunc.bind(truncPort, '127.0.0.1', () => r())),
    ]);
    try {
      const probe = createSnmpProbe({ ...OPTS, timeout_ms: 300 });
      const g = await probe.poll(testSite('garbage', { version: '2c', community: 'public', port: garbagePort }), { system: true, interfaces: true });
      const t = await probe.poll(testSite('trunc', { version: '2c', community: SECRETS.community, port: truncPort }), { system: true, interfaces: true });
      probe.close();
      expect(g, g.reason).toMatchObject({ status: 'error' });
      expect(g.reason).toMatch(/^(malformed|invalid) response/);
      expect(t, t.reason).toMatchObject({ status: 'error' });
      expect(t.reason).toMatch(/^(malformed|invalid) response/);
      console.log(`[probes] garbage answer → ${g.reason}; truncated answer → ${t.reason}`);
      expect(t.reason).not.toContain(SECRETS.community);
    } finally {
      garbage.close();
      trunc.close();
      up.close();
    }
  });

  it('IPv6 loopback agent', async () => {
    const [p6] = await freeUdpPorts(1);
    const agent6 = await startSnmpd({ ports: [p6!], host: '::1', communities: ['public'] });
    try {
      const probe = createSnmpProbe(OPTS);
      const r = await probe.poll(testSite('v6', { version: '2c', community: 'public', port: p6 }, { host: '::1' }), { system: true, interfaces: true });
      probe.close();
      expect(r.status, r.reason).toBe('ok');
      expect(r.interfaces!.some((i) => i.name === 'lo')).toBe(true);
    } finally {
      await agent6.stop();
    }
  });

  it('a restarted agent (sysUpTime went back) is a reboot: no rates that interval, then rates again', async () => {
    const [rp] = await freeUdpPorts(1);
    let a = await startSnmpd({ ports: [rp!], communities: ['public'] });
    const probe = createSnmpProbe(OPTS);
    const tracker = new CounterTracker();
    const site = testSite('reboot', { version: '2c', community: 'public', port: rp });
    try {
      await new Promise((r) => setTimeout(r, 1500));
      const before = tracker.update('reboot', await probe.poll(site, { system: true, interfaces: true }), 1);
      expect(before.rebooted).toBe(false);
      await a.stop();
      a = await startSnmpd({ ports: [rp!], communities: ['public'] });
      const t0 = Date.now();
      const after = tracker.update('reboot', await probe.poll(site, { system: true, interfaces: true }), 1);
      expect(after.rebooted).toBe(true);
      expect(after.rebooted_at!).toBeGreaterThan(t0 - 3000);
      expect(after.rebooted_at!).toBeLessThanOrEqual(Date.now());
      expect(after.rates.length).toBeGreaterThan(0);
      expect(after.rates.every((r) => r.in_bps === null && r.note === 'reboot')).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      const next = tracker.update('reboot', await probe.poll(site, { system: true, interfaces: true }), 1);
      expect(next.rebooted).toBe(false);
      expect(next.rates.find((r) => r.name === 'lo')!.in_bps).not.toBeNull();
    } finally {
      probe.close();
      await a.stop();
    }
  });

  it('a reused v3 session keeps working after the agent restarts (same engine ID, engineBoots + 1)', async () => {
    const [rp] = await freeUdpPorts(1);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pw-v3restart-'));
    const users = [{ name: 'pwpriv', authProtocol: 'SHA', authKey: SECRETS.auth, privProtocol: 'AES', privKey: SECRETS.priv }];
    let a = await startSnmpd({ ports: [rp!], v3Users: users, dir });
    const probe = createSnmpProbe({ ...OPTS, timeout_ms: 500, retries: 1 });
    const site = testSite('v3r', { version: '3', user: 'pwpriv', auth: { protocol: 'sha', key: SECRETS.auth }, priv: { protocol: 'aes', key: SECRETS.priv }, port: rp });
    try {
      expect((await probe.poll(site, { system: true, interfaces: false })).status).toBe('ok');
      await a.stop();
      a = await startSnmpd({ ports: [rp!], v3Users: users, dir });
      const r = await probe.poll(site, { system: true, interfaces: true });
      expect(r.status, r.reason).toBe('ok');
    } finally {
      probe.close();
      await a.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
