/**
 * The SNMP probe's shared UDP sockets (src/probes/snmp/udp-pool.ts) against REAL snmpd agents:
 * 2,000 sessions polled through the pool with the file descriptors counted in /proc/self/fd,
 * v1/v2c/v3 sessions to one agent on the same pool, two sites on the same host:port with different
 * communities sharing ONE socket, an agent that answers from another address, a host name target
 * (own socket), and close() giving every socket back.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startSnmpd, type SnmpdHandle } from '../../helpers/snmpd.js';
import { freeUdpPorts } from '../../helpers/ports.js';
import snmp from 'net-snmp';
import { createSnmpProbe, type SnmpProbe } from '../../../src/probes/snmp/index.js';
import { UdpPool } from '../../../src/probes/snmp/udp-pool.js';
import type { Site, SnmpResult } from '../../../src/core/types.js';
import { testSite } from './site.js';

const fds = () => fs.readdirSync('/proc/self/fd').length;
const OPTS = { timeout_ms: 2000, retries: 1, max_repetitions: 20 };
const FULL = { system: true, interfaces: true };
const V3 = { auth: 'pool-Auth-Secret', priv: 'pool-Priv-Secret' };

let fleet: Array<{ port: number; addresses: string[]; stop: () => Promise<void> }> = [];
let agent: SnmpdHandle;

/**
 * One snmpd answering on `addresses` (all on one port): 500 distinct agents that need ONE free port,
 * not 500 (holding hundreds of free ports until snmpd binds them races with other tests). The
 * addresses are 127.0.0.0/8 loopback. Same snmpd invocation as tests/helpers/snmpd.ts.
 */
async function startMultiAddressSnmpd(addresses: string[], community: string): Promise<{ port: number; stop: () => Promise<void> }> {
  for (let attempt = 1; ; attempt++) {
    const [port] = (await freeUdpPorts(1)) as [number];
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pw-snmppool-'));
    await writeFile(path.join(dir, 'snmpd.conf'), `sysName pool-router\nrocommunity ${community}\n`, { mode: 0o600 });
    await writeFile(path.join(dir, 'snmp.conf'), 'mibs :\n');
    const child = spawn('snmpd', ['-f', '-Lo', '-C', '-c', path.join(dir, 'snmpd.conf'), '-I', '-smux', `--persistentDir=${path.join(dir, 'persist')}`,
      addresses.map((a) => `udp:${a}:${port}`).join(',')], { env: { ...process.env, SNMPCONFPATH: dir, MIBS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    };
    const deadline = Date.now() + 10_000;
    while (!/NET-SNMP version/.test(out) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    if (/NET-SNMP version/.test(out) && !/Error opening specified endpoint|couldn't open/i.test(out)) return { port, stop };
    await stop();
    if (attempt === 3) throw new Error(`snmpd did not start on ${addresses.length} addresses: ${out.slice(0, 500)}`);
  }
}

beforeAll(async () => {
  const [p] = await freeUdpPorts(1);
  agent = await startSnmpd({
    ports: [p!],
    communities: [],
    v3Users: [{ name: 'pooluser', authProtocol: 'SHA', authKey: V3.auth, privProtocol: 'AES', privKey: V3.priv }],
    // 'full': the host's whole IF-MIB; 'sysonly': the system group and nothing else.
    extraConf: ['view sys included .1.3.6.1.2.1.1', 'rocommunity full', 'rocommunity sysonly default -V sys'],
  });
  // 4 snmpd × 500 addresses = 2,000 distinct agents (host:port), ~500 per process as the notes advise.
  const base = 60 + (process.pid % 100);
  fleet = await Promise.all([0, 1, 2, 3].map(async (k) => {
    const addresses = Array.from({ length: 500 }, (_, j) => `127.${base}.${k * 2 + Math.floor(j / 250)}.${(j % 250) + 1}`);
    const s = await startMultiAddressSnmpd(addresses, 'fleet');
    return { ...s, addresses };
  }));
});

afterAll(async () => {
  await Promise.all([agent?.stop(), ...fleet.map((f) => f.stop())]);
});

/** Poll every site once, at most `concurrency` at a time, sampling the fd count after each poll. */
async function pollAll(probe: SnmpProbe, sites: Site[], concurrency = 200): Promise<{ results: SnmpResult[]; maxFds: number }> {
  const results: SnmpResult[] = new Array(sites.length);
  let next = 0;
  let maxFds = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < sites.length) {
      const i = next++;
      results[i] = await probe.poll(sites[i]!, FULL);
      if (i % 50 === 0) maxFds = Math.max(maxFds, fds());
    }
  }));
  return { results, maxFds };
}

