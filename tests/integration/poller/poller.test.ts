/**
 * The poll cycle against a real simulated fleet (net-snmp agents on 127.21.x.y, a namespace for
 * the down site) with the real probes (fping, net-snmp): healthy sites, a down site confirmed by
 * the fast re-check, a slow agent that does not delay the others, a reboot, a 32-bit wrap,
 * fping that cannot run (UNKNOWN, not DOWN), two shards that together poll every site once,
 * and the node-cron scheduler driving real cycles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../../../src/config/defaults.js';
import { systemClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { SiteCheck } from '../../../src/core/types.js';
import { createPingProbe } from '../../../src/probes/ping/index.js';
import { createSnmpProbe } from '../../../src/probes/snmp/index.js';
import { createPoller, checkFailed, isReachable, type Poller } from '../../../src/poller/index.js';
import { createScheduler } from '../../../src/scheduler/index.js';
import { createFleet, type Fleet } from '../../../src/sim/fleet.js';
import { parseFaultSpec } from '../../../src/sim/faults.js';

const settings = settingsWithDefaults({
  poller: {
    ping: { count: 3, period_ms: 20, timeout_ms: 300, interval_s: 5 },
    // generous for a loaded CI machine (the fleet shares this process): 1.5 s × 2 tries
    snmp: { timeout_ms: 1500, retries: 1, system_interval_s: 5, interfaces_interval_s: 5 },
    recheck: { delay_s: 1 },
    spread: false,
  },
});
const logger = silentLogger();
// below the ephemeral range (32768+), where other tests' sockets come from
const basePort = 10000 + Math.floor(Math.random() * 20000);
const HEALTHY = ['sim-0001', 'sim-0002', 'sim-0003', 'sim-0004', 'sim-0005', 'sim-0006', 'sim-0007'];

let fleet: Fleet;
let poller: Poller;
const all: SiteCheck[] = [];
/** When each check reached onCheck (ms since epoch), same order as `all`. */
const handedAt: number[] = [];
const ping = createPingProbe(settings.poller.ping);
const snmp = createSnmpProbe(settings.poller.snmp);

beforeAll(async () => {
  // sim-0004 is 32-bit only: its counters wrap 3 s after start, between cycle 1 and cycle 2
  // (cycle 1 reads it at once; cycle 2 starts ~5 s in: cycle 1 waits ~3 s for the down site's SNMP timeout, then 2 s).
  fleet = await createFleet({ sites: 8, basePort, loopbackBlock: 21, faults: parseFaultSpec('down@sim-0008,wrap:3@sim-0004'), logger });
  poller = createPoller({ settings, sites: fleet.sites, ping, snmp, clock: systemClock, logger, onCheck: (cs) => { all.push(...cs); for (const _ of cs) handedAt.push(Date.now()); } });
});
afterAll(async () => {
  snmp.close();
  await fleet?.close();
});

const ofCycle = (cycle: number, recheck = false) =>
  new Map(all.filter((c) => c.cycle === cycle && c.recheck === recheck).map((c) => [c.site, c]));

