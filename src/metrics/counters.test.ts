import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { counterDelta, detectReboot, CounterTracker, pickWanInterface } from './counters.js';
import type { InterfaceCounters, SnmpResult } from '../core/types.js';

const M32 = 2n ** 32n;
const M64 = 2n ** 64n;

describe('counterDelta', () => {
  const cases: Array<{ name: string; prev: bigint; cur: bigint; bits: 32 | 64; want: bigint | null }> = [
    { name: 'no change', prev: 5n, cur: 5n, bits: 32, want: 0n },
    { name: 'plain increase 32', prev: 1000n, cur: 251000n, bits: 32, want: 250000n },
    { name: 'Counter32 wrap near the top', prev: M32 - 1000n, cur: 500n, bits: 32, want: 1500n },
    { name: 'Counter32 wrap from max to 0', prev: M32 - 1n, cur: 0n, bits: 32, want: 1n },
    { name: 'Counter32 reset (huge "wrap") is null', prev: 1_000_000n, cur: 500n, bits: 32, want: null },
    { name: 'Counter32 exactly half range back is a reset', prev: M32 / 2n, cur: 0n, bits: 32, want: null },
    { name: 'Counter64 near 2^64 increases exactly', prev: M64 - 10_000n, cur: M64 - 1n, bits: 64, want: 9_999n },
    { name: 'Counter64 wrap near 2^64', prev: M64 - 100n, cur: 50n, bits: 64, want: 150n },
    { name: 'Counter64 beyond 2^53 keeps precision', prev: 2n ** 60n + 1n, cur: 2n ** 60n + 3n, bits: 64, want: 2n },
    { name: 'Counter64 reset after restart is null', prev: 5_000_000_000_000n, cur: 1234n, bits: 64, want: null },
    { name: 'value out of range for 32 bits is null', prev: 0n, cur: M32, bits: 32, want: null },
    { name: 'negative is null', prev: -1n, cur: 5n, bits: 64, want: null },
  ];
  for (const c of cases) it(c.name, () => expect(counterDelta(c.prev, c.cur, c.bits)).toBe(c.want));
});

describe('detectReboot', () => {
  const T0 = Date.UTC(2026, 10, 1);
  const cases: Array<{ name: string; prev: [number, number]; cur: [number, number]; rebooted: boolean; at?: number }> = [
    { name: 'uptime grows with wall time', prev: [100_000, T0], cur: [106_000, T0 + 60_000], rebooted: false },
    { name: 'uptime went down: reboot', prev: [900_000, T0], cur: [2_000, T0 + 60_000], rebooted: true, at: T0 + 60_000 - 20_000 },
    {
      name: '497-day TimeTicks wrap is not a reboot',
      prev: [2 ** 32 - 1_000, T0], cur: [5_000, T0 + 60_000], rebooted: false,
    },
    {
      name: 'uptime down but wall time does not match a wrap: reboot',
      prev: [2 ** 32 - 1_000, T0], cur: [5_000, T0 + 3_600_000], rebooted: true, at: T0 + 3_600_000 - 50_000,
    },
    { name: 'reboot hidden in a gap (uptime < elapsed)', prev: [10_000, T0], cur: [60_000, T0 + 3_600_000], rebooted: true, at: T0 + 3_600_000 - 600_000 },
    { name: 'slow answer within tolerance is not a reboot', prev: [100_000, T0], cur: [105_500, T0 + 60_000], rebooted: false },
    { name: 'same reading twice', prev: [100_000, T0], cur: [100_000, T0], rebooted: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = detectReboot({ ticks: c.prev[0], ts: c.prev[1] }, { ticks: c.cur[0], ts: c.cur[1] });
      expect(r.rebooted).toBe(c.rebooted);
      expect(r.rebooted_at).toBe(c.rebooted ? c.at : null);
    });
  }
});

