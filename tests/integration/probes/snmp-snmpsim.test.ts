/**
 * SNMP probe against REAL snmpsim agents: recorded devices, a 32-bit-only router, moving counters
 * that wrap (Counter32 and Counter64 near 2^64) fed through the counter math, wrong types, a vendor
 * profile, and a slow agent that must not delay the other sites polled at the same time.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { fileURLToPath } from 'node:url';
import { startSnmpsim, SNMPSIM_EXAMPLES, type SnmpsimHandle } from '../../helpers/snmpsim.js';
import { startSnmpd, type SnmpdHandle } from '../../helpers/snmpd.js';
import { freeUdpPorts } from '../../helpers/ports.js';
import { createSnmpProbe } from '../../../src/probes/snmp/index.js';
import { CounterTracker, pickWanInterface } from '../../../src/metrics/counters.js';
import type { SnmpResult } from '../../../src/core/types.js';
import { testSite } from './site.js';

const DATA = fileURLToPath(new URL('./data/', import.meta.url));
let sim: SnmpsimHandle;
let slowSim: SnmpsimHandle;
let snmpd: SnmpdHandle;

beforeAll(async () => {
  const [s1, s2, p] = await Promise.all([
    startSnmpsim({
      files: [
        { name: 'old32', from: `${DATA}old32.snmprec` },
        { name: 'moving64', from: `${DATA}moving64.snmprec` },
        { name: 'badtypes', from: `${DATA}badtypes.snmprec` },
        { name: 'badsys', from: `${DATA}badsys.snmprec` },
        { name: 'ubnt', from: `${DATA}ubnt.snmprec` },
        { name: 'mikrotik7', from: `${DATA}mikrotik7.snmprec` },
        { name: 'linux', from: `${SNMPSIM_EXAMPLES}/recorded/linux-full-walk.snmprec.gz` },
        { name: 'winxp', from: `${SNMPSIM_EXAMPLES}/recorded/winxp-full-walk.snmprec.gz` },
      ],
    }),
    startSnmpsim({ files: [{ name: 'slow', from: `${DATA}slow.snmprec` }] }),
    freeUdpPorts(20).then((ports) => startSnmpd({ ports, communities: ['public'] })),
  ]);
  sim = s1;
  slowSim = s2;
  snmpd = p;
});

afterAll(async () => {
  await Promise.all([sim?.stop(), slowSim?.stop(), snmpd?.stop()]);
});

const OPTS = { timeout_ms: 1500, retries: 0, max_repetitions: 20 };
const at = (community: string, version: '1' | '2c' = '2c') => ({ version, community, port: sim.port });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SNMP probe against real snmpsim agents', () => {
  it('recorded Linux host (snmpsim example): 64-bit counters, ifName/ifHighSpeed', async () => {
    const probe = createSnmpProbe(OPTS);
    const r = await probe.poll(testSite('linux', at('linux')), { system: true, interfaces: true });
    probe.close();
    expect(r.status, r.reason).toBe('ok');
    expect(r.system).toEqual({ uptime_ticks: 233425120, sys_name: 'tt', sys_descr: 'Linux cray 2.6.21.5-smp #2 SMP Tue Jun 19 14:58:11 CDT 2007 i686', sys_object_id: '1.3.6.1.4.1.8072.3.2.10' });
    expect(r.interfaces!.map((i) => [i.index, i.name, i.counter_bits, i.speed_bps])).toEqual([
      [1, 'lo', 64, 10e6],
      [2, 'eth0', 64, 100e6],
    ]);
    expect(r.interfaces![1]!.in_octets).toBe(24167091249n);
    expect(pickWanInterface(r.interfaces!)).toEqual({ name: 'eth0', chosen_by: 'name is eth0 (first Ethernet port)' });
  });

  it('recorded Windows XP host: hex-encoded ifDescr, no ifXTable → 32-bit fallback', async () => {
    const probe = createSnmpProbe(OPTS);
    const r = await probe.poll(testSite('winxp', at('winxp')), { system: true, interfaces: true });
    probe.close();
    expect(r.status, r.reason).toBe('ok');
    expect(r.interfaces!.length).toBe(3);
    expect(r.interfaces![0]!.name).toBe('MS TCP Loopback interface');
    expect(r.interfaces!.every((i) => i.counter_bits === 32)).toBe(true);
  });

  it('32-bit-only router over v2c and v1: counter_bits 32, names from ifDescr; v1 walk ends cleanly at the end of the MIB', async () => {
    const probe = createSnmpProbe(OPTS);
    for (const version of ['2c', '1'] as const) {
      const r = await probe.poll(testSite(`old32-${version}`, at('old32', version)), { system: true, interfaces: true });
      expect(r.status, `${version}: ${r.reason}`).toBe('ok');
      expect(r.interfaces!.map((i) => [i.name, i.counter_bits, i.speed_bps])).toEqual([['lo', 32, 10e6], ['ppp0', 32, 7.2e6]]);
    }
    probe.close();
  });

  it('moving counters through the counter math: Counter32 wrap and Counter64 near 2^64 give the true rate, never a spike; the 497-day uptime wrap is no reboot', async () => {
    // Its own snmpsimd: the counters wrap 8 s (32-bit), 9 s (64-bit) and 8 s (sysUpTime) after the process starts.
    const own = await startSnmpsim({
      files: [
        { name: 'old32', from: `${DATA}old32.snmprec` },
        { name: 'moving64', from: `${DATA}moving64.snmprec` },
        { name: 'wrapuptime', from: `${DATA}wrapuptime.snmprec` },
      ],
    });
    const probe = createSnmpProbe(OPTS);
    const tracker = new CounterTracker();
    const s32 = testSite('m32', { version: '2c', community: 'old32', port: own.port });
    const s64 = testSite('m64', { version: '2c', community: 'moving64', port: own.port }, { vendor: 'mikrotik' });
    const rates32: number[] = [];
    const rates64: number[] = [];
    let wrapped32 = false;
    let wrapped64 = false;
    let prev32: bigint | null = null;
    let prev64: bigint | null = null;
    let last64: SnmpResult | undefined;
    const sUp = testSite('up497', { version: '2c', community: 'wrapuptime', port: own.port });
    let prevTicks: number | null = null;
    let uptimeWrapped = false;
    const uptimes: number[] = [];
    let afterAllWraps = 0;
    for (let k = 0; k < 30 && afterAllWraps < 3; k++) {
      const [a, b, u] = await Promise.all([
        probe.poll(s32, { system: true, interfaces: true }),
        probe.poll(s64, { system: true, interfaces: true }),
        probe.poll(sUp, { system: true, interfaces: false }),
      ]);
      expect(u.status, u.reason).toBe('ok');
      const up = tracker.update('up497', u, 1);
      expect(up.rebooted).toBe(false);
      uptimes.push(up.uptime_s!);
      if (prevTicks !== null && u.system!.uptime_ticks < prevTicks) uptimeWrapped = true;
      prevTicks = u.system!.uptime_ticks;
      expect(a.status, a.reason).toBe('ok');
      expect(b.status, b.reason).toBe('ok');
      last64 = b;
      const in32 = a.interfaces!.find((i) => i.name === 'ppp0')!.in_octets!;
      const in64 = b.interfaces!.find((i) => i.name === 'ether1')!.in_octets!;
      if (prev32 !== null && in32 < prev32) wrapped32 = true;
      if (prev64 !== null && in64 < prev64) wrapped64 = true;
      prev32 = in32;
      prev64 = in64;
      const ra = tracker.update('m32', a, 1).rates.find((x) => x.name === 'ppp0')!;
      const rb = tracker.update('m64', b, 1).rates.find((x) => x.name === 'ether1')!;
      if (k > 0) {
        expect(ra.note).toBeUndefined();
        expect(rb.note).toBeUndefined();
        rates32.push(ra.in_bps!);
        rates64.push(rb.in_bps!);
      }
      if (wrapped32 && wrapped64 && uptimeWrapped) afterAllWraps++;
      await sleep(700);
    }
    probe.close();
    await own.stop();
    // Both counters really wrapped during the test...
    expect(wrapped32).toBe(true);
    expect(wrapped64).toBe(true);
    // ...and no interval shows a spike or a hole: every rate is near the configured one (1 and 10 Mbit/s;
    // a loaded machine delays single answers, so single intervals get ±60%; a mishandled wrap would be off by
    // orders of magnitude), the median within 10%.
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    for (const r of rates32) expect(Math.abs(r - 1e6) / 1e6, `32-bit rates ${rates32.join(' ')}`).toBeLessThan(0.6);
    for (const r of rates64) expect(Math.abs(r - 10e6) / 10e6, `64-bit rates ${rates64.join(' ')}`).toBeLessThan(0.6);
    expect(Math.abs(median(rates32) - 1e6) / 1e6, `32-bit rates ${rates32.join(' ')}`).toBeLessThan(0.1);
    expect(Math.abs(median(rates64) - 10e6) / 10e6, `64-bit rates ${rates64.join(' ')}`).toBeLessThan(0.1);
    expect(last64!.wireless_clients).toBe(7);
    // The 497-day sysUpTime wrap happened, was not taken for a reboot, and uptime kept counting up.
    expect(uptimeWrapped).toBe(true);
    for (let i = 1; i < uptimes.length; i++) expect(uptimes[i]!).toBeGreaterThan(uptimes[i - 1]!);
    expect(uptimes.at(-1)!).toBeGreaterThan(2 ** 32 / 100);
  }, 30_000);

  it('vendor profiles: Ubiquiti stations summed over radios, MikroTik per-AP fallback; none for generic', async () => {
    const probe = createSnmpProbe(OPTS);
    const u = await probe.poll(testSite('ubnt', at('ubnt'), { vendor: 'ubiquiti' }), { system: true, interfaces: false });
    const m = await probe.poll(testSite('mt7', at('mikrotik7'), { vendor: 'mikrotik' }), { system: true, interfaces: false });
    const g = await probe.poll(testSite('gen', at('ubnt')), { system: true, interfaces: false });
    probe.close();
    expect(u).toMatchObject({ status: 'ok', wireless_clients: 8 });
    expect(m).toMatchObject({ status: 'ok', wireless_clients: 6 });
    expect(g.status).toBe('ok');
    expect(g.wireless_clients).toBeUndefined();
  });

  it('wrong types: clear error naming each bad value', async () => {
    const probe = createSnmpProbe(OPTS);
    const bad = await probe.poll(testSite('bt', at('badtypes')), { system: true, interfaces: true });
    const sys = await probe.poll(testSite('bs', at('badsys')), { system: true, interfaces: false });
    probe.close();
    expect(bad).toMatchObject({ status: 'error', reason: 'ifHCInOctets.1: expected Counter64, got OctetString; ifOperStatus.2: expected Integer, got Counter32' });
    expect(sys).toMatchObject({ status: 'error', reason: 'sysUpTime.0: expected TimeTicks, got OctetString' });
  });

  it('a slow agent (3 s, beyond the timeout) does not delay the other sites polled at the same time', async () => {
    const probe = createSnmpProbe({ ...OPTS, timeout_ms: 2000, retries: 0 });
    const t0 = performance.now();
    const slowP = probe
      .poll(testSite('slow', { version: '2c', community: 'slow', port: slowSim.port }), { system: true, interfaces: true })
      .then((r) => ({ r, at: performance.now() - t0 }));
    const fastPs = snmpd.ports.map((p, i) =>
      probe.poll(testSite(`fast${i}`, { version: '2c', community: 'public', port: p }), { system: true, interfaces: true }).then((r) => ({ r, at: performance.now() - t0 })),
    );
    const fast = await Promise.all(fastPs);
    const slow = await slowP;
    probe.close();
    expect(fast.every((f) => f.r.status === 'ok')).toBe(true);
    expect(slow.r.status).toBe('timeout');
    const fastDone = Math.max(...fast.map((f) => f.at));
    // Ordering, not a stopwatch: all 20 fast sites were finished before the slow one gave up.
    expect(fastDone).toBeLessThan(slow.at);
    console.log(`[probes] slow agent: 20 fast sites done after ${fastDone.toFixed(0)} ms; slow site timed out after ${slow.at.toFixed(0)} ms`);
  });
});