describe('poll cycle against the simulated fleet', () => {
  it('cycle 1: healthy sites answer; the down site fails and its fast re-check confirms it', { timeout: 20_000 }, async () => {
    expect(fleet.router('sim-0004').model.spec.hc).toBe(false);
    const st = await poller.runCycle(1, { interval_s: 5 });
    const first = ofCycle(1);
    const re = ofCycle(1, true);
    for (const id of HEALTHY) {
      const c = first.get(id)!;
      expect(c.ping?.received, id).toBe(3);
      expect(c.snmp?.status, id).toBe('ok');
      expect(c.snmp?.system?.sys_name, id).toBe(id);
      expect(c.interfaces.length, id).toBeGreaterThanOrEqual(3);
      expect(c.interfaces.every((i) => i.note === 'first-sample'), id).toBe(true);
      expect(c.wan?.name, id).toBe(fleet.router(id).model.spec.interfaces[0]!.name);
      expect(isReachable(c)).toBe(true);
      expect(c.unknown).toBeUndefined();
    }
    const down = first.get('sim-0008')!;
    expect(checkFailed(down)).toBe(true);
    expect(down.ping?.received).toBe(0);
    // handed on as soon as its pings were in: its SNMP poll (already sent) was not waited for
    expect(down.snmp).toMatchObject({ status: 'unreachable', reason: 'no answer yet, not awaited: every ping was lost' });
    expect([...re.keys()]).toEqual(['sim-0008']);
    // the re-check is ping only (alerting judges DOWN on pings); SNMP's 3 s timeout lands after it
    expect(re.get('sim-0008')!.ping?.received).toBe(0);
    expect(re.get('sim-0008')!.snmp).toBeNull();
    expect(st.snmp_late).toBe(1);
    expect(re.get('sim-0008')!.ts - down.ts).toBeGreaterThanOrEqual(1000);
    expect(isReachable(re.get('sim-0008')!)).toBe(false);
    expect(st).toMatchObject({ sites: 8, checks: 9, rechecked: 1, failed: 1, recovered: 0, unknown: 0 });
    expect(fleet.netns.active).toBe(true); // root: the down site lives in a namespace, ICMP really dropped
  });

  it('cycle 2: rates within speed, a reboot gives no rate, a wrap gives no spike, a slow agent delays nobody', { timeout: 30_000 }, async () => {
    await fleet.setFault('sim-0005', { kind: 'reboot', after_s: 0 });
    await fleet.setFault('sim-0006', { kind: 'slow', delay_ms: 5000 }); // beyond 1.5 s × 2 tries
    await new Promise((r) => setTimeout(r, 2000));
    const t0 = Date.now();
    const st = await poller.runCycle(2, { interval_s: 5 });
    const took = Date.now() - t0;
    const c2 = ofCycle(2);
    // streaming: the down site's DOWN is confirmed (re-check handed on) before the slow agent's
    // first check is, which waits for its SNMP timeout (1.5 s × 2 tries)
    const when = (id: string, recheck: boolean) => handedAt[all.findIndex((c) => c.cycle === 2 && c.site === id && c.recheck === recheck)]!;
    expect(when('sim-0008', true) - t0).toBeLessThan(when('sim-0006', false) - t0);
    for (const id of ['sim-0001', 'sim-0002', 'sim-0003', 'sim-0004', 'sim-0007']) {
      const c = c2.get(id)!;
      expect(c.snmp?.status, id).toBe('ok');
      // held up by the slow agent would mean waiting out its 3 s timeout (or its 9.5 s site deadline)
      expect(c.snmp!.duration_ms, `${id} not held up by the slow agent`).toBeLessThan(3000);
      for (const i of c.interfaces) {
        expect(i.in_bps, `${id} ${i.name} ${i.note}`).not.toBeNull();
        expect(i.in_bps!).toBeLessThanOrEqual(i.speed_bps!);
        expect(i.out_bps!).toBeLessThanOrEqual(i.speed_bps!);
      }
    }
    // sim-0004's 32-bit counters wrapped between the cycles: a normal rate, not 2^32 bytes in 3 s
    const wrapped = c2.get('sim-0004')!.interfaces.find((i) => i.index === 1)!;
    expect(fleet.router('sim-0004').model.counters.get(1)!.in_octets).toBeLessThan(1n << 31n);
    expect(wrapped.in_bps!).toBeGreaterThan(0);
    expect(wrapped.in_bps!).toBeLessThan(wrapped.speed_bps!);
    const reb = c2.get('sim-0005')!;
    expect(reb.rebooted).toBe(true);
    expect(reb.uptime_s!).toBeLessThan(10);
    expect(reb.interfaces.every((i) => i.in_bps === null && i.note === 'reboot')).toBe(true);
    const slow = c2.get('sim-0006')!;
    expect(slow.snmp?.status).toBe('timeout');
    expect(slow.ping?.received).toBe(3);
    expect(isReachable(slow)).toBe(true);
    expect(st.rechecked).toBe(2); // the slow site and the down site
    // the slow site costs its timeout + the re-check (~7 s), not a timeout per site in turn
    expect(took).toBeLessThan(12_000);
    await fleet.setFault('sim-0006', null);
  });

  it('fping that cannot run: every site UNKNOWN (not failed, no re-check) unless SNMP answered', async () => {
    const broken = createPingProbe({ ...settings.poller.ping, fping_path: '/nonexistent/fping' });
    const got: SiteCheck[] = [];
    const p = createPoller({ settings, sites: fleet.sites, ping: broken, snmp, clock: systemClock, logger, onCheck: (cs) => { got.push(...cs); } });
    const st = await p.runCycle(1, { snmp: false });
    expect(got).toHaveLength(8);
    for (const c of got) {
      expect(c.unknown, c.site).toMatch(/fping did not run/);
      expect(checkFailed(c)).toBe(false);
    }
    expect(st).toMatchObject({ unknown: 8, rechecked: 0 });
  });

  it('spread: SNMP requests start at their slots of the window, not in one burst', async () => {
    const got: SiteCheck[] = [];
    const sites = fleet.sites.slice(0, 4);
    const p = createPoller({ settings, sites, ping, snmp, clock: systemClock, logger, onCheck: (cs) => { got.push(...cs); } });
    const t0 = Date.now();
    await p.runCycle(1, { ping: false, spreadMs: 1200, recheck: false });
    const starts = got.map((c) => c.snmp!.ts - t0);
    // slots at 0, 300, 600, 900 ms (a loaded machine may start a little late, never early)
    starts.forEach((s, i) => {
      expect(s, `site ${i}`).toBeGreaterThanOrEqual(i * 300 - 5);
      expect(s, `site ${i}`).toBeLessThan(i * 300 + 1000);
    });
  });

  it('two shards over one inventory poll every site exactly once', async () => {
    const sites = fleet.sites.map((s, i) => ({ ...s, province: i % 3 === 0 ? 'Lao Cai' : 'Ha Giang' }));
    const seen: string[] = [];
    for (const provinces of [['Lao Cai'], ['Ha Giang']]) {
      const s = settingsWithDefaults({ ...settings, poller: { ...settings.poller, shard: { provinces } } });
      const p = createPoller({ settings: s, sites, ping, snmp, clock: systemClock, logger, onCheck: (cs) => { seen.push(...cs.filter((c) => !c.recheck).map((c) => c.site)); } });
      await p.runCycle(1, { snmp: false, recheck: false });
    }
    expect(seen.slice().sort()).toEqual(fleet.sites.map((s) => s.id).sort());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('the scheduler runs real cycles on node-cron ticks and stop() waits for the running one', async () => {
    const s = settingsWithDefaults({ ...settings, poller: { ...settings.poller, shard: undefined } });
    const cycles: number[] = [];
    const p = createPoller({ settings: s, sites: fleet.sites.slice(0, 3), ping, snmp, clock: systemClock, logger, onCheck: (cs) => { cycles.push(cs[0]!.cycle); } });
    const sched = createScheduler({ settings: s, poller: p, clock: systemClock, logger });
    expect(sched.counters()).toMatchObject({ tick_s: 5, pattern: '*/5 * * * * *' });
    sched.start();
    const deadline = Date.now() + 9000;
    while (sched.counters().cycles < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await sched.stop();
    const c = sched.counters();
    expect(c.cycles).toBeGreaterThanOrEqual(2);
    expect(c.running).toBe(false);
    // the start-up cycle may still run at the first tick: that tick is an overrun, never a stacked cycle
    expect(c.overruns).toBeLessThanOrEqual(1);
    expect(c.last_cycle_duration_ms).toBeGreaterThan(0);
    expect(new Set(cycles)).toEqual(new Set(Array.from({ length: c.cycles }, (_, i) => i + 1)));
  }, 15_000);
});