function iface(p: Partial<InterfaceCounters> & { in_octets: bigint | null; out_octets: bigint | null }): InterfaceCounters {
  return {
    index: 1, name: 'ether1', descr: 'ether1', admin_up: true, oper_up: true, counter_bits: 64,
    in_errors: 0n, out_errors: 0n, in_discards: 0n, out_discards: 0n, speed_bps: 100_000_000, ...p,
  };
}
function sample(ts: number, ticks: number | null, ifs: InterfaceCounters[] | undefined, status: SnmpResult['status'] = 'ok'): SnmpResult {
  return {
    site: 's1', ts, duration_ms: 5, status,
    ...(ticks !== null ? { system: { uptime_ticks: ticks, sys_name: 'r', sys_descr: 'd', sys_object_id: '1.3' } } : {}),
    ...(ifs ? { interfaces: ifs } : {}),
  };
}

describe('CounterTracker', () => {
  const T0 = Date.UTC(2026, 10, 1);
  type Step = { ts: number; ticks: number | null; ifs?: InterfaceCounters[]; status?: SnmpResult['status'] };
  type Want = { in_bps?: number | null; out_bps?: number | null; note?: string; rebooted?: boolean; uptime_s?: number | null; in_errors_ps?: number | null };
  /** ether1, then an answer without it (only wlan1), then ether1 again. */
  const missingForOnePoll: Step[] = [
    { ts: T0, ticks: 1000, ifs: [iface({ in_octets: 0n, out_octets: 0n })] },
    { ts: T0 + 60_000, ticks: 7000, ifs: [iface({ index: 2, name: 'wlan1', in_octets: 0n, out_octets: 0n })] },
    { ts: T0 + 120_000, ticks: 13000, ifs: [iface({ in_octets: 15_000_000n, out_octets: 0n })] },
  ];
  const cases: Array<{ name: string; interval: number; steps: Step[]; want: Want }> = [
    {
      name: 'first sample: no rate',
      interval: 60,
      steps: [{ ts: T0, ticks: 1000, ifs: [iface({ in_octets: 1000n, out_octets: 0n })] }],
      want: { in_bps: null, out_bps: null, note: 'first-sample', uptime_s: 10 },
    },
    {
      name: 'steady 64-bit rate',
      interval: 60,
      steps: [
        { ts: T0, ticks: 1000, ifs: [iface({ in_octets: 0n, out_octets: 0n })] },
        { ts: T0 + 60_000, ticks: 7000, ifs: [iface({ in_octets: 7_500_000n, out_octets: 750_000n, in_errors: 120n })] },
      ],
      want: { in_bps: 1_000_000, out_bps: 100_000, in_errors_ps: 2, uptime_s: 70 },
    },
    {
      name: 'Counter32 wrap gives the true rate',
      interval: 60,
      steps: [
        { ts: T0, ticks: 1000, ifs: [iface({ counter_bits: 32, in_octets: M32 - 3_750_000n, out_octets: 0n })] },
        { ts: T0 + 60_000, ticks: 7000, ifs: [iface({ counter_bits: 32, in_octets: 3_750_000n, out_octets: 0n })] },
      ],
      want: { in_bps: 1_000_000, out_bps: 0 },
    },
    {
      name: 'an error counter (Counter32) that wrapped gives the true rate',
      interval: 60,
      steps: [
        { ts: T0, ticks: 1000, ifs: [iface({ in_octets: 0n, out_octets: 0n, in_errors: M32 - 60n })] },
        { ts: T0 + 60_000, ticks: 7000, ifs: [iface({ in_octets: 0n, out_octets: 0n, in_errors: 60n })] },
      ],
      want: { in_bps: 0, in_errors_ps: 2 },
    },
    {
      name: 'an error counter that fell by more than half its range is a reset, not a wrap',
      interval: 60,
      steps: [
        { ts: T0, ticks: 1000, ifs: [iface({ in_octets: 0n, out_octets: 0n, in_errors: 1_000_000_000n })] },
        { ts: T0 + 60_000, ticks: 7000, ifs: [iface({ in_octets: 0n, out_octets: 0n, in_errors: 5n })] },
      ],
      want: { in_bps: 0, in_errors_ps: null, note: 'counter-reset' },
    },
    {
      name: 'an error counter past 2^32 (an agent sending it as Counter64) is a reset',
      interval: 60,
      steps: [
        { ts: T0, ticks: 1000, ifs: [iface({ in_octets: 0n, out_octets: 0n, in_errors: 10n })] },
        { ts: T0 + 60_000, ticks: 7000, ifs: [iface({ in_octets: 0n, out_octets: 0n, in_errors: M32 + 10n })] },
      ],
      want: { in_errors_ps: null, note: 'counter-reset' },
    },
    {
      name: 'Counter64 near 2^64 rate exact in bigint',
      interval: 60,
      steps: [
        { ts: T0, ticks: 1000, ifs: [iface({ in_octets: M64 - 7_500_001n, out_octets: 0n })] },
        { ts: T0 + 60_000, ticks: 7000, ifs: [iface({ in_octets: M64 - 1n, out_octets: 0n })] },
      ],
      want: { in_bps: 1_000_000 },
    },
    {
      name: 'reboot: no rate that interval',
      interval: 60,
      steps: [
        { ts: T0, ticks: 900_000, ifs: [iface({ in_octets: 9_000_000_000n, out_octets: 0n })] },
        { ts: T0 + 60_000, ticks: 3000, ifs: [iface({ in_octets: 10_000n, out_octets: 0n })] },
      ],
      want: { in_bps: null, note: 'reboot', rebooted: true, uptime_s: 30 },
    },
    {
      name: 'reboot seen on a system-only poll still voids the next interface interval',
      interval: 60,
      steps: [
        { ts: T0, ticks: 900_000, ifs: [iface({ counter_bits: 32, speed_bps: 1e9, in_octets: 3_500_000_000n, out_octets: 0n })] },
        { ts: T0 + 60_000, ticks: 3000 },
        { ts: T0 + 120_000, ticks: 9000, ifs: [iface({ counter_bits: 32, speed_bps: 1e9, in_octets: 1_000_000n, out_octets: 0n })] },
      ],
      want: { in_bps: null, note: 'reboot', rebooted: false },
    },
    {
      name: 'after a reboot interval, rates resume',
      interval: 60,
      steps: [
        { ts: T0, ticks: 900_000, ifs: [iface({ in_octets: 9_000_000_000n, out_octets: 0n })] },
        { ts: T0 + 60_000, ticks: 3000, ifs: [iface({ in_octets: 0n, out_octets: 0n })] },
        { ts: T0 + 120_000, ticks: 9000, ifs: [iface({ in_octets: 7_500_000n, out_octets: 0n })] },
      ],
      want: { in_bps: 1_000_000, rebooted: false },
    },
    {
      name: '497-day wrap is not a reboot and uptime keeps counting',
      interval: 60,
      steps: [
        { ts: T0, ticks: 2 ** 32 - 1000, ifs: [iface({ in_octets: 0n, out_octets: 0n })] },
        { ts: T0 + 60_000, ticks: 5000, ifs: [iface({ in_octets: 750_000n, out_octets: 0n })] },
      ],
      want: { in_bps: 100_000, rebooted: false, uptime_s: (2 ** 32 + 5000) / 100 },
    },
    {
      name: 'implausible rate above speed × margin is discarded',
      interval: 60,
      steps: [
        { ts: T0, ticks: 1000, ifs: [iface({ speed_bps: 10_000_000, in_octets: 0n, out_octets: 0n })] },
        { ts: T0 + 60_000, ticks: 7000, ifs: [iface({ speed_bps: 10_000_000, in_octets: 100_000_000n, out_octets: 0n })] },
      ],
      want: { in_bps: null, out_bps: null, note: 'implausible' },
    },
    {
      name: 'rate just under speed × margin is kept',
      interval: 60,
      steps: [
        { ts: T0, ticks: 1000, ifs: [iface({ speed_bps: 10_000_000, in_octets: 0n, out_octets: 0n })] },
        { ts: T0 + 60_000, ticks: 7000, ifs: [iface({ speed_bps: 10_000_000, in_octets: 75_000_000n, out_octets: 0n })] },
      ],
      want: { in_bps: 10_000_000 },
    },
    {
      name: 'gap of missed polls: average over the gap, no spike',
      interval: 60,
      steps: [
        { ts: T0, ticks: 1000, ifs: [iface({ in_octets: 0n, out_octets: 0n })] },
        { ts: T0 + 60_000, ticks: null, status: 'timeout' },
        { ts: T0 + 120_000, ticks: null, status: 'timeout' },
        { ts: T0 + 180_000, ticks: 19_000, ifs: [iface({ in_octets: 22_500_000n, out_octets: 0n })] },
      ],
      want: { in_bps: 1_000_000, rebooted: false },
    },
    {
      name: 'Counter32 gap beyond max_gap_factor intervals: no rate',
      interval: 60,
      steps: [
        { ts: T0, ticks: 1000, ifs: [iface({ counter_bits: 32, in_octets: 0n, out_octets: 0n })] },
        { ts: T0 + 60_000 * 11, ticks: 1000 + 66_000, ifs: [iface({ counter_bits: 32, in_octets: 500n, out_octets: 0n })] },
      ],
      want: { in_bps: null, note: 'gap' },
    },
    {
      name: 'counter reset without reboot: no rate, noted',
      interval: 60,
      steps: [
        { ts: T0, ticks: 1000, ifs: [iface({ in_octets: 5_000_000_000n, out_octets: 10n })] },
        { ts: T0 + 60_000, ticks: 7000, ifs: [iface({ in_octets: 100n, out_octets: 20n })] },
      ],
      want: { in_bps: null, note: 'counter-reset' },
    },
    {
      name: 'switch from 64 to 32-bit counters restarts the series',
      interval: 60,
      steps: [
        { ts: T0, ticks: 1000, ifs: [iface({ in_octets: 5_000n, out_octets: 10n })] },
        { ts: T0 + 60_000, ticks: 7000, ifs: [iface({ counter_bits: 32, in_octets: 6_000n, out_octets: 20n })] },
      ],
      want: { in_bps: null, note: 'first-sample' },
    },
    {
      name: 'an ifIndex taken by another interface (new ifName) restarts the series',
      interval: 60,
      steps: [
        { ts: T0, ticks: 1000, ifs: [iface({ in_octets: 5_000n, out_octets: 10n })] },
        { ts: T0 + 60_000, ticks: 7000, ifs: [iface({ name: 'lte1', in_octets: 9_000_000n, out_octets: 20n })] },
      ],
      want: { in_bps: null, note: 'first-sample' },
    },
    {
      name: 'an interface missing from one answer restarts its series when it is back',
      interval: 60,
      steps: missingForOnePoll,
      want: { in_bps: null, note: 'first-sample' },
    },
    {
      name: 'the interface after a poll that missed it rates against that poll',
      interval: 60,
      steps: [...missingForOnePoll, { ts: T0 + 180_000, ticks: 19000, ifs: [iface({ in_octets: 22_500_000n, out_octets: 0n })] }],
      want: { in_bps: 1_000_000 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const t = new CounterTracker();
      let last: ReturnType<CounterTracker['update']> | undefined;
      for (const s of c.steps) last = t.update('s1', sample(s.ts, s.ticks, s.ifs, s.status), c.interval);
      const r = last!.rates[0]!;
      expect(r, 'no rates returned').toBeDefined();
      if ('in_bps' in c.want) expect(r.in_bps).toBe(c.want.in_bps);
      if ('out_bps' in c.want) expect(r.out_bps).toBe(c.want.out_bps);
      if ('in_errors_ps' in c.want) expect(r.in_errors_ps).toBe(c.want.in_errors_ps);
      expect(r.note).toBe(c.want.note);
      if ('rebooted' in c.want) expect(last!.rebooted).toBe(c.want.rebooted);
      if ('uptime_s' in c.want) expect(last!.uptime_s).toBe(c.want.uptime_s);
    });
  }

  it('failed poll returns no rates and keeps state', () => {
    const t = new CounterTracker();
    t.update('s1', sample(T0, 1000, [iface({ in_octets: 0n, out_octets: 0n })]), 60);
    const r = t.update('s1', sample(T0 + 60_000, null, undefined, 'timeout'), 60);
    expect(r).toEqual({ uptime_s: null, rebooted: false, rebooted_at: null, rates: [] });
  });

  it('sites and interfaces are independent; forget() restarts a site', () => {
    const t = new CounterTracker();
    const a = (ts: number, n: bigint) => ({ ...sample(ts, 1000 + (ts - T0) / 10, [iface({ in_octets: n, out_octets: 0n }), iface({ index: 2, name: 'wlan1', in_octets: n * 2n, out_octets: 0n })]), site: 'a' });
    t.update('a', a(T0, 0n), 60);
    t.update('b', { ...a(T0, 999n), site: 'b' }, 60);
    const r = t.update('a', a(T0 + 60_000, 750_000n), 60);
    expect(r.rates.map((x) => x.in_bps)).toEqual([100_000, 200_000]);
    t.forget('a');
    expect(t.update('a', a(T0 + 120_000, 1_500_000n), 60).rates[0]!.note).toBe('first-sample');
  });

  it('a second row with the same ifIndex in one answer gets no rate (and does not disturb the first)', () => {
    const t = new CounterTracker();
    const dup = (ts: number, n: bigint) => sample(ts, 1000 + (ts - T0) / 10, [iface({ in_octets: n, out_octets: 0n }), iface({ name: 'ghost', in_octets: 1n, out_octets: 0n })]);
    t.update('s1', dup(T0, 0n), 60);
    const r = t.update('s1', dup(T0 + 60_000, 750_000n), 60);
    expect(r.rates.map((x) => [x.name, x.in_bps, x.note])).toEqual([['ether1', 100_000, undefined], ['ghost', null, 'first-sample']]);
  });

  it('never yields a rate above speed × margin over random counter sequences', () => {
    const t = new CounterTracker();
    let ts = T0, ticks = 1000, c = 0n;
    for (let k = 0; k < 2000; k++) {
      ts += 60_000 * (1 + (k % 3));
      ticks = k % 97 === 0 ? 500 : ticks + 6000 * (1 + (k % 3));
      c = k % 53 === 0 ? 17n : (c + BigInt(Math.floor(((k * 7919) % 1000) * 1e7))) % M32;
      const r = t.update('s', sample(ts, ticks, [iface({ counter_bits: 32, speed_bps: 10_000_000, in_octets: c, out_octets: c })]), 60);
      for (const x of r.rates) if (x.in_bps !== null) expect(x.in_bps).toBeLessThanOrEqual(11_000_000);
    }
  });
});