describe('SNMP probe: shared UDP sockets', () => {
  it('2,000 agents polled twice through 32 sockets: every poll ok, file descriptors stay at the pool size, close() gives them back', async () => {
    const sites = fleet.flatMap((f, k) => f.addresses.map((host, j) => testSite(`pool${k}-${j}`, { version: '2c', community: 'fleet', port: f.port }, { host })));
    expect(sites).toHaveLength(2000);
    const before = fds();
    const probe = createSnmpProbe(OPTS);
    const first = await pollAll(probe, sites);
    const second = await pollAll(probe, sites);
    const stats = probe.stats!();
    probe.close();
    await new Promise((r) => setTimeout(r, 50));
    const after = fds();
    const bad = [...first.results, ...second.results].filter((r) => r.status !== 'ok');
    expect(bad.slice(0, 3), `${bad.length} polls not ok`).toEqual([]);
    expect(second.results.every((r) => r.interfaces!.some((i) => i.name === 'lo' && i.counter_bits === 64))).toBe(true);
    console.log(`[probes] 2,000 agents × 2 polls: fds ${before} before, max ${Math.max(first.maxFds, second.maxFds)} while polling, ${after} after close; pool ${JSON.stringify(stats.pool)}`);
    // one session per site, kept for its next poll (2,000 made, not 4,000), all on the 32 shared sockets
    expect(stats).toMatchObject({ sessions: 2000, open_sessions: 2000, sessions_made: 2000 });
    expect(stats.pool).toMatchObject({ sockets: 32, facades: 2000, privateSockets: 0, dropped: 0 });
    // One socket per session would be 2,000 more descriptors; the pool is 32 (+ a few of vitest's own).
    expect(Math.max(first.maxFds, second.maxFds)).toBeLessThanOrEqual(before + 32 + 8);
    expect(after).toBeLessThanOrEqual(before + 2);
    // Every answer reached its session through the routing table (first poll 2+ requests, then 1+).
    expect(stats.pool!.routed).toBeGreaterThanOrEqual(2000 * 3);
  });

  it('udp_sockets: 0 keeps net-snmp\'s one socket per session (the old behaviour, for comparison)', async () => {
    const sites = fleet[0]!.addresses.slice(0, 100).map((host, j) => testSite(`own${j}`, { version: '2c', community: 'fleet', port: fleet[0]!.port }, { host }));
    const before = fds();
    const probe = createSnmpProbe({ ...OPTS, udp_sockets: 0 });
    const { results, maxFds } = await pollAll(probe, sites, 100);
    probe.close();
    expect(results.every((r) => r.status === 'ok')).toBe(true);
    expect(probe.stats!().pool).toBeUndefined();
    expect(maxFds).toBeGreaterThanOrEqual(before + 100);
  });

  it('v1, v2c and v3 sessions to ONE agent on the same pool (more sessions than sockets: answers fan out, each session keeps its own)', async () => {
    const port = agent.ports[0]!;
    const v3 = { version: '3', user: 'pooluser', auth: { protocol: 'sha', key: V3.auth }, priv: { protocol: 'aes', key: V3.priv }, port };
    const sites = Array.from({ length: 20 }, (_, i) => [
      testSite(`mix1-${i}`, { version: '1', community: 'full', port }),
      testSite(`mix2-${i}`, { version: '2c', community: 'full', port }),
      testSite(`mix3-${i}`, v3),
    ]).flat();
    const probe = createSnmpProbe({ ...OPTS, udp_sockets: 4 });
    for (let round = 0; round < 2; round++) {
      const rs = await Promise.all(sites.map((s) => probe.poll(s, FULL)));
      for (const [i, r] of rs.entries()) {
        expect(r.status, `${sites[i]!.id}: ${r.reason}`).toBe('ok');
        expect(r.interfaces!.find((x) => x.name === 'lo')!.counter_bits).toBe(sites[i]!.id.startsWith('mix1') ? 32 : 64);
      }
    }
    const stats = probe.stats!();
    probe.close();
    // one session per site, kept (v3: the agent's engine state, learnt by discovery)
    expect(stats).toMatchObject({ sessions: 60, open_sessions: 60, sessions_made: 60 });
    expect(stats.pool).toMatchObject({ sockets: 4, facades: 60, privateSockets: 0, dropped: 0 });
  });

  it('a late answer to a timed-out request is not taken for the next poll\'s answer', async () => {
    // A relay that holds the FIRST request it sees past the probe's timeout, then sends snmpd's answer late.
    const [relayPort] = await freeUdpPorts(1);
    const relay = dgram.createSocket('udp4');
    const upstream = dgram.createSocket('udp4');
    let held = 0;
    let client: dgram.RemoteInfo | null = null;
    relay.on('message', (m, r) => {
      client = r;
      if (held++ === 0) setTimeout(() => upstream.send(m, agent.ports[0]!, '127.0.0.1'), 400);
      else upstream.send(m, agent.ports[0]!, '127.0.0.1');
    });
    upstream.on('message', (m) => { if (client) relay.send(m, client.port, client.address); });
    await new Promise<void>((r) => relay.bind(relayPort, '127.0.0.1', () => r()));
    try {
      const probe = createSnmpProbe({ ...OPTS, timeout_ms: 150, retries: 0, udp_sockets: 1 });
      const slow = testSite('late', { version: '2c', community: 'full', port: relayPort });
      const first = await probe.poll(slow, { system: true, interfaces: false });
      expect(first.status).toBe('timeout');
      // the next polls of the same site run while the late answer (a system GET) lands
      const rounds: SnmpResult[] = [];
      for (let k = 0; k < 5; k++) rounds.push(await probe.poll(slow, FULL));
      await new Promise((r) => setTimeout(r, 400));
      const stats = probe.stats!();
      probe.close();
      expect(stats.sessions_made).toBe(1);
      for (const r of rounds) {
        expect(r.status, r.reason).toBe('ok');
        expect(r.interfaces!.map((i) => i.name)).toContain('lo');
      }
    } finally {
      relay.close();
      upstream.close();
    }
  });

  it('two sites on the same host:port with different communities share ONE socket and each gets its own answers', async () => {
    const port = agent.ports[0]!;
    const full = testSite('samehost-full', { version: '2c', community: 'full', port });
    const sysonly = testSite('samehost-sys', { version: '2c', community: 'sysonly', port });
    const probe = createSnmpProbe({ ...OPTS, udp_sockets: 1 });
    for (let round = 0; round < 30; round++) {
      const [a, b] = await Promise.all([probe.poll(full, FULL), probe.poll(sysonly, FULL)]);
      expect(a.status, a.reason).toBe('ok');
      expect(b.status, b.reason).toBe('ok');
      // 'full' sees lo; 'sysonly' sees no interface at all: a crossed answer would show.
      expect(a.interfaces!.map((i) => i.name)).toContain('lo');
      expect(b.interfaces).toEqual([]);
      expect(b.system!.sys_name).toBe(a.system!.sys_name);
    }
    const stats = probe.stats!();
    probe.close();
    expect(stats.pool).toMatchObject({ sockets: 1, facades: 2, dropped: 0 });
  });

  it('polls of one site that overlap share its session, which is kept for the next poll', async () => {
    const port = agent.ports[0]!;
    const site = testSite('overlap', { version: '2c', community: 'full', port });
    const probe = createSnmpProbe({ ...OPTS, udp_sockets: 2 });
    const rs = await Promise.all([probe.poll(site, FULL), probe.poll(site, FULL), probe.poll(site, { system: true, interfaces: false })]);
    const again = await probe.poll(site, FULL);
    const after = probe.stats!();
    probe.close();
    for (const r of [...rs, again]) expect(r.status, r.reason).toBe('ok');
    expect(after).toMatchObject({ sessions: 1, open_sessions: 1, sessions_made: 1 });
    expect(after.pool).toMatchObject({ facades: 1, dropped: 0 });
    expect(again.interfaces!.map((i) => i.name)).toEqual(rs[0]!.interfaces!.map((i) => i.name));
  });

  it('a site whose access changed gets a new session; the old one is closed', async () => {
    const port = agent.ports[0]!;
    const probe = createSnmpProbe({ ...OPTS, udp_sockets: 2 });
    const a = await probe.poll(testSite('moved', { version: '2c', community: 'full', port }), FULL);
    const b = await probe.poll(testSite('moved', { version: '2c', community: 'sysonly', port }), FULL);
    const stats = probe.stats!();
    probe.close();
    expect(a.interfaces!.map((i) => i.name)).toContain('lo');
    expect(b.status, b.reason).toBe('ok');
    expect(b.interfaces).toEqual([]); // the new community's view, with a plan made afresh
    expect(stats).toMatchObject({ sessions: 1, open_sessions: 1, sessions_made: 2 });
    expect(stats.pool).toMatchObject({ facades: 1 });
  });

  it('an agent that answers from another address is found by its request id', async () => {
    // A relay on 127.0.0.1 that forwards to snmpd and answers from 127.0.0.2 (a multi-homed router).
    const [relayPort] = await freeUdpPorts(1);
    const inbound = dgram.createSocket('udp4');
    const outbound = dgram.createSocket('udp4');
    const upstream = dgram.createSocket('udp4');
    let client: dgram.RemoteInfo | null = null;
    inbound.on('message', (m, r) => { client = r; upstream.send(m, agent.ports[0]!, '127.0.0.1'); });
    upstream.on('message', (m) => { if (client) outbound.send(m, client.port, client.address); });
    await Promise.all([
      new Promise<void>((r) => inbound.bind(relayPort, '127.0.0.1', () => r())),
      new Promise<void>((r) => outbound.bind(0, '127.0.0.2', () => r())),
    ]);
    try {
      const probe = createSnmpProbe(OPTS);
      const r = await probe.poll(testSite('otheraddr', { version: '2c', community: 'full', port: relayPort }), FULL);
      const stats = probe.stats!();
      probe.close();
      expect(r.status, r.reason).toBe('ok');
      expect(r.interfaces!.map((i) => i.name)).toContain('lo');
      expect(stats.pool!.routedById).toBeGreaterThanOrEqual(2);
      expect(stats.pool!.routed).toBe(0);
    } finally {
      inbound.close();
      outbound.close();
      upstream.close();
    }
  });

  it('a host name target gets a socket of its own (dgram resolves it), and still works', async () => {
    const probe = createSnmpProbe(OPTS);
    const r = await probe.poll(testSite('byname', { version: '2c', community: 'full', port: agent.ports[0] }, { host: 'localhost' }), FULL);
    const stats = probe.stats!();
    probe.close();
    expect(r.status, r.reason).toBe('ok');
    expect(stats).toMatchObject({ open_sessions: 1 });
    expect(stats.pool).toMatchObject({ privateSockets: 1, sockets: 0 });
  });

  it('after close(), polls are errors and no socket is left open', async () => {
    const before = fds();
    const probe = createSnmpProbe(OPTS);
    const site = testSite('closing', { version: '2c', community: 'full', port: agent.ports[0] });
    expect((await probe.poll(site, FULL)).status).toBe('ok');
    expect(fds()).toBeGreaterThan(before);
    probe.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(fds()).toBe(before);
    expect(await probe.poll(site, FULL)).toMatchObject({ status: 'error', reason: 'SNMP probe is closed' });
  });

  it('UdpPool under a bare net-snmp session: answers routed; closing the pool fails the requests in flight at once (no timeout)', async () => {
    const pool = new UdpPool({ socketsPerFamily: 2 });
    const [silent] = await freeUdpPorts(1); // nothing listens there: a request would wait for its timeout
    const ok = snmp.createSession('127.0.0.1', 'full', { port: agent.ports[0], version: snmp.Version2c, dgramModule: pool.dgramModule } as never);
    const dead = snmp.createSession('127.0.0.1', 'full', { port: silent, version: snmp.Version2c, timeout: 5000, retries: 0, dgramModule: pool.dgramModule } as never);
    const get = (s: typeof ok) => new Promise<{ err: Error | null; ms: number }>((resolve) => {
      const t0 = Date.now();
      s.get(['1.3.6.1.2.1.1.5.0'], (err) => resolve({ err: err ?? null, ms: Date.now() - t0 }));
    });
    expect((await get(ok)).err).toBeNull();
    const pending = get(dead);
    await new Promise((r) => setTimeout(r, 50));
    pool.close();
    const r = await pending;
    expect(r.err?.message).toBe('Socket forcibly closed');
    expect(r.ms).toBeLessThan(1000);
    expect(pool.stats()).toMatchObject({ sockets: 0, routed: 1 });
    // a session of a closed pool fails at once too
    const late = await get(ok);
    expect(late.err).not.toBeNull();
    expect(late.ms).toBeLessThan(1000);
  });
});