describe('CounterTracker properties (fast-check)', () => {
  it('any sequence of samples: every rate is null or within [0, speed × margin]; never throws', () => {
    const T0 = Date.UTC(2026, 10, 1);
    const step = fc.record({
      dt: fc.integer({ min: -5_000, max: 3_600_000 }),
      dticks: fc.integer({ min: -1_000_000, max: 400_000 }),
      status: fc.constantFrom('ok', 'ok', 'ok', 'timeout'),
      bits: fc.constantFrom(32, 64),
      inc: fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }),
      speed: fc.constantFrom(null, 0, 1e6, 1e8, 1e10),
      withSystem: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 600 }), (steps, interval) => {
        const t = new CounterTracker();
        let ts = T0, ticks = 100_000, c = 0n;
        for (const s of steps) {
          ts += s.dt;
          ticks = Math.max(0, Math.min(2 ** 32 - 1, ticks + s.dticks));
          const mod = s.bits === 32 ? 2n ** 32n : 2n ** 64n;
          c = (((c + s.inc) % mod) + mod) % mod;
          const r = t.update('p', sample(ts, s.withSystem ? ticks : null, [iface({ counter_bits: s.bits as 32 | 64, speed_bps: s.speed, in_octets: c, out_octets: c, in_errors: c % 2n ** 32n })], s.status as 'ok' | 'timeout'), interval);
          for (const x of r.rates) {
            for (const v of [x.in_bps, x.out_bps, x.in_errors_ps]) if (v !== null) expect(v).toBeGreaterThanOrEqual(0);
            if (s.speed) for (const v of [x.in_bps, x.out_bps]) if (v !== null) expect(v).toBeLessThanOrEqual(s.speed * 1.1);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('pickWanInterface', () => {
  const mk = (index: number, name: string, o: Partial<InterfaceCounters> = {}) =>
    iface({ index, name, descr: name, in_octets: 0n, out_octets: 0n, ...o });
  const cases: Array<{ name: string; ifs: InterfaceCounters[]; configured?: string; want: { name: string; chosen_by: string } | null }> = [
    { name: 'configured ifName wins', ifs: [mk(1, 'wan'), mk(2, 'ether5')], configured: 'ether5', want: { name: 'ether5', chosen_by: 'inventory' } },
    { name: 'configured matches ifDescr', ifs: [mk(1, 'eth0', { descr: 'Uplink port' }), mk(2, 'eth1')], configured: 'Uplink port', want: { name: 'eth0', chosen_by: 'inventory' } },
    { name: 'configured case-insensitive', ifs: [mk(1, 'Ether2')], configured: 'ether2', want: { name: 'Ether2', chosen_by: 'inventory' } },
    {
      name: 'configured missing falls back and says so',
      ifs: [mk(1, 'lo'), mk(2, 'pppoe-out1')], configured: 'ether9',
      want: { name: 'pppoe-out1', chosen_by: 'inventory wan_interface "ether9" not found; name looks like PPP/PPPoE' },
    },
    { name: 'name contains wan', ifs: [mk(1, 'lo'), mk(2, 'br-lan'), mk(3, 'eth0.2'), mk(4, 'wan')], want: { name: 'wan', chosen_by: 'name contains "wan"' } },
    { name: 'lte modem', ifs: [mk(1, 'lo'), mk(2, 'wlan0'), mk(3, 'lte1')], want: { name: 'lte1', chosen_by: 'name looks like a cellular modem' } },
    { name: 'MikroTik ether1', ifs: [mk(1, 'ether1'), mk(2, 'ether2'), mk(3, 'bridge')], want: { name: 'ether1', chosen_by: 'name is ether1 (MikroTik default WAN)' } },
    { name: 'eth0 on a Linux router', ifs: [mk(1, 'lo'), mk(2, 'br-lan', { in_octets: 10n ** 9n }), mk(3, 'eth0'), mk(4, 'wlan1', { in_octets: 10n ** 9n })], want: { name: 'eth0', chosen_by: 'name is eth0 (first Ethernet port)' } },
    {
      name: 'most traffic among up wired interfaces, skipping loopback, virtual and radios',
      ifs: [mk(1, 'lo', { in_octets: 10n ** 12n }), mk(2, 'eth5', { in_octets: 500n }), mk(3, 'eth1', { in_octets: 9000n }), mk(4, 'docker0', { in_octets: 10n ** 10n }), mk(5, 'eth2', { oper_up: false, in_octets: 10n ** 9n }), mk(6, 'wlan0', { in_octets: 10n ** 8n })],
      want: { name: 'eth1', chosen_by: 'up wired interface with the most traffic' },
    },
    { name: 'only radios up: the busiest radio', ifs: [mk(1, 'wlan0', { in_octets: 5n }), mk(2, 'wlan1', { in_octets: 50n })], want: { name: 'wlan1', chosen_by: 'up interface with the most traffic' } },
    { name: 'only loopback: none', ifs: [mk(1, 'lo')], want: null },
    { name: 'no interfaces: none', ifs: [], want: null },
  ];
  for (const c of cases) it(c.name, () => expect(pickWanInterface(c.ifs, c.configured)).toEqual(c.want));
});
